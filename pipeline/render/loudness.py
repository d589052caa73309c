"""The film's sound: measured on the joined segments, normalised by one linear loudnorm pass,
encoded to AAC and verified with ebur128.

The result is cached by the sound segments' keys and the loudness settings, so a caption edit
(which changes no sound) re-uses it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline import __version__, runner
from pipeline.fsutil import atomic_write_bytes, temp_output
from pipeline.media import ffmpeg_input_name
from pipeline.render.errors import LoudnessError, OutputWriteError, RenderError
from pipeline.render.join import concat_input
from pipeline.render.plan import Part, Progress
from pipeline.render.segments import SEGMENT_FORMAT, RenderedSegments, cache_key
from pipeline.render.verify import check_sound
from pipeline.render_profiles import RenderProfile

# AAC encoding can raise true peaks a little above the level fed to the encoder.
AAC_HEADROOM_DB = 0.5
LOUDNESS_TOLERANCE_LU = 1.0
# Below this the film is silence; there is nothing to normalise.
SILENT_LUFS = -70.0


def _ffmpeg_log(stream: Any) -> str:
    """Run an ffmpeg graph whose report (loudnorm, ebur128) is on stderr; return stderr."""
    argv = ffmpeg_python.compile(stream, cmd="ffmpeg")
    proc = runner.run([argv[0], "-hide_banner", "-nostdin", "-nostats", "-y", *argv[1:]])
    return proc.stderr.decode("utf-8", "replace")


def _loudnorm_json(log: str) -> dict[str, Any]:
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
    data = _loudnorm_json(_ffmpeg_log(stream))
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
    log = _ffmpeg_log(stream)
    found = list(_EBUR128.finditer(log))
    if not found:
        raise RenderError(f"ffmpeg's ebur128 printed no summary for {what}")
    m = found[-1]
    return {"i": _num(m["i"]), "lra": _num(m["lra"]), "tp": _num(m["tp"])}


@dataclass(frozen=True)
class LoudnessReport:
    """What the loudness step measured and did (recorded in the manifest)."""

    target_i: float
    limit_tp: float
    before: dict[str, float]
    after: dict[str, float]
    normalization: str  # "linear", "dynamic" or "none"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (infinite values as text)."""
        def clean(d: dict[str, float]) -> dict[str, Any]:
            return {k: (round(v, 2) if math.isfinite(v) else str(v)) for k, v in d.items()}
        return {"target_i": self.target_i, "limit_tp": self.limit_tp,
                "before": clean(self.before), "after": clean(self.after),
                "normalization": self.normalization, "note": self.note}


def normalise_audio(audio_list: Path, dest: Path, profile: RenderProfile,
                    progress: Progress | None = None, *,
                    duration_ms: float | None = None) -> LoudnessReport:
    """Measure the joined sound, normalise it in one linear pass, encode AAC, verify.

    See :func:`normalise_stream`, which does it for any sound.
    """
    return normalise_stream(lambda: concat_input(audio_list).audio, dest, profile, progress,
                            duration_ms=duration_ms)


