"""`coprod consent show`'s text: one heading per contributor, one line per consent in force."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from consent import Event, Ledger, summarise
from consent.report import format_consent

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
    assert text.splitlines() == [
        "amara: in force",
        "  event 1: scopes appear, voice, name; channels internal, web; all their clips; "
        "given 2024-01-10, expires 2029-01-10; easy-read, capacity supported",
        "ben: WITHDRAWN",
        "  event 2: scopes none; channels internal, web; c2, c3; given 2020-01-01, "
        "expires 2024-01-01; written, capacity own [expired, withdrawn]",
    ]
