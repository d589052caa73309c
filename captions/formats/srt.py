"""SubRip (.srt) caption files.

Reading is a strict reader of our own rather than pysrt. pysrt's lenient mode drops a malformed
cue without a word, and its strict mode raises with the cue's text but not the line in the file,
while a contributor who edited the file needs ``file:line: what is wrong``. pysrt also accepts
text before the first timing line as a cue. The tests use pysrt as an independent check that
this reader gives the same cues on well-formed files.

What the reader copes with: cue numbers missing, out of order or with gaps (they are ignored),
a missing blank line before the next cue, coordinates after the timing line (ignored),
zero-length and empty cues (kept), ``\\N`` (a line break) and ``\\h`` (a hard space).

Markup is only the markup players know: ``<i>``, ``<b>``, ``<u>`` (kept as styling), ``<s>`` and
``<font ...>`` (removed; coprod draws captions in one colour and font), their closing tags in
any case, and ASS override blocks such as ``{\\an8}`` (removed, except ``\\i1``/``\\i0``, ``\\b``
and ``\\u``, which are styling). Anything else shaped like a tag is text and stays as written:
``<laughs>``, ``I was <so angry> at them``, ``<3``. A style never closed runs to the end of the
cue. SRT has no escapes, so text that is itself one of these tags is read as the tag, as every
player shows it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from captions.exceptions import CaptionParseError
from captions.formats._timing import (
    ARROW,
    cue_text,
    format_timestamp,
    is_blank,
    is_index_line,
    is_timing_line,
    parse_timing_line,
    read_cue_body,
    refuse_controls,
)
from captions.model import Cue, Style
from captions.styling import StyledTextBuilder, Tag, nested_tags, tidy_text

DECIMAL_SIGN = ","
_STYLES = {"i": Style.ITALIC, "b": Style.BOLD, "u": Style.UNDERLINE}
_MARKUP = re.compile(
    r"<(?P<close>/?)(?P<tag>[ibus])>"  # <i> </i> <b> </b> <u> </u> <s> </s>
    r"|</?font(?:[ \t][^<>\n]*)?>"  # <font color="red"> </font>
    r"|\{(?P<override>\\[^{}\n]*)\}"  # {\an8} {\i1}
    r"|(?-i:\\(?P<escape>[Nh]))",  # \N \h (case matters: \n is not \N)
    re.IGNORECASE,
)
# Inside an override block: \i1 \i0 \b1 \b700 \b0 \u1 \u0 (a bare \i is "off"), and \r.
_OVERRIDE_STYLE = re.compile(r"\\(?P<tag>[ibu])(?P<value>\d*)(?=\\|$)|\\(?P<reset>r)", re.I)


def _override(block: str, out: StyledTextBuilder) -> None:
    for found in _OVERRIDE_STYLE.finditer(block):
        if found["reset"]:
            out.reset()
        else:
            value = found["value"]
            out.switch(_STYLES[found["tag"].lower()], bool(value) and int(value) != 0)


def read_text(lines: list[str], start: int, end: int) -> Cue:
    """A cue from SRT cue lines: the markup players know read as styling or removed, the rest
    kept as written; each line trimmed of spaces and tabs, empty lines dropped."""
    raw = "\n".join(lines)
    if _MARKUP.search(raw) is None:
        return Cue(start, end, tidy_text(raw))
    out = StyledTextBuilder()
    at = 0
    for found in _MARKUP.finditer(raw):
        out.text(raw[at:found.start()])
        at = found.end()
        tag = (found["tag"] or "").lower()
        if found["escape"]:
            out.text("\n" if found["escape"] == "N" else "\u00a0")
        elif found["override"]:
            _override(found["override"], out)
        elif tag in _STYLES and found["close"]:
            out.close(_STYLES[tag])
        elif tag in _STYLES:
            out.open(_STYLES[tag])
    out.text(raw[at:])
    return out.cue(start, end)


def _open(tag: Tag) -> str:
    return f"<{tag[0]}>"


def _close(tag: Tag) -> str:
    return f"</{tag[0]}>"


def _tagged(cue: Cue) -> str:
    return nested_tags(cue.runs, opener=_open, closer=_close, escape=str, voices=False)


def _next_cue_starts(lines: list[str], i: int) -> bool:
    """A cue number directly followed by a timing line starts a cue, blank line or not."""
    return is_index_line(lines[i]) and i + 1 < len(lines) and is_timing_line(lines[i + 1])


def loads(text: str, path: str | Path | None = None) -> list[Cue]:
    """Cues from SRT text (LF line ends, no byte-order mark; see captions.textio).

    Raises:
        CaptionParseError: the text is empty, or a cue has no timing line or a malformed one.
    """
    if text.strip() == "":
        raise CaptionParseError(path, 1, "empty file")
    lines = text.split("\n")
    cues: list[Cue] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_blank(line):
            i += 1
            continue
        if is_timing_line(line):
            timing_at = i
        elif is_index_line(line):
            if i + 1 >= len(lines) or is_blank(lines[i + 1]):
                raise CaptionParseError(
                    path, i + 1, f"cue number {line.strip()} has no timing line after it"
                )
            if not is_timing_line(lines[i + 1]):
                raise CaptionParseError(
                    path,
                    i + 2,
                    f"expected the timing line of cue {line.strip()} "
                    f"(like '00:00:01,000 --> 00:00:02,500'), found {lines[i + 1].strip()!r}",
                )
            timing_at = i + 1
        elif not cues:
            raise CaptionParseError(
                path, i + 1, f"text before the first timing line: {line.strip()!r}"
            )
        else:
            raise CaptionParseError(
                path,
                i + 1,
                f"text with no cue number or timing line before it: {line.strip()!r} "
                "(is there a blank line inside the previous cue?)",
            )
        start, end = parse_timing_line(lines[timing_at], timing_at + 1, path, DECIMAL_SIGN)
        body, i = read_cue_body(lines, timing_at + 1, stops_at=_next_cue_starts)
        cues.append(read_text(body, start, end))
    return cues


def dumps(cues: Sequence[Cue]) -> str:
    """SRT text: cues numbered from 1, ``HH:MM:SS,mmm``, ``\\n`` line ends.

    Italics, bold and underline are written as ``<i>``, ``<b>`` and ``<u>``; voices are left
    out (SRT has none). Blank lines inside a cue's text are left out (they would end the cue),
    and ``-->`` in text becomes ``->`` (it would read as a timing line). No cues give an empty
    string.

    Raises:
        CaptionError: a cue holds a control character (nothing is returned).
    """
    refuse_controls(cues)
    blocks: list[str] = []
    for number, cue in enumerate(cues, start=1):
        timing = (
            f"{format_timestamp(cue.start, DECIMAL_SIGN)} {ARROW} "
            f"{format_timestamp(cue.end, DECIMAL_SIGN)}"
        )
        lines = [line.replace(ARROW, "->") for line in cue_text(cue, _tagged)]
        blocks.append("\n".join([str(number), timing, *lines]))
    return "\n\n".join(blocks) + "\n" if blocks else ""
