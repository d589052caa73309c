"""Fixtures for the consent tests: a ledger in a temp folder and helpers to fill it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consent import ChangeRequest, ConsentGiven, Event, Ledger, SignOff, Withdrawal, content_key

FOOTAGE = "a" * 64
CAPTION = "c" * 64
KEY = content_key(FOOTAGE, None, None, CAPTION)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "consent" / "ledger.jsonl")


@pytest.fixture
def give(ledger: Ledger) -> Callable[..., Event]:
    """Record a consent; defaults grant appear, voice and name for web and internal."""

    def _give(contributor: str, **overrides: Any) -> Event:
        fields: dict[str, Any] = {
            "scopes": ["appear", "voice", "name"],
            "channels": ["web", "internal"],
            "given": date(2024, 1, 10),
            "method": "written",
            "obtained_by": "staff-1",
        }
        fields.update(overrides)
        return ledger.add(ConsentGiven.create(contributor, **fields))

    return _give


@pytest.fixture
def withdraw(ledger: Ledger) -> Callable[..., Event]:
    def _withdraw(contributor: str, clips: tuple[str, ...] | None = None,
                  on: date = date(2024, 6, 1)) -> Event:
        return ledger.add(Withdrawal(contributor, on, clips, reason="changed my mind"))

    return _withdraw


@pytest.fixture
def sign(ledger: Ledger) -> Callable[..., Event]:
    def _sign(clip: str, by: str, key: str = KEY, on_behalf_of: str | None = None) -> Event:
        return ledger.add(SignOff(clip, by, key, on_behalf_of=on_behalf_of, note="looks good"))

    return _sign


@pytest.fixture
def request_changes(ledger: Ledger) -> Callable[..., Event]:
    def _request(clip: str, by: str, key: str = KEY, on_behalf_of: str | None = None) -> Event:
        return ledger.add(
            ChangeRequest(clip, by, key, on_behalf_of=on_behalf_of, note="cut the second line")
        )

    return _request
