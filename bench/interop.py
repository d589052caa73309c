"""Interop: coprod's SRT and WebVTT against two independent libraries, `srt` and webvtt-py.

Hypothesis generates cue lists (accents, CJK, emoji, right-to-left text, `<`, `>`, `&`, `{`
and `\\` in text, fragments that used to lose words such as "I was <so angry> at them",
several lines, zero-length and empty cues, hours past 99, italics, bold, underline and, in
WebVTT, voices) and checks each one every way:

- coprod's SRT read by `srt` and by webvtt-py's SRT reader, coprod's WebVTT read by webvtt-py:
  the same times and text (entities decoded; the only tags coprod writes are taken off);
- SRT written by `srt` (LF and CRLF) and WebVTT written by webvtt-py, read by coprod: the same
  times and text (and voices);
- coprod's own write then read, in both formats: the same cues, styling included.

A cue list is one file each way. Text SRT cannot hold as text is not generated for SRT: a line
with `-->`, and text that is itself SRT markup (`<i>`, `</b>`, `<font ...>`, `{\\an8}`, `\\N`,
`\\h`), which every player reads as markup. Lines are in the form coprod's readers give them
(no spaces or tabs at either end, none of only spaces); webvtt-py's SRT reader leaves out cues
with no text, so that way compares the others. The libraries are test dependencies, never imported
by coprod itself. tests/captions/test_interop.py runs the same checks in the test suite.

Usage: python bench/interop.py [--files N] [--seed S] [--no-write]
"""

from __future__ import annotations

import argparse
import html
import io
import os
import platform
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import srt  # type: ignore[import-untyped]
import webvtt
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sections import DOCS, write_section  # noqa: E402
from captions.formats import dumps, loads  # noqa: E402
from captions.model import Cue, Span, Style  # noqa: E402
from captions.styling import without_voices  # noqa: E402
from captions.textio import decode_caption_bytes  # noqa: E402

START, END = "<!-- interop:start -->", "<!-- interop:end -->"
FILES = 2000
SEED = 14

# Characters text is made of: plain, markup-like, accented and combining, CJK, right-to-left,
# emoji (with skin tones, joiners and flags), and spaces and marks that are easy to lose.
CHARACTERS = (
    "abcxyzABCXYZ0123456789 .,;:!?'\"-–—…()[]/*#%+=_~^|@$"
    "<>&{}\\/"
    "éèçñüßøåÉ\u0301\u0308"
    "日本語中文한국어"
    "עברית العربية فارسی"
    "ΕλληνικάКириллица"
    "👍🏽👩\u200d👩\u200d👧🎬❤️🇬🇧"
    "\u00a0\u3000\u200b\u200d\u200e\u200f\u2028\u2060\ufeff"
)
FRAGMENTS = (
    "I was <so angry> at them", "love you <3 ... see you > soon", "<laughs>", "<3", "< 3",
    "a<b", "x > y", "&amp;", "&lt;i&gt;", "&nbsp;", "&#233;", "a & b", "&", "<i", "</", "{\\",
    "{not override}", "\\n", "<b >", "<font", "<c.x>", "<v Bob>", "<00:01.000>", "<rt>",
    "</ruby>", "-->", "->", "1", "2023", "00:00:01,000", "Café", "שלום", "مرحبا", "👩‍👩‍👧",
)
# Not text in SRT: every player (and coprod's reader) takes these as markup; see the docstring.
SRT_MARKUP = re.compile(r"<(/?)[ibus]>|</?font(?:[ \t][^<>\n]*)?>|\{\\[^{}\n]*\}|\\[Nh]|-->",
                        re.IGNORECASE)
# `srt` ends a cue's text at a line that is a number followed by a line starting with a time.
SRT_LIB_INDEX = re.compile(r"-?[0-9]+\.?[0-9]*\s*\n[0-9]+[,.:，．。：][0-9]+[,.:，．。：][0-9]+")
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HOUR = 3_600_000


