"""The consent gate: may each clip of a film be rendered for a channel, and if not, every reason.

Inputs are plain dataclasses and verified ledger events, so this module needs no pipeline: the
pipeline describes each clip in the film as a :class:`ClipUse` and asks :func:`check`. What
`status` and `consent show` read off the same rules is in :mod:`consent.views`.

Which consent applies to a clip: the latest consent event (by ledger order) of the contributor that
covers the clip. A withdrawal covering the clip supersedes it when the withdrawal was recorded
after it, or is dated after the day it was given; so consent given again after a withdrawal
re-grants, but a paper form from before the withdrawal, entered late, does not.

Consent also follows the footage (:mod:`consent.withdrawals`): a clip whose footage a withdrawn
contributor is tied to is refused whatever its id, contributors or ``no_people``, until a
producer records an exception naming that footage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from consent.chain import Event
from consent.exceptions import ConsentError
from consent.records import ConsentGiven, Withdrawal
from consent.signoff import SignoffState, signoff_status
from consent.vocabulary import Channel, Scope
from consent.withdrawals import (
    ConsentState,
    FootageIndex,
    consent_state,
    linked_contributors,
    supersedes,
)

NOBODY = "-"
"""Who a reason names when the clip lists nobody (:attr:`ReasonCode.NO_CONTRIBUTORS`)."""


class ReasonCode(StrEnum):
    """Why consent blocks a clip. A missing sign-off's code is its :class:`SignoffState`."""

    NO_CONSENT = "no-consent"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CHANNEL_NOT_COVERED = "channel-not-covered"
    SCOPE_MISSING = "scope-missing"
    NO_CONTRIBUTORS = "no-contributors"
    WITHDRAWN_FOOTAGE = "withdrawn-footage"
    NAME_NOT_CONSENTED = "name-not-consented"  # a description or card names them (naming.py)


WITHDRAWAL_CODES: frozenset[ReasonCode] = frozenset(
    {ReasonCode.WITHDRAWN, ReasonCode.WITHDRAWN_FOOTAGE})
"""Reasons that are a withdrawal (by clip, or by the footage itself)."""


@dataclass(frozen=True)
class ClipUse:
    """One clip as the film uses it.

    Attributes:
        clip_id: the clip id from film.yaml.
        contributors: contributor ids appearing or heard in the clip.
        has_audio: the clip's sound is used (needs ``voice``).
        has_video: the clip's picture is used (needs ``appear``).
        content_key: :func:`consent.signoff.content_key` of the clip as it is now.
        no_people: the producer has declared that nobody appears or is heard in the clip
            (scenery, titles); only then may a clip with no contributors pass.
        footage_sha256: sha256 of the clip's footage as it is now (the one inside
            ``content_key``); None leaves out the rules that follow the footage.
        heard_only: contributors (among ``contributors``) whom the film only hears, never
            shows, whatever the clip uses: a describer whose recorded descriptions are heard
            over it needs ``voice`` consent only.
    """

    clip_id: str
    contributors: tuple[str, ...]
    has_audio: bool
    has_video: bool
    content_key: str
    no_people: bool = False
    footage_sha256: str | None = None
    heard_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """Why one contributor's part blocks one clip. ``message`` names ids only.

    ``code`` is a :class:`ReasonCode`, or the :class:`SignoffState` of a missing sign-off;
    ``contributor`` is :data:`NOBODY` when the clip lists nobody.
    """

    clip_id: str
    contributor: str
    code: ReasonCode | SignoffState
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "clip": self.clip_id, "contributor": self.contributor,
            "code": str(self.code), "message": self.message,
        }


