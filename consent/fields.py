"""Checks for the fields of stored consent records; each raises RecordError naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeGuard, TypeVar

from consent.exceptions import RecordError

_Word = TypeVar("_Word", bound=StrEnum)

_HEX64 = re.compile(r"[0-9a-f]{64}")


def is_sha256_hex(value: object) -> TypeGuard[str]:
    """True for a sha256 hex digest as coprod writes them: 64 lowercase hex digits."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def check_text(name: str, value: object, *, required: bool = True) -> str:
    """``value`` as text; with ``required``, not blank either."""
    if not isinstance(value, str):
        raise RecordError(name, "must be text")
    if required and not value.strip():
        raise RecordError(name, "must not be empty")
    return value


def check_optional_text(name: str, value: object) -> str | None:
    """None, or text that is not blank."""
    if value is None:
        return None
    return check_text(name, value)


def check_word(name: str, value: object, allowed: type[_Word]) -> _Word:
    """``value`` as a word of ``allowed``; RecordError naming the known words otherwise."""
    if isinstance(value, str):
        try:
            return allowed(value)
        except ValueError:
            pass
    # Echoing the bad value is safe here: it is one of our own vocabulary words or a typo of one.
    raise RecordError(name, f"unknown {name} {value!r} (known: {', '.join(allowed)})")


def check_clips(value: object) -> tuple[str, ...] | None:
    """None means every clip of the contributor; a list must name at least one clip."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise RecordError("clips", "must be a list of clip ids or None for all clips")
    clips = tuple(check_text("clips", clip) for clip in value)
    if not clips:
        raise RecordError("clips", "an empty list covers nothing; use None for all clips")
    if len(set(clips)) != len(clips):
        raise RecordError("clips", "a clip is listed twice")
    return clips


def check_date(name: str, value: object) -> date:
    """A ``date``, or an ISO ``YYYY-MM-DD`` string as stored."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RecordError(name, f"must be a date YYYY-MM-DD, got {value!r}")


def check_sha256(name: str, value: object) -> str:
    """A sha256 hex digest (see :func:`is_sha256_hex`)."""
    if not is_sha256_hex(value):
        raise RecordError(name, "must be a sha256 hex digest (64 lowercase hex digits)")
    return value


def check_footage(value: object) -> tuple[str, ...]:
    """The sha256 of each piece of footage a record concerns, each once, in the order given."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise RecordError("footage", "must be a list of sha256 hex digests")
    return tuple(dict.fromkeys(check_sha256("footage", item) for item in value))


def get_field(data: Mapping[str, Any], key: str, default: Any = ...) -> Any:
    """``data[key]``, or ``default``; a missing key without a default is a RecordError."""
    if key in data:
        return data[key]
    if default is ...:
        raise RecordError(key, "missing")
    return default


def check_keys(data: Mapping[str, Any], allowed: Iterable[str], kind: str) -> None:
    """Refuse a stored dict with a key that is not a field of a ``kind`` record."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise RecordError(unknown[0], f"not a field of a {kind} record")


def covers_clip(clips: tuple[str, ...] | None, clip_id: str) -> bool:
    """True when a record's clip list (None = all the contributor's clips) includes ``clip_id``."""
    return clips is None or clip_id in clips


__all__ = [
    "check_clips",
    "check_date",
    "check_footage",
    "check_keys",
    "check_optional_text",
    "check_sha256",
    "check_text",
    "check_word",
    "covers_clip",
    "get_field",
    "is_sha256_hex",
]
