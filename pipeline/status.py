"""The state of every clip in a film, for `coprod status`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from consent.signoff import SIGNOFF_CODES
from pipeline.exceptions import PipelineError
from pipeline.project import Project

if TYPE_CHECKING:
    from consent import Event


def _consent_cells(project: Project, evs: Sequence[Event], channel: str, today: date,
                   problems: dict[str, str]) -> dict[str, dict[str, str]]:
    """Per clip: the consent and sign-off state for ``channel``, one word per contributor.

    A clip whose footage cannot be read is left out of the gate and noted in ``problems``.
    """
    from consent import check, signoff_status
    from pipeline.clearance import clip_use

    uses = []
    for item in project.film.sequence:
        try:
            uses.append(clip_use(project, item.clip_id))
        except PipelineError as exc:
            problems[item.clip_id] = str(exc)
    result = check(evs, uses, channel, today=today)
    cells: dict[str, dict[str, str]] = {}
    for use in uses:
        reasons = [r for r in result.blocked.get(use.clip_id, []) if r.code not in SIGNOFF_CODES]
        consent_words = []
        signoff_words = []
        people = list(dict.fromkeys([*use.contributors,
                                     *(r.contributor for r in reasons if r.contributor != "-")]))
        for person in people:
            mine = [r.code for r in reasons if r.contributor == person]
            consent_words.append(f"{person}:{mine[0] if mine else 'ok'}")
            state = signoff_status(evs, use.clip_id, person, use.content_key).state
            signoff_words.append(f"{person}:{state}")
        if not people:
            consent_words = ["no people" if use.no_people else "no contributors listed"]
        cells[use.clip_id] = {
            "consent": ", ".join(consent_words),
            "signoff": ", ".join(signoff_words) or "-",
        }
    return cells


def _rendered(project: Project, manifests: Sequence[dict[str, Any]],
              ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per clip: the profiles whose current render contains it, and those now out of date."""
    from pipeline.clearance import clip_key

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
    """A JSON-ready report: the film and one entry per clip in sequence order."""
    from consent import affected_outputs
    from pipeline.caption_store import caption_state
    from pipeline.clearance import events, render_manifests
    from pipeline.render_profiles import load_profile

    today = today or date.today()
    channel = load_profile(project.film.render_profiles[0]).channel
    problems: dict[str, str] = {}
    evs = events(project)
    manifests = render_manifests(project)
    cells = _consent_cells(project, evs, channel, today, problems)
    rendered, stale = _rendered(project, manifests)
    rows: list[dict[str, Any]] = []
    for item in project.film.sequence:
        clip = project.clip(item.clip_id)
        blank = {"consent": "-", "signoff": "-"}
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
    take_down = [row.to_dict() for row in affected_outputs(evs, manifests)]
    return {"film": project.film.title, "project": str(project.root), "channel": channel,
            "clips": rows, "take_down": take_down}


COLUMNS = [("clip", "id"), ("duration", "duration_s"), ("contributors", "contributors"),
           ("captions", "captions"), ("consent", "consent"), ("sign-off", "signoff"),
           ("rendered", "rendered"), ("stale", "stale")]


def format_status(report: dict[str, Any]) -> str:
    """A table readable at a glance in a terminal, then anything a producer must act on."""
    table = [[title for title, _ in COLUMNS]]
    for row in report["clips"]:
        cells = []
        for _, key in COLUMNS:
            value = row.get(key)
            if isinstance(value, list):
                value = ", ".join(value) or "-"
            elif key == "duration_s" and value is not None:
                value = f"{value:.1f}s"
            cells.append(str(value if value is not None else "-"))
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
    return "\n".join(lines)