@dataclass
class GateResult:
    """What the gate decided for one film and channel.

    Attributes:
        channel: the channel asked about.
        draft: sign-off was not required (internal draft).
        allowed: clip ids that may be rendered, in film order.
        blocked: clip id -> every reason it may not be, in film order.
        name_allowed: contributor id -> may their name be shown (credits, lower thirds, speaker
            labels); False means credit them generically.
        events_used: hashes of the consent and sign-off events the allowed clips rely on.
        ledger_head: hash of the last ledger event seen, or None for an empty ledger.
    """

    channel: str
    draft: bool
    allowed: list[str] = field(default_factory=list)
    blocked: dict[str, list[Reason]] = field(default_factory=dict)
    name_allowed: dict[str, bool] = field(default_factory=dict)
    events_used: list[str] = field(default_factory=list)
    ledger_head: str | None = None

    @property
    def ok(self) -> bool:
        """True when no clip is blocked."""
        return not self.blocked

    @property
    def reasons(self) -> list[Reason]:
        """Every reason for every blocked clip, in film order."""
        return [reason for reasons in self.blocked.values() for reason in reasons]

    @property
    def withdrawn(self) -> list[str]:
        """Blocked clips with a withdrawal (by clip or by footage) among their reasons (what
        --drop-withdrawn drops)."""
        return [
            clip for clip, reasons in self.blocked.items()
            if any(reason.code in WITHDRAWAL_CODES for reason in reasons)
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for `--json` output and render manifests)."""
        return {
            "channel": self.channel,
            "draft": self.draft,
            "ok": self.ok,
            "allowed": list(self.allowed),
            "blocked": {
                clip: [reason.to_dict() for reason in reasons]
                for clip, reasons in self.blocked.items()
            },
            "name_allowed": dict(self.name_allowed),
            "events_used": list(self.events_used),
            "ledger_head": self.ledger_head,
        }


def _scopes_used(clip: ClipUse, contributor: str) -> list[tuple[Scope, str]]:
    if contributor in clip.heard_only:
        return [(Scope.VOICE, "recorded descriptions")]
    used = []
    if clip.has_video:
        used.append((Scope.APPEAR, "picture"))
    if clip.has_audio:
        used.append((Scope.VOICE, "sound"))
    return used


def _consent_reasons(
    state: ConsentState, clip: ClipUse, contributor: str, channel: str, today: date
) -> list[Reason]:
    def reason(code: ReasonCode, text: str) -> Reason:
        return Reason(clip.clip_id, contributor, code, f"clip {clip.clip_id}: contributor "
                      f"{contributor}: {text}")

    if state.withdrawal is not None:
        withdrawal = state.withdrawal.record
        assert isinstance(withdrawal, Withdrawal)
        return [reason(ReasonCode.WITHDRAWN, f"consent withdrawn on {withdrawal.date.isoformat()}")]
    if state.consent is None:
        return [reason(ReasonCode.NO_CONSENT, "no consent recorded for this clip")]
    consent = state.consent.record
    assert isinstance(consent, ConsentGiven)
    reasons = []
    if consent.expired(today):
        reasons.append(reason(ReasonCode.EXPIRED,
                              f"consent expired on {consent.expires.isoformat()}"))
    if channel not in consent.channels:
        reasons.append(reason(
            ReasonCode.CHANNEL_NOT_COVERED,
            f"consent does not cover channel {channel} (covers {', '.join(consent.channels)})",
        ))
    for scope, part in _scopes_used(clip, contributor):
        if not consent.scopes[scope]:
            reasons.append(reason(
                ReasonCode.SCOPE_MISSING,
                f"no consent to {scope} (the film uses this clip's {part})",
            ))
    return reasons


_SIGNOFF_TEXT = {
    SignoffState.NO_SIGNOFF: "has not signed off this clip",
    SignoffState.STALE: "sign-off is stale: the footage, in/out points, caption file or "
                        "descriptions changed since it was given",
    SignoffState.CHANGES_REQUESTED: "asked for changes to this version of the clip",
}


def _excepted(index: FootageIndex, events: Sequence[Event], person: str,
              clip: ClipUse) -> Event | None:
    """The exception that lets ``clip`` pass without ``person``, whom only the ledger ties to
    its id and who withdrew before a producer excepted its footage; None if there is none."""
    if clip.footage_sha256 is None:
        return None
    withdrawal = consent_state(events, person, clip.clip_id).withdrawal
    if withdrawal is None:
        return None
    return index.exception_after(clip.footage_sha256, withdrawal.seq)


def _footage_reasons(index: FootageIndex, clip: ClipUse, found: Sequence[Reason]) -> list[Reason]:
    """A reason for each withdrawn contributor who holds the clip's footage (not already
    refused by name for this clip)."""
    assert clip.footage_sha256 is not None
    named = {r.contributor for r in found if r.code == ReasonCode.WITHDRAWN}
    reasons = []
    for hold in index.holds(clip.footage_sha256):
        if hold.contributor in named:
            continue
        withdrawal = hold.withdrawal.record
        assert isinstance(withdrawal, Withdrawal)
        reasons.append(Reason(
            clip.clip_id, hold.contributor, ReasonCode.WITHDRAWN_FOOTAGE,
            f"clip {clip.clip_id}: contributor {hold.contributor}: consent withdrawn on "
            f"{withdrawal.date.isoformat()} for footage {clip.footage_sha256[:12]}, which this "
            "clip uses (its id, contributors or no_people do not change that; only "
            "`coprod consent exception` does)",
        ))
    return reasons


def withdrawal_in(events: Sequence[Event], clip: ClipUse, contributor: str) -> Event | None:
    """The withdrawal for which :func:`check` refuses ``clip`` on ``contributor``'s account
    (``withdrawn`` by the clip's id, or ``withdrawn-footage`` by its footage), or None.

    What the review page says about one clip is this answer, so the page's "stopped" and the
    gate's refusal cannot differ.
    """
    index = FootageIndex(events)
    if contributor in clip.contributors or (
            contributor in linked_contributors(events, clip.clip_id)
            and _excepted(index, events, contributor, clip) is None):
        withdrawal = consent_state(events, contributor, clip.clip_id).withdrawal
        if withdrawal is not None:
            return withdrawal
    if clip.footage_sha256 is not None:
        for hold in index.holds(clip.footage_sha256):
            if hold.contributor == contributor:
                return hold.withdrawal
    return None


def check(
    events: Sequence[Event],
    clips: Sequence[ClipUse],
    channel: str,
    *,
    draft: bool = False,
    today: date,
) -> GateResult:
    """Decide which clips may be rendered for ``channel``.

    For each clip and each of its contributors: consent that applies, is not withdrawn, not
    expired at ``today``, covers ``channel`` and the scopes the clip uses (``appear`` for picture,
    ``voice`` for sound); and their sign-off (or a representative's on their behalf) at the clip's
    current content key, not followed by a change request at that key. Every reason for every
    blocked clip is returned. Contributors are those the clip lists plus everyone the ledger ties
    to it (a sign-off, change request, or a consent or withdrawal naming the clip), so taking a
    name off the clip in film.yaml does not undo a withdrawal. A clip with no contributors is
    blocked (fail closed) unless it is marked ``no_people``. A clip whose footage a withdrawn
    contributor is tied to is blocked whatever it is called or lists (``withdrawn-footage``).
    A producer's exception naming the footage lifts that, and lets the clip pass without a
    contributor only the ledger ties to it who withdrew before the exception; contributors the
    clip lists always need their own consent.

    Args:
        events: verified ledger events, oldest first (``Ledger.events()``).
        clips: the film's clips in film order.
        channel: the output profile's channel.
        draft: a draft for internal review: sign-off is not required (consent still is).
        today: the day to judge expiry on.

    Raises:
        ConsentError: unknown channel, a draft for a channel other than internal, or a clip id
            given twice.
    """
    if channel not in frozenset(Channel):
        raise ConsentError(f"unknown channel {channel!r} (known: {', '.join(Channel)})")
    if draft and channel != Channel.INTERNAL:
        raise ConsentError(
            f"a draft skips sign-off, so it is only allowed for channel internal, not {channel}"
        )
    seen: set[str] = set()
    for clip in clips:
        if clip.clip_id in seen:
            raise ConsentError(f"clip {clip.clip_id} is given to the gate twice")
        seen.add(clip.clip_id)

    result = GateResult(channel=channel, draft=draft)
    result.ledger_head = events[-1].hash if events else None
    names: dict[str, bool] = {}
    used: dict[str, None] = {}  # insertion-ordered set
    index = FootageIndex(events)
    for clip in clips:
        reasons: list[Reason] = []
        clip_used: list[str] = []
        people = []
        for person in dict.fromkeys([*clip.contributors,
                                     *linked_contributors(events, clip.clip_id)]):
            lifted = None if person in clip.contributors else _excepted(index, events, person, clip)
            if lifted is not None:
                clip_used.append(lifted.hash)
            else:
                people.append(person)
        if not people and not clip.no_people:
            reasons.append(Reason(
                clip.clip_id, NOBODY, ReasonCode.NO_CONTRIBUTORS,
                f"clip {clip.clip_id}: lists no contributors; name everyone who appears or is "
                "heard, or mark the clip as having no people",
            ))
        for contributor in people:
            state = consent_state(events, contributor, clip.clip_id)
            consent_reasons = _consent_reasons(state, clip, contributor, channel, today)
            reasons += consent_reasons
            in_force = state.in_force
            names[contributor] = names.get(contributor, True) and (
                not consent_reasons and in_force is not None and in_force.scopes[Scope.NAME]
            )
            if state.consent is not None and not consent_reasons:
                clip_used.append(state.consent.hash)
            if draft:
                continue
            status = signoff_status(events, clip.clip_id, contributor, clip.content_key)
            if status.signed:
                assert status.event is not None
                clip_used.append(status.event.hash)
            else:
                reasons.append(Reason(
                    clip.clip_id, contributor, status.state,
                    f"clip {clip.clip_id}: contributor {contributor}: "
                    f"{_SIGNOFF_TEXT[status.state]}",
                ))
        if clip.footage_sha256 is not None:
            reasons += _footage_reasons(index, clip, reasons)
            clip_used += [e.hash for e in index.lifted(clip.footage_sha256)]
        if reasons:
            result.blocked[clip.clip_id] = reasons
        else:
            result.allowed.append(clip.clip_id)
            used.update(dict.fromkeys(clip_used))
    result.name_allowed = names
    result.events_used = list(used)
    return result


__all__ = [
    "NOBODY",
    "WITHDRAWAL_CODES",
    "ClipUse",
    "ConsentState",
    "GateResult",
    "Reason",
    "ReasonCode",
    "check",
    "consent_state",
    "linked_contributors",
    "supersedes",
    "withdrawal_in",
]
