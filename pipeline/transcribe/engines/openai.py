"""The openai-whisper engine (PyTorch), an optional extra: ``pip install '.[openai-whisper]'``.

With no ``--model`` it runs a checkpoint derived offline from the bundled CTranslate2 tiny.en
(:mod:`pipeline.transcribe.engines.ct2_to_openai`), so both engines decode the same weights. Like
faster-whisper it decodes the audio it is given as one piece: the stage finds speech and cuts the
clip into chunks (:mod:`pipeline.transcribe.chunking`), the same chunks for both engines.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import numpy as np

from captions.model import Word
from pipeline.fsutil import sha256_file
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

log = logging.getLogger("coprod.engines.openai")

INSTALL_HINT = (
    "openai-whisper is not installed; `make venv-test` installs it from requirements.lock "
    "(pip install --no-deps -r requirements.lock: without triton, which the CPU never uses), "
    "or pip install 'coprod[openai-whisper]'"
)


def _import_whisper() -> Any:
    try:
        import torch  # noqa: F401  (checked here so the hint names both)
        import whisper
    except ImportError:
        raise EngineUnavailableError("openai-whisper", INSTALL_HINT) from None
    return whisper


def load_model(model: str | None) -> tuple[Any, ModelInfo]:
    """The ``whisper.model.Whisper`` for ``model`` and what to record about it.

    ``model`` is None (the bundled tiny.en, converted once and cached), a CTranslate2 folder
    (converted the same way), an openai-whisper checkpoint file, or an openai-whisper model name
    (downloaded by openai-whisper when there is network).

    Raises:
        EngineUnavailableError: openai-whisper or torch is not installed.
        ModelError: the model is missing, fails its hash check, or cannot be loaded.
    """
    whisper = _import_whisper()
    from pipeline.transcribe.engines.ct2_to_openai import derived_checkpoint, load_openai_model

    if model is None:
        ct2_dir = bundled_model_dir()
        digest = verify_model_dir(ct2_dir, BUNDLED_MODEL_SHA256)
        checkpoint = derived_checkpoint(ct2_dir, model_hash=digest)
        info = ModelInfo(f"{BUNDLED_MODEL_NAME} (bundled, converted from CTranslate2)",
                         str(ct2_dir), digest, [f"checkpoint {checkpoint}"])
        return load_openai_model(checkpoint), info
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        digest = hash_model_dir(candidate)
        checkpoint = derived_checkpoint(candidate, model_hash=digest)
        info = ModelInfo(candidate.name, str(candidate.resolve()), digest,
                         [f"converted from CTranslate2; checkpoint {checkpoint}"])
        return load_openai_model(checkpoint), info
    if candidate.is_file():
        try:
            loaded = load_openai_model(candidate)
        except Exception as exc:  # torch.load raises many types for a file that is not a model
            raise ModelError(model, f"not an openai-whisper checkpoint ({exc})") from None
        return loaded, ModelInfo(candidate.name, str(candidate.resolve()), sha256_file(candidate))
    if model not in whisper.available_models():
        raise ModelError(model, f"no such file or folder, and not an openai-whisper model name "
                         f"(known: {', '.join(whisper.available_models())})")
    try:
        loaded = whisper.load_model(model, device="cpu")
    except Exception as exc:  # network and checksum failures come in many types
        raise ModelError(model, f"cannot be downloaded ({type(exc).__name__}: {exc}); with no "
                         "network leave --model out to use the bundled tiny.en") from None
    return loaded, ModelInfo(model, f"openai-whisper {model}", weights_sha256(loaded))


def weights_sha256(loaded: Any) -> str:
    """sha256 of a loaded model's weights (each tensor's name, dtype, shape and bytes, in name
    order): what the run really used, read off the model, not off openai-whisper's private
    table of download URLs."""
    import torch

    digest = hashlib.sha256()
    for name, tensor in sorted(loaded.state_dict().items()):
        value = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(f"{name}\0{value.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(value.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


class OpenAIWhisperEngine:
    """openai-whisper on the CPU with word timestamps, decoding the audio it is given."""

    name = "openai-whisper"

    def __init__(self, model: str | None = None) -> None:
        whisper = _import_whisper()
        import torch

        torch.set_num_threads(usable_cores())
        self.version: str = whisper.__version__
        self._model, self.model = load_model(model)
        self.multilingual: bool = bool(self._model.is_multilingual)

    def decode(self, audio: np.ndarray, language: str | None) -> list[Segment]:
        """Segments with word timings (ms from the start of ``audio``), no VAD."""
        import whisper

        result = whisper.transcribe(
            self._model,
            audio,
            verbose=None,
            language=language if self.multilingual else "en",
            word_timestamps=True,
            beam_size=BEAM_SIZE,
            best_of=BEAM_SIZE,
            fp16=False,
            # As with faster-whisper: the guard applies the no-speech rule and records drops.
            no_speech_threshold=None,
        )
        return [_segment(s) for s in result["segments"]]


def _segment(seg: dict[str, Any]) -> Segment:
    words = [
        Word(to_ms(w["start"]), to_ms(w["end"]), w["word"].strip(), float(w["probability"]))
        for w in seg.get("words", [])
        if w["word"].strip()
    ]
    return Segment(
        start=to_ms(seg["start"]),
        end=to_ms(seg["end"]),
        text=seg["text"].strip(),
        words=words,
        avg_logprob=float(seg["avg_logprob"]),
        no_speech_prob=float(seg["no_speech_prob"]),
        compression_ratio=float(seg["compression_ratio"]),
    )
