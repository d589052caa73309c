"""Probing footage and making the derived files ingest needs (16 kHz WAV, review proxy)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline import runner
from pipeline.exceptions import MediaError, MediaToolError
from pipeline.project import MediaInfo, file_mode

# Streams ffprobe reports for pictures inside audio files (cover art) are not video footage.
_ATTACHED_PIC = "attached_pic"
# ffprobe "reads" any text file as tty/ansi art, and single pictures as image formats.
_NOT_FOOTAGE = {"tty", "image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "gif"}


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


def probe(path: Path) -> MediaInfo:
    """Probe a media file; MediaError with a one-line reason for anything unusable."""
    if not path.exists():
        raise MediaError(path, "no such file")
    if path.is_dir():
        raise MediaError(path, "is a folder, not a media file")
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except PermissionError:
        raise MediaError(path, "cannot be read (permission denied); check its permissions") \
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
    )


@contextlib.contextmanager
def temp_output(final: Path) -> Iterator[Path]:
    """A temp path beside ``final`` (same suffix, so ffmpeg picks the muxer); renamed on success."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".part{final.suffix}",
                               dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, file_mode(final))
        os.replace(tmp_path, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def extract_audio(src: Path, dst: Path, *,
                  progress: Callable[[float], None] | None = None,
                  total_s: float | None = None) -> None:
    """16 kHz mono 16-bit WAV of the first audio stream (what Whisper reads)."""
    with temp_output(dst) as tmp:
        # "a:0": the first audio track only; a WAV holds one, and cameras often record two.
        stream = ffmpeg_python.input(ffmpeg_input_name(src))["a:0"].output(
            str(tmp), ac=1, ar=16000, acodec="pcm_s16le", vn=None, f="wav")
        runner.run_graph(stream.overwrite_output(), progress=progress, total_s=total_s)


def make_proxy(src: Path, dst: Path, info: MediaInfo, *,
               progress: Callable[[float], None] | None = None) -> None:
    """A small H.264 review proxy (540p, fast preset) with AAC audio when there is audio."""
    with temp_output(dst) as tmp:
        inp = ffmpeg_python.input(ffmpeg_input_name(src))
        streams = []
        if info.has_video:
            # x264 with yuv420p needs even sizes: round an odd source height down.
            streams.append(inp["v:0"].filter("scale", -2, "min(540,trunc(ih/2)*2)"))
        if info.has_audio:
            streams.append(inp["a:0"])
        kwargs: dict[str, Any] = {"movflags": "+faststart", "f": "mp4"}
        if info.has_video:
            kwargs.update(vcodec="libx264", preset="veryfast", crf=28, pix_fmt="yuv420p")
        if info.has_audio:
            kwargs.update(acodec="aac", audio_bitrate="96k", ac=2)
        out = ffmpeg_python.output(*streams, str(tmp), **kwargs).overwrite_output()
        runner.run_graph(out, progress=progress, total_s=info.duration_ms / 1000)
