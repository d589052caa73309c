"""The state of every clip in a film, for `coprod status`.

Footage is hashed through the project's hash cache (keyed by each file's change stamp, so only
a file that changed is hashed again); a clip whose footage no longer matches the sha256 film.yaml
recorded at ingest is named under Problems. The cache makes status fast; publishing renders
never rely on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from captions.controls import escape_controls
from consent import NOBODY, SIGNOFF_CODES, signoff_status
from pipeline.caption_store import caption_problem, caption_state
from pipeline.clearance import FilmClearance, clear_film, clip_key, render_manifests
from pipeline.clearance.sign_videos import sign_videos
from pipeline.clearance.signers import SigningClearance, clear_signing
from pipeline.describe.script import (
    Description,
    DescriptionError,
    description_lines,
    load_descriptions,
)
from pipeline.exceptions import PipelineError
from pipeline.interchange.record import import_lines, last_import
from pipeline.media import MediaInfo
from pipeline.project import Project
from pipeline.render_profiles import load_profile
from pipeline.site.takedown import site_take_down
from pipeline.take_down import take_down_list

CONSENT_OK = "ok"
NO_PEOPLE = "no people"
NO_CONTRIBUTORS = "no contributors listed"
BLANK = "-"


class FootageState(StrEnum):
    """Whether a clip's footage file is still the one film.yaml recorded."""

    OK = "ok"  # its bytes match film.yaml's sha256
    CHANGED = "changed"  # replaced or edited since ingest
    UNRECORDED = "unrecorded"  # film.yaml has no sha256 for it
    UNREADABLE = "unreadable"  # missing, not a regular file, or cannot be read


def _footage(project: Project, clip_id: str) -> tuple[FootageState, str | None]:
    """The footage's state and, unless it is ok, a line saying what is wrong."""
    clip = project.clip(clip_id)
    try:
        now = project.footage_sha256(clip_id)
    except PipelineError as exc:
        return FootageState.UNREADABLE, str(exc)
    rel = clip.file.relative_to(project.root.resolve()).as_posix()
    if not clip.sha256:
        return FootageState.UNRECORDED, (f"{rel}: film.yaml records no sha256 for it; add it "
                                         "with `coprod ingest` so its bytes can be checked")
    if now != clip.sha256:
        return FootageState.CHANGED, (f"{rel}: its bytes no longer match the sha256 film.yaml "
                                      f"recorded at ingest ({clip.sha256[:12]}..., now "
                                      f"{now[:12]}...); it was replaced or edited, so put the "
                                      "original back or ingest the new file as a new clip")
    return FootageState.OK, None


def _consent_cells(cleared: FilmClearance | SigningClearance) -> dict[str, dict[str, str]]:
    """Per clip (or signed use, ``sign/CLIP``): the consent and sign-off state on the gate's
    channel, one word per contributor (or signer).

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


def _probe(project: Project, clip_id: str) -> MediaInfo | None:
    try:
        return project.probe(clip_id)
    except PipelineError:
        return None  # the footage's own problem is on the clip's row


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
        footage, footage_problem = _footage(project, clip.id)
        info = None if footage == FootageState.UNREADABLE else _probe(project, clip.id)
        caption_path = project.caption_path(clip.id)
        try:
            described, description_problem = load_descriptions(project, clip.id), None
        except DescriptionError as exc:
            described, description_problem = [], str(exc)
        notes = list(dict.fromkeys(note for note in (
            footage_problem, caption_problem(caption_path), problems.get(clip.id),
            description_problem) if note))
        row: dict[str, Any] = {
            "id": clip.id,
            "duration_s": round(info.duration_ms / 1000, 3) if info else None,
            "in_s": item.in_ms / 1000 if item.in_ms is not None else None,
            "out_s": item.out_ms / 1000 if item.out_ms is not None else None,
            "contributors": list(clip.contributors),
            "audio": info.has_audio if info else None,
            "footage": footage,
            "captions": caption_state(caption_path),
            "consent": cells.get(clip.id, blank)["consent"],
            "signoff": cells.get(clip.id, blank)["signoff"],
            "rendered": rendered.get(clip.id, []),
            "stale": stale.get(clip.id, []),
            "problem": "; ".join(notes) or None,
        }
        # Only a film with audio description has these: every other report is as it was.
        if described or clip.described_by:
            row["descriptions"] = [d.__dict__ for d in described]
            row["described_by"] = list(clip.described_by)
        rows.append(row)
    take_down = [row.to_dict() for row in take_down_list(cleared.events, manifests)]
    take_down += site_take_down(project, cleared.events, take_down)  # the web page's files
    report = {"film": project.film.title, "project": str(project.root), "channel": channel,
              "clips": rows, "take_down": take_down, "last_import": last_import(project)}
    # Only a film with sign videos has this: every other report is as it was.
    signers = _signer_rows(project, channel, today)
    if signers:
        report["signers"] = signers
    return report


def _signer_rows(project: Project, channel: str, today: date | None) -> list[dict[str, Any]]:
    """Each sign video: its signer, and their consent and sign-off as the gate sees them (the
    signed film needs both, like a clip); a video that cannot be read is named, not raised."""
    try:
        videos = sign_videos(project)
        if not videos:
            return []
        cells = _consent_cells(clear_signing(project, channel, videos, today=today))
    except PipelineError as exc:
        return [{"use": "sign/", "signer": None, "video": None, "consent": BLANK,
                 "signoff": BLANK, "problem": str(exc)}]
    root = project.root.resolve()
    return [{"use": v.use_id, "signer": v.signer,
             "video": str(v.path.resolve().relative_to(root)),
             "consent": cells[v.use_id]["consent"], "signoff": cells[v.use_id]["signoff"],
             "problem": None} for v in videos]


COLUMNS = [("clip", "id"), ("duration", "duration_s"), ("contributors", "contributors"),
           ("captions", "captions"), ("consent", "consent"), ("sign-off", "signoff"),
           ("rendered", "rendered"), ("stale", "stale")]
SHOWN_TEXT = 160
"""A description's text in the status table is cut after this many characters."""
DESCRIPTIONS_COLUMN = ("descriptions", "descriptions")
"""Shown after captions when any clip has audio descriptions."""


