"""Probing footage, the probe record, and the derived files ingest makes (16 kHz WAV, proxy).

What ffprobe says about a clip is recorded at ingest in ``build/probe/CLIP.json`` beside the
footage's hash, so later stages read it instead of probing again; a record made for other bytes
is ignored and the footage probed afresh.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import picture, runner
from pipeline.exceptions import MediaError, MediaToolError
from pipeline.fsutil import (
    NotAFileError,
    atomic_write_bytes,
    describe_os_error,
    file_kind,
    open_regular,
    os_error_advice,
    read_regular_bytes,
    temp_output,
)

if TYPE_CHECKING:
    from pipeline.sound import SoundPlan

log = logging.getLogger("coprod.media")

# Streams ffprobe reports for pictures inside audio files (cover art) are not video footage.
_ATTACHED_PIC = "attached_pic"
# ffprobe "reads" any text file as tty/ansi art, and single pictures as image formats.
_NOT_FOOTAGE = {"tty", "image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "gif"}
# The probe record's format: a record of another format is probed again. 2: the picture's field
# order, interlace found by idet, and colour tags (pipeline/picture.py). 3: where the sound starts
# relative to the picture (audio_offset_ms, pipeline/sound.py) and ingest's channel levels.
PROBE_FORMAT = 3


@dataclass(frozen=True)
class MediaInfo:
    """What ffprobe says about a clip's footage (recorded at ingest)."""

    duration_ms: int
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio_channels: int | None = None
    sample_rate: int | None = None
    rotation: int = 0
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_streams: int = 0
    # The camera's start timecode (HH:MM:SS:FF, ';' before FF for drop frame) and reel/tape
    # name, when the file carries them: how an editor's EDL or XML names this footage.
    timecode: str | None = None
    reel: str | None = None
    # The picture (pipeline/picture.py's PictureFacts): interlace and colour.
    field_order: str | None = None
    interlaced: str | None = None
    interlace_found_by: str | None = None
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_space: str | None = None
    color_range: str | None = None
    pix_fmt: str | None = None
    # Where the sound starts relative to the picture (ms; positive: after it), from the
    # streams' start times (a camera's edit list). See pipeline/sound.py.
    audio_offset_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(self.__dict__)

    def picture_fix(self) -> picture.PictureFix | None:
        """Deinterlacing and tone-mapping this footage needs (None: none)."""
        return picture.fix_for(self.interlaced, self.color_transfer, self.color_primaries,
                               self.color_space, self.color_range)


def ffmpeg_input_name(path: Path) -> str:
    """An input name ffmpeg reads as a plain file whatever it contains (colons, leading '-')."""
    return "file:" + str(path.resolve())


def _fps(stream: dict[str, Any]) -> float | None:
    for key in ("avg_frame_rate", "r_frame_rate"):
        raw = stream.get(key)
        if raw and raw not in ("0/0", "0"):
            try:
                value = float(Fraction(raw))
            except (ValueError, ZeroDivisionError):
                continue
            if value > 0:
                return round(value, 3)
    return None


def _rotation(stream: dict[str, Any]) -> int:
    tags = stream.get("tags") or {}
    if "rotate" in tags:
        with contextlib.suppress(ValueError):
            return int(tags["rotate"]) % 360
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            with contextlib.suppress(ValueError, TypeError):
                return int(side["rotation"]) % 360
    return 0


_TIMECODE_RE = re.compile(r"\d{1,2}:\d{2}:\d{2}[:;.]\d{2,3}")
_REEL_TAGS = ("reel_name", "reel", "tape_name", "tape")


