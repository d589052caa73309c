"""The film's sound: measured on the joined segments, normalised by one linear loudnorm pass,
encoded to AAC and verified with ebur128.

The result is cached by the sound segments' keys and the loudness settings, so a caption edit
(which changes no sound) re-uses it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline import __version__, runner
from pipeline.fsutil import temp_output
from pipeline.media import ffmpeg_input_name
from pipeline.render.errors import LoudnessError, RenderError
from pipeline.render.join import concat_input
from pipeline.render.loudness_cache import cached_report
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
                     step: str = "loudness") -> LoudnessReport:
    """Measure a sound, normalise it in one linear loudnorm pass, encode AAC, verify.

    ``source`` makes the ffmpeg-python audio stream afresh for each pass (the measurement and
    the encode are two ffmpeg runs of the same graph); ``step`` names it in progress.

    With ``duration_ms``, the encoded sound is also probed before it is cached: every packet
    present and the film's length to within a frame.

    Linear (one gain for the whole film) keeps the film's dynamics. When the gain would push the
    true peak over the limit, loudnorm's dynamic mode is used instead and the report says so.

    Raises:
        LoudnessError: the result is not within +/-1 LU of the target or peaks over the limit.
    """
    if progress:
        progress(f"{step}: measuring", 0.0)
    before = measure_stream(source(), profile)
    target_tp = _target_tp(profile)
    silent = _silent(before)
    note = ""
    audio = source()
    if silent:
        mode = "none"
        note = _SILENT_NOTE
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
        audio = audio.filter(
            "loudnorm", I=profile.loudness_i, TP=target_tp, LRA=lra_target,
            measured_I=before["i"], measured_TP=before["tp"], measured_LRA=lra_measured,
            measured_thresh=before["thresh"], offset=before["offset"], linear="true",
            print_format="json")
    if progress:
        progress(f"{step}: normalising", 0.3)
    with temp_output(dest) as tmp:
        log = _encode(audio, tmp, profile)
        if not silent:
            done = _loudnorm_json(log).get("normalization_type", mode)
            if done != mode:
                note = f"loudnorm used {done} normalisation (expected {mode})"
                mode = str(done)
        if progress:
            progress(f"{step}: verifying", 0.7)
        after = _checked(tmp, dest, profile, duration_ms)
        report = LoudnessReport(profile.loudness_i, profile.true_peak, before, after, mode,
                                note)
        _within_target(report, silent)
    if progress:
        progress(step, 1.0)
    return report


# Limiting peaks takes a little loudness with them; it is made up (measured on the encoded
# track) within this many LU, in at most this many encodes more.
_MAKE_UP_LU = 0.2
_MAKE_UP_PASSES = 2
_SILENT_NOTE = "the film is silent; loudness was not normalised"


def normalise_by_gain(source: Callable[[], Any], dest: Path, profile: RenderProfile,
                      progress: Progress | None = None, *, duration_ms: float | None = None,
                      step: str = "loudness") -> LoudnessReport:
    """Measure a sound, bring it to the target by one gain, encode AAC, verify (the described
    sound: its dips under the descriptions must stay).

    The sound is measured by ebur128 (the same BS.1770 loudness and true peak as loudnorm's
    first pass, without its 192 kHz resampling, several times faster) and the gain applied by
    ``volume``. When that gain would push the true peak over the limit, the gain is kept and
    only the peaks are limited (``alimiter``, 1 dB under loudnorm's peak target), where
    loudnorm's dynamic mode would ride the level and fill in the dips. What limiting takes is
    read from the check every encode gets anyway (ebur128 on the encoded track): only when the
    track is more than 0.2 LU short is it encoded again with that much made up. Three ffmpeg
    runs in all (measure, encode, check) unless limiting took more than 0.2 LU.

    Raises:
        LoudnessError: the result is not within +/-1 LU of the target or peaks over the limit.
    """
    if progress:
        progress(f"{step}: measuring", 0.0)
    before = ebur128_stream(source(), step)
    target_tp = _target_tp(profile)
    silent = _silent(before)
    gain = 0.0 if silent else profile.loudness_i - before["i"]
    limited = not silent and before["tp"] + gain > target_tp
    mode, note = ("none", _SILENT_NOTE) if silent else ("linear", "")
    ceiling = round(10 ** ((target_tp - 1) / 20), 4)

    def sound(extra: float) -> Any:
        audio = source()
        if not silent:
            audio = audio.filter("volume", f"{gain + extra:.2f}dB")
        if limited:
            audio = audio.filter("alimiter", limit=ceiling, attack=5, release=50, level=0,
                                 latency=1)
        return audio

    extra = 0.0
    with temp_output(dest) as tmp:
        for passes in range(_MAKE_UP_PASSES + 1):
            if progress:
                progress(f"{step}: normalising", 0.3)
            _encode(sound(extra), tmp, profile)
            if progress:
                progress(f"{step}: verifying", 0.7)
            after = _checked(tmp, dest, profile, duration_ms)
            short = profile.loudness_i - after["i"]
            if not limited or not math.isfinite(short) or abs(short) <= _MAKE_UP_LU \
                    or passes == _MAKE_UP_PASSES:
                break
            extra += short
        if limited:
            mode = "linear, peaks limited"
            note = (f"a gain of {gain:+.1f} dB would put the true peak at "
                    f"{before['tp'] + gain:.1f} dBTP; the peaks were limited instead (and "
                    f"{extra:+.1f} dB made up for what limiting took)")
        report = LoudnessReport(profile.loudness_i, profile.true_peak, before, after, mode,
                                note)
        _within_target(report, silent)
    if progress:
        progress(step, 1.0)
    return report


def _target_tp(profile: RenderProfile) -> float:
    # The peak target sits a little under the limit: AAC encoding raises peaks slightly.
    return max(-9.0, profile.true_peak - AAC_HEADROOM_DB)


def _silent(measured: dict[str, float]) -> bool:
    return not math.isfinite(measured["i"]) or measured["i"] <= SILENT_LUFS


def _encode(audio: Any, tmp: Path, profile: RenderProfile) -> str:
    """Encode ``audio`` to AAC in MP4 at ``tmp`` (overwritten); ffmpeg's log."""
    stream = audio.filter("aresample", profile.sample_rate).output(
        str(tmp), acodec=profile.audio_codec, audio_bitrate=profile.audio_bitrate,
        ar=profile.sample_rate, ac=2, vn=None, f="mp4")
    return _ffmpeg_log(stream)


def _checked(tmp: Path, dest: Path, profile: RenderProfile,
             duration_ms: float | None) -> dict[str, float]:
    """The encoded sound's loudness, after checking it is whole (with ``duration_ms``)."""
    if duration_ms is not None:
        check_sound(tmp, duration_ms, profile.fps, dest)
    return verify_loudness(tmp)


def _within_target(report: LoudnessReport, silent: bool) -> None:
    after = report.after
    if not silent and (abs(after["i"] - report.target_i) > LOUDNESS_TOLERANCE_LU
                       or after["tp"] > report.limit_tp):
        raise LoudnessError(after, report.target_i, report.limit_tp, LOUDNESS_TOLERANCE_LU)


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
    report, reused = cached_report(
        sound, segments_dir / f"{key}.loudness.json",
        lambda: normalise_audio(audio_list, sound, profile, progress,
                                duration_ms=sum(p.frames for p in parts) * 1000 / profile.fps),
        LoudnessReport)
    return FilmSound(sound, report, reused)


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
    "normalise_by_gain",
    "normalise_stream",
    "verify_loudness",
]
