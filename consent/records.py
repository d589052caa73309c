"""Consent records: what a contributor agreed to, withdrew, signed off or asked to change.

Each record is a small frozen dataclass that validates itself on construction and converts to and
from the plain dict stored in the ledger (``to_dict`` / ``from_dict``). Dates are ``datetime.date``
and are stored as ISO strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeGuard, TypeVar

from consent.exceptions import ConsentError, RecordError

# The vocabulary of consent. Members are the words themselves ("web" == Channel.WEB), stored and
# shown as such; the order is the order people read them in (`consent show`, messages).


class Scope(StrEnum):
    """What a contributor may agree to."""

    APPEAR = "appear"  # on camera
    VOICE = "voice"  # heard
    NAME = "name"  # real name in credits or on screen
    STORY = "story"  # personal details told


class Channel(StrEnum):
    """Where a film may be shown."""

    INTERNAL = "internal"
    TRAINING = "training"
    WEB = "web"
    SOCIAL = "social"
    BROADCAST = "broadcast"


class Method(StrEnum):
    """How consent was given."""

    WRITTEN = "written"
    VERBAL = "verbal"
    EASY_READ = "easy-read"
    SIGNED_BY_REPRESENTATIVE = "signed-by-representative"


class Capacity(StrEnum):
    """Whose decision it was: the contributor's own, supported, or made in their best interests."""

    OWN = "own"
    SUPPORTED = "supported"
    BEST_INTERESTS = "best-interests"


_Word = TypeVar("_Word", bound=StrEnum)

DEFAULT_EXPIRY_YEARS = 5
MAX_EXPIRY_YEARS = 5

_HEX64 = re.compile(r"[0-9a-f]{64}")

