"""`coprod export-edit`: the film's sequence as a timeline an editor opens.

One video track at the footage's frame rate, starting at record timecode 01:00:00:00
(01:00:00;00 at 29.97 and 59.94) as editors expect, or at the start timecode of the edit the
sequence was last imported from when its format states one (the project's start): the title
card, each entry of the sequence (a clip used twice is there twice) trimmed to its in/out (whole
frames, see :mod:`.timebase`) in source times counted in the camera's start timecode that
ingest kept (a clip from footage starting 10:00:00:00 used from 5 s is at source 10:00:05:00:
the EDL's source in/out, FCP 7 XML's file ``<timecode>``, an FCPXML asset's ``start``, OTIO's
available range; 00:00:00:00 without one), the credits card. Cards are gaps (named, their
text in OTIO metadata), as long as the film's first render profile makes them. Each clip carries
its caption cues as markers and says whether it is cleared (consent and sign-off on that
profile's channel) where each editor shows it: OTIO metadata ``coprod``, FCP 7 XML logging info
and comments, an FCPXML note and keyword, a Kdenlive clip description, an EDL comment. Media are
absolute ``file://`` URLs of the files in footage/: FCP 7 XML and FCPXML need absolute URLs, and
every editor relinks by them; the importer does not need them (it matches by file name, sha256
and clip name), so a project that moved still imports. The film's captions are written beside
the file as .srt, on the timeline's clock, for editors that import subtitle files. The EDL
has its ``FCM:`` line, FCP 7 XML one ``<rate>`` per clip, and the Kdenlive project is a current
(1.1) document.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from captions.formats import save as save_captions
from captions.model import Cue
from consent import SIGNOFF_CODES, signoff_status
from pipeline.caption_store import load_captions
from pipeline.clearance import clear_film
from pipeline.exceptions import PipelineError
from pipeline.fsutil import atomic_write_bytes
from pipeline.interchange.apply import footage_rate_of_film
from pipeline.interchange.formats import FORMATS, EditFormat, render_edit
from pipeline.interchange.guard import check_export_targets
from pipeline.interchange.read import CARD_KEY, footage_frames, footage_rate
from pipeline.interchange.record import recorded_start
from pipeline.interchange.timebase import (
    NTSC_RATES,
    camera_start_frame,
    frame_of_ms,
    frames_of_timecode,
    ms_of_frame,
    rate_label,
)
from pipeline.project import Project
from pipeline.render.plan import trim_cues
from pipeline.render.sidecars import Credits, title_card_lines
from pipeline.render_profiles import load_profile

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange
DEFAULT_RATE = Fraction(25)
START_TIMECODE = "01:00:00:00"


@dataclass(frozen=True)
class Clearance:
    """Whether one clip may be rendered on a channel, in `coprod status`'s words."""

    cleared: bool
    consent: str
    signoff: str


@dataclass
class ExportResult:
    """The files an export wrote and anything the editor should know."""

    path: Path
    captions: Path | None
    rate: Fraction
    warnings: list[str] = field(default_factory=list)


def clearances(project: Project, channel: str) -> tuple[dict[str, Clearance], dict[str, bool]]:
    """Each clip's consent and sign-off on ``channel`` as `coprod status` words them, and whose
    names the credits may show."""
    cleared = clear_film(project, channel, skip_unreadable=True)
    result = cleared.result
    out: dict[str, Clearance] = {}
    for use in cleared.uses:
        reasons = result.blocked.get(use.clip_id, [])
        consent = ", ".join(f"{r.contributor}:{r.code}" for r in reasons
                            if r.code not in SIGNOFF_CODES) or "ok"
        signoff = ", ".join(
            f"{person}:{signoff_status(cleared.events, use.clip_id, person, use.content_key).state}"
            for person in use.contributors) or "-"
        out[use.clip_id] = Clearance(use.clip_id in result.allowed, consent, signoff)
    return out, dict(result.name_allowed)


def start_frame(rate: Fraction) -> int:
    """The record timecode a film's timeline starts at, as editors expect: 01:00:00:00
    (01:00:00;00, drop frame, at 29.97 and 59.94)."""
    return frames_of_timecode(START_TIMECODE[:8] + ";" + START_TIMECODE[9:]
                              if _drop_frame(rate) else START_TIMECODE, rate)


