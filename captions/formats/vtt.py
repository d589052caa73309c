"""WebVTT (.vtt) caption files.

The reader follows the WebVTT spec where it matters for a plain-text cue model and is lenient
where real files stray: the ``WEBVTT`` line is required; header lines (``Kind:``, ``Language:``,
``X-TIMESTAMP-MAP=...``, YouTube's ``Style:`` block) are skipped; NOTE, STYLE and REGION blocks
are skipped; cue identifiers are optional and dropped; cue settings are ignored; timestamps may
leave out the hours or have more than two digits of them; inline timestamps, ``<c.x>``,
``<v Speaker>``, ``<i>`` and other tags are removed (``<rt>`` ruby text with its content); the
entities ``&lt; &gt; &amp; &nbsp; &lrm; &rlm;`` and numeric ones are decoded.
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
    is_timing_line,
    output_lines,
    parse_timing_line,
    read_cue_body,
    refuse_controls,
    strip_tags,
    tidy_lines,
)
from captions.model import Cue

DECIMAL_SIGN = "."
HEADER = "WEBVTT"

_HEADER_LINE = re.compile(r"WEBVTT(?:[ \t].*)?")
_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_RUBY_TEXT = re.compile(r"<rt(?:[.\s][^>]*)?>.*?</rt>", re.DOTALL)
_ENTITY = re.compile(r"&(lt|gt|amp|nbsp|lrm|rlm|#\d+|#[xX][0-9a-fA-F]+);")
_NAMED_ENTITIES = {
    "lt": "<",
    "gt": ">",
    "amp": "&",
    "nbsp": "\u00a0",
    "lrm": "\u200e",
    "rlm": "\u200f",
}


def _decode_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith(("#x", "#X")):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED_ENTITIES[name]


def clean_text(lines: list[str]) -> str:
    """Plain cue text from WebVTT cue lines: tags removed, entities decoded, lines trimmed."""
    text = _RUBY_TEXT.sub("", "\n".join(lines))
    # Entities last, so '&lt;b&gt;' stays the text '<b>' instead of being taken for a tag.
    return tidy_lines(_ENTITY.sub(_decode_entity, strip_tags(text)))


def _never(lines: list[str], i: int) -> bool:
    return False


def loads(text: str, path: str | Path | None = None) -> list[Cue]:
    """Cues from WebVTT text (LF line ends, no byte-order mark; see captions.textio).

    Raises:
        CaptionParseError: the text is empty, has no WEBVTT header, or a cue has no timing
            line or a malformed one.
    """
    if text.strip() == "":
        raise CaptionParseError(path, 1, "empty file")
    lines = text.split("\n")
    if _HEADER_LINE.fullmatch(lines[0]) is None:
        raise CaptionParseError(
            path, 1, f"not a WebVTT file: the first line must be 'WEBVTT', found {lines[0]!r}"
        )
    # The header runs to the first blank line; a timing line there means the blank was left out.
    i = 1
    while i < len(lines) and not is_blank(lines[i]) and not is_timing_line(lines[i]):
        i += 1

    cues: list[Cue] = []
    while i < len(lines):
        line = lines[i]
        if is_blank(line):
            i += 1
            continue
        if _SKIPPED_BLOCK.fullmatch(line) is not None:
            # A comment, style or region block cannot contain '-->', so one ends the block.
            while i < len(lines) and not is_blank(lines[i]) and not is_timing_line(lines[i]):
                i += 1
            continue
        if is_timing_line(line):
            timing_at = i
        elif i + 1 < len(lines) and is_timing_line(lines[i + 1]):
            timing_at = i + 1  # 'line' is the cue's identifier
        else:
            raise CaptionParseError(
                path, i + 1, f"cue text with no timing line before it: {line.strip()!r}"
            )
        start, end = parse_timing_line(lines[timing_at], timing_at + 1, path, DECIMAL_SIGN)
        body, i = read_cue_body(lines, timing_at + 1, stops_at=_never)
        cues.append(Cue(start=start, end=end, text=clean_text(body)))
    return cues


def _escape(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dumps(cues: Sequence[Cue]) -> str:
    """WebVTT text: the ``WEBVTT`` header, then cues without identifiers, ``HH:MM:SS.mmm``.

    ``&``, ``<`` and ``>`` in text are written as entities (which also keeps ``-->`` out of
    cue text); blank lines inside a cue's text are left out.

    Raises:
        CaptionError: a cue holds a control character (nothing is returned).
    """
    refuse_controls(cues)
    blocks: list[str] = [HEADER]
    for cue in cues:
        timing = (
            f"{format_timestamp(cue.start, DECIMAL_SIGN)} {ARROW} "
            f"{format_timestamp(cue.end, DECIMAL_SIGN)}"
        )
        blocks.append("\n".join([timing, *(_escape(line) for line in output_lines(cue.text))]))
    return "\n\n".join(blocks) + "\n"
