"""An edit's main video track as placements of ingested clips, with what coprod cannot render.

Each clip on the main video track (the lowest video track with footage) is matched to an
ingested clip by :mod:`.match` (path, original file name, reel, content hash, duration +
timecode). In and out are whole frames of the clip's footage at the timeline's rate, counted from
the media's start as the edit records it, or from the camera timecode ingest kept (an EDL's
source timecode). A clip may be used any number of times: each use is a placement.

Problems stop the import (every one listed): media that matches no ingested clip, a frame rate
that is not the footage's, in/out outside the footage, no video track. What coprod does not
render is a warning: transitions (cut at the edit point, with their position), speed changes and
effects (the clip plays as shot), extra video tracks and sound-only clips (left out), generators
and tracks of only generated pictures (left out), and whatever the format's reader read
leniently or flattened. A gap is refused: coprod renders no black, and closing it silently would
change the film's timing, so the producer closes it in the editor or says ``close_gaps``
(``--close-gaps``), and then it is a warning and the clips either side are joined. A gap before
the first clip or after the last that is as long as the title or credits card is where coprod
puts that card, and is not reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pipeline.exceptions import PipelineError
from pipeline.interchange.fcpxml import READ_WARNINGS
from pipeline.interchange.match import Matcher
from pipeline.interchange.timebase import (
    drop_frame_timecode,
    frame_of_ms,
    frames_of_timecode,
    rate_label,
    snap_rate,
    timecode,
)
from pipeline.project import Project
from pipeline.render_profiles import load_profile

CARD_KEY = "card"  # metadata["coprod"]["card"] on the gaps coprod exports for its cards


@dataclass(frozen=True)
class Placement:
    """One clip of the edit: ``frames`` frames of its footage from frame ``first``."""

    event: int
    name: str
    clip_id: str
    first: int
    frames: int
    rate: Fraction

    @property
    def end(self) -> int:
        """The first frame after the clip's out point."""
        return self.first + self.frames


