"""The faster-whisper engine (CTranslate2), coprod's default."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from captions.model import Word
from pipeline.engines.base import (
    BEAM_SIZE,
    BUNDLED_MODEL_NAME,
    BUNDLED_MODEL_SHA256,
    EngineUnavailableError,
    ModelError,
    ModelInfo,
    Segment,
    bundled_model_dir,
    cpu_threads,
    hash_model_dir,
    to_ms,
    verify_model_dir,
)

log = logging.getLogger("coprod.engines.faster")

# int8 on the CPU: CTranslate2 quantises the bundled float16 weights to 8 bits when it loads
# them. Measured on this project's 2-core Intel Xeon (AVX-512 VNNI), the same decode takes 0.55x
# the CPU time of float32, with the same words on the transcription bench (WER 0.032 both) and
# a lower WER on the long-form set (0.037 vs 0.038); see docs/BENCHMARKS.md. On a CPU without
# 8-bit dot products it may gain nothing: on the AMD EPYC these benchmarks first ran on, int8
# was no faster than float32 for tiny.en.
COMPUTE_TYPE = "int8"


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

    def __init__(self, model: str | None = None, *, compute_type: str = COMPUTE_TYPE) -> None:
        try:
            import faster_whisper
        except ImportError:
            raise EngineUnavailableError(self.name, "faster-whisper is not installed "
                                         "(pip install faster-whisper)") from None
        self.version: str = faster_whisper.__version__
        self.model = resolve_model(model)
        log.info("loading %s model %s", self.name, self.model.name)
        try:
            self._model = faster_whisper.WhisperModel(
                self.model.path, device="cpu", compute_type=compute_type,
                cpu_threads=cpu_threads(), local_files_only=True,
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
