"""A clip's sound in the project: what ingest chose and why, the plan film.yaml's ``audio:``
makes now, and the Whisper WAV and review proxy kept in step with it (the graphs are
pipeline/sound.py's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.exceptions import ProjectError
from pipeline.fsutil import NotAFileError, atomic_write_bytes, read_regular_bytes
from pipeline.media import MediaInfo, extract_audio, ffmpeg_input_name, make_proxy
from pipeline.project import Project
from pipeline.sound import (
    STEREO,
    SoundLevels,
    SoundPlan,
    check_choice,
    choose,
    measure,
    plan_for,
)


@dataclass(frozen=True)
class Heard:
    """What ingest chose for a clip's sound, and why: the levels it measured."""

    choice: str | None  # None: the footage has no sound
    reason: str
    levels: SoundLevels | None
    plan: SoundPlan
    offset_ms: int = 0

    def probe_fields(self) -> dict[str, Any] | None:
        """What the probe record keeps of it."""
        if self.levels is None:
            return None
        return {"levels": self.levels.to_json(), "choice": self.choice, "reason": self.reason}

    def notes(self) -> list[str]:
        """Ingest's lines about the clip's sound."""
        out = []
        if self.choice is not None:
            out.append(f"audio: {self.choice} ({self.reason}); change audio: in film.yaml to "
                       "choose another")
        if self.offset_ms > 0:
            out.append(f"its sound starts {self.offset_ms / 1000:.2f} s after the picture: "
                       "padded with silence, so captions stay on the speech")
        elif self.offset_ms < 0:
            out.append(f"its sound starts {-self.offset_ms / 1000:.2f} s before the picture: "
                       "that part is left out")
        return out


def ingest_choice(path: Path, info: MediaInfo) -> Heard:
    """Measure the footage's channels and tracks and choose its sound (ingest).

    Raises:
        MediaToolError: ffmpeg failed.
    """
    if not info.has_audio:
        return Heard(None, "no sound", None, plan_for(info, None))
    levels = measure(ffmpeg_input_name(path), max(1, info.audio_streams))
    choice, reason = choose(levels)
    return Heard(choice, reason, levels, plan_for(info, choice), info.audio_offset_ms)


def clip_plan(project: Project, clip_id: str) -> SoundPlan:
    """The plan for a clip as film.yaml's ``audio:`` chooses it now.

    Raises:
        ProjectError: the choice names a track or channel the footage does not have.
    """
    clip = project.clip(clip_id)
    info = project.probe(clip_id)
    problem = check_choice(clip.audio, info.audio_channels, info.audio_streams) \
        if clip.audio and info.has_audio else None
    if problem is not None:
        raise ProjectError(project.film_yaml, f"clips: {clip_id}: {problem}")
    return plan_for(info, clip.audio if info.has_audio else None)


# What a WAV or proxy made before sound choices and offsets existed was made from.
_AS_BEFORE = {"audio": STEREO, "offset_ms": 0}


def _made_from(plan: SoundPlan, info: MediaInfo) -> dict[str, Any]:
    return {"audio": plan.choice, "offset_ms": info.audio_offset_ms}


def sound_record(made: Path) -> Path:
    """Where :func:`record_sound` notes what the WAV or proxy ``made`` was made from."""
    return made.with_name(made.name + ".sound.json")


def record_sound(made: Path, plan: SoundPlan, info: MediaInfo) -> None:
    """Note which sound the Whisper WAV or review proxy ``made`` was made from (beside it)."""
    atomic_write_bytes(sound_record(made), json.dumps(_made_from(plan, info)).encode("utf-8"))


def refresh_sound(project: Project, clip_id: str) -> list[str]:
    """Make the clip's Whisper WAV and review proxy again when film.yaml's ``audio:`` changed
    since they were made, or they were made before sound was put on the picture's timeline
    (the transcript, keyed by the WAV's hash, then follows); the names of the files made.

    Raises:
        ProjectError: the choice names a track or channel the footage does not have.
        MediaToolError: ffmpeg failed.
    """
    plan = clip_plan(project, clip_id)
    info = project.probe(clip_id)
    footage = project.clip(clip_id).file
    wav, proxy = project.audio_path(clip_id), project.proxy_path(clip_id)
    makers: tuple[tuple[Path, Callable[[], None]], ...] = (
        (wav, lambda: extract_audio(footage, wav, plan)),
        (proxy, lambda: make_proxy(footage, proxy, info, plan=plan)))
    done = []
    for path, make in makers:
        if not path.is_file():
            continue  # ingest makes it; a missing WAV is reported by transcription
        try:
            made = json.loads(read_regular_bytes(sound_record(path)))
        except FileNotFoundError:
            made = _AS_BEFORE
        except (OSError, ValueError, NotAFileError):
            made = None
        if made == _made_from(plan, info):
            continue
        make()
        record_sound(path, plan, info)
        done.append(path.name)
    return done


__all__ = [
    "Heard",
    "clip_plan",
    "ingest_choice",
    "record_sound",
    "refresh_sound",
    "sound_record",
]
