"""Content keys: a sign-off is bound to the footage, the in/out points and the caption bytes."""

from __future__ import annotations

import pytest

from consent import ConsentError, content_key

FOOTAGE = "a" * 64
CAPTION = "c" * 64


def test_content_key_is_stable_and_hex() -> None:
    key = content_key(FOOTAGE, 1000, 5000, CAPTION)
    assert key == content_key(FOOTAGE, 1000, 5000, CAPTION)
    assert len(key) == 64 and int(key, 16) >= 0


@pytest.mark.parametrize(
    "changed",
    [
        ("f" * 64, 1000, 5000, CAPTION),  # other footage
        (FOOTAGE, 1040, 5000, CAPTION),  # in point moved one frame
        (FOOTAGE, None, 5000, CAPTION),  # in point removed
        (FOOTAGE, 1000, 4960, CAPTION),  # out point moved
        (FOOTAGE, 1000, None, CAPTION),  # out point removed
        (FOOTAGE, 1000, 5000, "d" * 64),  # caption file edited
        (FOOTAGE, 1000, 5000, None),  # caption file gone
    ],
)
def test_content_key_changes_with_each_input(
    changed: tuple[str, int | None, int | None, str | None],
) -> None:
    assert content_key(*changed) != content_key(FOOTAGE, 1000, 5000, CAPTION)


def test_content_key_does_not_confuse_in_and_out() -> None:
    assert content_key(FOOTAGE, 1000, None, None) != content_key(FOOTAGE, None, 1000, None)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("xyz", None, None, None), "footage_sha256"),
        ((FOOTAGE, None, None, "C" * 64), "caption_sha256"),
        ((FOOTAGE, -1, None, None), "in_ms must not be negative"),
        ((FOOTAGE, 5000, 5000, None), "must be before out point"),
        ((FOOTAGE, 1.5, None, None), "whole milliseconds"),
    ],
)
def test_content_key_rejects_bad_inputs(
    args: tuple[str, int | None, int | None, str | None], words: str
) -> None:
    with pytest.raises(ConsentError, match=words):
        content_key(*args)