# Withdrawal has a field called `date`; this alias lets its annotation name the type.
_Date = date


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _text(name: str, value: object, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise RecordError(name, "must be text")
    if required and not value.strip():
        raise RecordError(name, "must not be empty")
    return value


def _optional_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    return _text(name, value)


def is_sha256_hex(value: object) -> TypeGuard[str]:
    """True for a sha256 hex digest as coprod writes them: 64 lowercase hex digits."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def _choice(name: str, value: object, allowed: type[_Word]) -> _Word:
    """``value`` as a word of ``allowed``; RecordError naming the known words otherwise."""
    if isinstance(value, str):
        try:
            return allowed(value)
        except ValueError:
            pass
    # Echoing the bad value is safe here: it is one of our own vocabulary words or a typo of one.
    raise RecordError(name, f"unknown {name} {value!r} (known: {', '.join(allowed)})")


def _clips(value: object) -> tuple[str, ...] | None:
    """None means every clip of the contributor; a list must name at least one clip."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise RecordError("clips", "must be a list of clip ids or None for all clips")
    clips = tuple(_text("clips", clip) for clip in value)
    if not clips:
        raise RecordError("clips", "an empty list covers nothing; use None for all clips")
    if len(set(clips)) != len(clips):
        raise RecordError("clips", "a clip is listed twice")
    return clips


def _date(name: str, value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RecordError(name, f"must be a date YYYY-MM-DD, got {value!r}")


def _sha256(name: str, value: object) -> str:
    if not is_sha256_hex(value):
        raise RecordError(name, "must be a sha256 hex digest (64 lowercase hex digits)")
    return value


def _get(data: Mapping[str, Any], key: str, default: Any = ...) -> Any:
    if key in data:
        return data[key]
    if default is ...:
        raise RecordError(key, "missing")
    return default


def _check_keys(data: Mapping[str, Any], allowed: Iterable[str], kind: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise RecordError(unknown[0], f"not a field of a {kind} record")


def covers_clip(clips: tuple[str, ...] | None, clip_id: str) -> bool:
    """True when a record's clip list (None = all the contributor's clips) includes ``clip_id``."""
    return clips is None or clip_id in clips


@dataclass(frozen=True)
class ConsentGiven:
    """Consent given by (or for) one contributor: scopes, channels, clips, dates and how.

    Build new ones with :meth:`create`, which applies the film's default and maximum expiry; the
    constructor alone checks everything that must hold for any stored record.

    Attributes:
        contributor: contributor id from film.yaml.
        scopes: every Scope mapped to yes/no (missing scopes are stored as no).
        channels: Channels the film may be shown on, in Channel order.
        clips: clip ids covered, or None for all of the contributor's clips.
        given: the day consent was given.
        expires: the first day the consent no longer holds.
        method: how it was given (a Method).
        obtained_by: who obtained it (a member of staff).
        capacity: own, supported or best-interests (a Capacity).
        decision_maker: who made a best-interests decision; required with best-interests only.
        representative: who signed for the contributor, if anyone; required when method is
            signed-by-representative.
        note: what the contributor was told, adjustments made, anything else worth keeping.
    """

    contributor: str
    scopes: dict[str, bool]
    channels: tuple[str, ...]
    given: date
    expires: date
    method: str
    obtained_by: str
    clips: tuple[str, ...] | None = None
    capacity: str = Capacity.OWN
    decision_maker: str | None = None
    representative: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _text("contributor", self.contributor)
        if not isinstance(self.scopes, Mapping):
            raise RecordError("scopes", "must map each scope to yes/no")
        for scope, granted in self.scopes.items():
            _choice("scope", scope, Scope)
            if not isinstance(granted, bool):
                raise RecordError("scopes", f"{scope} must be true or false")
        # Normalise so that every stored consent says yes or no to every scope explicitly.
        object.__setattr__(self, "scopes", {s: bool(self.scopes.get(s, False)) for s in Scope})
        if isinstance(self.channels, str) or not isinstance(self.channels, Iterable):
            raise RecordError("channels", "must be a list of channels")
        channels = {_choice("channel", c, Channel) for c in self.channels}
        if not channels:
            raise RecordError("channels", "at least one channel is needed")
        object.__setattr__(self, "channels", tuple(c for c in Channel if c in channels))
        object.__setattr__(self, "clips", _clips(self.clips))
        object.__setattr__(self, "given", _date("given", self.given))
        object.__setattr__(self, "expires", _date("expires", self.expires))
        if self.expires <= self.given:
            raise RecordError(
                "expires",
                f"expiry {self.expires.isoformat()} is not after the date consent was given "
                f"({self.given.isoformat()})",
            )
        object.__setattr__(self, "method", _choice("method", self.method, Method))
        _text("obtained_by", self.obtained_by)
        object.__setattr__(self, "capacity", _choice("capacity", self.capacity, Capacity))
        _optional_text("decision_maker", self.decision_maker)
        _optional_text("representative", self.representative)
        _text("note", self.note, required=False)
        if self.capacity == Capacity.BEST_INTERESTS and self.decision_maker is None:
            raise RecordError(
                "decision_maker", "a best-interests decision must record who made it"
            )
        if self.capacity != Capacity.BEST_INTERESTS and self.decision_maker is not None:
            raise RecordError(
                "decision_maker", "only recorded for a best-interests decision (capacity)"
            )
        if self.method == Method.SIGNED_BY_REPRESENTATIVE and self.representative is None:
            raise RecordError("representative", "method signed-by-representative needs one")

    @classmethod
    def create(
        cls,
        contributor: str,
        *,
        scopes: Mapping[str, bool] | Iterable[str],
        channels: Iterable[str],
        given: date,
        method: str,
        obtained_by: str,
        expires: date | None = None,
        clips: Iterable[str] | None = None,
        capacity: str = Capacity.OWN,
        decision_maker: str | None = None,
        representative: str | None = None,
        note: str = "",
        default_expiry_years: int = DEFAULT_EXPIRY_YEARS,
        max_expiry_years: int = MAX_EXPIRY_YEARS,
    ) -> ConsentGiven:
        """A new consent, with the film's expiry policy applied.

        Args:
            contributor: contributor id.
            scopes: the scopes granted (e.g. ``["appear", "voice"]``; others are no), or a full
                mapping scope -> yes/no.
            channels: channels covered.
            given: the day consent was given.
            method: how it was given.
            obtained_by: who obtained it.
            expires: expiry; None means ``given`` plus ``default_expiry_years``.
            clips: clip ids covered; None for all of the contributor's clips.
            capacity: own, supported or best-interests.
            decision_maker: required with best-interests.
            representative: who signed for the contributor, if anyone.
            note: what they were told, adjustments made.
            default_expiry_years: the film's default (film.yaml).
            max_expiry_years: the film's maximum (film.yaml).

        Raises:
            RecordError: a field is invalid or the expiry is beyond the film's maximum.
            ConsentError: the film's expiry policy itself is invalid.
        """
        if not 1 <= default_expiry_years <= max_expiry_years:
            raise ConsentError(
                f"consent expiry policy: default ({default_expiry_years} years) must be at least "
                f"1 and at most the maximum ({max_expiry_years} years)"
            )
        if isinstance(scopes, Mapping):
            scope_map = dict(scopes)
        else:
            granted = list(scopes)
            for scope in granted:
                _choice("scope", scope, Scope)
            scope_map = {s: s in granted for s in Scope}
        if expires is None:
            expires = add_years(given, default_expiry_years)
        latest = add_years(given, max_expiry_years)
        if expires > latest:
            raise RecordError(
                "expires",
                f"expiry {expires.isoformat()} is more than {max_expiry_years} years after "
                f"consent was given (latest allowed: {latest.isoformat()})",
            )
        return cls(
            contributor=contributor,
            scopes=scope_map,
            channels=tuple(channels),
            given=given,
            expires=expires,
            method=method,
            obtained_by=obtained_by,
            clips=None if clips is None else tuple(clips),
            capacity=capacity,
            decision_maker=decision_maker,
            representative=representative,
            note=note,
        )

    @property
    def granted(self) -> tuple[str, ...]:
        """The scopes granted, in Scope order."""
        return tuple(s for s in Scope if self.scopes[s])

    def covers(self, clip_id: str) -> bool:
        """True when this consent covers ``clip_id``."""
        return covers_clip(self.clips, clip_id)

    def expired(self, today: date) -> bool:
        """True from the expiry day on."""
        return today >= self.expires

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in the ledger."""
        return {
            "contributor": self.contributor,
            "scopes": dict(self.scopes),
            "channels": list(self.channels),
            "clips": None if self.clips is None else list(self.clips),
            "given": self.given.isoformat(),
            "expires": self.expires.isoformat(),
            "method": self.method,
            "obtained_by": self.obtained_by,
            "capacity": self.capacity,
            "decision_maker": self.decision_maker,
            "representative": self.representative,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsentGiven:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        _check_keys(data, _CONSENT_KEYS, "consent")
        return cls(
            contributor=_get(data, "contributor"),
            scopes=_get(data, "scopes"),
            channels=_get(data, "channels"),
            clips=_get(data, "clips", None),
            given=_get(data, "given"),
            expires=_get(data, "expires"),
            method=_get(data, "method"),
            obtained_by=_get(data, "obtained_by"),
            capacity=_get(data, "capacity", Capacity.OWN),
            decision_maker=_get(data, "decision_maker", None),
            representative=_get(data, "representative", None),
            note=_get(data, "note", ""),
        )


_CONSENT_KEYS = (
    "contributor", "scopes", "channels", "clips", "given", "expires", "method", "obtained_by",
    "capacity", "decision_maker", "representative", "note",
)


@dataclass(frozen=True)
class Withdrawal:
    """A contributor (or someone for them) withdrew consent for some or all of their clips.

    Attributes:
        contributor: contributor id.
        date: the day consent was withdrawn.
        clips: clip ids withdrawn, or None for all of the contributor's clips.
        reason: optional; stays in the ledger, never in messages.
    """

    contributor: str
    date: _Date
    clips: tuple[str, ...] | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        _text("contributor", self.contributor)
        object.__setattr__(self, "date", _date("date", self.date))
        object.__setattr__(self, "clips", _clips(self.clips))
        _text("reason", self.reason, required=False)

    def covers(self, clip_id: str) -> bool:
        """True when this withdrawal applies to ``clip_id``."""
        return covers_clip(self.clips, clip_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in the ledger."""
        return {
            "contributor": self.contributor,
            "date": self.date.isoformat(),
            "clips": None if self.clips is None else list(self.clips),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Withdrawal:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        _check_keys(data, ("contributor", "date", "clips", "reason"), "withdrawal")
        return cls(
            contributor=_get(data, "contributor"),
            date=_get(data, "date"),
            clips=_get(data, "clips", None),
            reason=_get(data, "reason", ""),
        )


@dataclass(frozen=True)
class _ClipFeedback:
    """Shared shape of a sign-off and a change request.

    ``by`` is who acted: the contributor's own id, or a representative. When a representative acts,
    ``on_behalf_of`` is the contributor id they act for; the record then counts for that
    contributor and is shown as made by a representative.
    """

    clip: str
    by: str
    content_key: str
    on_behalf_of: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _text("clip", self.clip)
        _text("by", self.by)
        _sha256("content_key", self.content_key)
        _optional_text("on_behalf_of", self.on_behalf_of)
        _text("note", self.note, required=False)

    @property
    def contributor(self) -> str:
        """The contributor this record speaks for."""
        return self.on_behalf_of if self.on_behalf_of is not None else self.by

    @property
    def by_representative(self) -> bool:
        """True when a representative acted for the contributor."""
        return self.on_behalf_of is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in the ledger."""
        return {
            "clip": self.clip,
            "by": self.by,
            "on_behalf_of": self.on_behalf_of,
            "content_key": self.content_key,
            "note": self.note,
        }


@dataclass(frozen=True)
class SignOff(_ClipFeedback):
    """A contributor approved their clip exactly as it is now (its content key)."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignOff:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        _check_keys(data, _FEEDBACK_KEYS, "sign-off")
        return cls(
            clip=_get(data, "clip"),
            by=_get(data, "by"),
            content_key=_get(data, "content_key"),
            on_behalf_of=_get(data, "on_behalf_of", None),
            note=_get(data, "note", ""),
        )


@dataclass(frozen=True)
class ChangeRequest(_ClipFeedback):
    """A contributor asked for changes to their clip as it is now (its content key)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        # Feedback without words cannot be acted on.
        _text("note", self.note)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChangeRequest:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        _check_keys(data, _FEEDBACK_KEYS, "change request")
        return cls(
            clip=_get(data, "clip"),
            by=_get(data, "by"),
            content_key=_get(data, "content_key"),
            on_behalf_of=_get(data, "on_behalf_of", None),
            note=_get(data, "note"),
        )


_FEEDBACK_KEYS = ("clip", "by", "on_behalf_of", "content_key", "note")

Record = ConsentGiven | Withdrawal | SignOff | ChangeRequest

EVENT_TYPES: dict[str, type[ConsentGiven] | type[Withdrawal] | type[SignOff] | type[ChangeRequest]]
EVENT_TYPES = {
    "consent": ConsentGiven,
    "withdrawal": Withdrawal,
    "signoff": SignOff,
    "change-request": ChangeRequest,
}


def event_type(record: Record) -> str:
    """The ledger event type word for a record."""
    for name, cls in EVENT_TYPES.items():
        if type(record) is cls:
            return name
    raise ConsentError(f"not a consent record: {type(record).__name__}")


def record_from_dict(kind: str, data: Mapping[str, Any]) -> Record:
    """Rebuild a record of ledger event type ``kind`` from its stored dict.

    Raises:
        RecordError: ``kind`` is unknown or a field is invalid.
    """
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise RecordError("type", f"unknown event type {kind!r} (known: {', '.join(EVENT_TYPES)})")
    if not isinstance(data, Mapping):
        raise RecordError("data", "must be an object")
    return cls.from_dict(data)


__all__ = [
    "DEFAULT_EXPIRY_YEARS",
    "EVENT_TYPES",
    "MAX_EXPIRY_YEARS",
    "Capacity",
    "ChangeRequest",
    "Channel",
    "ConsentGiven",
    "Method",
    "Record",
    "Scope",
    "SignOff",
    "Withdrawal",
    "add_years",
    "covers_clip",
    "event_type",
    "is_sha256_hex",
    "record_from_dict",
]
