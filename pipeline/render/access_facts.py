"""The facts a render's access report is judged on, gathered from what the render made.

:mod:`pipeline.access` judges them (it knows nothing of rendering); publishing calls
:func:`render_access` once the manifest is built, so the report can read the signed variant's
entry (``manifest["signed"]``) and every output's name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from captions.qc import ERROR, READING_RATE
from pipeline.access import AccessFacts, AccessReport, ClipFacts, judge
from pipeline.exceptions import PipelineError
from pipeline.project import Project
from pipeline.render.caption_check import caption_findings
from pipeline.render.described import DescribedSound
from pipeline.render.plan import Part, PartKind


def _loudness(track: str, report: Mapping[str, Any]) -> dict[str, Any]:
    after = report.get("after", {})
    return {"track": track, "target_i": report.get("target_i"),
            **{k: after.get(k) for k in ("i", "tp", "lra")}}


def render_access(project: Project, profile: str, parts: Sequence[Part],
                  described: DescribedSound | None, manifest: Mapping[str, Any],
                  outputs: Sequence[str]) -> AccessReport:
    """The access report of a render about to be published (see :mod:`pipeline.access`)."""
    from pipeline.describe.script import PLACEHOLDER, descriptions_path, load_descriptions

    clip_parts = [p for p in parts if p.kind == PartKind.CLIP and p.clip_id is not None]
    placed = described.placement.by_part() if described else {}
    def scripted(clip_id: str) -> int | None:
        """Descriptions written in the clip's script; None when it has none, only cues still
        holding the starting text, or cannot be read (a draft renders anyway): the report then
        counts the clip as not described."""
        if not descriptions_path(project, clip_id).exists():
            return None
        try:
            found = load_descriptions(project, clip_id)
        except PipelineError:
            return None
        written = [d for d in found if not d.text.startswith(PLACEHOLDER)]
        return None if found and not written else len(written)

    counts = {str(p.clip_id): scripted(str(p.clip_id)) for p in clip_parts}
    clips = tuple(ClipFacts(
        id=str(p.clip_id), has_sound=p.has_audio, cues=sum(1 for c in p.cues if c.text.strip()),
        descriptions=len(placed.get(p.name, ())), script=counts[str(p.clip_id)] is not None,
        scripted=counts[str(p.clip_id)] or 0) for p in clip_parts)
    findings = caption_findings(project, [str(p.clip_id) for p in clip_parts])
    errors = tuple(str(f) for found in findings.values() for f in found if f.severity == ERROR)
    reading = tuple(str(f) for found in findings.values() for f in found
                    if f.rule == READING_RATE and f.severity != ERROR)
    loudness = [_loudness("programme (film.mp4 track 1)", manifest.get("loudness", {}))]
    not_fitting: list[str] = []
    if described is not None:
        loudness.append(_loudness("audio described (film.mp4 track 2, film.described.mp4)",
                                  described.loudness.to_dict()))
        not_fitting = [f"{v.placed.part}:{v.placed.cue} (voice {v.voice_ms} ms, pause "
                       f"{v.placed.end_ms - v.placed.start_ms} ms)"
                       for v in described.voiced if not v.fits and v.placed.clip_id]
    signed = manifest.get("signed") if isinstance(manifest.get("signed"), dict) else None
    facts = AccessFacts(
        profile=profile, clips=clips,
        caption_track=any(c.cues for c in clips), described_track=described is not None,
        transcript_descriptions=described is not None,
        signed_film=signed is not None and str(signed.get("file")) in outputs,
        clips_signed=tuple(signed.get("clips_signed", ())) if signed else (),
        not_fitting=tuple(not_fitting),
        left_out=tuple(str(x) for x in described.placement.left_out
                       if x.part in {p.name for p in clip_parts}) if described else (),
        caption_errors=errors, reading_rate=reading,
        loudness=tuple({k: (v if not isinstance(v, float) or math.isfinite(v) else str(v))
                        for k, v in t.items()} for t in loudness))
    return judge(facts)


__all__ = ["render_access"]