def format_status(report: Mapping[str, Any]) -> str:
    """A table readable at a glance in a terminal, then anything a producer must act on."""
    columns = list(COLUMNS)
    if any("descriptions" in row for row in report["clips"]):
        columns.insert(4, DESCRIPTIONS_COLUMN)
    table = [[title for title, _ in columns]]
    for row in report["clips"]:
        cells = []
        for _, key in columns:
            value = row.get(key)
            if key == "descriptions":
                value = len(value) if value else BLANK
            elif isinstance(value, list):
                value = ", ".join(value) or BLANK
            elif key == "duration_s" and value is not None:
                value = f"{value:.1f}s"
            cells.append(str(value if value is not None else BLANK))
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    # The title is the producer's text: a control character in it is shown, never obeyed.
    lines = [f"{escape_controls(str(report['film']))}  ({report['project']}; consent checked "
             f"for channel {report['channel']})"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in table]
    if not report["clips"]:
        lines.append("no clips yet: add footage with `coprod ingest`")
    lines += _description_lines(report["clips"])
    lines += _signer_lines(report.get("signers") or [])
    problems = [row for row in report["clips"] if row.get("problem")]
    if problems:
        lines.append("")
        lines.append("Problems:")
        lines += [f"  {row['id']}: {row['problem']}" for row in problems]
    if report["take_down"]:
        lines.append("")
        lines.append("Consent withdrawn for clips in existing outputs (take these down):")
        for row in report["take_down"]:
            who = (f"{row['contributor']}, tied to its footage" if row["role"] == "footage"
                   else f"{row['role']} {row['contributor']}")
            lines.append(f"  {row['output']}: clip {row['clip']} ({who}, withdrawn "
                         f"{row['withdrawn_on']})")
    lines += import_lines(report.get("last_import"))
    # Paths, problems and manifests' names can hold anything a file name can: shown escaped.
    return escape_controls("\n".join(lines))


def _description_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """What each clip's audio descriptions say: the words its contributors sign off."""
    lines: list[str] = []
    for row in rows:
        found = [Description(**d) for d in row.get("descriptions") or []]
        if found:
            by = row.get("described_by")
            lines.append(f"  {row['id']}" + (f" (recorded by {', '.join(by)})" if by else "")
                         + ":")
            lines += [f"    {line}" for line in description_lines(found, shorten=SHOWN_TEXT)]
    return ["", "Audio descriptions:", *lines] if lines else []


def _signer_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The sign videos, each with its signer's consent and sign-off."""
    lines = [f"  {row['problem']}" if row.get("problem") else
             f"  {row['use']} ({row['video']}): signer {row['signer']}; consent "
             f"{row['consent']}; sign-off {row['signoff']}" for row in rows]
    return ["", "Sign language (film.signed.mp4 needs each signer's consent and sign-off):",
            *lines] if lines else []


__all__ = ["COLUMNS", "DESCRIPTIONS_COLUMN", "FootageState", "film_status", "format_status"]
