"""A clip's sound as a producer recorded it: which channel or track holds the speech, and where
the sound sits on the clip's timeline.

Ingest measures the speech level of every channel of every audio track (one ffmpeg run, astats
per track) and chooses film.yaml's ``audio:`` for the clip when the producer has not: speech on
one channel only (a lavalier on channel 1) is that channel, speech on two tracks (two lavaliers)
is their mix, anything else stays stereo. The choice builds every sound graph made from the
clip: Whisper hears the chosen speech as mono, viewers hear it in both ears (dual mono) unless
the choice is ``stereo``.

The clip's timeline is its picture's: sound that starts after the picture (a camera's edit list)
is padded with silence, sound that starts before it is trimmed, in the Whisper WAV, the review
proxy and the render alike.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline import runner

if TYPE_CHECKING:
    from pipeline.media import MediaInfo

# A channel this far under the loudest one carries no speech of its own (spill, noise, silence).
ONE_SIDED_DB = 20.0
# A track or channel quieter than this (RMS, dBFS) holds no speech at all.
SPEECH_FLOOR_DB = -60.0
STEREO = "stereo"
CHOICES = ("left", "right", "mix", STEREO)  # and "track N"
_TRACK_RE = re.compile(r"track ([1-9][0-9]?)")


def parse_choice(value: object) -> str:
    """film.yaml's ``audio:`` as its canonical text; ValueError saying what is allowed."""
    text = " ".join(value.split()).lower() if isinstance(value, str) else None
    if text in CHOICES or (text is not None and _TRACK_RE.fullmatch(text)):
        return text
    raise ValueError("use left, right, mix, stereo or track N (e.g. track 2)")


def track_of(choice: str) -> int | None:
    """The 1-based track of a ``track N`` choice, else None."""
    found = _TRACK_RE.fullmatch(choice)
    return int(found[1]) if found else None


def check_choice(choice: str, channels: int | None, tracks: int) -> str | None:
    """Why ``choice`` cannot be made from footage with ``channels`` (first track) and
    ``tracks`` audio tracks; None when it can."""
    track = track_of(choice)
    if track is not None and track > tracks:
        return f"audio: {choice}: the footage has {tracks} audio track(s)"
    if choice in ("left", "right") and (channels or 0) < 2:
        return f"audio: {choice}: the footage's sound is mono; use stereo"
    return None


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoundLevels:
    """RMS level (dBFS, -inf for digital silence) of each channel of each audio track."""

    tracks: tuple[tuple[float, ...], ...]

    def to_json(self) -> list[list[float | str]]:
        """JSON-ready (infinite levels as text)."""
        return [[round(v, 1) if math.isfinite(v) else str(v) for v in t] for t in self.tracks]

    @classmethod
    def from_json(cls, data: Any) -> SoundLevels:
        """The levels :meth:`to_json` wrote; ValueError/TypeError for anything else."""
        return cls(tuple(tuple(float(v) for v in track) for track in data))


_ASTATS_RE = re.compile(r"\[Parsed_astats_(\d+) @[^\]]*\] (Channel: (\d+)|RMS level dB: (\S+))")


def measure(name: str, tracks: int) -> SoundLevels:
    """Each channel's RMS level on each of the ``tracks`` audio tracks of the footage ffmpeg
    reads as ``name`` (media.ffmpeg_input_name), in one ffmpeg run.

    Raises:
        MediaToolError: ffmpeg failed.
    """
    graph = ";".join(f"[0:a:{i}]astats=measure_overall=none:measure_perchannel=RMS_level[s{i}]"
                     for i in range(tracks))
    argv = ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", name,
            "-filter_complex", graph]
    for i in range(tracks):
        argv += ["-map", f"[s{i}]", "-f", "null", "-"]
    log = runner.run(argv).stderr.decode("utf-8", "replace")
    levels: dict[int, dict[int, float]] = {}
    channel = 0
    for found in _ASTATS_RE.finditer(log):
        track = int(found[1])
        if found[3]:
            channel = int(found[3])
        else:
            try:
                value = float(found[4])
            except ValueError:
                value = -math.inf
            levels.setdefault(track, {})[channel] = value
    return SoundLevels(tuple(tuple(v for _, v in sorted(levels.get(i, {}).items()))
                             for i in range(tracks)))


def _fmt(level: float) -> str:
    return f"{level:.0f} dBFS" if math.isfinite(level) else "silent"