def normalise_stream(source: Callable[[], Any], dest: Path, profile: RenderProfile,
                     progress: Progress | None = None, *, duration_ms: float | None = None,
                     step: str = "loudness", gain_only: bool = False) -> LoudnessReport:
    """Measure a sound, normalise it in one linear pass, encode AAC, verify.

    ``source`` makes the ffmpeg-python audio stream afresh for each pass (the measurement and
    the encode are two ffmpeg runs of the same graph); ``step`` names it in progress. With
    ``gain_only`` (the described sound; the programme track is made as it always was) the sound
    is measured by ebur128 (the same BS.1770 loudness and true peak, without loudnorm's 192 kHz
    resampling, several times faster) and the one gain is applied with ``volume`` instead of
    loudnorm's linear mode; when that gain would push the true peak over the
    limit the gain is kept and only the peaks are limited (``alimiter``, 1 dB under loudnorm's
    peak target; the loudness the limiter takes is made up, measured again): loudnorm's dynamic
    mode would ride the level and undo the dips under the descriptions.

    With ``duration_ms``, the encoded sound is also probed before it is cached: every packet
    present and the film's length to within a frame.

    Linear (one gain for the whole film) keeps the film's dynamics. When the gain would push the
    true peak over the limit, loudnorm's dynamic mode is used instead and the report says so.

    Raises:
        LoudnessError: the result is not within +/-1 LU of the target or peaks over the limit.
    """
    if progress:
        progress(f"{step}: measuring", 0.0)
    before = ebur128_stream(source(), step) if gain_only else measure_stream(source(), profile)
    # The loudnorm target sits a little under the limit: AAC encoding raises peaks slightly.
    target_tp = max(-9.0, profile.true_peak - AAC_HEADROOM_DB)
    silent = not math.isfinite(before["i"]) or before["i"] <= SILENT_LUFS
    note = ""
    audio = source()
    if silent:
        mode = "none"
        note = "the film is silent; loudness was not normalised"
    else:
        # loudnorm goes linear only when the film's range fits the range target; widen the
        # target to the film's own range (up to loudnorm's maximum) so the dynamics are kept.
        lra_target = min(50.0, max(profile.loudness_range, before["lra"] + 0.1))
        # loudnorm reads a measured range of exactly 0 (a steady tone) as "not measured".
        lra_measured = max(before["lra"], 0.01) if math.isfinite(before["lra"]) else 0.01
        lra_target = round(lra_target, 2)
        gain = profile.loudness_i - before["i"]
        mode = "linear" if before["tp"] + gain <= target_tp else "dynamic"
        if mode == "dynamic":
            note = (f"linear normalisation impossible: a gain of {gain:+.1f} dB would put the "
                    f"true peak at {before['tp'] + gain:.1f} dBTP, over {target_tp:.1f}; "
                    "loudnorm's dynamic mode was used")
        if gain_only and mode == "linear":
            audio = audio.filter("volume", f"{gain:.2f}dB")
        elif gain_only:
            mode = "linear, peaks limited"
            audio, made_up = _limited(source, gain, target_tp, profile)
            note = (f"a gain of {gain:+.1f} dB would put the true peak at "
                    f"{before['tp'] + gain:.1f} dBTP; the peaks were limited instead (and "
                    f"{made_up:+.1f} dB made up for what limiting took)")
        else:
            audio = audio.filter(
                "loudnorm", I=profile.loudness_i, TP=target_tp, LRA=lra_target,
                measured_I=before["i"], measured_TP=before["tp"], measured_LRA=lra_measured,
                measured_thresh=before["thresh"], offset=before["offset"], linear="true",
                print_format="json")
    audio = audio.filter("aresample", profile.sample_rate)
    if progress:
        progress(f"{step}: normalising", 0.3)
    with temp_output(dest) as tmp:
        stream = audio.output(str(tmp), acodec=profile.audio_codec,
                              audio_bitrate=profile.audio_bitrate, ar=profile.sample_rate,
                              ac=2, vn=None, f="mp4")
        log = _ffmpeg_log(stream)
        if not silent and not gain_only:
            done = _loudnorm_json(log).get("normalization_type", mode)
            if done != mode:
                note = f"loudnorm used {done} normalisation (expected {mode})"
                mode = str(done)
        if progress:
            progress(f"{step}: verifying", 0.7)
        if duration_ms is not None:
            check_sound(tmp, duration_ms, profile.fps, dest)
        after = verify_loudness(tmp)
        report = LoudnessReport(profile.loudness_i, profile.true_peak, before, after, mode,
                                note)
        if not silent and (abs(after["i"] - profile.loudness_i) > LOUDNESS_TOLERANCE_LU
                           or after["tp"] > profile.true_peak):
            raise LoudnessError(after, profile.loudness_i, profile.true_peak,
                                LOUDNESS_TOLERANCE_LU)
    if progress:
        progress(step, 1.0)
    return report


# Limiting peaks takes a little loudness with them; it is made up in at most this many passes.
_MAKE_UP_PASSES = 2


def _limited(source: Callable[[], Any], gain: float, target_tp: float,
             profile: RenderProfile) -> tuple[Any, float]:
    """``source`` with one gain and its peaks limited 1 dB under ``target_tp``, the gain
    raised until the limited sound measures at the target (within 0.2 LU); and that rise."""
    ceiling = round(10 ** ((target_tp - 1) / 20), 4)

    def chain(extra: float) -> Any:
        return (source().filter("volume", f"{gain + extra:.2f}dB")
                .filter("alimiter", limit=ceiling, attack=5, release=50, level=0, latency=1))

    extra = 0.0
    for _ in range(_MAKE_UP_PASSES):
        short = profile.loudness_i - ebur128_stream(chain(extra), "the limited sound")["i"]
        if not math.isfinite(short) or abs(short) <= 0.2:
            break
        extra += short
    return chain(extra), extra


@dataclass(frozen=True)
class FilmSound:
    """The film's normalised sound (AAC in MP4), what was done to it, and whether it was cached."""

    path: Path
    loudness: LoudnessReport
    reused: bool


def film_sound(parts: Sequence[Part], segments: RenderedSegments, audio_list: Path,
               profile: RenderProfile, segments_dir: Path,
               progress: Progress | None = None) -> FilmSound:
    """The normalised sound of the joined segments, made now or re-used from the cache.

    It depends only on the sound segments and the loudness and codec settings.
    """
    key = cache_key({"audio": [segments.files[p.name].audio_key for p in parts],
                     "loudness": [profile.loudness_i, profile.true_peak, profile.loudness_range,
                                  AAC_HEADROOM_DB],
                     "codec": [profile.audio_codec, profile.audio_bitrate, profile.sample_rate],
                     "coprod": __version__, "format": SEGMENT_FORMAT})
    sound = segments_dir / f"{key}.m4a"
    saved = segments_dir / f"{key}.loudness.json"
    if sound.exists() and saved.exists():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            data = json.loads(saved.read_text(encoding="utf-8"))
            return FilmSound(sound, LoudnessReport(**data), reused=True)
    report = normalise_audio(audio_list, sound, profile, progress,
                             duration_ms=sum(p.frames for p in parts) * 1000 / profile.fps)
    try:
        atomic_write_bytes(saved, json.dumps(dataclasses.asdict(report), default=str)
                           .encode("utf-8"))
    except OSError as exc:
        raise OutputWriteError(saved, exc) from None
    return FilmSound(sound, report, reused=False)


__all__ = [
    "AAC_HEADROOM_DB",
    "LOUDNESS_TOLERANCE_LU",
    "SILENT_LUFS",
    "FilmSound",
    "LoudnessReport",
    "film_sound",
    "ebur128_stream",
    "measure_loudness",
    "measure_stream",
    "normalise_audio",
    "normalise_stream",
    "verify_loudness",
]
