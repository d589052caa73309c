"""The review page's words: every sentence comes from ``catalogue.yaml`` beside this module.

Templates call ``t("key", name=...)``; code that turns data into words (QC rules, channels,
scopes, dates, times) lives here too, so nothing a contributor reads is written anywhere else.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from ruamel.yaml import YAML

CATALOGUE = Path(__file__).with_name("catalogue.yaml")

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@functools.cache
def catalogue() -> Mapping[str, str]:
    """Every entry of the catalogue, key -> sentence."""
    data = YAML(typ="safe").load(CATALOGUE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{CATALOGUE}: every entry must be one line of text")
    return {str(k): str(v) for k, v in data.items()}


def placeholders(key: str) -> list[str]:
    """The ``{names}`` a catalogue entry expects."""
    return [name for _, name, _, _ in string.Formatter().parse(catalogue()[key]) if name]


def t(key: str, **values: object) -> str:
    """The catalogue's sentence ``key`` with its ``{placeholders}`` filled in."""
    text = catalogue()[key]
    return text.format(**values) if values or "{" in text else text


def raw(key: str) -> str:
    """The catalogue's sentence ``key`` with its ``{placeholders}`` left for the page's script."""
    return catalogue()[key]


def rule_words(rule: str) -> str:
    """A caption QC rule (``captions.qc``) in plain words."""
    key = "rule_" + rule.replace("-", "_")
    return t(key) if key in catalogue() else t("rule_other")


def channel_words(channel: str) -> str:
    """Where a channel shows the film, in plain words."""
    key = f"channel_{channel}"
    return t(key) if key in catalogue() else channel


def scope_words(scope: str, granted: bool = True) -> str:
    """What a consent scope lets the film show (or, not granted, what it may not), in plain
    words."""
    key = f"scope_{scope}" if granted else f"scope_not_{scope}"
    return t(key) if key in catalogue() else scope


def state_words(state: str, since: date | None) -> str:
    """Where a clip stands for the contributor (``access.ClipState``), in plain words."""
    if state in ("signed", "stopped") and since is not None:
        return t(f"state_{state}", date=long_date(since))
    return t(f"state_{state}") if f"state_{state}" in catalogue() else t("state_waiting")


def long_date(day: date) -> str:
    """``3 June 2026``: a date as people write it, never an ISO code."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def clock(ms: int) -> str:
    """A caption time as people read it: ``1:05.2`` (minutes, seconds, tenths)."""
    tenths = max(ms, 0) // 100
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


__all__ = ["catalogue", "channel_words", "clock", "long_date", "placeholders", "raw", "rule_words",
           "scope_words", "state_words", "t"]
