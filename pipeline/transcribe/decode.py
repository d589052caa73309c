"""One clip's sound to the words kept: the part of transcription that may run on a Dask worker.

:func:`decode_clip` reads ``build/audio/CLIP.wav``, decodes it chunk by chunk with the boundary
guard (:func:`pipeline.transcribe.audio.transcribe_audio`) and drops likely hallucinations
(:mod:`pipeline.transcribe.hallucinations`). It writes nothing: :mod:`pipeline.transcribe`
writes the transcript and caption files on the machine that runs the command, whichever machine
decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.transcribe.audio import Redecode, transcribe_audio
from pipeline.transcribe.chunking import Chunk
from pipeline.transcribe.engines import Engine, Segment, read_wav
from pipeline.transcribe.engines.base import SAMPLE_RATE
from pipeline.transcribe.hallucinations import Dropped, guard

if TYPE_CHECKING:
    from pipeline.transcribe.chunk_store import ChunkStore


@dataclass(frozen=True)
class EngineRecord:
    """What the transcript records about the engine that decoded (picklable, unlike engines)."""

    name: str
    version: str
    model: str
    model_path: str
    model_sha256: str

    @classmethod
    def of(cls, engine: Engine) -> EngineRecord:
        """The record of a loaded engine."""
        return cls(engine.name, engine.version, engine.model.name, engine.model.path,
                   engine.model.sha256)

    def to_dict(self) -> dict[str, Any]:
        """The transcript's engine fields."""
        return {"engine": self.name, "engine_version": self.version, "model": self.model,
                "model_path": self.model_path, "model_sha256": self.model_sha256}


@dataclass(frozen=True)
class DecodeRequest:
    """What a worker needs to decode one clip (paths as this machine sees them)."""

    clip_id: str
    audio: Path
    engine: str
    model: str | None
    language: str | None
    vad: bool


@dataclass
class DecodedClip:
    """One clip decoded: the segments kept and dropped, the chunks, the re-decodes."""

    engine: EngineRecord
    seconds: float
    kept: list[Segment]
    dropped: list[Dropped]
    chunks: list[Chunk]
    redecoded: list[Redecode] = field(default_factory=list)


def decode_clip(engine: Engine, audio: Path, language: str | None, *, vad: bool = True,
                on_start: Callable[[float], None] | None = None,
                store: ChunkStore | None = None) -> DecodedClip:
    """Decode a clip's 16 kHz WAV; ``on_start`` hears its length in seconds before decoding.

    With ``store`` (:mod:`pipeline.transcribe.chunk_store`), chunks an interrupted run finished
    are read back, not decoded again, and each chunk decoded is kept as soon as it is done.

    Raises:
        MediaError: the WAV cannot be read.
    """
    samples = read_wav(audio)
    seconds = len(samples) / SAMPLE_RATE
    if on_start is not None:
        on_start(seconds)
    decoded = transcribe_audio(engine, samples, language, vad=vad, store=store)
    kept, dropped = guard(decoded.segments, [(s.start, s.end) for s in decoded.speech])
    return DecodedClip(EngineRecord.of(engine), seconds, kept, dropped, decoded.chunks,
                       decoded.redecoded)


__all__ = ["DecodeRequest", "DecodedClip", "EngineRecord", "decode_clip"]
