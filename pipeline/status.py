"""The state of every clip in a film, for `coprod status`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from consent import NOBODY, SIGNOFF_CODES, affected_outputs, signoff_status
from pipeline.caption_store import caption_state
from pipeline.clearance import FilmClearance, clear_film, clip_key, render_manifests
from pipeline.exceptions import PipelineError
from pipeline.interchange.record import import_lines, last_import
from pipeline.project import Project
from pipeline.render_profiles import load_profile

CONSENT_OK = "ok"
NO_PEOPLE = "no people"
NO_CONTRIBUTORS = "no contributors listed"
BLANK = "-"


def _consent_cells(cleared: FilmClearance) -> dict[str, dict[str, str]]:
    """Per clip: the consent and sign-off state on the gate's channel, one word per contributor.

    Clips the gate could not be asked about (unreadable footage) have no cells.
    """
    result = cleared.result
    cells: dict[str, dict[str, str]] = {}
    for use in cleared.uses:
        reasons = [r for r in result.blocked.get(use.clip_id, []) if r.code not in SIGNOFF_CODES]
        consent_words = []
        signoff_words = []
        people = list(dict.fromkeys([*use.contributors,
                                     *(r.contributor for r in reasons if r.contributor != NOBODY)]))
        for person in people:
            mine = [r.code for r in reasons if r.contributor == person]
            consent_words.append(f"{person}:{mine[0] if mine else CONSENT_OK}")
            state = signoff_status(cleared.events, use.clip_id, person, use.content_key).state
            signoff_words.append(f"{person}:{state}")
        if not people:
            consent_words = [NO_PEOPLE if use.no_people else NO_CONTRIBUTORS]
        cells[use.clip_id] = {
            "consent": ", ".join(consent_words),
            "signoff": ", ".join(signoff_words) or BLANK,
        }
    return cells


def _rendered(project: Project, manifests: Sequence[Mapping[str, Any]],
              ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per clip: the profiles whose current render contains it, and those now out of date."""
    rendered: dict[str, list[str]] = {}
    stale: dict[str, list[str]] = {}
    for manifest in manifests:
        prof = manifest.get("profile")
        profile = str(prof.get("name", "?") if isinstance(prof, dict) else prof)
        clips = manifest.get("clips")
        for clip in clips if isinstance(clips, list) else []:
            cid = clip.get("id")
            if cid not in project.film.clips:
                continue
            rendered.setdefault(cid, []).append(profile)
            try:
                current = clip_key(project, cid)
            except PipelineError:
                current = None  # footage gone: reported as a problem on the clip's row
            if clip.get("content_key") != current:
                stale.setdefault(cid, []).append(profile)
    return rendered, stale


def film_status(project: Project, *, today: date | None = None) -> dict[str, Any]:
    """A JSON-ready report: the film and one entry per clip in sequence order.

    Consent is checked for the channel of the film's first render profile. A clip whose
    footage cannot be read does not stop the report: its row names the problem.
    """
    channel = load_profile(project.film.render_profiles[0]).channel
    cleared = clear_film(project, channel, skip_unreadable=True, today=today)
    problems = cleared.unreadable
    manifests = render_manifests(project)
    cells = _consent_cells(cleared)
    rendered, stale = _rendered(project, manifests)
    rows: list[dict[str, Any]] = []
    for item in project.film.sequence:
        clip = project.clip(item.clip_id)
        blank = {"consent": BLANK, "signoff": BLANK}
        info = None if clip.id in problems else project.probe(item.clip_id)
        rows.append({
            "id": clip.id,
            "duration_s": round(info.duration_ms / 1000, 3) if info else None,
            "in_s": item.in_ms / 1000 if item.in_ms is not None else None,
            "out_s": item.out_ms / 1000 if item.out_ms is not None else None,
            "contributors": list(clip.contributors),
            "audio": info.has_audio if info else None,
            "captions": caption_state(project.caption_path(clip.id)),
            "consent": cells.get(clip.id, blank)["consent"],
            "signoff": cells.get(clip.id, blank)["signoff"],
            "rendered": rendered.get(clip.id, []),
            "stale": stale.get(clip.id, []),
            "problem": problems.get(clip.id),
        })
    take_down = [row.to_dict() for row in affected_outputs(cleared.events, manifests)]
    return {"film": project.film.title, "project": str(project.root), "channel": channel,
            "clips": rows, "take_down": take_down, "last_import": last_import(project)}


COLUMNS = [("clip", "id"), ("duration", "duration_s"), ("contributors", "contributors"),
           ("captions", "captions"), ("consent", "consent"), ("sign-off", "signoff"),
           ("rendered", "rendered"), ("stale", "stale")]


def format_status(report: Mapping[str, Any]) -> str:
    """A table readable at a glance in a terminal, then anything a producer must act on."""
    table = [[title for title, _ in COLUMNS]]
    for row in report["clips"]:
        cells = []
        for _, key in COLUMNS:
            value = row.get(key)
            if isinstance(value, list):
                value = ", ".join(value) or BLANK
            elif key == "duration_s" and value is not None:
                value = f"{value:.1f}s"
            cells.append(str(value if value is not None else BLANK))
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines = [f"{report['film']}  ({report['project']}; consent checked for channel "
             f"{report['channel']})"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in table]
    if not report["clips"]:
        lines.append("no clips yet: add footage with `coprod ingest`")
    problems = [row for row in report["clips"] if row.get("problem")]
    if problems:
        lines.append("")
        lines.append("Problems:")
        lines += [f"  {row['id']}: {row['problem']}" for row in problems]
    if report["take_down"]:
        lines.append("")
        lines.append("Consent withdrawn for clips in existing outputs (take these down):")
        for row in report["take_down"]:
            lines.append(f"  {row['output']}: clip {row['clip']} (contributor "
                         f"{row['contributor']}, withdrawn {row['withdrawn_on']})")
    lines += import_lines(report.get("last_import"))
    return "\n".join(lines)


__all__ = ["COLUMNS", "film_status", "format_status"]
