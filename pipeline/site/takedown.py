"""Which files of the published web page hold a withdrawn clip, for `coprod status`.

A producer may have copied ``build/web/site/`` to any server; after a withdrawal each file
that holds the clip (films, tracks, chapters, transcript, page, and the poster when its frame is
from that clip) must be replaced there. The site's record (:mod:`pipeline.site.writer`) says
which clips each file holds; the withdrawal rule is the ledger's own
(:func:`consent.affected_outputs`), asked about the site as about any render.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from consent import Event, affected_outputs
from pipeline.project import Project
from pipeline.site.writer import RECORD

WEB = "web"


def read_record(project: Project) -> dict[str, Any] | None:
    """The web site's record, or None when there is no site (or the record is unreadable)."""
    path = project.build_dir / WEB / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("files"), dict) and \
        isinstance(data.get("clips"), list) and isinstance(data.get("output"), str) and \
        isinstance(data.get("created"), str)
    return data if ok else None


def site_take_down(project: Project, events: Sequence[Event]) -> list[dict[str, Any]]:
    """One take-down row (as ``coprod status`` lists them) per site file, clip and withdrawn
    contributor: the files to replace wherever the site was copied."""
    record = read_record(project)
    if record is None:
        return []
    rows = affected_outputs(events, [{"output": record["output"], "created": record.get(
        "created"), "clips": record["clips"]}])
    found = []
    for row in rows:
        for name, clips in sorted(record["files"].items()):
            if isinstance(clips, list) and row.clip_id in clips:
                found.append({**row.to_dict(), "output": f"{record['output']}/{name}"})
    return found


__all__ = ["read_record", "site_take_down"]
