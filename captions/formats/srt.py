"""SubRip (.srt) caption files.

Reading is a strict reader of our own rather than pysrt. pysrt's lenient mode drops a malformed
cue without a word, and its strict mode raises with the cue's text but not the line in the file,
while a contributor who edited the file needs ``file:line: what is wrong``. pysrt also accepts
text before the first timing line as a cue. The tests use pysrt as an independent check that
this reader gives the same cues on well-formed files.

What the reader copes with: cue numbers missing, out of order or with gaps (they are ignored),
a missing blank line before the next cue, ``<i>``/``<b>``/``<font ...>`` and other tags
(removed), ASS override blocks such as ``{\\an8}`` (removed), ``\\N`` (a line break), ``\\h``
(a hard space), coordinates after the timing line (ignored), zero-length and empty cues (kept).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from captions.exceptions import CaptionParseError
from captions.formats._timing import (
    ARROW,
    format_timestamp,
    is_blank,
    is_index_line,
    is_timing_line,
    output_lines,
    parse_timing_line,
    read_cue_body,
    refuse_controls,
    strip_tags,
    tidy_lines,
)
from captions.model import Cue

DECIMAL_SIGN = ","
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")


def clean_text(lines: list[str]) -> str:
    """Plain cue text from SRT cue lines: markup and override blocks removed, lines trimmed."""
    text = "\n".join(lines)
    text = _ASS_OVERRIDE.sub("", text)
    text = text.replace("\\N", "\n").replace("\\h", "\u00a0")
    return tidy_lines(strip_tags(text))


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
        cues.append(Cue(start=start, end=end, text=clean_text(body)))
    return cues


def dumps(cues: Sequence[Cue]) -> str:
    """SRT text: cues numbered from 1, ``HH:MM:SS,mmm``, ``\\n`` line ends.

    Blank lines inside a cue's text are left out (they would end the cue), and ``-->`` in
    text becomes ``->`` (it would read as a timing line). No cues give an empty string.

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
        lines = [line.replace(ARROW, "->") for line in output_lines(cue.text)]
        blocks.append("\n".join([str(number), timing, *lines]))
    return "\n\n".join(blocks) + "\n" if blocks else ""
