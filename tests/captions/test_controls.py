"""Control characters: found with their place, named, and escaped before they are printed."""

from __future__ import annotations

import pytest

from captions.controls import ControlCharacter, escape_controls, find_controls, has_controls


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\r", "\x1b", "\x7f", "\x80",
                                  "\x9f", "\u202a", "\u202d", "\u202e", "\u2066", "\u2069"])
def test_each_forbidden_character_is_found(char: str) -> None:
    assert has_controls(f"a{char}b")
    assert find_controls(f"a{char}b") == [ControlCharacter(1, 2, char)]


@pytest.mark.parametrize("text", ["plain", "two\nlines", "tab\there", "caf\u00e9", "\u200e\u200f",
                                  "\u00a0hard space", "\u061c", "emoji \U0001f3ac", ""])
def test_text_a_caption_may_carry(text: str) -> None:
    assert not has_controls(text) and find_controls(text) == []
    assert escape_controls(text) == text


def test_positions_are_line_and_column_of_the_cue_text() -> None:
    found = find_controls("first line\nsec\x00ond \x1b[31m")
    assert [(f.line, f.column, f.name, f.escaped) for f in found] == [
        (2, 4, "NUL", "\\x00"), (2, 9, "ESC", "\\x1b")]
    assert str(found[1]) == "ESC (\\x1b) at line 2, column 9"


def test_names_come_from_unicode_where_it_has_them() -> None:
    assert find_controls("\u202e")[0].name == "RIGHT-TO-LEFT OVERRIDE"
    assert find_controls("\u2068")[0].name == "FIRST STRONG ISOLATE"
    assert find_controls("\x85")[0].name == "control character"


def test_escaping_shows_and_never_obeys() -> None:
    assert escape_controls("a\x00b\x1b[2J\u202ec\n\td") == "a\\x00b\\x1b[2J\\u202ec\n\td"