@dataclass
class ReadEdit:
    """What an edit's main video track says, and what coprod makes of it."""

    rate: Fraction | None = None
    placements: list[Placement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def footage_frames(project: Project, clip_id: str, rate: Fraction) -> int:
    """How many frames of ``rate`` the clip's footage holds (a last partial frame counts)."""
    return frame_of_ms(project.probe(clip_id).duration_ms, rate)


def footage_rate(project: Project, clip_id: str) -> Fraction | None:
    """The clip's picture rate as ffprobe recorded it, snapped to an editing rate."""
    fps = project.probe(clip_id).fps
    return snap_rate(fps) if fps else None


def _is_footage(item: Any) -> bool:
    return isinstance(item, otio.schema.Clip) and \
        not isinstance(item.media_reference, otio.schema.GeneratorReference)


def _generator_kind(clip: Any) -> str:
    ref = clip.media_reference
    return str(getattr(ref, "generator_kind", "") or "generated")


def _label(clip: Any) -> str:
    return clip.name or "unnamed clip"


def _is_card(item: Any) -> bool:
    own = item.metadata.get("coprod", {})
    return isinstance(own, Mapping) and CARD_KEY in own


def _at(frame: int, rate: Fraction) -> str:
    """Record timecode ``frame``, drop frame at 29.97 and 59.94 as editors show it."""
    return drop_frame_timecode(frame, rate)


def _speed(effect: Any) -> str | None:
    if isinstance(effect, otio.schema.FreezeFrame):
        return "a freeze frame"
    if isinstance(effect, otio.schema.LinearTimeWarp):
        scalar = getattr(effect, "time_scalar", 1.0)
        if scalar < 0:
            return f"playing in reverse ({abs(scalar):.0%})"
        return f"a speed change ({scalar:.0%})" if scalar != 1.0 else "a speed change"
    if effect.effect_name in ("TimeRemap", "timeremap", "Time Remap"):
        return "a speed change"
    return None


def read_placements(timeline: Any, project: Project, edit_path: Path, *,
                    close_gaps: bool = False) -> ReadEdit:
    """The placements, warnings and problems of ``timeline`` for ``project``'s clips.

    A gap between clips is a problem unless ``close_gaps`` (then a warning: the clips either side
    are joined).
    """
    out = ReadEdit()
    out.warnings += [str(w) for w in timeline.metadata.get(READ_WARNINGS, [])]
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    with_clips = [t for t in video if any(isinstance(i, otio.schema.Clip) for i in t)]
    if not video or not with_clips:
        what = "no video track" if not video else "no clip on any video track"
        out.problems.append(f"the timeline has {what}; export the timeline with its video "
                            "track (V1) holding the clips")
        return out
    # The main track is the lowest with footage: a track of only colour clips or titles
    # (a background, a title track) is not the film.
    with_footage = [t for t in with_clips if any(_is_footage(i) for i in t)]
    main = (with_footage or with_clips)[0]
    for number, track in enumerate(video, start=1):
        clips = [i for i in track if isinstance(i, otio.schema.Clip)]
        if track is not main and clips and not any(_is_footage(c) for c in clips):
            kinds = sorted({_generator_kind(c) for c in clips})
            out.warnings.append(
                f"video track {track.name or number} holds only generated pictures "
                f"({len(clips)} {', '.join(kinds)} clip(s)), no footage: left out")
        elif track is not main and clips:
            out.warnings.append(
                f"video track {track.name or number} has {len(clips)} clip(s) "
                f"({', '.join(_label(c) for c in clips[:3])}{'...' if len(clips) > 3 else ''})"
                ": only the main video track is rendered, so they are left out")
    matcher = Matcher(project, edit_path.parent)
    _read_main(main, project, matcher, out, close_gaps, timeline.global_start_time)
    _audio_warnings(timeline, main, out)
    return out


def _read_main(track: Any, project: Project, matcher: Matcher, out: ReadEdit,
               close_gaps: bool, global_start: Any = None) -> None:
    items = list(track)
    clip_positions = [i for i, item in enumerate(items) if isinstance(item, otio.schema.Clip)
                      and not _is_card(item)]
    first_clip = clip_positions[0] if clip_positions else len(items)
    last_clip = clip_positions[-1] if clip_positions else -1
    event = 0
    profile = load_profile(project.film.render_profiles[0])
    cards = (profile.title_card_ms, profile.credits_card_ms)
    cursor = Fraction(0)  # seconds from the track's start: what editors call the position
    for index, item in enumerate(items):
        rate = snap_rate(item.duration().rate) if item.duration().rate else Fraction(25)
        start = round(cursor * rate) + (0 if global_start is None else
                                        round(global_start.rescaled_to(float(rate)).value))
        if not isinstance(item, otio.schema.Transition):
            cursor += Fraction(round(item.duration().value)) / rate
        if isinstance(item, otio.schema.Transition):
            length = round(item.in_offset.value + item.out_offset.value)
            start -= round(item.in_offset.value)
            out.warnings.append(f"transition {item.name or item.transition_type} ({length} "
                                f"frames) at {_at(start, rate)}: coprod cuts at the edit "
                                "point")
            continue
        if isinstance(item, otio.schema.Gap) or _is_card(item):
            if _is_card(item):
                continue
            length = round(item.duration().value)
            where = ("before the first clip" if index < first_clip else
                     "after the last clip" if index > last_clip else "between clips")
            card = cards[0] if index < first_clip else cards[1] if index > last_clip else None
            if card is not None and length == frame_of_ms(card, rate):
                continue  # where coprod's own title or credits card goes
            if length and close_gaps:
                out.warnings.append(
                    f"gap of {length} frames at {_at(start, rate)} {where} is closed "
                    "(--close-gaps): coprod joins the clips either side")
            elif length:
                out.problems.append(
                    f"gap of {length} frames at {_at(start, rate)} {where}: coprod renders no "
                    "black; close the gap in the editor, or import with --close-gaps to join "
                    "the clips either side")
            continue
        if not isinstance(item, otio.schema.Clip):
            out.warnings.append(f"{type(item).__name__} at {_at(start, rate)} is not a clip: "
                                "left out")
            continue
        event += 1
        _read_clip(item, event, rate, project, matcher, out)


def _read_clip(item: Any, event: int, rate: Fraction, project: Project, matcher: Matcher,
               out: ReadEdit) -> None:
    label = f"event {event} ({_label(item)})"
    if isinstance(item.media_reference, otio.schema.GeneratorReference):
        out.warnings.append(f"{label} is a generator ({item.media_reference.generator_kind}), "
                            "not footage: left out")
        return
    found = matcher.match(item, rate)
    clip_id = found.clip_id
    if clip_id is None and found.media is None:
        tried = "; ".join(found.tried) or "nothing to match by"
        out.problems.append(
            f"{label}: it names no media file (tried {tried}); a nested sequence or compound "
            "clip the file does not open, or media the editor lost: flatten or relink it in "
            "the editor and export again")
        return
    if clip_id is None:
        shown = found.media.text if found.media is not None else _label(item)
        tried = "; ".join(found.tried) or "nothing to match by"
        out.problems.append(
            f"{label}: its media {shown} matches no ingested clip (tried {tried}); ingest it "
            f"with `coprod ingest {project.root} '{shown}' --contributor ID` and import again")
        return
    for effect in item.effects:
        speed = _speed(effect)
        what = speed or f"the effect {effect.effect_name or effect.name or 'unnamed'}"
        out.warnings.append(f"{label}: {what} is not rendered; the clip plays as shot")
    try:
        real = footage_rate(project, clip_id)
        available = footage_frames(project, clip_id, rate)
    except PipelineError as exc:
        out.problems.append(f"{label}: clip {clip_id}: {exc}")
        return
    if real is not None and real != rate:
        out.problems.append(
            f"{label}: the timeline runs at {rate_label(rate)} fps but clip {clip_id}'s footage "
            f"is {rate_label(real)} fps; set the timeline to {rate_label(real)} fps in the "
            "editor and export again")
        return
    try:
        source = item.source_range or item.available_range()
    except Exception:  # noqa: BLE001 - OTIO raises its own errors for a clip with no range
        out.problems.append(f"{label}: has no in or out point; export the edit again")
        return
    first = round(source.start_time.rescaled_to(float(rate)).value) - \
        _source_start(item, project.film.clips[clip_id].timecode, rate)
    frames = round(source.duration.rescaled_to(float(rate)).value)
    if first < 0 or first + frames > available or frames <= 0:
        out.problems.append(
            f"{label}: in {timecode(max(first, 0), rate)} / out {timecode(first + frames, rate)} "
            f"fall outside clip {clip_id}'s footage (00:00:00:00 to {timecode(available, rate)});"
            " trim it inside the footage in the editor, or relink it to the right file")
        return
    if out.rate is None:
        out.rate = rate
    out.placements.append(Placement(event, _label(item), clip_id, first, frames, rate))


def _source_start(item: Any, camera_tc: str | None, rate: Fraction) -> int:
    """The frame the edit counts the footage's first frame as.

    The media's own range when the edit gives one (FCP XML's file timecode, an FCPXML asset's
    start); otherwise, when the source in is at or after the camera timecode ingest kept (an
    EDL counts in the camera's timecode: 01:00:10:00 on footage that starts at 01:00:00:00 is
    frame 250 at 25 fps), that timecode; else 0.
    """
    available = getattr(item.media_reference, "available_range", None)
    if available is not None:
        return int(round(available.start_time.rescaled_to(float(rate)).value))
    if not camera_tc:
        return 0
    try:
        start = frames_of_timecode(camera_tc, rate)
    except ValueError:
        return 0
    first = round(item.source_range.start_time.rescaled_to(float(rate)).value) \
        if item.source_range is not None else 0
    return start if first >= start else 0


def _audio_warnings(timeline: Any, main: Any, out: ReadEdit) -> None:
    """Sound-only clips (music, voice-over) that are not the main track's own sound."""
    def key(clip: Any) -> str:
        ref = clip.media_reference
        return str(getattr(ref, "target_url", "") or clip.name)

    on_main = {key(c) for c in main if isinstance(c, otio.schema.Clip)}
    for number, track in enumerate(timeline.audio_tracks(), start=1):
        extra = [c for c in track if isinstance(c, otio.schema.Clip) and key(c) not in on_main]
        if extra:
            out.warnings.append(
                f"audio track {track.name or number} has {len(extra)} clip(s) of its own "
                f"({', '.join(_label(c) for c in extra[:3])}{'...' if len(extra) > 3 else ''}):"
                " not rendered; coprod plays each clip's own sound")


__all__ = ["CARD_KEY", "Placement", "ReadEdit", "footage_frames", "footage_rate",
           "read_placements"]
