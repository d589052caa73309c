"""The views on the ledger: outputs to take down after a withdrawal, and `consent show`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from consent import (
    ConsentError,
    ConsentGiven,
    Event,
    Ledger,
    Withdrawal,
    affected_outputs,
    summarise,
)

TODAY = date(2025, 1, 1)

Give = Callable[..., Event]
Act = Callable[..., Event]


# --- outputs to take down after a withdrawal -----------------------------------------------


def manifest(output: str, created: datetime, *clips: tuple[str, list[str]]) -> dict[str, Any]:
    return {
        "output": output,
        "created": created.isoformat(),
        "clips": [{"id": clip_id, "contributors": who} for clip_id, who in clips],
    }


def test_affected_outputs_after_withdrawal(ledger: Ledger, give: Give) -> None:
    t0 = datetime(2024, 3, 1, 12, tzinfo=UTC)
    ledger.add(ConsentGiven.create("p1", scopes=["appear", "voice"], channels=["web"],
                                   given=date(2024, 1, 1), method="verbal",
                                   obtained_by="staff-1"), at=t0)
    give("p2")
    film = manifest("build/web/film.mp4", t0 + timedelta(days=1),
                    ("c1", ["p1"]), ("c2", ["p2"]))
    other = manifest("build/web/other.mp4", t0 + timedelta(days=1), ("c2", ["p2"]))
    assert affected_outputs(ledger.events(), [film, other]) == []

    w = ledger.add(Withdrawal("p1", date(2024, 4, 1)), at=t0 + timedelta(days=30))
    rows = affected_outputs(ledger.events(), [film, other])
    assert [(r.output, r.clip_id, r.contributor, r.after_output) for r in rows] == [
        ("build/web/film.mp4", "c1", "p1", True)
    ]
    assert rows[0].withdrawal_event == w.hash
    assert rows[0].to_dict()["withdrawn_on"] == "2024-04-01"

    # A film made after the withdrawal (it should not exist) is reported too, flagged.
    late = manifest("build/web/late.mp4", t0 + timedelta(days=60), ("c1", ["p1"]))
    assert [r.after_output for r in affected_outputs(ledger.events(), [late])] == [False]

    # Consent given again clears it.
    give("p1", given=date(2024, 5, 1))
    assert affected_outputs(ledger.events(), [film]) == []


def test_affected_outputs_needs_a_created_time(ledger: Ledger) -> None:
    with pytest.raises(ConsentError, match="film.mp4: created time missing"):
        affected_outputs(ledger.events(), [{"output": "film.mp4", "clips": []}])


# --- consent show --------------------------------------------------------------------------


def test_summarise_shows_current_consent_per_contributor(
    ledger: Ledger, give: Give, withdraw: Act
) -> None:
    give("p2", given=date(2020, 1, 1), expires=date(2024, 1, 1))
    give("p1", given=date(2024, 1, 1))
    latest = give("p1", given=date(2024, 2, 1), scopes=["appear"])
    withdraw("p1", clips=("c3",))
    withdraw("p3")
    rows = summarise(ledger.events(), today=TODAY)
    assert [r.contributor for r in rows] == ["p1", "p2", "p3"]
    p1, p2, p3 = rows
    assert [c.event for c in p1.consents] == [latest.hash]  # the earlier one was replaced
    assert p1.consents[0].consent.granted == ("appear",)
    assert p1.consents[0].withdrawn_clips == ("c3",) and not p1.withdrawn
    assert p2.consents[0].expired and not p2.withdrawn
    assert p3.consents == () and p3.withdrawn
    data = json.loads(json.dumps([r.to_dict() for r in rows]))
    assert data[0]["consents"][0]["scopes"] == {
        "appear": True, "voice": False, "name": False, "story": False
    }
    assert [r.contributor for r in summarise(ledger.events(), "p2", today=TODAY)] == ["p2"]


def test_summarise_whole_withdrawal_and_listed_consents(
    ledger: Ledger, give: Give, withdraw: Act
) -> None:
    give("p1", clips=["c1"])
    give("p1", clips=["c2"], given=date(2024, 2, 1))
    withdraw("p1", clips=("c1",))
    rows = summarise(ledger.events(), today=TODAY)
    assert [(c.consent.clips, c.withdrawn) for c in rows[0].consents] == [
        (("c1",), True), (("c2",), False)
    ]
    assert not rows[0].withdrawn
    withdraw("p1")
    assert summarise(ledger.events(), today=TODAY)[0].withdrawn
