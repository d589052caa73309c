"""Which files of the published web page hold a withdrawn clip, for `coprod status`.

A producer may have copied ``build/web/site/`` to any server; after a withdrawal each file
that holds the clip (films, tracks, chapters, transcript, page, and the poster when its frame is
from that clip) must be replaced there. The site's record (:mod:`pipeline.site.writer`) says
which clips each file holds; the withdrawal rule is the ledger's own, asked through
:func:`pipeline.take_down.withdrawn_in` about the site as about any render.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from consent import Event
from pipeline.project import Project
from pipeline.site.writer import RECORD
from pipeline.take_down import Carried, Role, withdrawn_in

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


def site_take_down(project: Project, events: Sequence[Event],
                   render_rows: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """One take-down row (as ``coprod status`` lists them) per site file, clip and withdrawn
    person: the files to replace wherever the site was copied.

    A clip's contributors are found through the site's own record of the clips each file holds.
    A describer or a signer is in the site wherever they are in the web render
    (``render_rows``, :func:`pipeline.take_down.take_down_list`'s rows): the site's copy of that
    file, and for a describer the page itself, whose transcript reads the descriptions out.
    """
    record = read_record(project)
    if record is None:
        return []
    web = f"{record['output'].rsplit('/', 1)[0]}/"
    copies: list[dict[str, Any]] = []
    for row in render_rows:
        name = str(row.get("output", ""))
        if row.get("role") not in ("describer", "signer") or not name.startswith(web):
            continue
        names = [name[len(web):]] + (["index.html"] if row["role"] == "describer" else [])
        copies += [copy for n in names if n in record["files"]
                   if (copy := {**row, "output": f"{record['output']}/{n}"}) not in copies]
    files: list[Carried] = []
    for name, held in sorted(record["files"].items()):
        uses = tuple(c for c in record["clips"] if isinstance(c, dict) and isinstance(held, list)
                     and c.get("id") in held)
        if uses:
            files.append(Carried(f"{record['output']}/{name}", record.get("created"),
                                 Role.CONTRIBUTOR, uses))
    found = [row.to_dict() for row in withdrawn_in(events, files)]
    return found + [row for row in copies if row not in found]


__all__ = ["read_record", "site_take_down"]
