"""WebVTT (.vtt) caption files.

The reader follows the WebVTT spec where it matters for the cue model and is lenient where real
files stray: the ``WEBVTT`` line is required; header lines (``Kind:``, ``Language:``,
``X-TIMESTAMP-MAP=...``, YouTube's ``Style:`` block) are skipped; NOTE, STYLE and REGION blocks
are skipped; cue identifiers are optional and dropped; cue settings are ignored; timestamps may
leave out the hours or have more than two digits of them; the entities ``&lt; &gt; &amp; &nbsp;
&lrm; &rlm;`` and numeric ones are decoded.

Markup is only WebVTT's own spans: ``<i>``, ``<b>``, ``<u>`` (kept as styling), ``<v Name>``
(kept as the voice, the speaker a transcript names), ``<c>``, ``<lang>`` and ``<ruby>``
(removed, their text kept; the ruby text in ``<rt>...</rt>`` goes with its tags), each with or
without classes, and inline timestamps. Anything else shaped like a tag (``<laughs>``,
``<3``) is text as written; a span never closed runs to the end of the cue, and an ``<rt>``
never closed keeps its text. The writer escapes ``&``, ``<`` and ``>`` in text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from captions.controls import CONTROL_RE
from captions.exceptions import CaptionParseError
from captions.formats._timing import (
    ARROW,
    cue_text,
    format_timestamp,
    is_blank,
    is_timing_line,
    parse_timing_line,
    read_cue_body,
    refuse_controls,
)
from captions.model import Cue, Style
from captions.styling import StyledTextBuilder, Tag, nested_tags, tidy_text

DECIMAL_SIGN = "."
HEADER = "WEBVTT"

_HEADER_LINE = re.compile(r"WEBVTT(?:[ \t].*)?")
_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_STYLES = {"i": Style.ITALIC, "b": Style.BOLD, "u": Style.UNDERLINE}
_MARKUP = re.compile(
    # A span's start tag: its name, classes (.loud), then an annotation (a voice, a language).
    r"<(?P<open>c|i|b|u|v|lang|ruby|rt)(?:\.[^\s.<>]+)*(?:[ \t\f]+(?P<note>[^<>\n]*))?>"
    r"|</(?P<close>c|i|b|u|v|lang|ruby|rt)>"
    r"|<\d+(?::\d+)*\.\d+>"  # an inline timestamp: <00:01:02.500>
    r"|&(?P<entity>lt|gt|amp|nbsp|lrm|rlm|#\d+|#[xX][0-9a-fA-F]+);"
)
_NAMED_ENTITIES = {
    "lt": "<",
    "gt": ">",
    "amp": "&",
    "nbsp": "\u00a0",
    "lrm": "\u200e",
    "rlm": "\u200f",
}


def _decode_entity(name: str) -> str:
    if name.startswith(("#x", "#X")):
        code = int(name[2:], 16)
    elif name.startswith("#"):
        code = int(name[1:])
    else:
        return _NAMED_ENTITIES[name]
    # A number no character has, or a surrogate, is the replacement character (as in HTML).
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _decode(text: str) -> str:
    return _MARKUP.sub(lambda m: _decode_entity(m["entity"]) if m["entity"] else m[0], text)


def _voice(note: str | None) -> str:
    """A voice's name from its annotation: entities decoded, control characters left out."""
    return " ".join(CONTROL_RE.sub("", _decode(note or "")).split())


def read_text(lines: list[str], start: int, end: int) -> Cue:
    """A cue from WebVTT cue lines: WebVTT's spans read as styling and voices or removed,
    entities decoded, anything else kept as written; lines trimmed, empty lines dropped."""
    raw = "\n".join(lines)
    if _MARKUP.search(raw) is None:
        return Cue(start, end, tidy_text(raw))
    out = StyledTextBuilder()
    ruby_at: list[int] = []  # where each open <rt> began: its text goes once it closes
    at = 0
    for found in _MARKUP.finditer(raw):
        out.text(raw[at:found.start()])
        at = found.end()
        name = found["open"] or found["close"]
        if found["entity"]:
            out.text(_decode_entity(found["entity"]))
        elif name in _STYLES:
            (out.open if found["open"] else out.close)(_STYLES[name])
        elif name == "v" and found["open"]:
            out.open_voice(_voice(found["note"]))
        elif name == "v":
            out.close_voice()
        elif name == "rt" and found["open"]:
            ruby_at.append(out.position)
        elif name in ("rt", "ruby") and ruby_at:
            out.truncate(ruby_at.pop())
            ruby_at.clear()
    out.text(raw[at:])
    return out.cue(start, end)


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
        cues.append(read_text(body, start, end))
    return cues


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _open(tag: Tag) -> str:
    style, voice = tag
    return f"<v {_escape(voice)}>" if style is Style.VOICE else f"<{style}>"


def _close(tag: Tag) -> str:
    return f"</{tag[0]}>"


def _tagged(cue: Cue) -> str:
    return nested_tags(cue.runs, opener=_open, closer=_close, escape=_escape, voices=True)


def dumps(cues: Sequence[Cue]) -> str:
    """WebVTT text: the ``WEBVTT`` header, then cues without identifiers, ``HH:MM:SS.mmm``.

    ``&``, ``<`` and ``>`` in text are written as entities (which also keeps ``-->`` out of
    cue text); italics, bold and underline as ``<i>``, ``<b>`` and ``<u>``, voices as
    ``<v Name>...</v>``; blank lines inside a cue's text are left out.

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
        blocks.append("\n".join([timing, *cue_text(cue, _tagged, escape=_escape)]))
    return "\n\n".join(blocks) + "\n"
