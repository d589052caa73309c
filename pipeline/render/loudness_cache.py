"""Loudness measurements kept in ``build/segments/`` so a render measures a sound only once.

Two kinds, one rule each: a made sound and the report of what its loudness step did, kept
side by side under the same cache key (the film's sound, the described sound); and a file's
integrated loudness, kept by the file's sha256 (each description voice). A record that is
missing or damaged is measured again, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pipeline.fsutil import atomic_write_bytes, sha256_file
from pipeline.render.errors import OutputWriteError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def cached_report(sound: Path, saved: Path, make: Callable[[], R],
                  load: Callable[..., R]) -> tuple[R, bool]:
    """The report recorded for ``sound`` when both files are there; else ``make()`` (which
    writes ``sound``) and record its report. True when re-used.

    Args:
        sound: the made sound, the cache's file.
        saved: its report as JSON beside it.
        make: makes ``sound`` and returns the report of what was done.
        load: the report's class, called with the recorded fields.

    Raises:
        OutputWriteError: the report cannot be recorded (a render that cannot write its cache
            cannot write its film either).
    """
    if sound.exists() and saved.exists():
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return load(**json.loads(saved.read_text(encoding="utf-8"))), True
    report = make()
    try:
        atomic_write_bytes(saved, json.dumps(dataclasses.asdict(report), default=str)
                           .encode("utf-8"))
    except OSError as exc:
        raise OutputWriteError(saved, exc) from None
    return report, False


def measured_once(path: Path, cache_dir: Path, kind: str,
                  measure: Callable[[Path], float]) -> float:
    """``measure(path)`` (a loudness in LUFS), kept in ``cache_dir`` by the file's content so a
    file is measured once; the record is best effort (a full disk only costs a re-measure)."""
    saved = cache_dir / f"{sha256_file(path)}.{kind}.json"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        return float(json.loads(saved.read_text(encoding="utf-8"))["i"])
    level = measure(path)
    with contextlib.suppress(OSError):
        atomic_write_bytes(saved, json.dumps({"i": level}).encode("utf-8"))
    return level


__all__ = ["cached_report", "measured_once"]