def _tag(tags: list[dict[str, Any]], keys: tuple[str, ...]) -> str | None:
    """The first non-empty value of any of ``keys`` in ffprobe's tag dicts (case-insensitive)."""
    for found in tags:
        lowered = {str(k).lower(): v for k, v in found.items()}
        for key in keys:
            value = lowered.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def camera_tags(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The start timecode and reel name ffprobe's JSON reports (format or any stream)."""
    tags = [(data.get("format") or {}).get("tags") or {}]
    tags += [s.get("tags") or {} for s in data.get("streams") or []]
    timecode = _tag(tags, ("timecode",))
    if timecode is not None and not _TIMECODE_RE.fullmatch(timecode):
        timecode = None
    return timecode, _tag(tags, _REEL_TAGS)


def probe(path: Path) -> MediaInfo:
    """Probe a media file; MediaError with a one-line reason for anything unusable."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise MediaError(path, "no such file") from None
    except OSError as exc:
        raise MediaError(path, os_error_advice(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise MediaError(path, "is a folder, not a media file")
    if not stat.S_ISREG(st.st_mode):
        # ffprobe would wait for ever on a FIFO with no writer.
        raise MediaError(path, f"is {file_kind(st.st_mode)}, not a media file; copy the file "
                               "itself")
    size = st.st_size
    try:
        with open_regular(path):
            pass
    except PermissionError:
        raise MediaError(path, "cannot be read (permission denied); check its permissions") \
            from None
    except NotAFileError as exc:
        raise MediaError(path, f"is {exc.kind}, not a media file; copy the file itself") \
            from None
    if size == 0:
        raise MediaError(path, "is empty (0 bytes); copy the file from the camera again")
    try:
        data = runner.ffprobe_json(ffmpeg_input_name(path))
    except MediaToolError:
        raise MediaError(path, "is not a media file ffmpeg can read (corrupt or another type)") \
            from None
    fmt = data.get("format") or {}
    if fmt.get("format_name") in _NOT_FOOTAGE:
        raise MediaError(path, "is not a media file ffmpeg can read (corrupt or another type)")
    streams = data.get("streams") or []
    video = [s for s in streams if s.get("codec_type") == "video"
             and not (s.get("disposition") or {}).get(_ATTACHED_PIC)]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if not video and not audio:
        raise MediaError(path, "has no audio or video stream; is it a media file?")
    duration = fmt.get("duration") or next(
        (s.get("duration") for s in video + audio if s.get("duration")), None)
    try:
        duration_ms = round(float(str(duration)) * 1000)
    except (TypeError, ValueError):
        raise MediaError(path, "has no duration ffmpeg can read (corrupt?)") from None
    if duration_ms <= 0:
        raise MediaError(path, "has zero duration")
    v = video[0] if video else {}
    a = audio[0] if audio else {}
    offset_ms = _start_ms(a) - _start_ms(v) if video and audio else 0
    # Sound recorded before the picture is trimmed: the clip is as long as its picture is.
    duration_ms -= max(0, -offset_ms)
    if duration_ms <= 0:
        raise MediaError(path, "its picture has zero duration")
    timecode, reel = camera_tags(data)
    facts = (picture.inspect(ffmpeg_input_name(path), v, duration_ms) if video
             else picture.PictureFacts())
    return MediaInfo(
        duration_ms=duration_ms,
        has_video=bool(video),
        has_audio=bool(audio),
        width=v.get("width"),
        height=v.get("height"),
        fps=_fps(v) if v else None,
        audio_channels=a.get("channels"),
        sample_rate=int(a["sample_rate"]) if a.get("sample_rate") else None,
        rotation=_rotation(v) if v else 0,
        video_codec=v.get("codec_name"),
        audio_codec=a.get("codec_name"),
        audio_streams=len(audio),
        timecode=timecode,
        reel=reel,
        audio_offset_ms=offset_ms,
        **facts.to_dict(),
    )


def _start_ms(stream: dict[str, Any]) -> int:
    try:
        return round(float(stream.get("start_time", 0)) * 1000)
    except (TypeError, ValueError):
        return 0


def write_probe_record(record: Path, footage_sha256: str, info: MediaInfo,
                       sound: Any = None) -> None:
    """Record ``info`` (and ingest's ``sound`` levels) for the footage whose sha256 is
    ``footage_sha256``."""
    body = {"format": PROBE_FORMAT, "sha256": footage_sha256, "media": info.to_dict()}
    if sound is not None:
        body["sound"] = sound
    atomic_write_bytes(record, json.dumps(body, indent=2).encode("utf-8"))


def read_probe_record(record: Path) -> tuple[str, MediaInfo] | None:
    """The footage hash and MediaInfo in ``record``; None when it is missing, unreadable, or
    of an older format (made before the picture was inspected or the sound offset measured:
    it is probed again)."""
    try:
        data = json.loads(read_regular_bytes(record))
        if data.get("format") != PROBE_FORMAT:
            return None
        return str(data["sha256"]), MediaInfo(**data["media"])
    except (OSError, ValueError, TypeError, KeyError, NotAFileError):
        return None


def cached_probe(footage: Path, record: Path, footage_sha256: Callable[[], str]) -> MediaInfo:
    """What ``record`` says about ``footage`` if made for its bytes now; else probe and record.

    ``footage_sha256`` hashes the footage as it is now; it is not called when there is no record
    to compare with, so a missing file is then reported by the probe.
    """
    recorded = read_probe_record(record)
    if recorded is not None and recorded[0] == footage_sha256():
        return recorded[1]
    info = probe(footage)
    try:
        write_probe_record(record, footage_sha256(), info)
    except OSError as exc:
        # Only a cache: a read-only project or a full disk costs a probe next time.
        log.debug("probe record not updated: %s", describe_os_error(exc))
    return info


def extract_audio(src: Path, dst: Path, plan: SoundPlan | None = None, *,
                  progress: Callable[[float], None] | None = None,
                  total_s: float | None = None) -> None:
    """16 kHz mono 16-bit WAV of the chosen speech on the clip's timeline (what Whisper reads).

    ``plan`` (pipeline/sound.py) says which channel or track holds the speech and how much
    sound before the picture to trim; without it, the first track from the picture's start.
    """
    from pipeline import sound

    plan = plan or sound.SoundPlan()
    with temp_output(dst) as tmp:
        inp = sound.timeline_input(ffmpeg_input_name(src), plan)
        audio = sound.on_timeline(sound.speech(inp, plan), 16000)
        stream = audio.output(str(tmp), ac=1, ar=16000, acodec="pcm_s16le", vn=None, f="wav")
        runner.run_graph(stream.overwrite_output(), progress=progress, total_s=total_s)


def make_proxy(src: Path, dst: Path, info: MediaInfo, *,
               progress: Callable[[float], None] | None = None,
               plan: SoundPlan | None = None) -> None:
    """A small H.264 review proxy (540p, fast preset) with AAC audio when there is audio.

    Its sound is what viewers hear (``plan``, pipeline/sound.py) on the clip's timeline.
    """
    import ffmpeg as ffmpeg_python

    from pipeline import sound

    plan = plan or sound.plan_for(info, None)
    with temp_output(dst) as tmp:
        inp = sound.timeline_input(ffmpeg_input_name(src), plan)
        streams = []
        if info.has_video:
            # Deinterlaced and tone-mapped first; x264 with yuv420p needs even sizes: round an
            # odd source height down.
            video = picture.correct(inp["v:0"], info.picture_fix())
            streams.append(video.filter("scale", -2, "min(540,trunc(ih/2)*2)"))
        if info.has_audio:
            streams.append(sound.on_timeline(sound.listening(inp, plan), 48000))
        kwargs: dict[str, Any] = {"movflags": "+faststart", "f": "mp4"}
        if info.has_video:
            kwargs.update(vcodec="libx264", preset="veryfast", crf=28, pix_fmt="yuv420p")
        if info.has_audio:
            kwargs.update(acodec="aac", audio_bitrate="96k", ac=2)
        out = ffmpeg_python.output(*streams, str(tmp), **kwargs).overwrite_output()
        runner.run_graph(out, progress=progress, total_s=info.duration_ms / 1000)
