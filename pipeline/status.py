"""The state of every clip in a film, for `coprod status`."""

from __future__ import annotations

from typing import Any

from pipeline.project import Project


def film_status(project: Project) -> dict[str, Any]:
    """A JSON-ready report: the film and one entry per clip in sequence order."""
    rows: list[dict[str, Any]] = []
    for item in project.film.sequence:
        clip = project.clip(item.clip_id)
        info = project.probe(item.clip_id)
        rows.append({
            "id": clip.id,
            "duration_s": round(info.duration_ms / 1000, 3),
            "in_s": item.in_ms / 1000 if item.in_ms is not None else None,
            "out_s": item.out_ms / 1000 if item.out_ms is not None else None,
            "contributors": list(clip.contributors),
            "audio": info.has_audio,
            "captions": "yes" if project.caption_path(clip.id).exists() else "none",
        })
    return {"film": project.film.title, "project": str(project.root), "clips": rows}


def format_status(report: dict[str, Any]) -> str:
    """A table readable at a glance in a terminal."""
    columns = [("clip", "id"), ("duration", "duration_s"), ("contributors", "contributors"),
               ("captions", "captions")]
    table = [[title for title, _ in columns]]
    for row in report["clips"]:
        cells = []
        for _, key in columns:
            value = row.get(key)
            if isinstance(value, list):
                value = ", ".join(value) or "-"
            elif key == "duration_s":
                value = f"{value:.1f}s"
            cells.append(str(value if value is not None else "-"))
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = [f"{report['film']}  ({report['project']})"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in table]
    if not report["clips"]:
        lines.append("no clips yet: add footage with `coprod ingest`")
    return "\n".join(lines)
