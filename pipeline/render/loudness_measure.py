"""Loudness measured: loudnorm's first pass and ebur128's summary, on a file or any
ffmpeg-python audio stream (what :mod:`pipeline.render.loudness` normalises and checks with)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline import runner
from pipeline.media import ffmpeg_input_name
from pipeline.render.errors import RenderError
from pipeline.render.join import concat_input
from pipeline.render_profiles import RenderProfile


def ffmpeg_log(stream: Any) -> str:
    """Run an ffmpeg graph whose report (loudnorm, ebur128) is on stderr; return stderr."""
    argv = ffmpeg_python.compile(stream, cmd="ffmpeg")
    proc = runner.run([argv[0], "-hide_banner", "-nostdin", "-nostats", "-y", *argv[1:]])
    return proc.stderr.decode("utf-8", "replace")


def loudnorm_json(log: str) -> dict[str, Any]:
    start = log.rfind("{")
    end = log.rfind("}")
    if start < 0 or end < start:
        raise RenderError("ffmpeg's loudnorm printed no measurement")
    data: dict[str, Any] = json.loads(log[start:end + 1])
    return data


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("-inf")


def measure_loudness(audio_list: Path, profile: RenderProfile) -> dict[str, float]:
    """loudnorm's first pass over the joined sound: integrated, true peak, range, threshold."""
    return measure_stream(concat_input(audio_list).audio, profile)


def measure_stream(audio: Any, profile: RenderProfile) -> dict[str, float]:
    """loudnorm's first pass over an ffmpeg-python audio stream (the described mix uses it)."""
    stream = (audio
              .filter("loudnorm", I=profile.loudness_i, TP=profile.true_peak,
                      LRA=profile.loudness_range, print_format="json")
              .output("-", f="null"))
    data = loudnorm_json(ffmpeg_log(stream))
    return {"i": _num(data.get("input_i")), "tp": _num(data.get("input_tp")),
            "lra": _num(data.get("input_lra")), "thresh": _num(data.get("input_thresh")),
            "offset": _num(data.get("target_offset"))}


_EBUR128 = re.compile(
    r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-?inf|nan) LUFS.*?"
    r"Loudness range:\s*LRA:\s*(?P<lra>-?[\d.]+|-?inf|nan) LU.*?"
    r"True peak:\s*Peak:\s*(?P<tp>-?[\d.]+|-?inf|nan) dBFS", re.S)


def verify_loudness(media: Path) -> dict[str, float]:
    """Integrated loudness, range and true peak of ``media``'s sound, measured by ebur128."""
    return ebur128_stream(ffmpeg_python.input(ffmpeg_input_name(media)).audio, media.name)


def ebur128_stream(audio: Any, what: str) -> dict[str, float]:
    """Integrated loudness, range and true peak of an ffmpeg-python audio stream (ebur128)."""
    stream = audio.filter("ebur128", peak="true", framelog="verbose").output("-", f="null")
    log = ffmpeg_log(stream)
    found = list(_EBUR128.finditer(log))
    if not found:
        raise RenderError(f"ffmpeg's ebur128 printed no summary for {what}")
    m = found[-1]
    return {"i": _num(m["i"]), "lra": _num(m["lra"]), "tp": _num(m["tp"])}


__all__ = [
    "ebur128_stream",
    "ffmpeg_log",
    "loudnorm_json",
    "measure_loudness",
    "measure_stream",
    "verify_loudness",
]
