"""The film as a plan: title card, the clips in sequence order, credits card.

Each part is a whole number of frames long, so segment durations add up exactly and caption
offsets are frame-true. Times are integer milliseconds, converted from frames only here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from captions.controls import CONTROL_RE
from captions.model import Cue
from captions.styling import with_text
from pipeline.caption_store import load_captions
from pipeline.clip_sound import clip_plan
from pipeline.fsutil import ChangeStamp, change_stamp
from pipeline.picture import PictureFix
from pipeline.project import Project
from pipeline.render.errors import CaptionsMissingError, RenderError
from pipeline.render_profiles import RenderProfile
from pipeline.sound import SoundPlan

Progress = Callable[[str, float], None]
"""Called with (step, fraction 0..1) while ffmpeg works."""

CardLines = Sequence[tuple[str, float]]
"""Text of a card: (line, size as a fraction of the picture height)."""


def text_only(text: str) -> str:
    """``text`` without control characters or bidi overrides: what outputs may show.

    A publishing render refuses caption files holding them (captions QC's control-character
    rule); a draft renders the text without them, so no output ever carries one.
    """
    return CONTROL_RE.sub("", text)


class PartKind(StrEnum):
    """What a stretch of the film shows."""

    CARD = "card"
    CLIP = "clip"


@dataclass(frozen=True)
class Part:
    """One stretch of the film: a card or a clip, a whole number of frames long."""

    name: str
    kind: PartKind
    start_frame: int
    frames: int
    clip_id: str | None = None
    source: Path | None = None
    footage_sha256: str = ""
    footage_stamp: ChangeStamp | None = None  # the footage file's stamp when it was hashed
    in_ms: int = 0
    out_ms: int = 0
    has_video: bool = True
    has_audio: bool = False
    cues: tuple[Cue, ...] = ()  # segment-local times (0 = the part's first frame)
    lines: tuple[tuple[str, float], ...] = ()  # card text: (line, size as a fraction of height)
    picture: PictureFix | None = None  # deinterlacing / tone-mapping the footage needs
    withheld: str | None = None  # the clip a card stands in for in the advisory group's cut
    sound: SoundPlan = SoundPlan()  # the clip's sound choice and timeline (pipeline/sound.py)


def frames_ms(frames: int, fps: int) -> int:
    """Milliseconds from the film's start to frame ``frames``."""
    return round(frames * 1000 / fps)


def part_start_ms(part: Part, fps: int) -> int:
    """Where ``part`` starts in the film (ms)."""
    return frames_ms(part.start_frame, fps)


def part_duration_ms(part: Part, fps: int) -> int:
    """How long ``part`` lasts (ms), measured between frame boundaries."""
    return frames_ms(part.start_frame + part.frames, fps) - frames_ms(part.start_frame, fps)


def film_duration_ms(parts: Sequence[Part], fps: int) -> int:
    """How long the whole film lasts (ms)."""
    return frames_ms(sum(p.frames for p in parts), fps)


def trim_cues(cues: Sequence[Cue], in_ms: int, out_ms: int, offset_ms: int = 0) -> list[Cue]:
    """Cues cut to [in_ms, out_ms) and moved so that ``in_ms`` lands on ``offset_ms``."""
    out: list[Cue] = []
    for cue in cues:
        start, end = max(cue.start, in_ms), min(cue.end, out_ms)
        if end > start:
            out.append(replace(cue, start=start - in_ms + offset_ms, end=end - in_ms + offset_ms))
    return out


def plan_film(project: Project, profile: RenderProfile, clip_ids: Sequence[str],
              title_lines: CardLines, credit_lines: CardLines, *,
              withheld: Sequence[str] = (), withheld_lines: CardLines = ()) -> list[Part]:
    """The film as parts: title card, the clips in sequence order, credits card.

    One part for each sequence entry: a clip used twice is two parts, each its own segment.
    A ``withheld`` clip (the advisory group's cut) is a card of ``withheld_lines`` as long as
    the clip's part: none of its picture, sound or words.

    Raises:
        CaptionsMissingError: a clip has no caption file.
        RenderError: an in/out point lies outside its clip.
    """
    fps = profile.fps
    missing = [c for c in clip_ids if not project.caption_path(c, "srt").exists()]
    if missing:
        raise CaptionsMissingError(missing)
    parts: list[Part] = []
    frame = 0

    def card(name: str, ms: int, lines: CardLines) -> None:
        nonlocal frame
        frames = round(ms * fps / 1000)
        if frames > 0:
            parts.append(Part(name, PartKind.CARD, frame, frames, lines=tuple(lines)))
            frame += frames

    card("title", profile.title_card_ms, title_lines)
    wanted = set(clip_ids)
    used: dict[str, int] = {}
    for item in project.film.sequence:
        if item.clip_id not in wanted and item.clip_id not in withheld:
            continue
        clip = project.clip(item.clip_id)
        info = project.probe(clip.id)
        in_ms = item.in_ms or 0
        out_ms = min(item.out_ms if item.out_ms is not None else info.duration_ms,
                     info.duration_ms)
        if out_ms - in_ms < 1000 / fps:
            raise RenderError(f"clip {clip.id}: in point {in_ms} ms is not before its out point "
                              f"or the end of the footage ({out_ms} ms)")
        frames = max(1, round((out_ms - in_ms) * fps / 1000))
        span = frames_ms(frames, fps)
        if item.clip_id in withheld:
            parts.append(Part(f"withheld {len(parts)}", PartKind.CARD, frame, frames,
                              lines=tuple(withheld_lines), withheld=item.clip_id))
            frame += frames
            continue
        cues = [with_text(c, text_only(c.text))
                for c in load_captions(project.caption_path(clip.id, "srt"))]
        digest = project.footage_sha256(clip.id)
        # A clip used again is a part (and a segment) of its own, named for which use it is.
        used[clip.id] = used.get(clip.id, 0) + 1
        name = clip.id if used[clip.id] == 1 else f"{clip.id} (use {used[clip.id]})"
        parts.append(Part(
            name, PartKind.CLIP, frame, frames, clip_id=clip.id, source=clip.file,
            footage_sha256=digest, footage_stamp=change_stamp(clip.file), in_ms=in_ms,
            out_ms=in_ms + span,
            has_video=info.has_video, has_audio=info.has_audio, picture=info.picture_fix(),
            cues=tuple(trim_cues(cues, in_ms, in_ms + span)),
            sound=clip_plan(project, clip.id),
        ))
        frame += frames
    card("credits", profile.credits_card_ms, credit_lines)
    return parts


__all__ = [
    "CardLines",
    "Part",
    "PartKind",
    "Progress",
    "film_duration_ms",
    "frames_ms",
    "part_duration_ms",
    "part_start_ms",
    "plan_film",
    "text_only",
    "trim_cues",
]
