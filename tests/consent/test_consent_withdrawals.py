"""Consent follows the footage: who the ledger ties to which footage, what a withdrawal holds."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from consent import (
    ClipUse,
    ConsentGiven,
    Event,
    FootageException,
    FootageIndex,
    Ledger,
    RecordError,
    SignOff,
    Withdrawal,
    check,
    consent_state,
    content_key,
    summarise,
)

F1, F2, F3 = "1" * 64, "2" * 64, "3" * 64
TODAY = date(2025, 1, 1)


def key(footage: str) -> str:
    return content_key(footage, None, None, None)


def give(ledger: Ledger, who: str, *footage: str, given: date = date(2024, 1, 10),
         clips: tuple[str, ...] | None = None) -> Event:
    return ledger.add(ConsentGiven.create(
        who, scopes=["appear", "voice"], channels=["web", "internal"], given=given,
        method="written", obtained_by="staff-1", footage=footage, clips=clips))


def sign(ledger: Ledger, clip_id: str, who: str, footage: str) -> Event:
    return ledger.add(SignOff(clip_id, who, key(footage), footage_sha256=footage))


def withdraw(ledger: Ledger, who: str, *footage: str, clips: tuple[str, ...] | None = None,
             on: date = date(2024, 6, 1)) -> Event:
    return ledger.add(Withdrawal(who, on, clips, "changed my mind", footage))


def except_(ledger: Ledger, footage: str) -> Event:
    return ledger.add(FootageException(footage, "not in the shot", "J. Producer", "scenery"))


def use(clip_id: str, footage: str, *people: str, no_people: bool = False) -> ClipUse:
    return ClipUse(clip_id, people, True, True, key(footage), no_people=no_people,
                   footage_sha256=footage)


INTERNAL = {"channel": "internal"}


def codes(ledger: Ledger, *clips: ClipUse, channel: str = "web",
          **kw: Any) -> dict[str, list[tuple[str, str]]]:
    result = check(ledger.events(), list(clips), channel, today=TODAY, **kw)
    return {c: [(r.contributor, str(r.code)) for r in reasons]
            for c, reasons in result.blocked.items()}


def holders(ledger: Ledger, footage: str) -> list[str]:
    return [hold.contributor for hold in FootageIndex(ledger.events()).holds(footage)]


def test_a_renamed_clip_with_withdrawn_footage_is_refused_whatever_it_lists(
        ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    sign(ledger, "ben-kitchen", "ben", F1)
    withdraw(ledger, "ben")
    assert holders(ledger, F1) == ["ben"]
    give(ledger, "amara", F2)
    sign(ledger, "garden", "amara", F1)  # a second id, signed by someone else
    assert codes(ledger, use("scenery", F1, no_people=True), use("garden", F1, "amara")) == {
        "scenery": [("ben", "withdrawn-footage")],
        "garden": [("ben", "withdrawn-footage")],
    }


def test_the_reason_names_clip_contributor_and_footage_but_no_personal_detail(
        ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    withdraw(ledger, "ben")
    result = check(ledger.events(), [use("scenery", F1, no_people=True)], "web", today=TODAY)
    (reason,) = result.reasons
    assert reason.message.startswith("clip scenery: contributor ben: consent withdrawn on "
                                     "2024-06-01 for footage 111111111111")
    assert "changed my mind" not in reason.message and "staff" not in reason.message
    assert result.withdrawn == ["scenery"]


def test_a_withdrawal_by_name_is_not_reported_twice(ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    withdraw(ledger, "ben")
    assert codes(ledger, use("c1", F1, "ben")) == \
        {"c1": [("ben", "withdrawn"), ("ben", "no-signoff")]}


def test_footage_tied_only_after_a_whole_withdrawal_is_not_held(ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    withdraw(ledger, "ben")
    sign(ledger, "new", "ben", F2)  # tied after the withdrawal
    assert holders(ledger, F1) == ["ben"] and holders(ledger, F2) == []


def test_consent_naming_the_footage_again_regrants_it(ledger: Ledger) -> None:
    give(ledger, "ben", F1, F2)
    withdraw(ledger, "ben")
    give(ledger, "ben", F1, given=date(2024, 7, 1))
    assert holders(ledger, F1) == [] and holders(ledger, F2) == ["ben"]


def test_a_late_entered_consent_from_before_the_withdrawal_does_not_regrant(
        ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    withdraw(ledger, "ben", on=date(2024, 6, 1))
    give(ledger, "ben", F1, given=date(2024, 5, 1))  # a paper form, typed in late
    assert holders(ledger, F1) == ["ben"]


def test_a_late_entered_form_does_not_hide_consent_given_again_after_the_withdrawal(
        ledger: Ledger) -> None:
    # ben stops on 1 June and says yes again on 1 July; a paper form of 1 May for clip-1 is
    # typed in afterwards. The July consent still applies: the gate and `consent show` agree.
    withdraw(ledger, "ben", on=date(2024, 6, 1))
    again = give(ledger, "ben", F1, given=date(2024, 7, 1))
    give(ledger, "ben", F1, given=date(2024, 5, 1), clips=("clip-1",))
    state = consent_state(ledger.events(), "ben", "clip-1")
    assert (state.consent, state.withdrawal) == (again, None)
    assert codes(ledger, use("clip-1", F1, "ben"), draft=True, **INTERNAL) == {}
    assert holders(ledger, F1) == []
    shown = summarise(ledger.events(), "ben", today=TODAY)[0]
    assert not shown.withdrawn and any(not row.withdrawn for row in shown.consents)


def test_a_withdrawal_of_listed_clips_holds_their_footage_only(ledger: Ledger) -> None:
    give(ledger, "ben", F1, F2)
    sign(ledger, "c1", "ben", F1)
    sign(ledger, "c2", "ben", F2)
    withdraw(ledger, "ben", clips=("c1",))  # no footage recorded: found through the sign-off
    assert holders(ledger, F1) == ["ben"] and holders(ledger, F2) == []
    withdraw(ledger, "ben", F3, clips=("c9",))  # footage named by the withdrawal itself
    assert holders(ledger, F3) == ["ben"]


def test_events_without_footage_tie_nobody(ledger: Ledger) -> None:
    ledger.add(ConsentGiven.create("ben", scopes=["appear"], channels=["web"],
                                   given=date(2024, 1, 10), method="written",
                                   obtained_by="staff-1"))
    ledger.add(SignOff("c1", "ben", key(F1)))
    ledger.add(Withdrawal("ben", date(2024, 6, 1)))
    assert holders(ledger, F1) == []
    assert codes(ledger, use("renamed", F1, no_people=True)) == {}


def test_an_exception_after_the_withdrawal_lifts_the_hold(ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    withdraw(ledger, "ben")
    exception = except_(ledger, F1)
    assert holders(ledger, F1) == []
    result = check(ledger.events(), [use("scenery", F1, no_people=True)], "web", today=TODAY)
    assert result.ok and exception.hash in result.events_used


def test_an_exception_before_a_withdrawal_does_not_excuse_it(ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    withdraw(ledger, "ben")
    except_(ledger, F1)
    give(ledger, "ben", F1, given=date(2024, 7, 1))
    withdraw(ledger, "ben", on=date(2024, 8, 1))
    assert holders(ledger, F1) == ["ben"]


def test_an_exception_lets_a_clip_pass_without_a_withdrawn_contributor_the_ledger_ties_by_id(
        ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    sign(ledger, "c1", "ben", F1)
    withdraw(ledger, "ben")
    # film.yaml no longer lists ben on c1: he is still tied to it by id, and to its footage.
    assert codes(ledger, use("c1", F1, no_people=True)) == {"c1": [("ben", "withdrawn")]}
    except_(ledger, F1)
    assert codes(ledger, use("c1", F1, no_people=True)) == {}
    # With nobody left and no no_people, the gate still fails closed.
    assert codes(ledger, use("c1", F1)) == {"c1": [("-", "no-contributors")]}
    # A contributor the clip lists is never excused by an exception.
    assert ("ben", "withdrawn") in codes(ledger, use("c1", F1, "ben"))["c1"]


def test_drafts_refuse_withdrawn_footage_too(ledger: Ledger) -> None:
    give(ledger, "ben", F1)
    withdraw(ledger, "ben")
    clip = ClipUse("scenery", (), True, True, key(F1), no_people=True, footage_sha256=F1)
    result = check(ledger.events(), [clip], "internal", draft=True, today=TODAY)
    assert result.withdrawn == ["scenery"]


def test_footage_fields_are_checked_and_optional() -> None:
    with pytest.raises(RecordError, match="footage"):
        Withdrawal("ben", date(2024, 6, 1), footage=("nope",))
    with pytest.raises(RecordError, match="footage_sha256"):
        SignOff("c1", "ben", key(F1), footage_sha256="F" * 64)
    with pytest.raises(RecordError, match="reason"):
        FootageException(F1, " ", "J. Producer")
    assert "footage" not in Withdrawal("ben", date(2024, 6, 1)).to_dict()
    assert Withdrawal.from_dict(Withdrawal("ben", date(2024, 6, 1), footage=(F1, F1)).to_dict()) \
        == Withdrawal("ben", date(2024, 6, 1), footage=(F1,))
    stored = SignOff("c1", "ben", key(F1), footage_sha256=F1).to_dict()
    assert SignOff.from_dict(stored).footage_sha256 == F1