def choose(levels: SoundLevels) -> tuple[str, str]:
    """The sound choice for footage with these levels, and why (shown to the producer)."""
    loudest = [max(track, default=-math.inf) for track in levels.tracks]
    speaking = [i for i, level in enumerate(loudest) if level > SPEECH_FLOOR_DB]
    if len(speaking) >= 2:
        which = " and ".join(str(i + 1) for i in speaking)
        return "mix", f"speech on tracks {which} (two microphones): mixed, heard in both ears"
    if len(levels.tracks) > 1 and speaking and speaking[0] > 0:
        n = speaking[0] + 1
        return f"track {n}", f"speech on track {n} only: heard in both ears"
    first = levels.tracks[0] if levels.tracks else ()
    if len(first) == 2:
        left, right = first
        if left - right >= ONE_SIDED_DB and left > SPEECH_FLOOR_DB:
            return "left", (f"speech on the left channel only ({_fmt(left)}; right "
                            f"{_fmt(right)}): heard in both ears")
        if right - left >= ONE_SIDED_DB and right > SPEECH_FLOOR_DB:
            return "right", (f"speech on the right channel only ({_fmt(right)}; left "
                             f"{_fmt(left)}): heard in both ears")
    return STEREO, "sound kept as recorded"


# --- graphs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoundPlan:
    """What a graph needs to know of a clip's sound: the choice, how many tracks, and how many
    ms of sound before the picture starts are trimmed (``lead_ms``)."""

    choice: str = STEREO
    tracks: int = 1
    lead_ms: int = 0


def plan_for(info: MediaInfo, choice: str | None) -> SoundPlan:
    """The plan for footage ``info`` describes with film.yaml's ``audio:`` (None: stereo)."""
    return SoundPlan(choice or STEREO, max(1, info.audio_streams),
                     max(0, -info.audio_offset_ms))


def timeline_input(name: str, plan: SoundPlan, in_ms: int = 0, **kwargs: Any) -> Any:
    """The footage ffmpeg reads as ``name`` (media.ffmpeg_input_name), as an ffmpeg-python
    input seeked to ``in_ms`` of the clip's timeline.

    ffmpeg seeks from the earliest stream's start: sound recorded before the picture is skipped
    (and trimmed by ffmpeg's accurate seek) so the picture's first frame is the clip's time 0.
    """
    import ffmpeg as ffmpeg_python

    kwargs["ss"] = f"{(in_ms + plan.lead_ms) / 1000:.3f}"
    return ffmpeg_python.input(name, **kwargs)


def _mono(stream: Any) -> Any:
    return stream.filter("aformat", channel_layouts="mono")


def speech(inp: Any, plan: SoundPlan) -> Any:
    """The chosen speech as mono (what Whisper hears); stereo is left to the output's ``ac``."""
    import ffmpeg as ffmpeg_python

    track = track_of(plan.choice)
    if plan.choice in ("left", "right"):
        # By index: a camera's two channels often carry no layout names.
        return inp["a:0"].filter("channelmap", map=str(("left", "right").index(plan.choice)),
                                 channel_layout="mono")
    if track is not None:
        return _mono(inp[f"a:{track - 1}"])
    if plan.choice == "mix" and plan.tracks > 1:
        mixed = [_mono(inp[f"a:{i}"]) for i in range(plan.tracks)]
        # normalize=0: each microphone keeps its level (amix would otherwise halve both).
        return ffmpeg_python.filter(mixed, "amix", inputs=plan.tracks, normalize=0,
                                    duration="longest")
    if plan.choice == "mix":
        return _mono(inp["a:0"])
    return inp["a:0"]


def listening(inp: Any, plan: SoundPlan) -> Any:
    """What viewers hear: the chosen speech in both ears, or the first track as recorded."""
    if plan.choice == STEREO:
        return inp["a:0"]
    return speech(inp, plan).filter("channelmap", map="0-0|0-1", channel_layout="stereo")


def on_timeline(audio: Any, sample_rate: int) -> Any:
    """Sound that starts after the picture padded with silence from the clip's time 0."""
    return audio.filter("aresample", sample_rate, first_pts=0)


__all__ = [
    "CHOICES",
    "ONE_SIDED_DB",
    "STEREO",
    "SoundLevels",
    "SoundPlan",
    "check_choice",
    "choose",
    "listening",
    "measure",
    "on_timeline",
    "parse_choice",
    "plan_for",
    "speech",
    "timeline_input",
    "track_of",
]
