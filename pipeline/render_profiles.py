"""Render profiles: the small data files (pipeline/profiles/NAME.yaml) that say what a render makes.

A render profile (film.yaml ``profiles``, ``--profile`` of render and build) fixes the picture
size and frame rate, the codecs, the loudness target and true-peak limit, the consent channel the
film will be shown on, and what is burned into the picture.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from consent.records import Channel
from pipeline.exceptions import PipelineError
from pipeline.fsutil import sha256_bytes

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"


class RenderProfileName(StrEnum):
    """The render profiles shipped in pipeline/profiles/, in the order people read them."""

    WEB = "web"
    BROADCAST = "broadcast"
    REVIEW = "review"


class RenderProfileError(PipelineError):
    """A render profile file is missing or invalid; names the file and the key."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class RenderProfile:
    """What one render makes. Times in ms, loudness in LUFS / dBTP / LU."""

    name: str
    channel: str
    width: int
    height: int
    fps: int = 25
    description: str = ""
    video_codec: str = "libx264"
    video_preset: str = "fast"
    video_crf: int = 20
    video_profile: str = "high"
    video_level: str = "4.0"
    audio_codec: str = "aac"
    audio_bitrate: str = "192k"
    sample_rate: int = 48000
    loudness_i: float = -16.0
    true_peak: float = -1.5
    loudness_range: float = 11.0
    # A film still off target after normalisation: "warn" publishes it with the measured
    # figures and a warning (web), "refuse" refuses it naming the clips (broadcast).
    loudness_off_target: str = "refuse"
    open_captions: bool = False
    burn_draft: bool = False
    burn_timecode: bool = False
    title_card_ms: int = 3000
    credits_card_ms: int = 5000

    def replace(self, **changes: Any) -> RenderProfile:
        """A copy with some fields changed (tests shrink the picture this way)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (for the manifest and cache keys)."""
        return dataclasses.asdict(self)

    def digest(self) -> str:
        """sha256 of every field: a change to any of them changes every cache key using it."""
        return sha256_bytes(json.dumps(self.to_dict(), sort_keys=True).encode())


def profile_names() -> list[str]:
    """Names of the profile files shipped with coprod (pipeline/profiles/*.yaml), sorted."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def _number(path: Path, doc: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RenderProfileError(path, f"{key}: must be a number")
    return kind(value)


def _off_target(path: Path, loud: dict[str, Any]) -> str:
    value = loud.get("off_target", "refuse")
    if value not in ("warn", "refuse"):
        raise RenderProfileError(path, "loudness: off_target: must be warn or refuse")
    return str(value)


def load_profile(name: str | Path) -> RenderProfile:
    """The profile called ``name`` (web, broadcast, review) or read from a .yaml path.

    Raises:
        RenderProfileError: no such profile, or the file is not a valid profile.
    """
    # ruamel.yaml is imported here so that `coprod --help`, which lists the names, stays quick.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    path = Path(name) if str(name).endswith((".yaml", ".yml")) else PROFILES_DIR / f"{name}.yaml"
    if not path.is_file():
        raise RenderProfileError(path, f"no output profile {str(name)!r} "
                           f"(known: {', '.join(profile_names())})")
    try:
        doc = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        raise RenderProfileError(path, f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise RenderProfileError(path, "must be a mapping")
    video = doc.get("video") or {}
    audio = doc.get("audio") or {}
    loud = doc.get("loudness") or {}
    for key, section in (("video", video), ("audio", audio), ("loudness", loud)):
        if not isinstance(section, dict):
            raise RenderProfileError(path, f"{key}: must be a mapping")
    channel = doc.get("channel")
    if not isinstance(channel, str) or channel not in frozenset(Channel):
        raise RenderProfileError(path, f"channel: {channel!r} is not one of "
                                 f"{', '.join(Channel)}")
    flags = {}
    for key in ("open_captions", "burn_draft", "burn_timecode"):
        value = doc.get(key, False)
        if not isinstance(value, bool):
            raise RenderProfileError(path, f"{key}: must be true or false")
        flags[key] = value
    profile = RenderProfile(
        name=path.stem,
        channel=Channel(channel),
        description=str(doc.get("description", "")),
        width=_number(path, doc, "width", int, None),
        height=_number(path, doc, "height", int, None),
        fps=_number(path, doc, "fps", int, 25),
        video_codec=str(video.get("codec", "libx264")),
        video_preset=str(video.get("preset", "fast")),
        video_crf=_number(path, video, "crf", int, 20),
        video_profile=str(video.get("profile", "high")),
        video_level=str(video.get("level", "4.0")),
        audio_codec=str(audio.get("codec", "aac")),
        audio_bitrate=str(audio.get("bitrate", "192k")),
        sample_rate=_number(path, audio, "sample_rate", int, 48000),
        loudness_i=_number(path, loud, "integrated", float, -16.0),
        true_peak=_number(path, loud, "true_peak", float, -1.5),
        loudness_range=_number(path, loud, "range", float, 11.0),
        loudness_off_target=_off_target(path, loud),
        title_card_ms=_number(path, doc, "title_card_ms", int, 3000),
        credits_card_ms=_number(path, doc, "credits_card_ms", int, 5000),
        **flags,
    )
    if profile.width % 2 or profile.height % 2 or profile.width < 64 or profile.height < 64:
        raise RenderProfileError(path, "width and height must be even numbers of at least 64")
    if not 1 <= profile.fps <= 120:
        raise RenderProfileError(path, "fps: must be between 1 and 120")
    if not -70 <= profile.loudness_i <= -5 or not -9 <= profile.true_peak <= 0:
        raise RenderProfileError(path, "loudness: integrated must be -70..-5 LUFS, "
                                 "true_peak -9..0 dBTP")
    if profile.sample_rate % profile.fps:
        # Whole audio samples per frame keep every segment's audio exactly as long as its video.
        raise RenderProfileError(path, "audio sample_rate must be a whole multiple of fps")
    return profile
