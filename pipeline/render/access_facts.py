"""The facts a render's access report is judged on, gathered from what the render made.

:mod:`pipeline.access_report` judges them (it knows nothing of rendering); publishing calls
:func:`render_access` once the manifest is built, so the report can read the signed variant's
entry (``manifest["signed"]``), each voiced description's ``fits`` (``manifest["described"]``)
and every output's name; the speech, caption, transcript and signer figures are measured by
:mod:`pipeline.render.access_measure`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from captions.qc import ERROR, READING_RATE
from pipeline.access_report import AccessFacts, AccessReport, ClipFacts, judge
from pipeline.exceptions import PipelineError
from pipeline.render.access_measure import (
    clipped,
    cue_spans,
    film_speech,
    flat,
    in_transcript,
    total_ms,
    uncovered_ms,
    voiced,
)
from pipeline.render.caption_check import caption_findings
from pipeline.render.plan import PartKind, part_duration_ms, part_start_ms
from pipeline.render.sidecars import film_cues

if TYPE_CHECKING:
    from pipeline.render.publish import PublishJob


def _loudness(track: str, report: Mapping[str, Any]) -> dict[str, Any]:
    after = report.get("after", {})
    return {"track": track, "target_i": report.get("target_i"),
            **{k: after.get(k) for k in ("i", "tp", "lra")},
            **({"warning": report["warning"]} if report.get("warning") else {})}


def not_fitting(manifest: Mapping[str, Any]) -> list[str]:
    """``part:cue (voice N ms, pause M ms)`` for each description the manifest marks
    ``fits: false``: 1.2.7 reads the manifest's own word, so the two never disagree."""
    entry = manifest.get("described")
    entry = entry if isinstance(entry, dict) else {}
    return [f"{d['part']}:{d['cue']} (voice {d['voice_ms']} ms, pause "
            f"{d['film_end_ms'] - d['film_start_ms']} ms)"
            for d in entry.get("descriptions", ()) if not d.get("fits")]


def render_access(job: PublishJob, manifest: Mapping[str, Any], outputs: Sequence[str],
                  transcript: str) -> AccessReport:
    """The access report of a render about to be published (see :mod:`pipeline.access_report`).

    ``transcript``: the text of transcript.txt as written. Speech is measured on the programme
    sound film.mp4 carries (:mod:`pipeline.render.access_measure`).
    """
    from pipeline.describe.script import PLACEHOLDER, descriptions_path, load_descriptions

    project, profile, parts, described = job.project, job.profile.name, job.parts, job.described
    fps = job.profile.fps
    clip_parts = [p for p in parts if p.kind == PartKind.CLIP and p.clip_id is not None]
    placed = described.placement.by_part() if described else {}
    heard: dict[str, int] = {}
    loud = {wav: voiced(wav) for wav in {v.wav for v in described.voiced}} if described else {}
    for v in described.voiced if described else ():
        if v.voice_ms > 0 and loud[v.wav]:
            heard[v.placed.part] = heard.get(v.placed.part, 0) + 1

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

    speech = film_speech(job.sound.path)
    signed_ms = job.signed.plan.signed_ms if job.signed is not None else {}
    clips = []
    for p in clip_parts:
        clip_id = str(p.clip_id)
        start = part_start_ms(p, fps)
        length = part_duration_ms(p, fps)
        said = clipped(speech, (start, start + length))
        cues = film_cues([p], fps)
        count = scripted(clip_id)
        clips.append(ClipFacts(
            id=clip_id, has_sound=p.has_audio, cues=sum(1 for c in cues if c.text.strip()),
            descriptions=len(placed.get(p.name, ())), script=count is not None,
            scripted=count or 0, duration_ms=length, speech_ms=total_ms(said),
            uncaptioned_ms=uncovered_ms(said, cue_spans(cues)),
            untranscribed_ms=uncovered_ms(said, cue_spans(in_transcript(cues, transcript))),
            signed_ms=min(length, signed_ms.get(p.name, 0)), voiced=heard.get(p.name, 0),
            no_description_needed=project.clip(clip_id).no_visual_description_needed or ""))
    findings = caption_findings(project, [str(p.clip_id) for p in clip_parts])
    errors = tuple(str(f) for found in findings.values() for f in found if f.severity == ERROR)
    reading = tuple(str(f) for found in findings.values() for f in found
                    if f.rule == READING_RATE and f.severity != ERROR)
    loudness = [_loudness("programme (film.mp4 track 1)", manifest.get("loudness", {}))]
    if described is not None:
        loudness.append(_loudness("audio described (film.mp4 track 2, film.described.mp4)",
                                  described.loudness.to_dict()))
    body = flat(transcript)
    signed = manifest.get("signed") if isinstance(manifest.get("signed"), dict) else None
    facts = AccessFacts(
        profile=profile, clips=tuple(clips),
        caption_track=any(c.cues for c in clips), described_track=described is not None,
        # A card's description is its own text, which the transcript lists as the card.
        transcript_descriptions=described is not None and all(
            flat(d.text) in body for d in described.placement.placed if d.clip_id),
        signed_film=signed is not None and str(signed.get("file")) in outputs,
        clips_signed=tuple(signed.get("clips_signed", ())) if signed else (),
        not_fitting=tuple(not_fitting(manifest)),
        left_out=tuple(str(x) for x in described.placement.left_out) if described else (),
        caption_errors=errors, reading_rate=reading,
        loudness=tuple({k: (v if not isinstance(v, float) or math.isfinite(v) else str(v))
                        for k, v in t.items()} for t in loudness))
    return judge(facts)


__all__ = ["not_fitting", "render_access"]
