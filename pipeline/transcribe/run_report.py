"""What a transcription run reports (clip states, progress events, results) and reading a
transcript back. :mod:`pipeline.transcribe` makes them; build, status and the CLI read them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from captions.model import Word
from pipeline.caption_store import CaptionWrite, WriteStatus
from pipeline.exceptions import PipelineError
from pipeline.fsutil import read_regular_bytes
from pipeline.transcribe.audio import Redecode
from pipeline.transcribe.hallucinations import Dropped


class ClipStatus(StrEnum):
    """Where one clip is: reported through on_progress, and the last one in ClipResult.status."""

    LOADING = "loading"  # the engine is being loaded (first clip that needs it)
    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"
    UP_TO_DATE = "up-to-date"
    NO_AUDIO = "no-audio"
    FAILED = "failed"


@dataclass(frozen=True)
class ClipProgress:
    """One progress event: ``[index/total] clip_id: message``."""

    clip_id: str
    index: int
    total: int
    state: ClipStatus
    message: str

    def __str__(self) -> str:
        return f"[{self.index}/{self.total}] {self.clip_id}: {self.message}"


@dataclass
class ClipResult:
    """What the stage did for one clip."""

    clip_id: str
    status: ClipStatus
    transcript: Path | None = None
    captions: list[CaptionWrite] = field(default_factory=list)
    words: int = 0
    dropped: list[Dropped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    redecoded: list[Redecode] = field(default_factory=list)


@dataclass
class TranscribeReport:
    """The whole run: engine and model used, one result per clip, and the failures."""

    engine: str
    model: str | None
    results: list[ClipResult] = field(default_factory=list)
    failures: list[tuple[str, Exception]] = field(default_factory=list)


ProgressCallback = Callable[[ClipProgress], None]


def _summary(result: ClipResult) -> str:
    if result.status == ClipStatus.TRANSCRIBED:
        text = f"{result.words} words"
        if result.dropped:
            text += f", {len(result.dropped)} segment(s) dropped as likely hallucinations"
        if result.redecoded:
            better = sum(r.kept_redecode for r in result.redecoded)
            text += (f", {len(result.redecoded)} stretch(es) decoded again "
                     f"({better} improved)")
        wrote = [w.written.name for w in result.captions
                 if w.written is not None and w.status != WriteStatus.UNCHANGED]
        text += f"; wrote {', '.join(wrote)}" if wrote else ""
        return "; ".join([text, *result.notes])
    return "; ".join(result.notes) or result.status


def load_transcript(path: Path) -> dict[str, Any]:
    """A transcript JSON as written by this stage.

    Raises:
        PipelineError: missing or not a coprod transcript.
    """
    try:
        data = json.loads(read_regular_bytes(Path(path)))
    except (OSError, ValueError) as exc:
        raise PipelineError(f"{path}: cannot read transcript ({exc})") from None
    if not isinstance(data, dict) or "words" not in data:
        raise PipelineError(f"{path}: not a coprod transcript")
    return data


def transcript_words(data: dict[str, Any]) -> list[Word]:
    """The kept words of a transcript as :class:`captions.model.Word` s."""
    return [Word(int(w["start"]), int(w["end"]), str(w["text"]), float(w["probability"]))
            for w in data.get("words", [])]


__all__ = [
    "ClipProgress",
    "ClipResult",
    "ClipStatus",
    "ProgressCallback",
    "TranscribeReport",
    "load_transcript",
    "transcript_words",
]
