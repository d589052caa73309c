"""Descriptions as sound: a describer's recording, else the chosen offline voice.

For each description, ``descriptions/CLIP/CUE.wav`` (a person's recording) wins. Otherwise the
chosen voice reads the text (:data:`CHOSEN_VOICE`, chosen by measurement: docs/BENCHMARKS.md,
``voices`` section), or espeak-ng when that voice's package is not installed. Synthetic audio is
cached in ``build/descriptions/KEY.wav``, KEY a sha256 of the text and the voice's name and
version, so voicing a description again costs nothing and editing one re-voices only that one.
A voice's model is loaded only on a cache miss, once a process. Every duration is measured from
the audio itself.

Long text is bounded twice (a voice's memory grows with the text it is given: 2,000 words took
6.4 GB): a description with more words or characters than any voice could say in its pause is
refused before anything is voiced (:func:`check_speakable`), and what is voiced is read in
pieces of at most :data:`PIECE_WORDS` words, joined into one WAV.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import runner
from pipeline.describe.script import (
    Description,
    DescriptionError,
    descriptions_path,
    recording_path,
)
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
WORDS_PER_SECOND = 5
"""Faster than any description voice speaks (about 2.5-3.5 words a second)."""
CHARS_PER_SECOND = 30
REFUSED_BEYOND = 3
"""Text more than this many times what could be said in its pause (plus a few words) is
refused before voicing; text nearer the mark is voiced, and `describe check` measures by how
much it overruns."""
PIECE_WORDS = 40
"""A voice reads at most this many words at once; longer text is voiced in pieces."""


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


def check_speakable(description: Description, where: Path) -> None:
    """Refuse a description no voice could say in its pause, before it is voiced.

    Raises:
        DescriptionError: naming ``where`` (the script), the cue, and how much fits.
    """
    seconds = max(0, description.end_ms - description.start_ms) / 1000
    words = len(description.text.split())
    fit = math.ceil(seconds * WORDS_PER_SECOND)
    if (words > REFUSED_BEYOND * fit + 10
            or len(description.text) > REFUSED_BEYOND * seconds * CHARS_PER_SECOND + 60):
        raise DescriptionError(where, f"cue {description.cue}: {words:,} words "
                               f"({len(description.text):,} characters) cannot be said in its "
                               f"{seconds:.1f} s pause (a voice says at most about {fit} words "
                               "in it); shorten the description or give it a longer pause")


def pieces(text: str, most: int = PIECE_WORDS) -> list[str]:
    """``text`` in pieces of at most ``most`` words, cut after a sentence or clause where one
    falls in the piece's second half."""
    words = text.split()
    out: list[str] = []
    while words:
        cut = min(most, len(words))
        if cut < len(words):
            ends = [i + 1 for i in range(cut // 2, cut) if words[i][-1:] in ".!?;:,"]
            cut = ends[-1] if ends else cut
        out.append(" ".join(words[:cut]))
        words = words[cut:]
    return out


def _say(voice: Voice, text: str, out: Path) -> None:
    """``voice`` reading ``text`` into WAV ``out``, a piece at a time (see :data:`PIECE_WORDS`),
    the pieces' frames copied one after another so no more than a piece is in memory."""
    parts = pieces(text)
    if len(parts) <= 1:
        voice.say(text, out)
        return
    with wave.open(str(out), "wb") as joined:
        params = None
        for number, piece in enumerate(parts):
            piece_wav = out.with_name(f"{out.name}.piece{number}.wav")
            try:
                voice.say(piece, piece_wav)
                with wave.open(str(piece_wav), "rb") as read:
                    mine = read.getparams()[:3]  # channels, sample width, rate
                    if params is None:
                        params = mine
                        joined.setnchannels(mine[0])
                        joined.setsampwidth(mine[1])
                        joined.setframerate(mine[2])
                    elif mine != params:
                        raise DescriptionError(out, f"the voice {voice.label} made pieces of "
                                               "different formats; reword the description")
                    while frames := read.readframes(65536):
                        joined.writeframes(frames)
            except (OSError, EOFError, wave.Error) as exc:
                raise DescriptionError(out, f"the voice {voice.label} made no usable sound "
                                       f"for a piece of the description ({exc})") from None
            finally:
                piece_wav.unlink(missing_ok=True)


def _synthesize(project: Project, description: Description, label: str) -> tuple[Path, int]:
    wav = cache_dir(project) / f"{cache_key(description.text, label)}.wav"
    ms = _wav_ms(wav) if wav.exists() else None
    if ms is not None:
        return wav, ms
    voice = _voice_now()
    with temp_output(wav) as tmp:
        _say(voice, description.text, tmp)
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
        check_speakable(description, descriptions_path(project, clip_id))
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
    "check_speakable",
    "pieces",
    "voice_card_descriptions",
    "voice_descriptions",
    "voice_name",
]