def _line() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(st.sampled_from(CHARACTERS), min_size=1, max_size=8),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"),
                              exclude_characters=BIDI), min_size=1, max_size=4),
    )
    # A line of nothing but spaces would end the cue in some readers (webvtt-py takes any line
    # str.strip() empties, a hard space or U+3000 too, for a blank line); coprod keeps such
    # lines but captions have no use for them, so the generator makes none.
    return st.lists(piece, min_size=1, max_size=5).map("".join).map(
        lambda line: line.strip(" \t")).filter(lambda line: line.strip() != "")


def srt_text_ok(text: str) -> bool:
    """Text SRT can carry as text (see the module's docstring)."""
    return SRT_MARKUP.search(text) is None and SRT_LIB_INDEX.search(text) is None


def _text(fmt: str) -> st.SearchStrategy[str]:
    text = st.one_of(st.just(""), st.lists(_line(), min_size=1, max_size=3).map("\n".join))
    return text.filter(srt_text_ok) if fmt == "srt" else text


# Voices: names as people write them, with the characters WebVTT must escape in them.
_NAMES = st.sampled_from(["Amara", "Ben Carter", "Chloé", "Dr O'Neil", "A & B", "<Narrator>",
                          "Jean-Luc", "שרה", "李雷", "Ma.ria", "x"])
_STYLES = st.sampled_from([Style.ITALIC, Style.BOLD, Style.UNDERLINE])
_AT = st.integers(0, 1000)  # a place in the text, in thousandths of its length
_STARTS = st.one_of(st.integers(0, HOUR), st.integers(0, 400 * HOUR))
_LENGTHS = st.one_of(st.just(0), st.integers(0, 600_000))
_STYLE_SPANS = st.lists(st.tuples(_AT, _AT, _STYLES), max_size=3)
_VOICE_SPANS = st.lists(st.tuples(_AT, _AT, _NAMES), max_size=2)
_TEXTS = {fmt: _text(fmt) for fmt in ("srt", "vtt")}


