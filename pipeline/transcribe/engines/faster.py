"""The faster-whisper engine (CTranslate2), coprod's default."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from captions.model import Word
from pipeline.runner import usable_cores
from pipeline.transcribe.engines.base import (
    BEAM_SIZE,
    BUNDLED_MODEL_NAME,
    BUNDLED_MODEL_SHA256,
    EngineUnavailableError,
    ModelError,
    ModelInfo,
    Segment,
    bundled_model_dir,
    hash_model_dir,
    to_ms,
    verify_model_dir,
)

log = logging.getLogger("coprod.engines.faster")

# int8 where the CPU has 8-bit dot products (VNNI), float32 elsewhere. CTranslate2 quantises the
# bundled float16 weights to 8 bits when it loads them. Measured on a 2-core Intel Xeon (AVX-512
# VNNI), int8 took 0.55x the CPU time of float32, with the same words on the transcription bench
# (WER 0.032 both) and a lower WER on the long-form set (0.037 vs 0.038); see
# docs/BENCHMARKS.md. Measured on a 2-core AMD EPYC with AVX2 only (JFK, best of three): int8
# took 0.80x the wall time of float32, but its word times depended on the thread count (one
# thread or OMP_NUM_THREADS=1, as a Dask worker runs, gave "my" at 1.38 s; two threads put it
# 320 ms early, in the pause before it), so a clip decoded on a cluster worker differed from
# the same clip decoded here; float32 gave the same times at every thread count, and the ones
# openai-whisper gives.
INT8_DOT_FLAGS = ("avx512_vnni", "avx_vnni")


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The first processor's feature flags (empty where the file is not there: not Linux)."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return frozenset(line.partition(":")[2].split())


def default_compute_type(flags: frozenset[str] | None = None) -> str:
    """``int8`` on a CPU with 8-bit dot products, else ``float32`` (see the measurements above)."""
    found = cpu_flags() if flags is None else flags
    return "int8" if any(flag in found for flag in INT8_DOT_FLAGS) else "float32"


def resolve_model(model: str | None) -> ModelInfo:
    """Where the model comes from and its hash: bundled (verified), a local folder, or the hub.

    Raises:
        ModelError: missing folder, failed hash check, or a name that cannot be downloaded.
    """
    if model is None:
        path = bundled_model_dir()
        digest = verify_model_dir(path, BUNDLED_MODEL_SHA256)
        return ModelInfo(f"{BUNDLED_MODEL_NAME} (bundled)", str(path), digest)
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        return ModelInfo(candidate.name, str(candidate.resolve()), hash_model_dir(candidate))
    if candidate.exists() or os.sep in model or model.startswith("."):
        raise ModelError(model, "no such CTranslate2 model folder")
    from faster_whisper.utils import available_models, download_model

    if model not in available_models() and "/" not in model:
        raise ModelError(model, f"unknown model name (known: {', '.join(available_models())}, "
                         "a Hugging Face id, or a local CTranslate2 folder)")
    try:
        path = Path(download_model(model))
    except Exception as exc:  # hub errors come in many types; all mean "not available here"
        raise ModelError(model, f"cannot be downloaded or found in the cache "
                         f"({type(exc).__name__}); with no network pass a local CTranslate2 "
                         "folder or leave --model out to use the bundled tiny.en") from None
    return ModelInfo(model, str(path), hash_model_dir(path))


class FasterWhisperEngine:
    """faster-whisper with word timestamps, decoding the audio it is given as one piece."""

    name = "faster-whisper"

    def __init__(self, model: str | None = None, *, compute_type: str | None = None) -> None:
        try:
            import faster_whisper
        except ImportError:
            raise EngineUnavailableError(self.name, "faster-whisper is not installed "
                                         "(pip install faster-whisper)") from None
        self.version: str = faster_whisper.__version__
        self.model = resolve_model(model)
        self.compute_type = compute_type or default_compute_type()
        log.info("loading %s model %s (%s)", self.name, self.model.name, self.compute_type)
        try:
            self._model = faster_whisper.WhisperModel(
                self.model.path, device="cpu", compute_type=self.compute_type,
                cpu_threads=usable_cores(), local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(self.model.name, f"cannot be loaded: {exc}") from None
        self.multilingual: bool = bool(self._model.model.is_multilingual)

    def decode(self, audio: np.ndarray, language: str | None) -> list[Segment]:
        """Segments with word timings (ms from the start of ``audio``), no VAD."""
        segments, _info = self._model.transcribe(
            audio,
            language=language if self.multilingual else None,
            beam_size=BEAM_SIZE,
            word_timestamps=True,
            vad_filter=False,
            # coprod's hallucination guard applies the no-speech rule itself, so that what it
            # drops is recorded rather than skipped inside the engine.
            no_speech_threshold=None,
        )
        return [_segment(s) for s in segments]


def _segment(seg: Any) -> Segment:
    words = [
        Word(to_ms(w.start), to_ms(w.end), w.word.strip(), float(w.probability))
        for w in (seg.words or [])
        if w.word.strip()
    ]
    return Segment(
        start=to_ms(seg.start),
        end=to_ms(seg.end),
        text=seg.text.strip(),
        words=words,
        avg_logprob=float(seg.avg_logprob),
        no_speech_prob=float(seg.no_speech_prob),
        compression_ratio=float(seg.compression_ratio),
    )
