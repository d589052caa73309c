"""Issue 25 item 3: the ledger is read in one place, consent/.

The review page's word for a clip ("stopped" or not), its "you asked to stop" banner,
`coprod consent show` (:func:`consent.views.summarise`) and the gate (:func:`consent.check`)
are compared on the concrete case that once split them (a paper consent entered late, dated
before a withdrawal) and on generated ledgers: consents, withdrawals, late-entered events,
sign-offs, change requests and producers' footage exceptions, by clip and by footage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import (
    WITHDRAWAL_CODES,
    ChangeRequest,
    ClipUse,
    ConsentGiven,
    Event,
    FootageException,
    ReasonCode,
    Record,
    SignOff,
    Withdrawal,
    check,
    content_key,
    stopped_on,
    summarise,
)
from consent.records import event_type
from pipeline.review.whose import ClipState, standing_of

CLIPS = {"x": ("a",), "y": ("b",), "z": ("a", "b")}
PEOPLE = ("a", "b")
FOOTAGE = {clip: hashlib.sha256(clip.encode()).hexdigest() for clip in CLIPS}
KEYS = {clip: content_key(FOOTAGE[clip], None, None, None) for clip in CLIPS}
STALE = content_key("f" * 64, None, None, None)
START = date(2026, 1, 1)
TODAY = date(2026, 6, 1)
USES = [ClipUse(clip, people, True, True, KEYS[clip], footage_sha256=FOOTAGE[clip])
        for clip, people in CLIPS.items()]


def _events(records: Sequence[Record]) -> list[Event]:
    """Records as a verified ledger would hand them over, recorded in this order."""
    recorded = datetime(2026, 1, 1, tzinfo=UTC)
    return [Event(seq, event_type(record), recorded + timedelta(hours=seq), {}, "0" * 64,
                  f"{seq:064x}", seq, record) for seq, record in enumerate(records, 1)]


def _footage(who: str, clips: tuple[str, ...] | None, named: bool) -> tuple[str, ...]:
    if not named:
        return ()  # recorded before coprod kept footage
    listed = clips if clips is not None else [c for c, p in CLIPS.items() if who in p]
    return tuple(FOOTAGE[c] for c in listed)


_clip_lists = st.one_of(st.none(), st.lists(st.sampled_from(sorted(CLIPS)), min_size=1,
                                            max_size=3, unique=True).map(tuple))
_days = st.integers(0, 120).map(lambda d: START + timedelta(days=d))


@st.composite
def _record(draw: st.DrawFn) -> Record:
    kind = draw(st.sampled_from(["consent", "consent", "withdrawal", "signoff", "changes",
                                 "exception"]))
    who = draw(st.sampled_from(PEOPLE))
    if kind in ("consent", "withdrawal"):
        clips = draw(_clip_lists)
        footage = _footage(who, clips, draw(st.booleans()))
        if kind == "consent":
            return ConsentGiven.create(who, scopes=["appear", "voice", "name"],
                                       channels=["web", "internal"], given=draw(_days),
                                       method="written", obtained_by="Sam", clips=clips,
                                       footage=footage)
        return Withdrawal(who, draw(_days), clips, "", footage)
    clip = draw(st.sampled_from(sorted(CLIPS)))
    if kind == "exception":
        return FootageException(FOOTAGE[clip], "archive footage, agreed", "Jo", clip)
    key = draw(st.sampled_from([KEYS[clip], STALE]))
    sha = draw(st.sampled_from([FOOTAGE[clip], None]))
    if kind == "signoff":
        return SignOff(clip, who, key, None, "", sha)
    return ChangeRequest(clip, who, key, None, "please fix", sha)


def _agree(found: list[Event]) -> None:
    gate = check(found, USES, "web", today=TODAY)
    for who in PEOPLE:
        stopped = stopped_on(found, who, today=TODAY)
        shown = summarise(found, who, today=TODAY)
        # The banner is `consent show`'s "withdrawn": nothing of their consent left in force.
        assert (stopped is not None) == bool(shown and shown[0].withdrawn)
        for use in USES:
            page = standing_of(found, who, use.clip_id, lambda use=use: use)
            refused = [r for r in gate.blocked.get(use.clip_id, []) if r.contributor == who]
            withdrawn = [r for r in refused if r.code in WITHDRAWAL_CODES]
            assert (page.state == ClipState.STOPPED) == bool(withdrawn), (who, use.clip_id)
            if withdrawn:
                assert page.since is not None
                assert f"withdrawn on {page.since.isoformat()}" in withdrawn[0].message
            if who not in use.contributors:
                continue
            if stopped is not None:
                # "We will not use your clips": the gate finds no consent of theirs for any.
                assert {r.code for r in refused} & {ReasonCode.NO_CONSENT, *WITHDRAWAL_CODES}
            in_force = [row for row in (shown[0].consents if shown else ())
                        if not row.withdrawn and row.consent.covers(use.clip_id)
                        and use.clip_id not in row.withdrawn_clips]
            by_clip = [r for r in refused if r.code == ReasonCode.WITHDRAWN]
            # `consent show` never lists a consent in force for a clip the gate refuses as
            # withdrawn by its id, nor leaves a clip without one when the gate finds consent.
            assert not (in_force and by_clip), (who, use.clip_id)
            if not {r.code for r in refused} & {ReasonCode.NO_CONSENT, ReasonCode.WITHDRAWN}:
                assert in_force, (who, use.clip_id)


def test_a_late_entered_consent_dated_before_a_withdrawal_leaves_the_page_stopped() -> None:
    # amara stops on 1 March; her paper consent of 1 February is entered afterwards.
    found = _events([
        Withdrawal("a", date(2026, 3, 1), None, "", (FOOTAGE["x"], FOOTAGE["z"])),
        ConsentGiven.create("a", scopes=["appear", "voice"], channels=["web"],
                            given=date(2026, 2, 1), method="written", obtained_by="Sam"),
    ])
    gate = check(found, USES, "web", today=TODAY)
    assert ReasonCode.WITHDRAWN in {r.code for r in gate.blocked["x"] if r.contributor == "a"}
    assert stopped_on(found, "a", today=TODAY) == date(2026, 3, 1)
    page = standing_of(found, "a", "x", lambda: USES[0])
    assert (page.state, page.since) == (ClipState.STOPPED, date(2026, 3, 1))
    _agree(found)


def test_the_page_says_stopped_for_footage_the_gate_refuses_under_another_name() -> None:
    # b withdrew from footage x by its footage only; the gate refuses x whatever lists b.
    found = _events([
        ConsentGiven.create("b", scopes=["appear", "voice"], channels=["web"],
                            given=date(2026, 2, 1), method="written", obtained_by="Sam",
                            clips=("x",), footage=(FOOTAGE["x"],)),
        Withdrawal("b", date(2026, 3, 1), ("x",), "", (FOOTAGE["x"],)),
    ])
    _agree(found)
    page = standing_of(found, "b", "x", lambda: USES[0])
    assert page.state == ClipState.STOPPED


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_record(), max_size=10))
def test_page_consent_show_and_gate_agree_on_generated_ledgers(records: list[Record]) -> None:
    _agree(_events(records))