@st.composite
def _cue(draw: st.DrawFn, fmt: str, styled: bool) -> Cue:
    start = draw(_STARTS)
    end = start + draw(_LENGTHS)
    text = draw(_TEXTS[fmt])
    spans: list[Span] = []

    def span(a: int, b: int, style: Style, voice: str = "") -> Span:
        a, b = sorted((a * len(text) // 1000, b * len(text) // 1000))
        return Span(a, b, style, voice)

    if styled and text:
        spans += [span(a, b, style) for a, b, style in draw(_STYLE_SPANS)]
        if fmt == "vtt":
            spans += [span(a, b, Style.VOICE, name) for a, b, name in draw(_VOICE_SPANS)]
    return Cue(start, end, text, tuple(spans))


def cue_lists(fmt: str, *, styled: bool = True) -> st.SearchStrategy[list[Cue]]:
    """Cue lists for ``fmt`` ("srt" or "vtt"); one list is one file."""
    return st.lists(_cue(fmt, styled), min_size=1 if fmt == "srt" else 0, max_size=6)


# --- the checks: each returns the differences it found (none: the file agrees) ---------------

_COPROD_TAGS = re.compile(r"</?[ibu]>")


def _ms(value: timedelta) -> int:
    return value // timedelta(milliseconds=1)


def _compare(cues: Sequence[Cue], found: Sequence[tuple[int, int, str]], who: str) -> list[str]:
    if len(found) != len(cues):
        return [f"{who}: {len(found)} cues, not {len(cues)}"]
    return [f"{who}: cue {n}: {got!r} is not {(c.start, c.end, c.text)!r}"
            for n, (c, got) in enumerate(zip(cues, found, strict=True), start=1)
            if got != (c.start, c.end, c.text)]


def srt_reads_ours(cues: Sequence[Cue]) -> list[str]:
    """coprod's SRT read by `srt`: the same times and text."""
    subs = list(srt.parse(dumps(cues, "srt")))
    found = [(_ms(s.start), _ms(s.end), _COPROD_TAGS.sub("", s.content)) for s in subs]
    return _compare(cues, found, "srt")


def webvtt_reads_our_srt(cues: Sequence[Cue]) -> list[str]:
    """coprod's SRT read by webvtt-py's SRT reader: the same times and text.

    webvtt-py's SRT reader leaves out cues with no text (coprod keeps them, for QC to report),
    so those are not compared.
    """
    shown = [cue for cue in cues if cue.text]
    if not shown:
        return []
    captions = webvtt.WebVTT.from_buffer(io.StringIO(dumps(cues, "srt")), format="srt").captions
    found = [(c.start_time.in_milliseconds(), c.end_time.in_milliseconds(),
              _COPROD_TAGS.sub("", c.raw_text)) for c in captions]
    return _compare(shown, found, "webvtt-py (SRT)")


def _first_voice(cue: Cue) -> str | None:
    runs = cue.runs
    return runs[0][1].voice or None if runs else None


def webvtt_reads_our_vtt(cues: Sequence[Cue]) -> list[str]:
    """coprod's WebVTT read by webvtt-py: the same times, text (entities decoded) and voice."""
    captions = webvtt.WebVTT.from_string(dumps(cues, "vtt")).captions
    found = [(c.start_time.in_milliseconds(), c.end_time.in_milliseconds(),
              html.unescape(c.text)) for c in captions]
    problems = _compare(cues, found, "webvtt-py")
    if not problems:
        for n, (cue, caption) in enumerate(zip(cues, captions, strict=True), start=1):
            voice = html.unescape(caption.voice) if caption.voice else None
            if voice != _first_voice(cue):
                problems.append(f"webvtt-py: cue {n}: voice {voice!r}, not {_first_voice(cue)!r}")
    return problems


def ours_reads_srt(cues: Sequence[Cue], eol: str = "\n") -> list[str]:
    """SRT written by `srt` (with ``eol`` line ends) read by coprod: the same times and text."""
    subs = [srt.Subtitle(n, timedelta(milliseconds=c.start), timedelta(milliseconds=c.end),
                         c.text) for n, c in enumerate(cues, start=1)]
    data = srt.compose(subs, reindex=False, eol=eol).encode("utf-8")
    found = loads(decode_caption_bytes(data), "srt")
    return _compare(cues, [(c.start, c.end, c.text) for c in found], f"coprod (srt, {eol!r})")


def ours_reads_webvtt(cues: Sequence[Cue]) -> list[str]:
    """WebVTT written by webvtt-py read by coprod: the same times, text and voice.

    The text is escaped as WebVTT asks; a cue with a voice is written in it, the way Teams and
    YouTube do (``<v Name>`` before the text, not closed).
    """
    out = webvtt.WebVTT()
    for cue in cues:
        voice = _first_voice(cue)
        body = html.escape(cue.text, quote=False)
        if voice and cue.text:
            body = f"<v {html.escape(voice, quote=False)}>{body}"
        caption = webvtt.Caption(text=body)
        caption.start_time = webvtt.models.Timestamp.from_seconds(cue.start / 1000)
        caption.end_time = webvtt.models.Timestamp.from_seconds(cue.end / 1000)
        out.captions.append(caption)
    buffer = io.StringIO()
    out.write(buffer)
    found = loads(buffer.getvalue(), "vtt")
    problems = _compare(cues, [(c.start, c.end, c.text) for c in found], "coprod (webvtt-py)")
    for n, (cue, got) in enumerate(zip(cues, found, strict=False), start=1):
        want = [_first_voice(cue)] if _first_voice(cue) and cue.text else []
        if got.voices != want:
            problems.append(f"coprod (webvtt-py): cue {n}: voices {got.voices}, not {want}")
    return problems


def round_trip(cues: Sequence[Cue], fmt: str) -> list[str]:
    """coprod's own write then read: the same cues, styling included (SRT has no voices)."""
    want = list(cues) if fmt == "vtt" else [without_voices(cue) for cue in cues]
    found = loads(dumps(cues, fmt), fmt)
    return [] if found == want else [f"coprod {fmt}: read back {found!r}, wrote {want!r}"]


@dataclass(frozen=True)
class Way:
    """One direction of the comparison: what is checked and on which generated files."""

    name: str
    library: str
    fmt: str
    check: Callable[[Sequence[Cue]], list[str]]


WAYS = (
    Way("coprod SRT read by srt", "srt", "srt", srt_reads_ours),
    Way("SRT written by srt (LF) read by coprod", "srt", "srt", ours_reads_srt),
    Way("SRT written by srt (CRLF) read by coprod", "srt", "srt",
        lambda cues: ours_reads_srt(cues, "\r\n")),
    Way("coprod WebVTT read by webvtt-py", "webvtt-py", "vtt", webvtt_reads_our_vtt),
    Way("coprod SRT read by webvtt-py", "webvtt-py", "srt", webvtt_reads_our_srt),
    Way("WebVTT written by webvtt-py read by coprod", "webvtt-py", "vtt", ours_reads_webvtt),
    Way("coprod SRT write-read round trip", "coprod", "srt",
        lambda cues: round_trip(cues, "srt")),
    Way("coprod WebVTT write-read round trip", "coprod", "vtt",
        lambda cues: round_trip(cues, "vtt")),
)


def hypothesis_settings(files: int) -> settings:
    """Settings for ``files`` generated files, run as the suite and this script run them."""
    return settings(max_examples=files, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@dataclass
class Tally:
    """Files checked one way and the differences found."""

    files: int = 0
    differing: int = 0
    examples: list[str] = field(default_factory=list)


def run_way(way: Way, files: int, seed_value: int) -> Tally:
    """Check ``files`` generated files one way, counting (not stopping at) differences."""
    tally = Tally()

    @seed(seed_value)
    @hypothesis_settings(files)
    @given(cue_lists(way.fmt))
    def one(cues: list[Cue]) -> None:
        tally.files += 1
        try:
            problems = way.check(cues)
        except Exception as exc:  # a reader that refuses the file is a difference too
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            tally.differing += 1
            if len(tally.examples) < 3:
                tally.examples.append(problems[0][:300])

    one()
    return tally


def report(results: list[tuple[Way, Tally, float]], files: int, seed_value: int,
           load: float) -> str:
    """The marked section of docs/BENCHMARKS.md."""
    lines = [START, "## Caption interop", "",
             f"`bench/interop.py`: coprod's SRT and WebVTT against two independent libraries "
             f"(srt {_version('srt')},",
             f"webvtt-py {_version('webvtt-py')}), and its own round trip; Hypothesis, seed "
             f"{seed_value}, {files} generated files each way",
             "(unicode, emoji, right-to-left text, `<`, `>` and `&` in text, several lines, "
             "zero-length and empty cues,",
             f"hours past 99, italics, bold, underline, voices); Python "
             f"{platform.python_version()}, load average {load:.1f} at the start.",
             "", "| way | files | files with a difference | seconds |", "|---|---|---|---|"]
    for way, tally, seconds in results:
        lines.append(f"| {way.name} | {tally.files} | {tally.differing} | {seconds:.1f} |")
    total = sum(t.differing for _, t, _ in results)
    lines += ["", f"{total} differences in {sum(t.files for _, t, _ in results)} files.", END]
    return "\n".join(lines) + "\n"


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=FILES, help="generated files each way")
    parser.add_argument("--seed", type=int, default=SEED, help="Hypothesis seed")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = []
    for way in WAYS:
        began = time.perf_counter()
        tally = run_way(way, args.files, args.seed)
        seconds = time.perf_counter() - began
        results.append((way, tally, seconds))
        print(f"{way.name}: {tally.files} files, {tally.differing} with a difference "
              f"({seconds:.1f} s)", flush=True)
        for example in tally.examples:
            print(f"  e.g. {example}")
    text = report(results, args.files, args.seed, load)
    print()
    print(text)
    if not args.no_write:
        write_section(START, END, text)
        print(f"wrote the interop section of {DOCS.relative_to(ROOT)}")
    return 0 if all(t.differing == 0 and t.files == args.files for _, t, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
