"""Interop property tests: coprod's SRT and WebVTT against `srt` and webvtt-py, with Hypothesis.

The generated cue lists and the checks are bench/interop.py's (the benchmark prints the same
counts): unicode, emoji, right-to-left text, `<`/`>`/`&` in text, several lines, zero-length and
empty cues, hours past 99, italics, bold, underline and voices. Each generated list is one file
every way: coprod's file read by the libraries, the libraries' files read by coprod, and
coprod's own round trip. Seeded (the same files every run, no example database) and bounded:
COPROD_INTEROP_FILES files a format (2000 unless set; about 25 s a format on one core).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import Phase, given, seed, settings

from bench.interop import SEED, WAYS, cue_lists, hypothesis_settings, srt_text_ok
from captions.formats import dumps, loads
from captions.model import Cue, Span, Style

FILES = int(os.environ.get("COPROD_INTEROP_FILES", "2000"))


def _all_ways_agree(fmt: str) -> int:
    """Run every way of ``fmt`` on FILES generated files; the number of files checked."""
    ways = [way for way in WAYS if way.fmt == fmt]
    seen: list[int] = []

    @seed(SEED)
    @settings(hypothesis_settings(FILES), phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(cue_lists(fmt))
    def every_way(cues: list[Cue]) -> None:
        seen.append(len(cues))
        problems = [problem for way in ways for problem in way.check(cues)]
        assert problems == []

    every_way()
    return len(seen)


@pytest.mark.slow
def test_srt_files_agree_with_srt_and_webvtt_py_both_ways_and_round_trip() -> None:
    # coprod's SRT read by `srt` and by webvtt-py; `srt`'s files (LF and CRLF) read by coprod;
    # coprod's own round trip with italics, bold and underline.
    assert _all_ways_agree("srt") == FILES


@pytest.mark.slow
def test_vtt_files_agree_with_webvtt_py_both_ways_and_round_trip() -> None:
    # coprod's WebVTT read by webvtt-py (text, entities decoded, and the voice); webvtt-py's
    # files read by coprod; coprod's own round trip with styling and voices.
    assert _all_ways_agree("vtt") == FILES


# --- what the generator leaves out of SRT, and why ------------------------------------------


@pytest.mark.parametrize("text", ["<i>x", "a </B> b", '<font color="red">', "{\\an8}", "a\\Nb",
                                  "a\\hb", "a --> b"])
def test_srt_cannot_hold_its_own_markup_as_text(text: str) -> None:
    # SRT has no escapes: these are markup to every player and to coprod, never text.
    assert not srt_text_ok(text)
    assert loads(dumps([Cue(0, 1000, text)], "srt"), "srt")[0].text != text


@pytest.mark.parametrize("text", ["<i>x", "a </B> b", "{\\an8}", "a\\Nb", "a --> b"])
def test_webvtt_escapes_what_srt_cannot_hold(text: str) -> None:
    assert loads(dumps([Cue(0, 1000, text)], "vtt"), "vtt") == [Cue(0, 1000, text)]


def test_the_generator_makes_what_the_issue_asks_for() -> None:
    found = {"hours over 99": False, "zero-length": False, "empty": False, "emoji": False,
             "right-to-left": False, "<, > and &": False, "two lines": False, "italics": False,
             "voice": False}

    @seed(SEED)
    @hypothesis_settings(300)
    @given(cue_lists("vtt"))
    def look(cues: list[Cue]) -> None:
        for cue in cues:
            found["hours over 99"] |= cue.end >= 100 * 3_600_000
            found["zero-length"] |= cue.start == cue.end
            found["empty"] |= cue.text == ""
            found["emoji"] |= any(0x1F300 <= ord(c) <= 0x1FAFF for c in cue.text)
            found["right-to-left"] |= any(0x0590 <= ord(c) <= 0x06FF for c in cue.text)
            found["<, > and &"] |= all(c in cue.text for c in "<>&")
            found["two lines"] |= "\n" in cue.text
            found["italics"] |= any(s.style is Style.ITALIC for s in cue.spans)
            found["voice"] |= bool(cue.voices)

    look()
    assert [what for what, seen in found.items() if not seen] == []


def test_a_styled_voiced_cue_survives_both_formats() -> None:
    cue = Cue(360_000_000, 360_001_000, "Ben & <Amara>\nsing: la la",
              (Span(0, 13, Style.VOICE, "Ben"), Span(14, 25, Style.ITALIC)))
    assert loads(dumps([cue], "vtt"), "vtt") == [cue]
    assert loads(dumps([cue], "srt"), "srt") == [
        Cue(cue.start, cue.end, cue.text, (Span(14, 25, Style.ITALIC),))]
