"""What a withdrawal ends: consent given earlier, and the footage the contributor is tied to.

:func:`consent_state` says which consent applies to a contributor in a clip and whether a
withdrawal ended it; :func:`linked_contributors` who the ledger ties to a clip's id.

Consent follows the footage, not only the clip's name. Events name the footage they concern
(consent and withdrawal: ``footage``; sign-off and change request: ``footage_sha256``), which
ties the contributor to the file itself. Renaming the clip in film.yaml, listing someone else on
it, marking it ``no_people`` or adding a second clip id for the same file then changes nothing:
:class:`FootageIndex` still finds the withdrawn contributor's hold on the footage, and the gate
refuses it. For one contributor and one piece of footage, by the same rules the gate applies
by clip id:

* they are tied to the footage from the first of their events that names it;
* a withdrawal covers it when it names it, or withdraws all their clips and they were tied to it
  by then, or withdraws listed clips and their sign-off or change request of one named it;
* a later consent that names the footage re-grants it, unless the withdrawal supersedes it
  (:func:`supersedes`);
* a producer's exception naming the footage (:class:`consent.footage_exception.FootageException`)
  lifts the withdrawals recorded before it.

Events written before coprod recorded footage tie nobody to anything; the rules by clip id still
hold for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from consent.chain import Event
from consent.footage_exception import FootageException
from consent.records import ConsentGiven, Withdrawal
from consent.signoff_records import ChangeRequest, SignOff


def supersedes(withdrawal: Event, consent: Event) -> bool:
    """True when ``withdrawal`` ends ``consent``: it was recorded after it, or is dated after the
    day it was given (so a paper form from before the withdrawal, entered late, does not
    re-grant)."""
    w, c = withdrawal.record, consent.record
    assert isinstance(w, Withdrawal) and isinstance(c, ConsentGiven)
    return withdrawal.seq > consent.seq or w.date > c.given


@dataclass(frozen=True)
class ConsentState:
    """The consent that applies to one contributor in one clip.

    Attributes:
        consent: the consent event that applies to the clip (:func:`in_effect`), or None.
        withdrawal: the withdrawal in effect for the clip, or None.
    """

    consent: Event | None
    withdrawal: Event | None

    @property
    def in_force(self) -> ConsentGiven | None:
        """The consent record when one applies and is not withdrawn (it may still be expired)."""
        if self.consent is None or self.withdrawal is not None:
            return None
        record = self.consent.record
        assert isinstance(record, ConsentGiven)
        return record


def in_effect(consents: Sequence[Event],
              withdrawals: Sequence[Event]) -> tuple[Event | None, Event | None]:
    """The consent that applies and the withdrawal in effect, of one contributor's consents and
    withdrawals covering one clip (or one piece of footage), each oldest first.

    The latest consent no withdrawal supersedes applies. When every one is superseded, the
    latest consent is reported with the latest withdrawal that ends it; with no consent at all,
    a withdrawal still says "no". So a paper form from before a withdrawal, entered late, neither
    re-grants nor hides consent given again after the withdrawal.
    """
    standing = [c for c in consents if not any(supersedes(w, c) for w in withdrawals)]
    if standing:
        return max(standing, key=lambda e: e.seq), None
    latest = max(consents, key=lambda e: e.seq, default=None)
    ending = [w for w in withdrawals if latest is None or supersedes(w, latest)]
    return latest, max(ending, key=lambda e: e.seq, default=None)


def consent_state(events: Iterable[Event], contributor: str, clip_id: str) -> ConsentState:
    """Which consent applies to ``contributor`` in ``clip_id``, and whether it was withdrawn
    (:func:`in_effect`)."""
    consents: list[Event] = []
    withdrawals: list[Event] = []
    for event in events:
        record = event.record
        if isinstance(record, ConsentGiven | Withdrawal) and record.contributor == contributor:
            if record.covers(clip_id):
                (consents if isinstance(record, ConsentGiven) else withdrawals).append(event)
    return ConsentState(*in_effect(consents, withdrawals))


def linked_contributors(events: Iterable[Event], clip_id: str) -> list[str]:
    """Contributors the ledger ties to ``clip_id`` by name, in ledger order."""
    found: dict[str, None] = {}
    for event in events:
        record = event.record
        if isinstance(record, SignOff | ChangeRequest):
            if record.clip == clip_id:
                found[record.contributor] = None
        elif isinstance(record, ConsentGiven | Withdrawal):
            if record.clips is not None and clip_id in record.clips:
                found[record.contributor] = None
    return list(found)


def withdrawal_date(event: Event) -> date:
    """The day a withdrawal event says the contributor asked to stop."""
    record = event.record
    assert isinstance(record, Withdrawal)
    return record.date


def linked_clips(events: Iterable[Event], contributor: str) -> set[str]:
    """Clip ids the ledger ties ``contributor`` to by name: their consents and withdrawals that
    list clips, their sign-offs and change requests (the inverse of
    :func:`linked_contributors`)."""
    clips: set[str] = set()
    for event in events:
        record = event.record
        if isinstance(record, ConsentGiven | Withdrawal):
            if record.contributor == contributor and record.clips:
                clips.update(record.clips)
        elif isinstance(record, SignOff | ChangeRequest) and record.contributor == contributor:
            clips.add(record.clip)
    return clips


def named_contributors(events: Iterable[Event]) -> list[str]:
    """Every contributor some event speaks for, first named first (a producer's footage
    exception names nobody)."""
    found: dict[str, None] = {}
    for event in events:
        person = _person(event)
        if person is not None:
            found[person] = None
    return list(found)


def footage_named(event: Event) -> tuple[str, ...]:
    """The footage an event names (none for events from before coprod recorded it)."""
    record = event.record
    if isinstance(record, ConsentGiven | Withdrawal):
        return record.footage
    if isinstance(record, SignOff | ChangeRequest) and record.footage_sha256 is not None:
        return (record.footage_sha256,)
    return ()


def _person(event: Event) -> str | None:
    record = event.record
    return None if isinstance(record, FootageException) else record.contributor


@dataclass(frozen=True)
class Hold:
    """A withdrawn contributor's hold on one piece of footage: the gate refuses it.

    Attributes:
        footage: sha256 of the footage.
        contributor: who withdrew.
        withdrawal: the withdrawal in effect for it.
    """

    footage: str
    contributor: str
    withdrawal: Event


class FootageIndex:
    """Who the ledger ties to which footage, and which of those ties a withdrawal holds.

    Args:
        events: verified ledger events, oldest first.
    """

    def __init__(self, events: Sequence[Event]) -> None:
        self._tied: dict[str, dict[str, int]] = {}  # footage -> contributor -> first seq
        self._own: dict[str, list[Event]] = {}  # contributor -> their events
        self._exceptions: dict[str, list[Event]] = {}  # footage -> exceptions naming it
        for event in events:
            record = event.record
            if isinstance(record, FootageException):
                self._exceptions.setdefault(record.footage, []).append(event)
                continue
            person = _person(event)
            assert person is not None
            self._own.setdefault(person, []).append(event)
            for footage in footage_named(event):
                self._tied.setdefault(footage, {}).setdefault(person, event.seq)

    def footage(self) -> list[str]:
        """Every piece of footage some event names, first named first."""
        return list(self._tied)

    def tied(self, contributor: str) -> list[str]:
        """Every piece of footage the ledger ties ``contributor`` to, first tied first."""
        return [footage for footage, people in self._tied.items() if contributor in people]

    def tied_to_clips(self, contributor: str, clips: Sequence[str]) -> list[str]:
        """Footage the contributor's sign-offs and change requests of ``clips`` named."""
        found: dict[str, None] = {}
        for event in self._own.get(contributor, []):
            record = event.record
            if isinstance(record, SignOff | ChangeRequest) and record.clip in clips:
                found.update(dict.fromkeys(footage_named(event)))
        return list(found)

    def _covers(self, withdrawal: Event, contributor: str, footage: str, since: int) -> bool:
        record = withdrawal.record
        assert isinstance(record, Withdrawal)
        if footage in record.footage:
            return True
        if record.clips is None:
            return since <= withdrawal.seq
        return any(
            isinstance(e.record, SignOff | ChangeRequest) and e.record.clip in record.clips
            and e.record.footage_sha256 == footage and e.seq < withdrawal.seq
            for e in self._own.get(contributor, [])
        )

    def withdrawal(self, contributor: str, footage: str) -> Event | None:
        """The withdrawal in effect for ``contributor``'s tie to ``footage``, exceptions aside."""
        since = self._tied.get(footage, {}).get(contributor)
        if since is None:
            return None
        own = self._own.get(contributor, [])
        consents = [e for e in own if isinstance(e.record, ConsentGiven)
                    and footage in e.record.footage]
        covering = [e for e in own if isinstance(e.record, Withdrawal)
                    and self._covers(e, contributor, footage, since)]
        return in_effect(consents, covering)[1]

    def exception_after(self, footage: str, seq: int) -> Event | None:
        """The first exception naming ``footage`` recorded after event ``seq``, if any."""
        return next((e for e in self._exceptions.get(footage, []) if e.seq > seq), None)

    def lifted(self, footage: str) -> list[Event]:
        """The exceptions that lift some contributor's withdrawal from ``footage``."""
        found: dict[str, Event] = {}
        for contributor in self._tied.get(footage, {}):
            withdrawal = self.withdrawal(contributor, footage)
            if withdrawal is not None:
                exception = self.exception_after(footage, withdrawal.seq)
                if exception is not None:
                    found[exception.hash] = exception
        return list(found.values())

    def holds(self, footage: str) -> list[Hold]:
        """Every withdrawn contributor's hold on ``footage`` that no later exception lifts."""
        found = []
        for contributor in self._tied.get(footage, {}):
            withdrawal = self.withdrawal(contributor, footage)
            if withdrawal is not None and self.exception_after(footage, withdrawal.seq) is None:
                found.append(Hold(footage, contributor, withdrawal))
        return found


__all__ = [
    "ConsentState",
    "FootageIndex",
    "Hold",
    "consent_state",
    "footage_named",
    "in_effect",
    "linked_clips",
    "linked_contributors",
    "named_contributors",
    "supersedes",
    "withdrawal_date",
]
