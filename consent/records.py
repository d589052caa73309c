"""Consent records: what a contributor agreed to, withdrew, signed off or asked to change.

Each record is a small frozen dataclass that validates itself on construction and converts to and
from the plain dict stored in the ledger (``to_dict`` / ``from_dict``). Dates are ``datetime.date``
and are stored as ISO strings. Consent and withdrawal are here; sign-off and change request are in
:mod:`consent.signoff_records`, a producer's exception for withdrawn footage in
:mod:`consent.footage_exception`, the words they use in :mod:`consent.vocabulary` and the field
checks in :mod:`consent.fields`. This module names every event type the ledger stores.

Consent, withdrawal, sign-off and change request also carry the sha256 of the footage they
concern (``footage``; a sign-off's is ``footage_sha256``), so consent follows the footage and not
only the clip's name. Events written before coprod recorded it simply have none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from consent.exceptions import ConsentError, RecordError
from consent.fields import (
    check_clips,
    check_date,
    check_footage,
    check_keys,
    check_optional_text,
    check_text,
    check_word,
    covers_clip,
    get_field,
    is_sha256_hex,
)
from consent.footage_exception import FootageException
from consent.signoff_records import ChangeRequest, SignOff
from consent.vocabulary import Capacity, Channel, Method, Scope

DEFAULT_EXPIRY_YEARS = 5
MAX_EXPIRY_YEARS = 5

# Withdrawal has a field called `date`; this alias lets its annotation name the type.
_Date = date


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


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
        footage: sha256 of each piece of footage the consent was given for (the covered clips'
            footage when it was recorded); empty for consent recorded before coprod kept it.
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
    footage: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_text("contributor", self.contributor)
        object.__setattr__(self, "footage", check_footage(self.footage))
        if not isinstance(self.scopes, Mapping):
            raise RecordError("scopes", "must map each scope to yes/no")
        for scope, granted in self.scopes.items():
            check_word("scope", scope, Scope)
            if not isinstance(granted, bool):
                raise RecordError("scopes", f"{scope} must be true or false")
        # Normalise so that every stored consent says yes or no to every scope explicitly.
        object.__setattr__(self, "scopes", {s: bool(self.scopes.get(s, False)) for s in Scope})
        if isinstance(self.channels, str) or not isinstance(self.channels, Iterable):
            raise RecordError("channels", "must be a list of channels")
        channels = {check_word("channel", c, Channel) for c in self.channels}
        if not channels:
            raise RecordError("channels", "at least one channel is needed")
        object.__setattr__(self, "channels", tuple(c for c in Channel if c in channels))
        object.__setattr__(self, "clips", check_clips(self.clips))
        object.__setattr__(self, "given", check_date("given", self.given))
        object.__setattr__(self, "expires", check_date("expires", self.expires))
        if self.expires <= self.given:
            raise RecordError(
                "expires",
                f"expiry {self.expires.isoformat()} is not after the date consent was given "
                f"({self.given.isoformat()})",
            )
        object.__setattr__(self, "method", check_word("method", self.method, Method))
        check_text("obtained_by", self.obtained_by)
        object.__setattr__(self, "capacity", check_word("capacity", self.capacity, Capacity))
        check_optional_text("decision_maker", self.decision_maker)
        check_optional_text("representative", self.representative)
        check_text("note", self.note, required=False)
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
        footage: Iterable[str] = (),
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
            footage: sha256 of the footage of the clips covered, as it is now.
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
                check_word("scope", scope, Scope)
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
            footage=tuple(footage),
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
        """The JSON-ready form stored in the ledger (``footage`` only when there is some)."""
        data: dict[str, Any] = {
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
        if self.footage:
            data["footage"] = list(self.footage)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsentGiven:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        check_keys(data, _CONSENT_KEYS, "consent")
        return cls(
            contributor=get_field(data, "contributor"),
            scopes=get_field(data, "scopes"),
            channels=get_field(data, "channels"),
            clips=get_field(data, "clips", None),
            given=get_field(data, "given"),
            expires=get_field(data, "expires"),
            method=get_field(data, "method"),
            obtained_by=get_field(data, "obtained_by"),
            capacity=get_field(data, "capacity", Capacity.OWN),
            decision_maker=get_field(data, "decision_maker", None),
            representative=get_field(data, "representative", None),
            note=get_field(data, "note", ""),
            footage=get_field(data, "footage", ()),
        )


_CONSENT_KEYS = (
    "contributor", "scopes", "channels", "clips", "given", "expires", "method", "obtained_by",
    "capacity", "decision_maker", "representative", "note", "footage",
)


@dataclass(frozen=True)
class Withdrawal:
    """A contributor (or someone for them) withdrew consent for some or all of their clips.

    Attributes:
        contributor: contributor id.
        date: the day consent was withdrawn.
        clips: clip ids withdrawn, or None for all of the contributor's clips.
        reason: optional; stays in the ledger, never in messages.
        footage: sha256 of every piece of footage the withdrawal concerns (all footage the
            ledger and film.yaml tied the contributor to when it was recorded, or the listed
            clips' footage); empty for withdrawals recorded before coprod kept it.
    """

    contributor: str
    date: _Date
    clips: tuple[str, ...] | None = None
    reason: str = ""
    footage: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_text("contributor", self.contributor)
        object.__setattr__(self, "date", check_date("date", self.date))
        object.__setattr__(self, "clips", check_clips(self.clips))
        check_text("reason", self.reason, required=False)
        object.__setattr__(self, "footage", check_footage(self.footage))

    def covers(self, clip_id: str) -> bool:
        """True when this withdrawal applies to ``clip_id``."""
        return covers_clip(self.clips, clip_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in the ledger."""
        data: dict[str, Any] = {
            "contributor": self.contributor,
            "date": self.date.isoformat(),
            "clips": None if self.clips is None else list(self.clips),
            "reason": self.reason,
        }
        if self.footage:
            data["footage"] = list(self.footage)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Withdrawal:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        check_keys(data, ("contributor", "date", "clips", "reason", "footage"), "withdrawal")
        return cls(
            contributor=get_field(data, "contributor"),
            date=get_field(data, "date"),
            clips=get_field(data, "clips", None),
            reason=get_field(data, "reason", ""),
            footage=get_field(data, "footage", ()),
        )


Record = ConsentGiven | Withdrawal | SignOff | ChangeRequest | FootageException

EVENT_TYPES: dict[str, type[ConsentGiven] | type[Withdrawal] | type[SignOff] | type[ChangeRequest]
                  | type[FootageException]]
EVENT_TYPES = {
    "consent": ConsentGiven,
    "withdrawal": Withdrawal,
    "signoff": SignOff,
    "change-request": ChangeRequest,
    "exception": FootageException,
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


# The vocabulary, SignOff, ChangeRequest, covers_clip and is_sha256_hex moved out of this module in
# the split; they stay importable from here for code written before it.
__all__ = [
    "DEFAULT_EXPIRY_YEARS",
    "EVENT_TYPES",
    "MAX_EXPIRY_YEARS",
    "Capacity",
    "ChangeRequest",
    "Channel",
    "ConsentGiven",
    "FootageException",
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
