"""Consent records: validation with clear errors, the film's expiry policy, round trips."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from consent import ChangeRequest, ConsentError, ConsentGiven, RecordError, SignOff, Withdrawal
from consent.chain import canonical_json
from consent.records import add_years, record_from_dict
from consent.vocabulary import Capacity, Channel, Method, Scope

GIVEN = date(2024, 1, 10)
KEY = "b" * 64


def make(**overrides: Any) -> ConsentGiven:
    fields: dict[str, Any] = {
        "scopes": ["appear", "voice"], "channels": ["web"], "given": GIVEN,
        "method": "written", "obtained_by": "staff-1",
    }
    fields.update(overrides)
    return ConsentGiven.create("p1", **fields)


def test_vocabulary_words_are_members_and_stored_as_plain_words() -> None:
    consent = make(channels=["web", "internal"], method="easy-read", capacity="supported")
    assert consent.method is Method.EASY_READ and consent.capacity is Capacity.SUPPORTED
    assert consent.channels == (Channel.INTERNAL, Channel.WEB)
    assert list(consent.scopes) == list(Scope)
    # The ledger's bytes are what they were when these were plain strings.
    assert canonical_json(consent.to_dict()) == (
        b'{"capacity":"supported","channels":["internal","web"],"clips":null,'
        b'"contributor":"p1","decision_maker":null,"expires":"2029-01-10",'
        b'"given":"2024-01-10","method":"easy-read","note":"","obtained_by":"staff-1",'
        b'"representative":null,"scopes":{"appear":true,"name":false,"story":false,'
        b'"voice":true}}'
    )


def test_create_applies_default_expiry_and_normalises() -> None:
    consent = make(channels=["web", "internal", "web"])
    assert consent.expires == date(2029, 1, 10)
    assert consent.scopes == {"appear": True, "voice": True, "name": False, "story": False}
    assert consent.granted == ("appear", "voice")
    assert consent.channels == ("internal", "web")
    assert consent.clips is None and consent.capacity == "own"


def test_film_expiry_policy_is_a_parameter() -> None:
    assert make(default_expiry_years=2, max_expiry_years=3).expires == date(2026, 1, 10)
    with pytest.raises(RecordError, match=r"more than 3 years .*latest allowed: 2027-01-10"):
        make(expires=date(2027, 1, 11), default_expiry_years=3, max_expiry_years=3)
    longest = make(expires=date(2027, 1, 10), default_expiry_years=1, max_expiry_years=3)
    assert longest.expires == date(2027, 1, 10)
    with pytest.raises(ConsentError, match="default"):
        make(default_expiry_years=6, max_expiry_years=5)


def test_expiry_must_be_after_given() -> None:
    with pytest.raises(RecordError) as caught:
        make(expires=GIVEN)
    assert caught.value.field == "expires"
    assert "is not after the date consent was given (2024-01-10)" in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"scopes": ["appear", "faces"]}, "scope", "unknown scope 'faces'"),
        ({"scopes": {"voice": "yes"}}, "scopes", "voice must be true or false"),
        ({"channels": ["web", "tv"]}, "channel", "unknown channel 'tv'"),
        ({"channels": []}, "channels", "at least one channel"),
        ({"method": "email"}, "method", "unknown method 'email'"),
        ({"capacity": "none"}, "capacity", "unknown capacity 'none'"),
        ({"capacity": "best-interests"}, "decision_maker", "must record who made it"),
        ({"decision_maker": "someone"}, "decision_maker", "only recorded for a best-interests"),
        ({"method": "signed-by-representative"}, "representative", "needs one"),
        ({"obtained_by": " "}, "obtained_by", "must not be empty"),
        ({"clips": []}, "clips", "use None for all clips"),
        ({"clips": ["c1", "c1"]}, "clips", "listed twice"),
    ],
)
def test_invalid_consent_names_the_field(overrides: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(RecordError) as caught:
        make(**overrides)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_unknown_scope_message_lists_the_known_ones() -> None:
    with pytest.raises(RecordError, match=r"known: appear, voice, name, story"):
        make(scopes=["apear"])


def test_best_interests_with_decision_maker_and_representative() -> None:
    consent = make(capacity="best-interests", decision_maker="dm-1",
                   method="signed-by-representative", representative="rep-1",
                   clips=["c1", "c2"])
    assert consent.covers("c2") and not consent.covers("c3")


@pytest.mark.parametrize(
    "record",
    [
        make(note="told with easy-read sheet", clips=["c1"]),
        make(capacity="supported", scopes={"appear": True, "story": True}),
        Withdrawal("p1", date(2024, 6, 1), ("c1", "c2"), reason="private"),
        Withdrawal("p1", date(2024, 6, 1)),
        SignOff("c1", "p1", KEY, note="ok"),
        SignOff("c1", "rep-1", KEY, on_behalf_of="p1"),
        ChangeRequest("c1", "p1", KEY, note="cut my surname"),
    ],
)
def test_records_round_trip(record: Any) -> None:
    kind = {ConsentGiven: "consent", Withdrawal: "withdrawal", SignOff: "signoff",
            ChangeRequest: "change-request"}[type(record)]
    assert record_from_dict(kind, record.to_dict()) == record


def test_stored_records_are_checked_field_by_field() -> None:
    data = make().to_dict()
    data["colour"] = "blue"
    with pytest.raises(RecordError, match="colour: not a field of a consent record"):
        ConsentGiven.from_dict(data)
    del data["colour"], data["given"]
    with pytest.raises(RecordError, match="given: missing"):
        ConsentGiven.from_dict(data)
    with pytest.raises(RecordError, match="date: must be a date YYYY-MM-DD"):
        Withdrawal.from_dict({"contributor": "p1", "date": "June"})


def test_signoff_and_change_request_rules() -> None:
    own = SignOff("c1", "p1", KEY)
    assert own.contributor == "p1" and not own.by_representative
    for_p1 = SignOff("c1", "rep-1", KEY, on_behalf_of="p1")
    assert for_p1.contributor == "p1" and for_p1.by_representative
    with pytest.raises(RecordError, match="content_key: must be a sha256"):
        SignOff("c1", "p1", "abc")
    with pytest.raises(RecordError, match="note: must not be empty"):
        ChangeRequest("c1", "p1", KEY)


def test_add_years_on_29_february() -> None:
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_errors_do_not_echo_personal_text() -> None:
    with pytest.raises(RecordError) as caught:
        make(obtained_by=42)
    assert "42" not in str(caught.value)


def test_names_moved_in_the_split_stay_importable_from_records() -> None:
    from consent import fields, records, signoff_records, vocabulary

    assert records.Scope is vocabulary.Scope and records.Channel is vocabulary.Channel
    assert records.Method is vocabulary.Method and records.Capacity is vocabulary.Capacity
    assert (records.SignOff is signoff_records.SignOff
            and records.ChangeRequest is signoff_records.ChangeRequest)
    assert records.is_sha256_hex is fields.is_sha256_hex
    assert records.covers_clip is fields.covers_clip
