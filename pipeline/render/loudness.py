"""The film's sound: measured on the joined segments, normalised by one linear loudnorm pass,
encoded to AAC and verified with ebur128. When loudnorm misses the target (one-sided, very quiet
or very dynamic speech) a second pass brings it there by one gain with the peaks limited; a
film still off target is published with a warning by a profile that says ``off_target: warn``
(web) and refused, naming the clips that miss it alone, by one that says ``refuse``.

The result is cached by the sound segments' keys and the loudness settings, so a caption edit
(which changes no sound) re-uses it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline import __version__
from pipeline.fsutil import temp_output
from pipeline.media import ffmpeg_input_name
from pipeline.render.errors import LoudnessError, LoudnessRefusedError
from pipeline.render.join import concat_input
from pipeline.render.loudness_cache import cached_report
from pipeline.render.loudness_measure import (
    ebur128_stream,
    ffmpeg_log,
    loudnorm_json,
    measure_loudness,
    measure_stream,
    verify_loudness,
)
from pipeline.render.plan import Part, PartKind, Progress
from pipeline.render.segments import SEGMENT_FORMAT, RenderedSegments, cache_key
from pipeline.render.verify import check_sound
from pipeline.render_profiles import RenderProfile

# AAC encoding can raise true peaks a little above the level fed to the encoder.
AAC_HEADROOM_DB = 0.5
LOUDNESS_TOLERANCE_LU = 1.0
# Below this the film is silence; there is nothing to normalise.
SILENT_LUFS = -70.0


@dataclass(frozen=True)
class LoudnessReport:
    """What the loudness step measured and did (recorded in the manifest)."""

    target_i: float
    limit_tp: float
    before: dict[str, float]
    after: dict[str, float]
    normalization: str  # "linear", "dynamic" or "none"
    note: str = ""
    # Set when the sound is off target and the profile publishes it anyway (``web``): what
    # was missed, with the measured figures (``after``) beside it in the manifest.
    warning: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (infinite values as text)."""
        def clean(d: dict[str, float]) -> dict[str, Any]:
            return {k: (round(v, 2) if math.isfinite(v) else str(v)) for k, v in d.items()}
        return {"target_i": self.target_i, "limit_tp": self.limit_tp,
                "before": clean(self.before), "after": clean(self.after),
                "normalization": self.normalization, "note": self.note,
                "warning": self.warning}


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
            done = loudnorm_json(log).get("normalization_type", mode)
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


def gain_chain(audio: Any, before: dict[str, float], profile: RenderProfile,
               extra: float = 0.0) -> tuple[Any, bool]:
    """``audio`` brought to the target by one gain (plus ``extra`` dB made up), its peaks
    limited when that gain would push the true peak over the limit; and whether they were."""
    if _silent(before):
        return audio, False
    gain = profile.loudness_i - before["i"]
    target_tp = _target_tp(profile)
    audio = audio.filter("volume", f"{gain + extra:.2f}dB")
    if before["tp"] + gain <= target_tp:
        return audio, False
    ceiling = round(10 ** ((target_tp - 1) / 20), 4)
    return audio.filter("alimiter", limit=ceiling, attack=5, release=50, level=0,
                        latency=1), True


def normalise_by_gain(source: Callable[[], Any], dest: Path, profile: RenderProfile,
                      progress: Progress | None = None, *, duration_ms: float | None = None,
                      step: str = "loudness", accept_off_target: bool = False) -> LoudnessReport:
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

    With ``accept_off_target`` a result still off target is kept, its report's ``warning``
    saying so, instead of raising.

    Raises:
        LoudnessError: the result is not within +/-1 LU of the target or peaks over the limit.
    """
    if progress:
        progress(f"{step}: measuring", 0.0)
    before = ebur128_stream(source(), step)
    silent = _silent(before)
    gain = 0.0 if silent else profile.loudness_i - before["i"]
    limited = gain_chain(source(), before, profile)[1]
    mode, note = ("none", _SILENT_NOTE) if silent else ("linear", "")

    def sound(extra: float) -> Any:
        return gain_chain(source(), before, profile, extra)[0]

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
        try:
            _within_target(report, silent)
        except LoudnessError as missed:
            if not accept_off_target:
                raise
            report = dataclasses.replace(report, warning=off_target_warning(missed))
    if progress:
        progress(step, 1.0)
    return report


def off_target_warning(missed: LoudnessError) -> str:
    """The warning a film published off target carries (manifest, access report)."""
    return (f"off target: {missed.measured['i']:.1f} LUFS (target {missed.target_i:.1f} "
            f"+/- {LOUDNESS_TOLERANCE_LU:.0f} LU), true peak {missed.measured['tp']:.1f} dBTP "
            f"(limit {missed.limit_tp:.1f}); published with these measured figures")


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
    return ffmpeg_log(stream)


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


def _off_alone(parts: Sequence[Part], segments: RenderedSegments,
               profile: RenderProfile) -> list[str]:
    """Each clip whose sound misses the target even normalised alone (as the second pass
    does it, measured unencoded), with its figures: what keeps the film off target."""
    out = []
    for part in parts:
        if part.kind != PartKind.CLIP or not part.has_audio:
            continue
        wav = segments.files[part.name].audio
        before = verify_loudness(wav)
        if _silent(before):
            continue
        alone = ebur128_stream(gain_chain(ffmpeg_python.input(ffmpeg_input_name(wav)).audio,
                                          before, profile)[0], wav.name)
        if abs(alone["i"] - profile.loudness_i) > LOUDNESS_TOLERANCE_LU \
                or alone["tp"] > profile.true_peak:
            out.append(f"{part.clip_id} ({alone['i']:.1f} LUFS, true peak "
                       f"{alone['tp']:.1f} dBTP alone)")
    return out


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
                                  AAC_HEADROOM_DB, profile.loudness_off_target, "second pass"],
                     "codec": [profile.audio_codec, profile.audio_bitrate, profile.sample_rate],
                     "coprod": __version__, "format": SEGMENT_FORMAT})
    sound = segments_dir / f"{key}.m4a"
    duration_ms = sum(p.frames for p in parts) * 1000 / profile.fps

    def make() -> LoudnessReport:
        try:
            return normalise_audio(audio_list, sound, profile, progress,
                                   duration_ms=duration_ms)
        except LoudnessError as first:
            # loudnorm's dynamic mode falls short on one-sided, very quiet or very dynamic
            # speech (issue 22): a second pass by one gain, with the peaks limited, reaches
            # the target.
            try:
                report = normalise_by_gain(lambda: concat_input(audio_list).audio, sound,
                                           profile, progress, duration_ms=duration_ms,
                                           accept_off_target=profile.loudness_off_target
                                           == "warn")
            except LoudnessError as missed:
                raise LoudnessRefusedError(missed, profile.name,
                                           _off_alone(parts, segments, profile)) from None
            return dataclasses.replace(report, note=(
                f"loudnorm left the film at {first.measured['i']:.1f} LUFS, true peak "
                f"{first.measured['tp']:.1f} dBTP; second pass: {report.note or 'one gain'}"))

    report, reused = cached_report(sound, segments_dir / f"{key}.loudness.json", make,
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
    "off_target_warning",
    "gain_chain",
    "verify_loudness",
]