def _drop_frame(rate: Fraction) -> bool:
    """Editors count 29.97 and 59.94 in drop-frame timecode (23.976 has none)."""
    return rate in NTSC_RATES and round(rate) != 24


def _card(name: str, kind: str, ms: int, lines: Any, rate: Fraction) -> Any:
    gap = otio.schema.Gap(duration=RT(frame_of_ms(ms, rate), float(rate)))
    gap.name = name
    gap.metadata["coprod"] = {CARD_KEY: kind, "text": [line for line, _ in lines if line]}
    return gap


def _summary(channel: str, state: Clearance | None) -> str:
    if state is None:
        return f"coprod: consent not checked for {channel} (footage unreadable)"
    word = "cleared" if state.cleared else "NOT cleared"
    return f"coprod: {word} for {channel}; consent {state.consent}; sign-off {state.signoff}"


def _clip(project: Project, clip_id: str, in_ms: int | None, out_ms: int | None,
          rate: Fraction, channel: str, state: Clearance | None) -> tuple[Any, list[Cue]]:
    clip = project.clip(clip_id)
    total = footage_frames(project, clip_id, rate)
    first = frame_of_ms(in_ms or 0, rate)
    end = min(frame_of_ms(out_ms, rate) if out_ms is not None else total, total)
    # Source times are the camera's: the media starts at its start timecode (0 without one).
    tc0 = camera_start_frame(clip.timecode, rate)
    ref = otio.schema.ExternalReference(
        target_url=clip.file.resolve().as_uri(),
        available_range=TR(RT(tc0, float(rate)), RT(total, float(rate))))
    if clip.timecode and (";" in clip.timecode or clip.reel):
        # FCP 7 XML's <file><timecode>: drop frame as the camera counted, and its reel.
        ref.metadata["fcp_xml"] = {"timecode": {
            **({"displayformat": "DF"} if ";" in clip.timecode else {}),
            **({"reel": {"name": clip.reel}} if clip.reel else {})}}
    item = otio.schema.Clip(name=clip_id, media_reference=ref,
                            source_range=TR(RT(tc0 + first, float(rate)),
                                            RT(end - first, float(rate))))
    start_ms, end_ms = ms_of_frame(first, rate), ms_of_frame(end, rate)
    caption_file = project.caption_path(clip_id)
    cues = trim_cues(load_captions(caption_file), start_ms, end_ms, start_ms) \
        if caption_file.exists() else []
    for cue in cues:
        at = tc0 + frame_of_ms(cue.start, rate)
        length = max(1, tc0 + frame_of_ms(cue.end, rate) - at)
        item.markers.append(otio.schema.Marker(
            name=" ".join(cue.text.split()), color=otio.schema.MarkerColor.YELLOW,
            marked_range=TR(RT(at, float(rate)), RT(length, float(rate)))))
    summary = _summary(channel, state)
    item.metadata["coprod"] = {
        "clip": clip_id, "channel": channel, "footage_sha256": clip.sha256,
        "cleared": bool(state and state.cleared),
        "consent": state.consent if state else "unknown",
        "signoff": state.signoff if state else "unknown",
    }
    item.metadata["fcp_xml"] = {
        "logginginfo": {"description": summary, "lognote": clip_id},
        "comments": {"mastercomment1": f"consent: {state.consent if state else 'unknown'}",
                     "mastercomment2": f"sign-off: {state.signoff if state else 'unknown'}"},
    }
    item.metadata["fcpxml"] = {"note": summary, "keywords": [
        "coprod cleared" if state and state.cleared else "coprod not cleared"]}
    item.metadata["kdenlive"] = {"description": summary}
    shifted = [replace(c, start=c.start - start_ms, end=c.end - start_ms) for c in cues]
    return item, shifted


