"""The gate: every rule alone, then the combinations render and status rely on."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from consent import (
    ClipUse,
    ConsentError,
    ConsentGiven,
    Event,
    Ledger,
    ReasonCode,
    SignoffState,
    check,
    content_key,
)

KEY = content_key("a" * 64, None, None, "c" * 64)
NEW_KEY = content_key("a" * 64, None, None, "d" * 64)
TODAY = date(2025, 1, 1)

Give = Callable[..., Event]
Act = Callable[..., Event]


def clip(clip_id: str = "c1", *contributors: str, audio: bool = True, video: bool = True,
         key: str = KEY) -> ClipUse:
    return ClipUse(clip_id, contributors or ("p1",), audio, video, key)


def codes(result: Any, clip_id: str = "c1") -> list[tuple[str, str]]:
    return [(r.contributor, r.code) for r in result.blocked.get(clip_id, [])]


def gate(ledger: Ledger, clips: list[ClipUse], channel: str = "web", **kw: Any) -> Any:
    return check(ledger.events(), clips, channel, today=kw.pop("today", TODAY), **kw)


# --- a clip that passes, and each rule alone ------------------------------------------------


def test_consent_and_signoff_allow_the_clip(ledger: Ledger, give: Give, sign: Act) -> None:
    consent = give("p1")
    signoff = sign("c1", "p1")
    result = gate(ledger, [clip()])
    assert result.ok and result.allowed == ["c1"] and result.blocked == {}
    assert result.events_used == [consent.hash, signoff.hash]
    assert result.name_allowed == {"p1": True}
    assert result.ledger_head == signoff.hash
    assert result.reasons == [] and result.withdrawn == []


def test_missing_consent(ledger: Ledger, sign: Act) -> None:
    sign("c1", "p1")
    result = gate(ledger, [clip()])
    assert not result.ok and result.allowed == []
    assert codes(result) == [("p1", "no-consent")]
    assert result.blocked["c1"][0].message == (
        "clip c1: contributor p1: no consent recorded for this clip"
    )


def test_consent_of_another_contributor_does_not_count(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p2")
    sign("c1", "p1")
    assert codes(gate(ledger, [clip()])) == [("p1", "no-consent")]


def test_expired_consent(ledger: Ledger, give: Give, sign: Act) -> None:
    give("p1", given=date(2020, 1, 1), expires=date(2024, 12, 31))
    sign("c1", "p1")
    result = gate(ledger, [clip()])
    assert codes(result) == [("p1", "expired")]
    assert "expired on 2024-12-31" in result.blocked["c1"][0].message


def test_consent_expires_on_its_expiry_day(ledger: Ledger, give: Give, sign: Act) -> None:
    give("p1", expires=date(2025, 1, 1))
    sign("c1", "p1")
    assert gate(ledger, [clip()], today=date(2024, 12, 31)).ok
    assert codes(gate(ledger, [clip()], today=date(2025, 1, 1))) == [("p1", "expired")]


def test_withdrawn_for_all_clips(ledger: Ledger, give: Give, withdraw: Act, sign: Act) -> None:
    give("p1")
    sign("c1", "p1")
    withdraw("p1")
    result = gate(ledger, [clip()])
    assert codes(result) == [("p1", "withdrawn")]
    assert result.blocked["c1"][0].message == (
        "clip c1: contributor p1: consent withdrawn on 2024-06-01"
    )
    assert result.withdrawn == ["c1"]


def test_withdrawal_of_one_clip_leaves_the_others(
    ledger: Ledger, give: Give, withdraw: Act, sign: Act
) -> None:
    give("p1")
    sign("c1", "p1")
    sign("c2", "p1")
    withdraw("p1", clips=("c2",))
    result = gate(ledger, [clip("c1"), clip("c2")])
    assert result.allowed == ["c1"]
    assert codes(result, "c2") == [("p1", "withdrawn")]


def test_consent_given_again_after_withdrawal_regrants(
    ledger: Ledger, give: Give, withdraw: Act, sign: Act
) -> None:
    give("p1")
    sign("c1", "p1")
    withdraw("p1", on=date(2024, 6, 1))
    again = give("p1", given=date(2024, 7, 1))
    result = gate(ledger, [clip()])
    assert result.ok
    assert again.hash in result.events_used


def test_late_entered_consent_from_before_a_withdrawal_does_not_regrant(
    ledger: Ledger, give: Give, withdraw: Act, sign: Act
) -> None:
    give("p1")
    sign("c1", "p1")
    withdraw("p1", on=date(2024, 6, 1))
    # A paper form signed before the withdrawal but typed in afterwards.
    give("p1", given=date(2024, 5, 1))
    assert codes(gate(ledger, [clip()])) == [("p1", "withdrawn")]


def test_withdrawal_without_any_consent_says_withdrawn(
    ledger: Ledger, withdraw: Act, sign: Act
) -> None:
    sign("c1", "p1")
    withdraw("p1")
    assert codes(gate(ledger, [clip()])) == [("p1", "withdrawn")]


def test_a_signoff_recorded_while_withdrawn_never_counts(
    ledger: Ledger, give: Give, withdraw: Act, sign: Act
) -> None:
    give("p1")
    withdraw("p1", on=date(2024, 6, 1))
    sign("c1", "p1")  # what the review page and `coprod signoff` let through before issue 20
    assert codes(gate(ledger, [clip()])) == [("p1", "withdrawn"), ("p1", "no-signoff")]
    give("p1", given=date(2024, 7, 1))  # again: the sign-off made while withdrawn is not one
    assert codes(gate(ledger, [clip()])) == [("p1", "no-signoff")]
    sign("c1", "p1")
    assert codes(gate(ledger, [clip()])) == []


def test_wrong_channel(ledger: Ledger, give: Give, sign: Act) -> None:
    give("p1", channels=["internal", "training"])
    sign("c1", "p1")
    result = gate(ledger, [clip()], channel="broadcast")
    assert codes(result) == [("p1", "channel-not-covered")]
    assert "channel broadcast (covers internal, training)" in result.blocked["c1"][0].message
    assert gate(ledger, [clip()], channel="training").ok


def test_missing_voice_scope_blocks_a_clip_with_sound(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p1", scopes=["appear"])
    sign("c1", "p1")
    result = gate(ledger, [clip()])
    assert codes(result) == [("p1", "scope-missing")]
    assert "no consent to voice" in result.blocked["c1"][0].message
    assert gate(ledger, [clip(audio=False)]).ok


def test_missing_appear_scope_blocks_a_clip_with_picture(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p1", scopes=["voice"])
    sign("c1", "p1")
    result = gate(ledger, [clip()])
    assert codes(result) == [("p1", "scope-missing")]
    assert "no consent to appear" in result.blocked["c1"][0].message
    assert gate(ledger, [clip(video=False)]).ok


def test_latest_consent_replaces_earlier_scopes(ledger: Ledger, give: Give, sign: Act) -> None:
    give("p1")
    give("p1", scopes=["appear"], given=date(2024, 2, 1))
    sign("c1", "p1")
    assert codes(gate(ledger, [clip()])) == [("p1", "scope-missing")]


def test_consent_for_listed_clips_covers_only_those(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p1", clips=["c2"])
    sign("c1", "p1")
    sign("c2", "p1")
    result = gate(ledger, [clip("c1"), clip("c2")])
    assert result.allowed == ["c2"]
    assert codes(result, "c1") == [("p1", "no-consent")]


def test_no_signoff(ledger: Ledger, give: Give) -> None:
    give("p1")
    result = gate(ledger, [clip()])
    assert codes(result) == [("p1", "no-signoff")]
    assert result.blocked["c1"][0].message == (
        "clip c1: contributor p1: has not signed off this clip"
    )


def test_signoff_of_another_clip_does_not_count(ledger: Ledger, give: Give, sign: Act) -> None:
    give("p1")
    sign("c2", "p1")
    assert codes(gate(ledger, [clip()])) == [("p1", "no-signoff")]


def test_stale_signoff(ledger: Ledger, give: Give, sign: Act) -> None:
    give("p1")
    sign("c1", "p1", key=KEY)
    result = gate(ledger, [clip(key=NEW_KEY)])
    assert codes(result) == [("p1", "stale-signoff")]
    assert "stale" in result.blocked["c1"][0].message


def test_changes_requested(
    ledger: Ledger, give: Give, sign: Act, request_changes: Act
) -> None:
    give("p1")
    sign("c1", "p1")
    request_changes("c1", "p1")
    assert codes(gate(ledger, [clip()])) == [("p1", "changes-requested")]


def test_signoff_after_a_change_request_approves(
    ledger: Ledger, give: Give, sign: Act, request_changes: Act
) -> None:
    give("p1")
    request_changes("c1", "p1", key=KEY)
    sign("c1", "p1", key=NEW_KEY)
    # The change request was about the old version; the new one is signed off.
    assert gate(ledger, [clip(key=NEW_KEY)]).ok
    sign("c1", "p1", key=KEY)
    assert gate(ledger, [clip(key=KEY)]).ok


def test_representative_signs_off_on_behalf_of_the_contributor(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p1")
    event = sign("c1", "advocate-1", on_behalf_of="p1")
    result = gate(ledger, [clip()])
    assert result.ok and event.hash in result.events_used


def test_representative_for_someone_else_does_not_count(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p1")
    sign("c1", "p1", on_behalf_of="p2")  # p1 acting for p2 is not p1's own sign-off
    # ...and it ties p2 to the clip, so p2 now needs consent too.
    assert codes(gate(ledger, [clip()])) == [("p1", "no-signoff"), ("p2", "no-consent")]


def test_draft_skips_signoff_for_internal(ledger: Ledger, give: Give) -> None:
    give("p1")
    result = gate(ledger, [clip()], channel="internal", draft=True)
    assert result.ok and result.draft


def test_draft_never_skips_consent_or_withdrawal(
    ledger: Ledger, give: Give, withdraw: Act
) -> None:
    assert codes(gate(ledger, [clip()], channel="internal", draft=True)) == [("p1", "no-consent")]
    give("p1")
    withdraw("p1")
    assert codes(gate(ledger, [clip()], channel="internal", draft=True)) == [("p1", "withdrawn")]


def test_draft_is_only_for_internal(ledger: Ledger, give: Give) -> None:
    give("p1")
    with pytest.raises(ConsentError, match="only allowed for channel internal"):
        gate(ledger, [clip()], channel="web", draft=True)


def test_unknown_channel_and_repeated_clip_are_errors(ledger: Ledger) -> None:
    with pytest.raises(ConsentError, match="unknown channel 'cinema'"):
        gate(ledger, [clip()], channel="cinema")
    with pytest.raises(ConsentError, match="clip c1 is given to the gate twice"):
        gate(ledger, [clip(), clip()])


# --- every reason, names, provenance ------------------------------------------------------


def test_every_reason_for_every_contributor_of_a_clip(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p1", given=date(2019, 1, 1), expires=date(2024, 1, 1), channels=["internal"],
         scopes=["appear"])
    sign("c1", "p1", key=KEY)
    # p2 has nothing; p3 is fine apart from sign-off; p4 is fine.
    give("p3")
    give("p4")
    sign("c1", "p4", key=NEW_KEY)
    result = gate(ledger, [clip("c1", "p1", "p2", "p3", "p4", key=NEW_KEY), clip("c2", "p4")])
    assert codes(result) == [
        ("p1", "expired"), ("p1", "channel-not-covered"), ("p1", "scope-missing"),
        ("p1", "stale-signoff"),
        ("p2", "no-consent"), ("p2", "no-signoff"),
        ("p3", "no-signoff"),
    ]
    assert codes(result, "c2") == [("p4", "no-signoff")]
    assert result.allowed == []
    # reasons lists them in film order, clip by clip, each naming its clip and contributor.
    assert [(r.clip_id, r.contributor) for r in result.reasons] == \
        [("c1", c) for c, _ in codes(result)] + [("c2", "p4")]
    assert all(r.message.startswith(f"clip {r.clip_id}: contributor {r.contributor}: ")
               for r in result.reasons)
    assert {r.code for r in result.reasons} == {
        ReasonCode.EXPIRED, ReasonCode.CHANNEL_NOT_COVERED, ReasonCode.SCOPE_MISSING,
        ReasonCode.NO_CONSENT, SignoffState.STALE, SignoffState.NO_SIGNOFF}


def test_name_allowed_only_with_name_scope_on_passing_consent(
    ledger: Ledger, give: Give, sign: Act
) -> None:
    give("p1")
    give("p2", scopes=["appear", "voice"])
    give("p3", clips=["c1"])  # name granted, but no consent for c2
    for clip_id, who in [("c1", "p1"), ("c1", "p2"), ("c1", "p3"), ("c2", "p3")]:
        sign(clip_id, who)
    result = gate(ledger, [clip("c1", "p1", "p2", "p3"), clip("c2", "p3")])
    assert result.name_allowed == {"p1": True, "p2": False, "p3": False}


def test_events_used_leave_out_blocked_clips(ledger: Ledger, give: Give, sign: Act) -> None:
    p1 = give("p1")
    p2 = give("p2")
    s1 = sign("c1", "p1")
    result = gate(ledger, [clip("c1", "p1"), clip("c2", "p2")])
    assert result.allowed == ["c1"]
    assert result.events_used == [p1.hash, s1.hash]
    assert p2.hash not in result.events_used
    assert json.loads(json.dumps(result.to_dict()))["blocked"]["c2"][0]["code"] == "no-signoff"


def test_a_clip_without_contributors_is_blocked_unless_marked_no_people(ledger: Ledger) -> None:
    result = gate(ledger, [ClipUse("skyline", (), True, True, KEY)])
    assert codes(result, "skyline") == [("-", "no-contributors")]
    marked = gate(ledger, [ClipUse("skyline", (), True, True, KEY, no_people=True)])
    assert marked.allowed == ["skyline"]


def test_removing_a_contributor_from_the_clip_does_not_undo_a_withdrawal(
    ledger: Ledger, give: Give, sign: Act, withdraw: Act
) -> None:
    give("p1")
    sign("c1", "p1")
    assert gate(ledger, [clip()]).ok
    withdraw("p1")
    # film.yaml edited to list nobody (or someone else) on the clip: the ledger still ties p1.
    for people in ((), ("p9",)):
        result = gate(ledger, [ClipUse("c1", people, True, True, KEY)])
        assert ("p1", "withdrawn") in codes(result)


def test_messages_name_ids_never_personal_details(
    ledger: Ledger, withdraw: Act, request_changes: Act
) -> None:
    ledger.add(ConsentGiven.create(
        "p1", scopes=["appear"], channels=["internal"], given=date(2019, 1, 1),
        expires=date(2024, 1, 1), method="signed-by-representative",
        obtained_by="Sam Worker", representative="Mary Smith (mother)",
        capacity="best-interests", decision_maker="Dr Jones",
        note="Lives at 4 Elm Road, told with easy-read sheet",
    ))
    request_changes("c1", "Mary Smith (mother)", on_behalf_of="p1")
    withdraw("p2", clips=("c1",))
    result = gate(ledger, [clip("c1", "p1", "p2")])
    text = " ".join(r.message for r in result.reasons)
    for secret in ("Sam", "Mary", "Jones", "Elm", "easy-read sheet", "cut the second",
                   "changed my mind"):
        assert secret not in text
    assert {r.code for r in result.reasons} >= {"expired", "withdrawn", "changes-requested"}
