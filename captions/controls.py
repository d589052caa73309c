"""Characters a caption never carries: control characters and the bidi controls that hide text.

A caption is text a viewer reads. A NUL byte empties the film's subtitle packet (the cue is
lost without a word), a terminal escape rewrites a producer's screen when a message prints it,
and the bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder or hide what is
shown, so what a contributor signed off is not what the viewer reads. Newline (between a cue's
lines) and tab are text; the left-to-right and right-to-left marks (U+200E, U+200F, WebVTT's
``&lrm;`` and ``&rlm;``) are harmless and allowed.

QC reports them (rule ``control-character``), the writers refuse them, and every message that
shows caption text passes it through :func:`escape_controls` first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# C0 except tab (09) and newline (0a), DEL, C1, and the bidi embeddings, overrides and isolates.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_SHORT_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BACKSPACE", 0x0B: "VERTICAL TAB",
                0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESC", 0x7F: "DEL"}


@dataclass(frozen=True)
class ControlCharacter:
    """One control character found in a cue's text: where it is and what it is."""

    line: int  # 1-based line of the cue's text
    column: int  # 1-based character position in that line
    char: str

    @property
    def escaped(self) -> str:
        """The character as an escape (``\\x00``, ``\\u202e``), safe to print."""
        return escape_controls(self.char)

    @property
    def name(self) -> str:
        """A reader's name for it: ``NUL``, ``ESC``, ``RIGHT-TO-LEFT OVERRIDE``..."""
        code = ord(self.char)
        short = _SHORT_NAMES.get(code)
        return short if short is not None else unicodedata.name(self.char, "control character")

    def __str__(self) -> str:
        return f"{self.name} ({self.escaped}) at line {self.line}, column {self.column}"


def has_controls(text: str) -> bool:
    """True if ``text`` holds any character a caption may not carry."""
    return CONTROL_RE.search(text) is not None


def find_controls(text: str) -> list[ControlCharacter]:
    """Every control character in ``text`` (a cue's text, lines split on newline), in order."""
    found: list[ControlCharacter] = []
    for line_number, line in enumerate(text.split("\n"), start=1):
        for match in CONTROL_RE.finditer(line):
            found.append(ControlCharacter(line_number, match.start() + 1, match.group()))
    return found


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with each control character written as an escape, so printing it is safe."""
    return CONTROL_RE.sub(_escape, text)


__all__ = ["CONTROL_RE", "ControlCharacter", "escape_controls", "find_controls", "has_controls"]
