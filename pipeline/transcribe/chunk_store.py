"""Finished chunks of a clip's transcription, kept on disk so a killed run resumes.

Each chunk the engine decodes is written at once to ``build/chunks/CLIP/KEY/NNNNN-PIECES.json``
(temp file, fsync, rename: a chunk file is whole or absent). ``KEY`` is a hash of everything that
decides what the engine hears and says: the WAV's sha256, the engine, its version, the model's
sha256, the language, VAD on or off, and the decoding and guard versions; ``PIECES`` is a hash of
the chunk's own stretches of audio. A changed clip, model or setting makes another key, so stale
chunks are never used; they are removed when the clip's transcript is written. Times and scores
are stored exactly (no rounding), so a resumed run keeps the same words as an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from captions.model import Word
from pipeline.exceptions import PipelineError
from pipeline.fsutil import atomic_write_bytes, describe_os_error, read_regular_bytes
from pipeline.transcribe.chunking import Chunk
from pipeline.transcribe.engines.base import Engine, Segment

log = logging.getLogger("coprod.transcribe")

STORE_VERSION = 1


@dataclass(frozen=True)
class Resumed:
    """How much of a clip an earlier, interrupted run had already decoded."""

    chunks_done: int
    chunks: int
    seconds_done: float
    seconds: float

    @property
    def fraction(self) -> float:
        """The share of the clip's chunked audio already decoded (0 to 1)."""
        return self.seconds_done / self.seconds if self.seconds else 0.0

    def message(self) -> str:
        """What the producer is told when a run picks up where another stopped."""
        return (f"resuming: {self.chunks_done} of {self.chunks} chunks "
                f"({self.seconds_done:.1f} of {self.seconds:.1f} s, {self.fraction:.0%}) were "
                "transcribed by an earlier run that stopped")


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _segment_dict(seg: Segment) -> dict[str, Any]:
    return {"start": seg.start, "end": seg.end, "text": seg.text,
            "avg_logprob": seg.avg_logprob, "no_speech_prob": seg.no_speech_prob,
            "compression_ratio": seg.compression_ratio,
            "words": [[w.start, w.end, w.text, w.probability] for w in seg.words]}


def _segment(data: dict[str, Any]) -> Segment:
    return Segment(int(data["start"]), int(data["end"]), str(data["text"]),
                   [Word(int(s), int(e), str(t), float(p)) for s, e, t, p in data["words"]],
                   float(data["avg_logprob"]), float(data["no_speech_prob"]),
                   float(data["compression_ratio"]))


class ChunkStore:
    """The finished chunks of one clip under one key (see the module's docstring)."""

    def __init__(self, clip_dir: Path, key: dict[str, Any],
                 on_resume: Callable[[Resumed], None] | None = None) -> None:
        self.clip_dir = clip_dir
        self.on_resume = on_resume
        self.key = _digest({"store_version": STORE_VERSION, **key})
        self.folder = clip_dir / self.key[:24]
        self.loaded = 0  # chunks read back instead of decoded, in this run
        self._ready: dict[int, list[Segment]] | None = None  # read by begin()
        self.saved = 0

    def _path(self, index: int, chunk: Chunk) -> Path:
        pieces = [[p.start, p.end] for p in chunk.pieces]
        return self.folder / f"{index:05d}-{_digest(pieces)[:12]}.json"

    def _read(self, index: int, chunk: Chunk) -> list[Segment] | None:
        path = self._path(index, chunk)
        try:
            data = json.loads(read_regular_bytes(path))
            if data.get("key") != self.key:
                return None
            return [_segment(s) for s in data["segments"]]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, PipelineError) as exc:
            log.warning("%s cannot be read (%s); that chunk is transcribed again", path, exc)
            return None

    def get(self, index: int, chunk: Chunk) -> list[Segment] | None:
        """The segments stored for chunk ``index``; None when it was not finished (or its file
        is damaged or made under another key: then it is decoded again)."""
        segments = self._ready.pop(index, None) if self._ready is not None else \
            self._read(index, chunk)
        if segments is not None:
            self.loaded += 1
        return segments

    def put(self, index: int, chunk: Chunk, segments: list[Segment]) -> None:
        """Store chunk ``index``'s segments, whole or not at all."""
        body = {"key": self.key, "index": index,
                "pieces": [[p.start, p.end] for p in chunk.pieces],
                "segments": [_segment_dict(s) for s in segments]}
        try:
            atomic_write_bytes(self._path(index, chunk), json.dumps(body).encode("utf-8"))
        except OSError as exc:
            # Only a saving for a later run: a full disk costs decoding that chunk again.
            log.warning("chunk %d not kept for resuming: %s", index, describe_os_error(exc))
            return
        self.saved += 1

    def begin(self, chunks: list[Chunk]) -> Resumed | None:
        """Called once the clip's chunks are planned: reads the finished ones, and tells
        ``on_resume`` how much that is (counting only chunks that read back whole)."""
        self._ready = {}
        for index, chunk in enumerate(chunks):
            segments = self._read(index, chunk)
            if segments is not None:
                self._ready[index] = segments
        if not self._ready:
            return None
        found = Resumed(len(self._ready), len(chunks),
                        sum(chunks[i].duration for i in self._ready) / 1000,
                        sum(c.duration for c in chunks) / 1000)
        log.info("%s", found.message())
        if self.on_resume is not None:
            self.on_resume(found)
        return found

    def clear(self) -> None:
        """Remove every stored chunk of the clip (its transcript is written)."""
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.clip_dir)


def clip_store(clip_dir: Path, audio_sha256: str, engine: Engine, *, language: str | None,
               vad: bool, versions: dict[str, int], fresh: bool = False,
               on_resume: Callable[[Resumed], None] | None = None) -> ChunkStore:
    """The store of one clip's chunks for this audio, engine, model and settings.

    ``fresh`` (``transcribe --force``) forgets every chunk kept before.
    """
    key = {"audio_sha256": audio_sha256, "engine": engine.name,
           "engine_version": engine.version, "model": engine.model.name,
           "model_sha256": engine.model.sha256, "language": language, "vad": vad,
           "versions": versions}
    store = ChunkStore(clip_dir, key, on_resume)
    if fresh:
        store.clear()
    return store


__all__ = ["STORE_VERSION", "ChunkStore", "Resumed", "clip_store"]
