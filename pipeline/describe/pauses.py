"""Pauses in speech long enough for a description, and the starting script that lists them.

A pause is found from the transcript's word times (``build/transcripts/CLIP.json``): the silence
before the first word, between two words, and after the last. Whisper's word starts come late,
so each is pulled back to where the VAD hears that speech begin (:func:`speech_words`, on the
clip's WAV from ingest): a description must end before speech really resumes. Each edge that
touches speech is pulled in by :data:`GUARD_MS`, because Whisper's word times are only good to
a tenth of a second or two and the programme sound is lowered on a ramp of about 250 ms either
side of a description. What is left must be at least :data:`MIN_PAUSE_MS`: 1.5 s holds four or
five words at the 160 words a minute of broadcast description ("Amara smiles and looks away."),
and a shorter gap cannot carry a description worth its interruption.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from captions.formats._timing import format_timestamp
from captions.model import Word
from pipeline.describe.script import PLACEHOLDER, DescriptionError, descriptions_path
from pipeline.exceptions import PipelineError
from pipeline.fsutil import NotAFileError, atomic_write_bytes, read_regular_bytes
from pipeline.project import Project

MIN_PAUSE_MS = 1500
"""The shortest pause offered for a description (see the module's docstring for why)."""
GUARD_MS = 150
"""Kept clear of speech at each edge of a pause (word-time error and the ducking ramp)."""
EARLY_MS = 400
"""How far before a transcribed word the VAD may hear it begin (Whisper's word starts come
late: 150-220 ms in the demo's clips), so speech is known to resume where it really does."""


@dataclass(frozen=True)
class Pause:
    """A stretch of the clip without speech, in ms from its first frame."""

    start_ms: int
    end_ms: int

    @property
    def length_ms(self) -> int:
        return self.end_ms - self.start_ms


def find_pauses(words: Sequence[Word], duration_ms: int, *, min_ms: int = MIN_PAUSE_MS,
                guard_ms: int = GUARD_MS) -> list[Pause]:
    """The pauses of at least ``min_ms`` between ``words`` in a clip ``duration_ms`` long.

    The clip's start and end are not speech, so they need no guard; a clip without words is one
    pause. Words are taken in time order whatever order they come in.
    """
    spans = sorted((w.start, w.end) for w in words)
    pauses: list[Pause] = []
    at, guard = 0, 0  # where the current silence starts, and whether speech is before it
    for start, end in spans:
        if start > at:
            pause = Pause(at + guard, min(start, duration_ms) - guard_ms)
            if pause.length_ms >= min_ms:
                pauses.append(pause)
        at, guard = max(at, end), guard_ms
    pause = Pause(at + guard, duration_ms)
    if pause.length_ms >= min_ms:
        pauses.append(pause)
    return pauses


def clip_words(project: Project, clip_id: str) -> list[Word]:
    """The clip's transcribed words (their times relative to the clip).

    Raises:
        PipelineError: the clip has not been transcribed (run `coprod transcribe`).
    """
    path = project.transcript_path(clip_id)
    again = f"run `coprod transcribe {project.root}` (with --force to redo it)"
    if not path.exists():
        raise PipelineError(f"clip {clip_id}: no transcript at {path}; {again}")
    try:
        data = json.loads(read_regular_bytes(path))
        return [Word(int(w["start"]), int(w["end"]), str(w["text"]),
                     float(w.get("probability", 1.0))) for w in data["words"]]
    except (OSError, ValueError, TypeError, KeyError, NotAFileError):
        raise PipelineError(f"{path}: not a transcript coprod can read; {again}") from None


def heard_from(words: Sequence[Word], regions: Sequence[tuple[int, int]],
               early_ms: int = EARLY_MS) -> list[Word]:
    """``words`` with each start pulled back to where the VAD hears its speech begin.

    A word's start moves to the start of a VAD region (``regions``, ms) that begins at most
    ``early_ms`` before it and is still going when it starts; nothing moves later, and a region
    far from every word (music, say) moves nothing.
    """
    out = []
    for w in words:
        onsets = [s for s, e in regions if w.start - early_ms <= s < w.start <= e]
        out.append(replace(w, start=min(onsets)) if onsets else w)
    return out


def speech_words(project: Project, clip_id: str) -> list[Word]:
    """The clip's words as :func:`clip_words` reads them, their starts corrected by the VAD
    (:func:`heard_from`) when the clip's 16 kHz WAV from ingest is there.

    Raises:
        PipelineError: the clip has not been transcribed.
    """
    words = clip_words(project, clip_id)
    audio = project.audio_path(clip_id)
    if not words or not audio.is_file():
        return words
    from pipeline.transcribe.engines.base import read_wav, speech_regions

    return heard_from(words, speech_regions(read_wav(audio)))


def clip_pauses(project: Project, clip_id: str, *, min_ms: int = MIN_PAUSE_MS) -> list[Pause]:
    """The pauses in the clip's speech long enough for a description."""
    project.clip(clip_id)
    return find_pauses(speech_words(project, clip_id), project.probe(clip_id).duration_ms,
                       min_ms=min_ms)


def starting_script(clip_id: str, pauses: Sequence[Pause], min_ms: int = MIN_PAUSE_MS) -> str:
    """A WebVTT description script with one cue a pause, its text saying the pause's length."""
    blocks = ["WEBVTT", (
        f"NOTE Descriptions of clip {clip_id}: one cue for each pause in its speech of "
        f"{min_ms / 1000:g} s or more. Replace each '{PLACEHOLDER}' line with what is seen, "
        "short enough to say within the pause; delete cues you do not need; then run "
        "`coprod describe check`.")]
    for pause in pauses:
        blocks.append(
            f"{format_timestamp(pause.start_ms, '.')} --> {format_timestamp(pause.end_ms, '.')}\n"
            f"{PLACEHOLDER} pause of {pause.length_ms / 1000:.1f} s")
    return "\n\n".join(blocks) + "\n"


def write_starting_script(project: Project, clip_id: str, *,
                          min_ms: int = MIN_PAUSE_MS) -> tuple[Path, list[Pause]]:
    """Write ``descriptions/CLIP.vtt`` listing the clip's pauses; never over an existing one.

    Returns:
        The file written and the pauses it lists.

    Raises:
        DescriptionError: the clip already has a description script (it is never overwritten).
        PipelineError: the clip is unknown or not transcribed.
    """
    path = descriptions_path(project, clip_id)
    if path.exists() or path.is_symlink():
        raise DescriptionError(path, "already exists; coprod never overwrites a description "
                               "script (edit it, or move it away to start again)")
    pauses = clip_pauses(project, clip_id, min_ms=min_ms)
    with project.lock("describe"):
        if path.exists() or path.is_symlink():  # written by another coprod since the look
            raise DescriptionError(path, "already exists; coprod never overwrites a "
                                   "description script (edit it, or move it away to start again)")
        atomic_write_bytes(path, starting_script(clip_id, pauses, min_ms).encode("utf-8"))
    return path, pauses


__all__ = [
    "EARLY_MS",
    "GUARD_MS",
    "MIN_PAUSE_MS",
    "Pause",
    "clip_pauses",
    "clip_words",
    "find_pauses",
    "heard_from",
    "speech_words",
    "starting_script",
    "write_starting_script",
]
