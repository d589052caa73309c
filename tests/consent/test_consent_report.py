"""`coprod consent show`'s text: one heading per contributor, one line per consent in force."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from consent import Event, Ledger, SignOff, summarise
from consent.ledger import os_user
from consent.report import format_consent
from tests.consent.conftest import KEY

TODAY = date(2026, 1, 1)


def test_nothing_recorded() -> None:
    assert format_consent([]) == "no consent recorded yet"


def test_each_contributor_and_each_consent_in_force(
    ledger: Ledger, give: Callable[..., Event], withdraw: Callable[..., Event]
) -> None:
    give("amara", channels=["web", "internal"], method="easy-read", capacity="supported")
    give("ben", scopes=[], clips=["c2", "c3"], given=date(2020, 1, 1),
         expires=date(2024, 1, 1))
    withdraw("ben", clips=("c2", "c3"))
    text = format_consent(summarise(ledger.events(), today=TODAY))
    me, day = os_user(), datetime.now(UTC).date()
    assert text.splitlines() == [
        "amara: in force",
        "  event 1: scopes appear, voice, name; channels internal, web; all their clips; "
        f"given 2024-01-10, expires 2029-01-10; easy-read, capacity supported; recorded by {me} "
        "via cli",
        "ben: WITHDRAWN",
        "  event 2: scopes none; channels internal, web; c2, c3; given 2020-01-01, "
        f"expires 2024-01-01; written, capacity own; recorded by {me} via cli [expired, withdrawn]",
        f"  event 3: withdrew c2, c3; recorded {day} by {me} via cli",
    ]


def test_signoffs_say_who_recorded_them_through_what(
    ledger: Ledger, give: Callable[..., Event]
) -> None:
    give("ben")
    ledger.add(SignOff("c1", "ben", KEY), via="review-page")
    ledger.add(SignOff("c1", "Sam (advocate)", KEY, on_behalf_of="ben"))
    lines = format_consent(summarise(ledger.events(), today=TODAY)).splitlines()
    me, day = os_user(), datetime.now(UTC).date()
    assert lines[2:] == [
        f"  event 2: signed off c1; recorded {day} by {me} via review-page",
        f"  event 3: signed off c1 (by a representative); recorded {day} by {me} via cli",
    ]
    assert "Sam" not in "\n".join(lines)  # a representative's name is theirs to keep
