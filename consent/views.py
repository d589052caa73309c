"""What `coprod status` and `coprod consent show` read off the ledger, by the gate's own rules.

:func:`affected_outputs` lists existing renders that contain a clip someone has since withdrawn
from; :func:`summarise` gives each contributor's consent as it stands. Neither decides whether a
film may be rendered: that is :func:`consent.gate.check`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from consent.chain import Event
from consent.exceptions import ConsentError
from consent.records import ConsentGiven, Withdrawal
from consent.signoff_records import ChangeRequest, SignOff
from consent.vocabulary import Channel, Scope
from consent.withdrawals import FootageIndex, consent_state, supersedes


@dataclass(frozen=True)
class AffectedOutput:
    """An existing output containing a clip whose contributor has withdrawn consent for it.

    Attributes:
        output: the manifest's ``output`` (e.g. the film's path).
        clip_id: the clip in it.
        contributor: who withdrew.
        withdrawn_on: the withdrawal's date.
        withdrawal_event: hash of the withdrawal event.
        after_output: the withdrawal was recorded after the output was made (the usual case;
            False means the output was made from a ledger that already had it, which the gate
            should have refused).
    """

    output: str
    clip_id: str
    contributor: str
    withdrawn_on: date
    withdrawal_event: str
    after_output: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "output": self.output, "clip": self.clip_id, "contributor": self.contributor,
            "withdrawn_on": self.withdrawn_on.isoformat(),
            "withdrawal_event": self.withdrawal_event, "after_output": self.after_output,
        }


def _manifest_time(value: object, output: str) -> datetime:
    if isinstance(value, datetime):
        made = value
    elif isinstance(value, str):
        try:
            made = datetime.fromisoformat(value)
        except ValueError:
            raise ConsentError(f"render manifest of {output}: created {value!r} is not a date "
                               "and time") from None
    else:
        raise ConsentError(f"render manifest of {output}: created time missing")
    # A manifest written without a zone is taken as UTC, the zone the ledger uses.
    return made if made.tzinfo is not None else made.replace(tzinfo=UTC)


def affected_outputs(
    events: Sequence[Event], manifests: Iterable[Mapping[str, Any]]
) -> list[AffectedOutput]:
    """Outputs that contain clips whose contributors have withdrawn consent for them.

    A withdrawal counts while it is in effect (consent given again afterwards clears it), by
    the clip's id or by its footage (a clip's ``footage_sha256`` a withdrawn contributor is tied
    to, whatever the clip was called or listed, unless an exception lifts it).

    Args:
        events: verified ledger events.
        manifests: render manifests, each with ``output``, ``created`` (ISO 8601 time) and
            ``clips``: a list of ``{"id": ..., "contributors": [...]}`` (and, from renders
            that recorded it, ``"footage_sha256"``).

    Returns:
        One row per output, clip and withdrawn contributor, in manifest order.

    Raises:
        ConsentError: a manifest lacks one of those keys.
    """
    rows: list[AffectedOutput] = []
    index = FootageIndex(events)
    for manifest in manifests:
        output = manifest.get("output")
        if not isinstance(output, str):
            raise ConsentError("render manifest without an output path")
        made = _manifest_time(manifest.get("created"), output)
        clips = manifest.get("clips")
        if not isinstance(clips, list):
            raise ConsentError(f"render manifest of {output}: clips missing")
        for clip in clips:
            if not isinstance(clip, Mapping) or not isinstance(clip.get("id"), str):
                raise ConsentError(f"render manifest of {output}: a clip without an id")
            for contributor in dict.fromkeys(clip.get("contributors") or []):
                state = consent_state(events, contributor, clip["id"])
                if state.withdrawal is None:
                    continue
                record = state.withdrawal.record
                assert isinstance(record, Withdrawal)
                rows.append(AffectedOutput(
                    output=output, clip_id=clip["id"], contributor=contributor,
                    withdrawn_on=record.date, withdrawal_event=state.withdrawal.hash,
                    after_output=state.withdrawal.at > made,
                ))
            footage = clip.get("footage_sha256")
            named = {row.contributor for row in rows
                     if row.output == output and row.clip_id == clip["id"]}
            for hold in index.holds(footage) if isinstance(footage, str) else []:
                if hold.contributor in named:
                    continue
                record = hold.withdrawal.record
                assert isinstance(record, Withdrawal)
                rows.append(AffectedOutput(
                    output=output, clip_id=clip["id"], contributor=hold.contributor,
                    withdrawn_on=record.date, withdrawal_event=hold.withdrawal.hash,
                    after_output=hold.withdrawal.at > made,
                ))
    return rows


@dataclass(frozen=True)
class ConsentSummary:
    """One consent record still in force for some clips, as `consent show` lists it.

    ``recorded_by`` (OS user) and ``via`` (cli or review-page) are None for events recorded
    before coprod kept them.
    """

    seq: int
    event: str
    recorded_at: datetime
    consent: ConsentGiven
    expired: bool
    withdrawn: bool
    withdrawn_clips: tuple[str, ...]
    recorded_by: str | None = None
    via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = self.consent.to_dict()
        del data["contributor"]
        data.update(
            seq=self.seq, event=self.event, recorded_at=self.recorded_at.isoformat(),
            expired=self.expired, withdrawn=self.withdrawn,
            withdrawn_clips=list(self.withdrawn_clips), recorded_by=self.recorded_by,
            via=self.via,
        )
        return data


@dataclass(frozen=True)
class Action:
    """A contributor's withdrawal, sign-off or change request, and who recorded it through what.

    Attributes:
        seq: the event's number.
        event: the event's hash.
        type: ``withdrawal``, ``signoff`` or ``change-request``.
        recorded_at: when it was recorded.
        clips: the clip signed off or commented on; the clips withdrawn (None: all of them).
        by_representative: a representative acted for the contributor.
        recorded_by: the OS user who recorded it (None before coprod kept it).
        via: ``cli`` or ``review-page`` (None before coprod kept it).
    """

    seq: int
    event: str
    type: str
    recorded_at: datetime
    clips: tuple[str, ...] | None
    by_representative: bool
    recorded_by: str | None
    via: str | None

    @classmethod
    def of(cls, event: Event) -> Action:
        """The action an event records (a withdrawal, sign-off or change request)."""
        record = event.record
        if isinstance(record, Withdrawal):
            clips, by_rep = record.clips, False
        else:
            assert isinstance(record, SignOff | ChangeRequest)
            clips, by_rep = (record.clip,), record.by_representative
        return cls(event.seq, event.hash, event.type, event.at, clips, by_rep,
                   event.recorded_by, event.via)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "seq": self.seq, "event": self.event, "type": self.type,
            "recorded_at": self.recorded_at.isoformat(),
            "clips": None if self.clips is None else list(self.clips),
            "by_representative": self.by_representative, "recorded_by": self.recorded_by,
            "via": self.via,
        }


@dataclass(frozen=True)
class ContributorConsent:
    """The current consent position of one contributor.

    Attributes:
        contributor: contributor id.
        consents: consents not wholly replaced by later ones, oldest first.
        withdrawn: nothing is left in force: every consent is withdrawn (or there is a withdrawal
            and no consent).
        actions: their withdrawals, sign-offs and change requests, oldest first.
    """

    contributor: str
    consents: tuple[ConsentSummary, ...]
    withdrawn: bool
    actions: tuple[Action, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "contributor": self.contributor,
            "withdrawn": self.withdrawn,
            "consents": [summary.to_dict() for summary in self.consents],
            "actions": [action.to_dict() for action in self.actions],
        }


def _replaced(consent: Event, later: list[Event]) -> bool:
    """True when later consents cover every clip this one covers."""
    record = consent.record
    assert isinstance(record, ConsentGiven)
    later_records = [event.record for event in later]
    if any(isinstance(r, ConsentGiven) and r.clips is None for r in later_records):
        return True
    if record.clips is None:
        return False
    return all(
        any(isinstance(r, ConsentGiven) and r.covers(clip) for r in later_records)
        for clip in record.clips
    )


def summarise(
    events: Sequence[Event], contributor: str | None = None, *, today: date | None = None
) -> list[ContributorConsent]:
    """Current consent per contributor, sorted by id (for `coprod consent show`).

    Args:
        events: verified ledger events.
        contributor: only this contributor (an empty list when the ledger never names them).
        today: the day to judge expiry on; today if None.
    """
    today = today if today is not None else date.today()
    by_contributor: dict[str, list[Event]] = {}
    feedback: dict[str, list[Event]] = {}
    for event in events:
        record = event.record
        if isinstance(record, ConsentGiven | Withdrawal):
            if contributor is None or record.contributor == contributor:
                by_contributor.setdefault(record.contributor, []).append(event)
        elif isinstance(record, SignOff | ChangeRequest):
            feedback.setdefault(record.contributor, []).append(event)
    summaries = []
    for who in sorted(by_contributor):
        own = by_contributor[who]
        consents = [e for e in own if isinstance(e.record, ConsentGiven)]
        withdrawals = [e for e in own if isinstance(e.record, Withdrawal)]
        rows = []
        standing = {c.seq for c in consents if not any(supersedes(w, c) for w in withdrawals)}
        for i, event in enumerate(consents):
            # Consent in force is replaced only by later consent in force: a paper form from
            # before a withdrawal, entered late, does not hide consent given again after it.
            later = [c for c in consents[i + 1:]
                     if c.seq in standing or event.seq not in standing]
            if _replaced(event, later):
                continue
            record = event.record
            assert isinstance(record, ConsentGiven)
            ending = [w for w in withdrawals if supersedes(w, event)]
            whole = any(
                isinstance(w.record, Withdrawal) and w.record.clips is None for w in ending
            )
            clips: dict[str, None] = {}
            for w in ending:
                assert isinstance(w.record, Withdrawal)
                for clip in w.record.clips or ():
                    if record.covers(clip):
                        clips[clip] = None
            if record.clips is not None and all(clip in clips for clip in record.clips):
                whole = True
            rows.append(ConsentSummary(
                seq=event.seq, event=event.hash, recorded_at=event.at, consent=record,
                expired=record.expired(today), withdrawn=whole, withdrawn_clips=tuple(clips),
                recorded_by=event.recorded_by, via=event.via,
            ))
        all_withdrawn = all(row.withdrawn for row in rows) if rows else bool(withdrawals)
        acts = sorted([*withdrawals, *feedback.get(who, [])], key=lambda e: e.seq)
        summaries.append(ContributorConsent(who, tuple(rows), all_withdrawn,
                                            tuple(Action.of(e) for e in acts)))
    return summaries


@dataclass(frozen=True)
class ConsentTerms:
    """One consent as a contributor reads it: what it lets the film do today, by the gate's rules.

    Attributes:
        channels: every channel, in reading order, and whether the film may be shown there
            under this consent (the gate's ``channel-not-covered``); all no once it has ended.
        scopes: every scope and whether it is granted (the gate's ``scope-missing`` for
            ``appear`` and ``voice``, its ``name_allowed`` for ``name``); all no once it has ended.
        expires: the day it ends.
        ended: withdrawn or expired: the gate refuses it on every channel.
        expired: it expired (the gate's ``expired``).
        withdrawn: it was withdrawn (the gate's ``withdrawn``).
        all_clips: it covers all the contributor's clips, not listed ones.
    """

    channels: tuple[tuple[str, bool], ...]
    scopes: tuple[tuple[str, bool], ...]
    expires: date
    ended: bool
    expired: bool
    withdrawn: bool
    all_clips: bool


def consent_terms(summary: ConsentSummary) -> ConsentTerms:
    """What one summarised consent lets the film do, channel by channel and scope by scope."""
    record = summary.consent
    ended = summary.withdrawn or summary.expired
    return ConsentTerms(
        channels=tuple((str(c), not ended and c in record.channels) for c in Channel),
        scopes=tuple((str(s), not ended and record.scopes[s]) for s in Scope),
        expires=record.expires, ended=ended, expired=summary.expired,
        withdrawn=summary.withdrawn, all_clips=record.clips is None,
    )


def consent_expires(event: Event) -> date:
    """The day a recorded consent ends (the event :func:`Ledger.add` returned for it)."""
    record = event.record
    assert isinstance(record, ConsentGiven)
    return record.expires


def stopped_on(events: Sequence[Event], contributor: str, *,
               today: date | None = None) -> date | None:
    """The day the contributor asked to stop, when nothing of their consent is left in force
    (:attr:`ContributorConsent.withdrawn`); None otherwise."""
    found = summarise(events, contributor, today=today)
    if not found or not found[0].withdrawn:
        return None
    days = [e.record.date for e in events
            if isinstance(e.record, Withdrawal) and e.record.contributor == contributor]
    return max(days) if days else None


__all__ = [
    "Action",
    "AffectedOutput",
    "ConsentSummary",
    "ConsentTerms",
    "ContributorConsent",
    "affected_outputs",
    "consent_expires",
    "consent_terms",
    "stopped_on",
    "summarise",
]
