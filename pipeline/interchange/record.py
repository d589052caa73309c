"""When film.yaml's sequence was last imported from an edit, from which file and its sha256.

Kept in ``build/interchange.json`` (beside the render cache, not in film.yaml: it is a fact about
the last import, not something a producer edits, and a film.yaml key would mean a schema change).
``coprod status`` prints it, and says when the sequence has been edited since. Nothing here
imports OpenTimelineIO, so status stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.fsutil import atomic_write_bytes
from pipeline.interchange.guard import printable
from pipeline.project import Project

RECORD = "interchange.json"


def record_path(project: Project) -> Path:
    """build/interchange.json."""
    return project.build_dir / RECORD


def _sequence(project: Project) -> list[list[Any]]:
    return [[item.clip_id, item.in_ms, item.out_ms] for item in project.film.sequence]


def write_record(project: Project, *, edit_file: Path, edit_format: str, sha256: str,
                 when: datetime | None = None, start: Fraction | None = None) -> dict[str, Any]:
    """Record an import that just wrote film.yaml (``project`` re-opened after it).

    ``start`` is the edit's start timecode in seconds when its format states one: the
    project's start, which exports then begin at.
    """
    record: dict[str, Any] = {
        "imported_at": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
        "file": str(edit_file.resolve()),
        "format": edit_format,
        "sha256": sha256,
        "sequence": _sequence(project),
    }
    if start is not None:
        record["start_seconds"] = str(start)
    atomic_write_bytes(record_path(project), json.dumps(record, indent=1).encode("utf-8"))
    return record


def last_import(project: Project) -> dict[str, Any] | None:
    """The last import's record for a report, with ``edited_since``; None when never imported.

    A record that cannot be read or is not coprod's counts as none: it only informs.
    """
    try:
        data = json.loads(record_path(project).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not {"imported_at", "file", "sha256"} <= set(data):
        return None
    report = {key: data.get(key) for key in ("imported_at", "file", "format", "sha256")}
    report["edited_since"] = data.get("sequence") != _sequence(project)
    return report


def recorded_start(project: Project) -> Fraction | None:
    """The start timecode (seconds) of the edit film.yaml's sequence was last imported from,
    when that edit stated one; None otherwise."""
    try:
        data = json.loads(record_path(project).read_bytes())
        value = Fraction(str(data["start_seconds"]))
    except (OSError, ValueError, TypeError, KeyError, ZeroDivisionError):
        return None
    return value if value >= 0 else None


def import_lines(record: Mapping[str, Any] | None) -> list[str]:
    """The lines `coprod status` prints about the last import (none when never imported)."""
    if not record:
        return []
    line = (f"Sequence last imported {record['imported_at']} from {record['file']} "
            f"({record.get('format') or 'edit'}, sha256 {str(record['sha256'])[:12]}...)")
    if record.get("edited_since"):
        line += "; film.yaml's sequence was edited since"
    # build/interchange.json can be edited like any file: its text is shown, never obeyed.
    return ["", printable(line)]


__all__ = ["RECORD", "import_lines", "last_import", "record_path", "recorded_start",
           "write_record"]