def build_timeline(project: Project) -> tuple[Any, Fraction, list[Cue], list[str]]:
    """The film as an OTIO timeline, its rate, its captions on the timeline's clock, warnings."""
    warnings: list[str] = []
    profile = load_profile(project.film.render_profiles[0])
    rate = footage_rate_of_film(project) or DEFAULT_RATE
    states, names = clearances(project, profile.channel)
    timeline = otio.schema.Timeline(name=project.film.title)
    stated = recorded_start(project)  # the project's start, from the edit last imported
    first = round(stated * rate) if stated is not None else start_frame(rate)
    timeline.global_start_time = RT(first, float(rate))
    if _drop_frame(rate):  # FCP 7 XML's sequence timecode then reads 01:00:00;00, DF
        timeline.metadata["fcp_xml"] = {"timecode": {"displayformat": "DF"}}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    track.append(_card("Title card", "title", profile.title_card_ms,
                       title_card_lines(project), rate))
    film_cues: list[Cue] = []
    frame = round(track.duration().value)
    for entry in project.film.sequence:
        try:
            own = footage_rate(project, entry.clip_id)
        except PipelineError:
            own = None  # unreadable footage: _clip names it
        if own is not None and own != rate:
            warnings.append(f"clip {entry.clip_id} is {rate_label(own)} fps but the timeline "
                            f"{rate_label(rate)} fps: its in/out are rounded to the timeline's "
                            "frames and importing it back is refused")
        item, cues = _clip(project, entry.clip_id, entry.in_ms, entry.out_ms, rate,
                           profile.channel, states.get(entry.clip_id))
        offset = ms_of_frame(frame, rate)
        film_cues += [replace(c, start=c.start + offset, end=c.end + offset) for c in cues]
        track.append(item)
        frame += round(item.duration().value)
    allowed = [c for c in states if states[c].cleared]
    credits = Credits.for_film(project, allowed, names).card_lines()
    track.append(_card("Credits card", "credits", profile.credits_card_ms, credits, rate))
    return timeline, rate, film_cues, warnings


def export_edit(project: Project, fmt: EditFormat, out: Path | None = None, *,
                force: bool = False) -> ExportResult:
    """Write the film's sequence as an edit file (and its captions as .srt beside it).

    Args:
        out: the edit file; None for ``build/edit/PROJECT.EXT`` (replaced on every export).
        force: replace an existing ``out`` (and the .srt beside it).

    Raises:
        PipelineError: a clip's footage cannot be read; CaptionError: a caption file is broken;
        ConsentError: the ledger is damaged; InterchangeError: ``out`` or its .srt is one of
        the project's own files, is not a regular file, or exists without ``force``.
    """
    target = out or project.build_dir / "edit" / f"{project.name}{FORMATS[fmt].suffix}"
    check_export_targets(project, [target, target.with_suffix(".srt")],
                         force=force or out is None)
    timeline, rate, cues, warnings = build_timeline(project)
    suffix = FORMATS[fmt].suffix
    if target.suffix.lower() != suffix:
        warnings.append(f"{target.name} does not end in {suffix}: editors (and import-edit) "
                        f"know a {FORMATS[fmt].label} file by that suffix")
    if fmt == EditFormat.EDL:
        warnings.append("an EDL has no clip notes or captions: consent and sign-off are in "
                        "comments, the captions in the .srt beside it")
    profile = load_profile(project.film.render_profiles[0])
    text = render_edit(timeline, fmt, rate, (profile.width, profile.height))
    if fmt == EditFormat.EDL:
        text = _edl_comments(text, timeline)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, text.encode("utf-8"))
    srt = target.with_suffix(".srt")
    save_captions(cues, srt)
    return ExportResult(target, srt, rate, warnings)


def _edl_comments(text: str, timeline: Any) -> str:
    """A ``* COPROD:`` comment under each event naming the clip's clearance."""
    notes = {c.name: c.metadata["fcpxml"]["note"] for c in timeline.find_clips()}
    lines: list[str] = []
    for line in text.splitlines():
        lines.append(line)
        if line.startswith("* FROM CLIP NAME:"):
            name = line.split(":", 1)[1].strip()
            if name in notes:
                lines.append(f"* COPROD: {notes[name].removeprefix('coprod: ')}")
    return "\n".join(lines) + "\n"


__all__ = ["START_TIMECODE", "Clearance", "ExportResult", "build_timeline", "clearances",
           "export_edit", "start_frame"]
