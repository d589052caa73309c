"""Descriptions as sound: a describer's recording, else the chosen offline voice.

For each description, ``descriptions/CLIP/CUE.wav`` (a person's recording) wins. Otherwise the
chosen voice reads the text (:data:`CHOSEN_VOICE`, chosen by measurement: docs/BENCHMARKS.md,
``voices`` section), or espeak-ng when that voice's package is not installed. Synthetic audio is
cached in ``build/descriptions/KEY.wav``, KEY a sha256 of the text and the voice's name and
version, so voicing a description again costs nothing and editing one re-voices only that one.
A voice's model is loaded only on a cache miss, once a process. Every duration is measured from
the audio itself.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import runner
from pipeline.describe.script import Description, DescriptionError, recording_path
from pipeline.describe.voices import Voice, VoiceUnavailableError, load_voice, voice_label
from pipeline.exceptions import MediaToolError
from pipeline.fsutil import NotAFileError, require_regular, temp_output
from pipeline.project import Project

log = logging.getLogger("coprod.describe")

CHOSEN_VOICE = "hibari-heart"
"""The offline neural voice descriptions are read in: of the three measured by bench/voices.py
(docs/BENCHMARKS.md, ``voices``) the one Whisper understood best, and the fastest neural one."""
FALLBACK_VOICE = "espeak-ng"
"""Used when the chosen voice's package is missing."""
_KEY_VERSION = 2  # 2: hibari's silence trimmed


@dataclass(frozen=True)
class VoicedDescription:
    """A description and the sound that says it.

    Attributes:
        description: the description.
        wav: a mono or stereo WAV: the recording in ``descriptions/CLIP/`` or the cached
            synthetic file in ``build/descriptions/``.
        duration_ms: the length of that audio, measured from the file.
        voice: ``"recorded by ID[, ID]"`` (film.yaml's ``described_by``) or the synthetic
            voice's name and version.
    """

    description: Description
    wav: Path
    duration_ms: int
    voice: str


def cache_dir(project: Project) -> Path:
    """``build/descriptions/``: synthetic voicings, one WAV a (text, voice) pair."""
    return project.build_dir / "descriptions"


@functools.cache
def _chosen() -> str:
    try:
        voice_label(CHOSEN_VOICE)
        return CHOSEN_VOICE
    except VoiceUnavailableError as exc:
        log.warning("descriptions: %s; using %s instead", exc, FALLBACK_VOICE)
        return FALLBACK_VOICE


def voice_name() -> str:
    """The synthetic voice descriptions are read in, with its version (for the manifest).

    Raises:
        ToolMissingError: the chosen voice is missing and so is espeak-ng.
    """
    return voice_label(_chosen())


@functools.cache
def _loaded(name: str) -> Voice:
    return load_voice(name)


def _voice_now() -> Voice:
    name = _chosen()
    try:
        return _loaded(name)
    except VoiceUnavailableError as exc:  # installed, but its model is missing
        log.warning("descriptions: %s; using %s instead", exc, FALLBACK_VOICE)
        return _loaded(FALLBACK_VOICE)


def cache_key(text: str, voice: str) -> str:
    """The cache key of ``text`` read by ``voice`` (its name and version)."""
    body = json.dumps({"v": _KEY_VERSION, "text": text, "voice": voice}, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _wav_ms(path: Path) -> int | None:
    """Length of a PCM WAV coprod wrote, or None when it is not a whole one."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return None
    return round(frames * 1000 / rate) if frames > 0 and rate > 0 else None


def _recording_ms(path: Path) -> int:
    """Length of a describer's recording, after checking it is a mono or stereo WAV."""
    redo = "record it again as a mono or stereo WAV file"
    try:
        require_regular(path)
    except NotAFileError as exc:
        raise DescriptionError(path, f"is {exc.kind}, not a recording; {redo}") from None
    try:
        probe = runner.ffprobe_json(path)
    except MediaToolError:
        raise DescriptionError(path, f"cannot be read as audio; {redo}") from None
    streams = [s for s in probe.get("streams", []) if s.get("codec_type") == "audio"]
    fmt = probe.get("format", {})
    if "wav" not in str(fmt.get("format_name", "")).split(",") or len(streams) != 1:
        raise DescriptionError(path, f"is not a WAV file with one audio stream; {redo}")
    if streams[0].get("channels") not in (1, 2):
        raise DescriptionError(path, f"has {streams[0].get('channels')} channels; {redo}")
    try:
        ms = round(float(fmt.get("duration") or streams[0].get("duration")) * 1000)
    except (TypeError, ValueError):
        raise DescriptionError(path, f"has no length ffprobe can read; {redo}") from None
    if ms <= 0:
        raise DescriptionError(path, f"is empty; {redo}")
    return ms


def _synthesize(project: Project, description: Description, label: str) -> tuple[Path, int]:
    wav = cache_dir(project) / f"{cache_key(description.text, label)}.wav"
    ms = _wav_ms(wav) if wav.exists() else None
    if ms is not None:
        return wav, ms
    voice = _voice_now()
    with temp_output(wav) as tmp:
        voice.say(description.text, tmp)
        ms = _wav_ms(tmp)
        if ms is None:
            raise DescriptionError(wav, f"the voice {voice.label} made no sound for "
                                   f"{description.text!r}; reword the description")
    return wav, ms


def voice_descriptions(project: Project, clip_id: str,
                       descriptions: Sequence[Description]) -> list[VoicedDescription]:
    """The sound of each description, in the order given.

    A recording ``descriptions/CLIP/CUE.wav`` is used as it is (its length measured by
    ffprobe); it needs film.yaml to say who recorded it (``described_by`` on the clip), since
    they are heard in the film and need ``voice`` consent. Every other description is read by
    the chosen voice, or found in the cache (nothing is loaded or run then).

    Raises:
        DescriptionError: a recording is not a mono or stereo WAV, film.yaml names no
            describer for it, or the voice made no sound.
        ProjectError: the clip is unknown.
        ToolMissingError: no synthetic voice is available (and one is needed).
    """
    clip = project.clip(clip_id)
    out: list[VoicedDescription] = []
    label: str | None = None
    for description in descriptions:
        recorded = recording_path(project, clip_id, description.cue)
        if recorded.exists() or recorded.is_symlink():
            if not clip.described_by:
                raise DescriptionError(
                    recorded, f"is a recording, but film.yaml names nobody who recorded clip "
                    f"{clip_id}'s descriptions; add `described_by: [ID]` under clips: "
                    f"{clip_id} (they need voice consent)")
            out.append(VoicedDescription(description, recorded, _recording_ms(recorded),
                                         f"recorded by {', '.join(clip.described_by)}"))
            continue
        label = label or voice_name()
        wav, ms = _synthesize(project, description, label)
        out.append(VoicedDescription(description, wav, ms, label))
    return out


def voice_card_descriptions(project: Project,
                            descriptions: Sequence[Description]) -> list[VoicedDescription]:
    """The sound of descriptions that belong to no clip (title and credits cards, from
    :func:`pipeline.describe.script.card_descriptions`): always the synthetic voice, cached
    like any other (a recording is a clip's, so none is looked for).

    Raises:
        DescriptionError: the voice made no sound.
        ToolMissingError: no synthetic voice is available.
    """
    if not descriptions:
        return []
    label = voice_name()
    return [VoicedDescription(d, *_synthesize(project, d, label), label) for d in descriptions]


__all__ = [
    "CHOSEN_VOICE",
    "FALLBACK_VOICE",
    "VoicedDescription",
    "cache_dir",
    "cache_key",
    "voice_card_descriptions",
    "voice_descriptions",
    "voice_name",
]
