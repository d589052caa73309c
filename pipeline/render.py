"""Rendering a film: the consent gate, cached per-clip segments, a join without re-encoding video,
one linear loudness pass, and every output written under a temporary name and renamed together.

How a render goes (:func:`render_film`):

1. **Gate**: every clip in the sequence is described to ``consent.gate.check`` for the profile's
   channel; a refusal raises :class:`GateRefusedError` carrying every reason.
2. **Plan**: the film becomes parts (title card, clips, credits card), each a whole number of
   frames, so segment durations add up exactly and caption offsets are frame-true.
3. **Segments**: each part is rendered once by one ffmpeg filter graph into
   ``build/segments/KEY.mp4`` (picture, H.264 with identical encoder headers) and ``KEY.wav``
   (sound, exactly ``frames * sample_rate / fps`` samples). KEY hashes everything that changes
   the file, so an unchanged clip is never encoded again; the picture with burned-in captions is a
   separate file whose key adds the caption track, so editing a cue re-renders only that file.
4. **Join**: the concat demuxer lists the segments and the film's video is copied, not encoded.
5. **Loudness**: the joined sound is measured (loudnorm, first pass), normalised by one linear
   loudnorm pass, encoded to AAC and verified with ebur128; the result is cached by the sound
   segments' keys, so a caption edit re-uses it.
6. **Outputs** (:mod:`pipeline.outputs`): film MP4 with a language-tagged mov_text track, the
   open-captions variant, .srt/.vtt sidecars, transcript .html/.txt and manifest.json.

No frame passes through Python: every step is an ffmpeg process started through the runner.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from captions.model import Cue
from consent.gate import ClipUse, GateResult
from consent.gate import check as gate_check
from pipeline import __version__, clearance, runner
from pipeline.caption_store import load_captions
from pipeline.exceptions import PipelineError
from pipeline.fsutil import atomic_write_bytes, change_stamp, sha256_bytes, sha256_file, temp_output
from pipeline.languages import iso639_2
from pipeline.media import ffmpeg_input_name
from pipeline.project import Project
from pipeline.render_profiles import RenderProfile, load_profile

# Bump when the way segments are made changes, so old cached segments are never reused.
SEGMENT_FORMAT = 1
FONT = "DejaVu Sans"
DRAFT_TEXT = "DRAFT - not for publication"
# AAC encoding can raise true peaks a little above the level fed to the encoder.
AAC_HEADROOM_DB = 0.5
LOUDNESS_TOLERANCE_LU = 1.0
# Below this the film is silence; there is nothing to normalise.
SILENT_LUFS = -70.0
CAPTION_LINE_HEIGHT = 0.075  # of the picture height: inside the 7-8 % asked for
SAFE_WIDTH = 0.90
SAFE_HEIGHT = 0.75

Progress = Callable[[str, float], None]


# --- errors -----------------------------------------------------------------------------------


class RenderError(PipelineError):
    """A render cannot go ahead or failed; the message says what to do."""


class GateRefusedError(RenderError):
    """The consent gate refused the film; ``result`` holds every reason for every blocked clip."""

    def __init__(self, result: GateResult, profile: str) -> None:
        self.result = result
        self.profile = profile
        lines = [f"render refused for profile {profile} (channel {result.channel}): "
                 f"{len(result.blocked)} clip(s) blocked by consent or sign-off:"]
        lines += [f"  {reason.message}" for reason in result.reasons]
        if result.withdrawn and len(result.withdrawn) == len(result.blocked):
            lines.append("  (render with --drop-withdrawn to leave withdrawn clips out)")
        super().__init__("\n".join(lines))


class CaptionsMissingError(RenderError):
    """Clips in the film have no caption file; ``clip_ids`` lists them."""

    def __init__(self, clip_ids: Sequence[str]) -> None:
        self.clip_ids = list(clip_ids)
        super().__init__(f"{len(self.clip_ids)} clip(s) have no caption file: "
                         f"{', '.join(self.clip_ids)} (run `coprod transcribe` or `coprod build`)")


class LoudnessError(RenderError):
    """The film's loudness after normalisation is outside the profile's tolerance."""

    def __init__(self, measured: dict[str, float], target_i: float, limit_tp: float) -> None:
        self.measured = measured
        super().__init__(
            f"loudness check failed: {measured['i']:.1f} LUFS (target {target_i:.1f} "
            f"+/- {LOUDNESS_TOLERANCE_LU:.0f} LU), true peak {measured['tp']:.1f} dBTP "
            f"(limit {limit_tp:.1f}); the previous film was left in place")


# --- the plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One stretch of the film: a card or a clip, a whole number of frames long."""

    name: str
    kind: str  # "card" or "clip"
    start_frame: int
    frames: int
    clip_id: str | None = None
    source: Path | None = None
    footage_sha256: str = ""
    in_ms: int = 0
    out_ms: int = 0
    has_video: bool = True
    has_audio: bool = False
    cues: tuple[Cue, ...] = ()  # segment-local times (0 = the part's first frame)
    lines: tuple[tuple[str, float], ...] = ()  # card text: (line, size as a fraction of height)


def frames_ms(frames: int, fps: int) -> int:
    """Milliseconds from the film's start to frame ``frames``."""
    return round(frames * 1000 / fps)


def part_start_ms(part: Part, fps: int) -> int:
    """Where ``part`` starts in the film (ms)."""
    return frames_ms(part.start_frame, fps)


def part_duration_ms(part: Part, fps: int) -> int:
    """How long ``part`` lasts (ms), measured between frame boundaries."""
    return frames_ms(part.start_frame + part.frames, fps) - frames_ms(part.start_frame, fps)


def trim_cues(cues: Sequence[Cue], in_ms: int, out_ms: int, offset_ms: int = 0) -> list[Cue]:
    """Cues cut to [in_ms, out_ms) and moved so that ``in_ms`` lands on ``offset_ms``."""
    out: list[Cue] = []
    for cue in cues:
        start, end = max(cue.start, in_ms), min(cue.end, out_ms)
        if end > start:
            out.append(Cue(start - in_ms + offset_ms, end - in_ms + offset_ms, cue.text))
    return out


@dataclass(frozen=True)
class SegmentFiles:
    """The cached files of one part and the keys they are named by."""

    video_key: str
    captioned_key: str
    audio_key: str
    video: Path
    captioned: Path
    audio: Path
    ass: Path | None


def _digest(value: Any) -> str:
    return sha256_bytes(json.dumps(value, sort_keys=True, default=str).encode())


def _video_settings(profile: RenderProfile) -> dict[str, Any]:
    return {
        "w": profile.width, "h": profile.height, "fps": profile.fps,
        "codec": profile.video_codec, "preset": profile.video_preset, "crf": profile.video_crf,
        "profile": profile.video_profile, "level": profile.video_level,
    }


def _source(part: Part) -> dict[str, Any]:
    if part.kind == "clip":
        return {"footage": part.footage_sha256, "in_ms": part.in_ms, "frames": part.frames,
                "video": part.has_video, "audio": part.has_audio}
    return {"card": [list(line) for line in part.lines], "frames": part.frames}


def segment_files(part: Part, profile: RenderProfile, segments_dir: Path) -> SegmentFiles:
    """Cache keys and file names of ``part``'s segments (nothing is rendered here)."""
    overlay = {
        "draft": DRAFT_TEXT if profile.burn_draft else None,
        # The timecode shows the film's time, so it depends on where the part starts.
        "timecode_from": part.start_frame if profile.burn_timecode else None,
    }
    video_key = _digest({"format": SEGMENT_FORMAT, "coprod": __version__, "what": "video",
                         "source": _source(part), "video": _video_settings(profile),
                         "overlay": overlay, "font": FONT})
    ass: Path | None = None
    captioned_key = video_key
    if part.cues:
        ass_bytes = ass_document(part.cues, profile)
        captioned_key = _digest({"video": video_key, "captions": sha256_bytes(ass_bytes)})
        ass = segments_dir / f"{captioned_key}.ass"
    audio_source = (_source(part) if part.kind == "clip" and part.has_audio
                    else {"silence": part.frames})
    audio_key = _digest({"format": SEGMENT_FORMAT, "coprod": __version__, "what": "audio",
                         "source": audio_source, "fps": profile.fps,
                         "sample_rate": profile.sample_rate})
    return SegmentFiles(
        video_key=video_key, captioned_key=captioned_key, audio_key=audio_key,
        video=segments_dir / f"{video_key}.mp4",
        captioned=segments_dir / f"{captioned_key}.mp4",
        audio=segments_dir / f"{audio_key}.wav",
        ass=ass,
    )


# --- burned-in captions --------------------------------------------------------------------------


def _ass_time(ms: int) -> str:
    cs = round(ms / 10)
    h, rest = divmod(cs, 360000)
    m, rest = divmod(rest, 6000)
    s, cs = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _ass_text(text: str) -> str:
    # Braces open override blocks and a backslash starts a tag in ASS; both are shown literally.
    text = text.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")
    return "\\N".join(line.strip() for line in text.split("\n"))


def caption_style(profile: RenderProfile) -> dict[str, int]:
    """Font size, box padding and margins (pixels) of burned-in captions for ``profile``.

    The line height (libass's font size, in script pixels equal to picture pixels) is 7.5 % of
    the picture height; the black box, padding included, stays inside the central 90 % x 75 %.
    """
    size = round(profile.height * CAPTION_LINE_HEIGHT)
    pad = max(1, round(size * 0.18))
    return {
        "size": size,
        "pad": pad,
        "margin_h": math.ceil(profile.width * (1 - SAFE_WIDTH) / 2) + pad,
        "margin_v": math.ceil(profile.height * (1 - SAFE_HEIGHT) / 2) + pad,
    }


def ass_document(cues: Sequence[Cue], profile: RenderProfile) -> bytes:
    """An ASS subtitle file drawing ``cues`` white on a black box, for libass to burn in."""
    st = caption_style(profile)
    head = [
        "[Script Info]",
        "; made by coprod for burned-in (open) captions",
        "ScriptType: v4.00+",
        f"PlayResX: {profile.width}",
        f"PlayResY: {profile.height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "YCbCr Matrix: TV.709",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        # BorderStyle 3 is an opaque box; libass paints it in OutlineColour, so both are black.
        f"Style: Caption,{FONT},{st['size']},&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,"
        f"0,0,0,0,100,100,0,0,3,{st['pad']},0,2,{st['margin_h']},{st['margin_h']},"
        f"{st['margin_v']},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [f"Dialogue: 0,{_ass_time(c.start)},{_ass_time(c.end)},Caption,,0,0,0,,"
              f"{_ass_text(c.text)}" for c in cues]
    return ("\n".join(head + events) + "\n").encode("utf-8")


# --- segment graphs ------------------------------------------------------------------------------


def _timecode(frame: int, fps: int) -> str:
    seconds, ff = divmod(frame, fps)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


def _fit(video: Any, profile: RenderProfile) -> Any:
    """Constant frame rate, scaled to fit and letter/pillarboxed, BT.709 4:2:0."""
    w, h = profile.width, profile.height
    # start_time=0 (not setpts=PTS-STARTPTS): a picture that starts after the sound is padded
    # with its first frame, so picture and sound keep the offset the camera recorded.
    return (video
            .filter("fps", profile.fps, start_time=0)
            .filter("scale", w, h, force_original_aspect_ratio="decrease",
                    force_divisible_by=2, out_color_matrix="bt709", out_range="tv")
            .filter("pad", w, h, "(ow-iw)/2", "(oh-ih)/2", color="black")
            .filter("setsar", "1")
            .filter("format", "yuv420p"))


def _exact_frames(video: Any, part: Part, profile: RenderProfile) -> Any:
    # Footage that ends before the out point holds its last frame, so every segment has exactly
    # the frames the plan counted.
    return (video
            .filter("tpad", stop_mode="clone", stop_duration=f"{part.frames / profile.fps:.3f}")
            .filter("trim", end_frame=part.frames)
            .filter("setpts", "N/FRAME_RATE/TB"))


def _card_video(part: Part, profile: RenderProfile) -> Any:
    w, h = profile.width, profile.height
    src = ffmpeg_python.input(f"color=c=black:s={w}x{h}:r={profile.fps}", f="lavfi").video
    sizes = [max(8, round(h * frac)) for _, frac in part.lines]
    # Shrink every line alike until the longest fits in the title-safe width.
    widest = max((len(text) * size * 0.58 for (text, _), size in zip(part.lines, sizes,
                                                                     strict=True)), default=1)
    shrink = min(1.0, w * SAFE_WIDTH / widest)
    sizes = [max(8, round(s * shrink)) for s in sizes]
    spacing = [round(s * 1.45) for s in sizes]
    y = (h - sum(spacing)) / 2
    for (text, _), size, step in zip(part.lines, sizes, spacing, strict=True):
        if text.strip():
            src = src.filter("drawtext", text=text, expansion="none", font=FONT,
                             fontsize=size, fontcolor="white", x="(w-text_w)/2", y=round(y))
        y += step
    return src.filter("format", "yuv420p")


def _overlays(video: Any, part: Part, profile: RenderProfile) -> Any:
    h = profile.height
    size = max(8, round(h * 0.04))
    common: dict[str, Any] = {"font": FONT, "fontsize": size, "fontcolor": "white", "box": 1,
                              "boxcolor": "black@0.6", "boxborderw": max(2, size // 4),
                              "y": round(h * 0.05)}
    if profile.burn_draft:
        video = video.filter("drawtext", text=DRAFT_TEXT, expansion="none",
                             x=round(profile.width * 0.05), **common)
    if profile.burn_timecode:
        video = video.filter("drawtext", timecode=_timecode(part.start_frame, profile.fps),
                             timecode_rate=profile.fps, x=f"w-tw-{round(profile.width * 0.05)}",
                             **common)
    return video


def _video_args(profile: RenderProfile) -> dict[str, Any]:
    return {
        "vcodec": profile.video_codec,
        "preset": profile.video_preset,
        "crf": profile.video_crf,
        "profile:v": profile.video_profile,
        "level": profile.video_level,
        "pix_fmt": "yuv420p",
        "g": profile.fps * 2,
        # Headers that do not depend on the content, so segments join without re-encoding.
        "x264-params": "stitchable=1",
        "colorspace": "bt709", "color_primaries": "bt709", "color_trc": "bt709",
        "video_track_timescale": profile.fps * 1000,
        "an": None,
        "f": "mp4",
    }


def _render_segment(part: Part, files: SegmentFiles, profile: RenderProfile, *,
                    want_video: bool, want_captioned: bool, want_audio: bool,
                    progress: Progress | None) -> None:
    """One ffmpeg run making the missing files of ``part`` (picture, captioned picture, sound)."""
    n_samples = part.frames * profile.sample_rate // profile.fps
    seconds = part.frames / profile.fps
    inp = None
    if part.kind == "clip":
        assert part.source is not None
        inp = ffmpeg_python.input(ffmpeg_input_name(part.source), ss=f"{part.in_ms / 1000:.3f}",
                                  t=f"{seconds + 1:.3f}")
    outputs = []
    with contextlib.ExitStack() as stack:
        if want_video or want_captioned:
            if part.kind == "card":
                video = _card_video(part, profile)
            elif part.has_video:
                assert inp is not None
                video = _fit(inp.video, profile)
            else:
                video = ffmpeg_python.input(
                    f"color=c=black:s={profile.width}x{profile.height}:r={profile.fps}",
                    f="lavfi").video.filter("format", "yuv420p")
            video = _overlays(_exact_frames(video, part, profile), part, profile)
            targets = []
            if want_video:
                targets.append(("video", files.video))
            if want_captioned:
                targets.append(("captioned", files.captioned))
            if len(targets) == 2:
                split = video.split()
                streams = [split[0], split[1]]
            else:
                streams = [video]
            for (what, final), stream in zip(targets, streams, strict=True):
                if what == "captioned":
                    assert files.ass is not None
                    stream = stream.filter("subtitles", filename=str(files.ass))
                tmp = stack.enter_context(temp_output(final))
                outputs.append(ffmpeg_python.output(stream, str(tmp), **_video_args(profile)))
        if want_audio:
            if part.kind == "clip" and part.has_audio:
                assert inp is not None
                # first_pts=0: sound that starts after the picture is padded with silence
                # rather than pulled forward, so lips and voice stay together.
                audio = inp.audio.filter("aresample", profile.sample_rate, first_pts=0)
            else:
                audio = ffmpeg_python.input(f"anullsrc=r={profile.sample_rate}:cl=stereo",
                                            f="lavfi").audio
            audio = (audio
                     .filter("aformat", sample_fmts="flt", sample_rates=profile.sample_rate,
                             channel_layouts="stereo")
                     .filter("apad", whole_len=n_samples)
                     .filter("atrim", end_sample=n_samples)
                     .filter("asetpts", "N/SR/TB"))
            tmp = stack.enter_context(temp_output(files.audio))
            outputs.append(ffmpeg_python.output(audio, str(tmp), acodec="pcm_f32le", f="wav"))
        if not outputs:
            return
        label = f"segment {part.name}"
        before = change_stamp(part.source) if part.source is not None else None
        runner.run_graph(ffmpeg_python.merge_outputs(*outputs),
                         progress=(lambda f: progress(label, f)) if progress else None,
                         total_s=seconds)
        # The cache names this segment after the footage hash taken when the film was planned:
        # if the file was replaced while ffmpeg read it, the picture may be another clip's.
        # Raising here, inside the temp files' context, keeps it out of the cache.
        if part.source is not None and change_stamp(part.source) != before:
            raise RenderError(f"clip {part.clip_id}: its footage changed while it was being "
                              "rendered; render again")


# --- joining and loudness ------------------------------------------------------------------------


def write_concat_list(path: Path, files: Sequence[Path], durations_s: Sequence[float]) -> None:
    """An ffconcat list naming each segment, with its exact duration.

    Entries are absolute ``file:`` paths in single quotes: ffmpeg resolves a relative entry
    against the list's address, where a '#' or '?' in the project's path would be read as URL
    syntax.
    """
    lines = ["ffconcat version 1.0"]
    for file, seconds in zip(files, durations_s, strict=True):
        quoted = ("file:" + str(file.resolve())).replace("'", "'\\''")
        lines += [f"file '{quoted}'", f"duration {seconds:.6f}"]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _concat_input(list_path: Path) -> Any:
    return ffmpeg_python.input(ffmpeg_input_name(list_path), f="concat", safe=0)


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
    stream = (_concat_input(audio_list).audio
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
    stream = (ffmpeg_python.input(ffmpeg_input_name(media)).audio
              .filter("ebur128", peak="true", framelog="verbose")
              .output("-", f="null"))
    log = _ffmpeg_log(stream)
    found = list(_EBUR128.finditer(log))
    if not found:
        raise RenderError(f"ffmpeg's ebur128 printed no summary for {media.name}")
    m = found[-1]
    return {"i": _num(m["i"]), "lra": _num(m["lra"]), "tp": _num(m["tp"])}


@dataclass
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
                    progress: Progress | None = None) -> LoudnessReport:
    """Measure the joined sound, normalise it in one linear pass, encode AAC, verify.

    Linear (one gain for the whole film) keeps the film's dynamics. When the gain would push the
    true peak over the limit, loudnorm's dynamic mode is used instead and the report says so.

    Raises:
        LoudnessError: the result is not within +/-1 LU of the target or peaks over the limit.
    """
    if progress:
        progress("loudness: measuring", 0.0)
    before = measure_loudness(audio_list, profile)
    # The loudnorm target sits a little under the limit: AAC encoding raises peaks slightly.
    target_tp = max(-9.0, profile.true_peak - AAC_HEADROOM_DB)
    silent = not math.isfinite(before["i"]) or before["i"] <= SILENT_LUFS
    note = ""
    audio = _concat_input(audio_list).audio
    if silent:
        mode = "none"
        note = "the film is silent; loudness was not normalised"
    else:
        # loudnorm goes linear only when the film's range fits the range target; widen the
        # target to the film's own range (up to loudnorm's maximum) so the dynamics are kept.
        lra_target = min(50.0, max(profile.loudness_range, before["lra"] + 0.1))
        # loudnorm reads a measured range of exactly 0 (a steady tone) as "not measured".
        lra_measured = max(before["lra"], 0.01) if math.isfinite(before["lra"]) else 0.01
        gain = profile.loudness_i - before["i"]
        mode = "linear" if before["tp"] + gain <= target_tp else "dynamic"
        if mode == "dynamic":
            note = (f"linear normalisation impossible: a gain of {gain:+.1f} dB would put the "
                    f"true peak at {before['tp'] + gain:.1f} dBTP, over {target_tp:.1f}; "
                    "loudnorm's dynamic mode was used")
        audio = audio.filter(
            "loudnorm", I=profile.loudness_i, TP=target_tp, LRA=round(lra_target, 2),
            measured_I=before["i"], measured_TP=before["tp"], measured_LRA=lra_measured,
            measured_thresh=before["thresh"], offset=before["offset"], linear="true",
            print_format="json")
    audio = audio.filter("aresample", profile.sample_rate)
    if progress:
        progress("loudness: normalising", 0.3)
    with temp_output(dest) as tmp:
        stream = audio.output(str(tmp), acodec=profile.audio_codec,
                              audio_bitrate=profile.audio_bitrate, ar=profile.sample_rate,
                              ac=2, vn=None, f="mp4")
        log = _ffmpeg_log(stream)
        if not silent:
            done = _loudnorm_json(log).get("normalization_type", mode)
            if done != mode:
                note = f"loudnorm used {done} normalisation (expected {mode})"
                mode = str(done)
        if progress:
            progress("loudness: verifying", 0.7)
        after = verify_loudness(tmp)
        report = LoudnessReport(profile.loudness_i, profile.true_peak, before, after, mode,
                                note)
        if not silent and (abs(after["i"] - profile.loudness_i) > LOUDNESS_TOLERANCE_LU
                           or after["tp"] > profile.true_peak):
            raise LoudnessError(after, profile.loudness_i, profile.true_peak)
    if progress:
        progress("loudness", 1.0)
    return report


# --- the whole render ----------------------------------------------------------------------------


@dataclass
class RenderResult:
    """What one render made, re-used and noticed."""

    profile: str
    out_dir: Path
    outputs: dict[str, Path]
    duration_ms: int
    gate: GateResult
    loudness: LoudnessReport
    segments_rendered: list[str] = field(default_factory=list)
    segments_reused: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def run_gate(project: Project, profile: RenderProfile, *, draft: bool = False,
             drop_withdrawn: bool = False, today: date | None = None,
             ) -> tuple[GateResult, list[str], list[ClipUse]]:
    """Ask the consent gate; return its result, the clips left out and the clips as used.

    Raises:
        GateRefusedError: a clip is blocked (with ``drop_withdrawn``, for a reason other than a
            withdrawal), or nothing is left to render.
        consent.exceptions.ConsentError: the ledger is damaged, or a draft for a public channel.
    """
    today = today or date.today()
    events = clearance.events(project)
    uses = [clearance.clip_use(project, item.clip_id) for item in project.film.sequence]
    result = gate_check(events, uses, profile.channel, draft=draft, today=today)
    dropped: list[str] = []
    if result.blocked and drop_withdrawn:
        withdrawn = set(result.withdrawn)
        if set(result.blocked) <= withdrawn:
            dropped = [u.clip_id for u in uses if u.clip_id in withdrawn]
            uses = [u for u in uses if u.clip_id not in withdrawn]
            # Asked again without the dropped clips, so names and events reflect the film made.
            result = gate_check(events, uses, profile.channel, draft=draft, today=today)
    if result.blocked:
        raise GateRefusedError(result, profile.name)
    if not result.allowed:
        raise RenderError("nothing to render: the film's sequence has no clips"
                          + (" left after dropping withdrawn ones" if dropped else ""))
    return result, dropped, uses


def plan_film(project: Project, profile: RenderProfile, clip_ids: Sequence[str],
              title_lines: Sequence[tuple[str, float]],
              credit_lines: Sequence[tuple[str, float]]) -> list[Part]:
    """The film as parts: title card, the clips in sequence order, credits card.

    Raises:
        CaptionsMissingError: a clip has no caption file.
        RenderError: an in/out point lies outside its clip.
    """
    fps = profile.fps
    missing = [c for c in clip_ids if not project.caption_path(c, "srt").exists()]
    if missing:
        raise CaptionsMissingError(missing)
    parts: list[Part] = []
    frame = 0

    def card(name: str, ms: int, lines: Sequence[tuple[str, float]]) -> None:
        nonlocal frame
        frames = round(ms * fps / 1000)
        if frames > 0:
            parts.append(Part(name, "card", frame, frames, lines=tuple(lines)))
            frame += frames

    card("title", profile.title_card_ms, title_lines)
    wanted = set(clip_ids)
    for item in project.film.sequence:
        if item.clip_id not in wanted:
            continue
        clip = project.clip(item.clip_id)
        info = project.probe(clip.id)
        in_ms = item.in_ms or 0
        out_ms = min(item.out_ms if item.out_ms is not None else info.duration_ms,
                     info.duration_ms)
        if out_ms - in_ms < 1000 / fps:
            raise RenderError(f"clip {clip.id}: in point {in_ms} ms is not before its out point "
                              f"or the end of the footage ({out_ms} ms)")
        frames = max(1, round((out_ms - in_ms) * fps / 1000))
        span = frames_ms(frames, fps)
        cues = load_captions(project.caption_path(clip.id, "srt"))
        parts.append(Part(
            clip.id, "clip", frame, frames, clip_id=clip.id, source=clip.file,
            footage_sha256=project.footage_sha256(clip.id), in_ms=in_ms, out_ms=in_ms + span,
            has_video=info.has_video, has_audio=info.has_audio,
            cues=tuple(trim_cues(cues, in_ms, in_ms + span)),
        ))
        frame += frames
    card("credits", profile.credits_card_ms, credit_lines)
    return parts


def _clean_stale(folder: Path) -> None:
    """Remove temp files a killed render left behind (callers hold the render lock)."""
    if folder.is_dir():
        for stale in list(folder.glob(".*.part*")) + list(folder.glob(".*.tmp")):
            with contextlib.suppress(OSError):
                stale.unlink()


def render_segments(parts: Sequence[Part], profile: RenderProfile, segments_dir: Path, *,
                    open_captions: bool, jobs: int = 1, progress: Progress | None = None,
                    ) -> tuple[dict[str, SegmentFiles], list[str], list[str]]:
    """Render every segment that is not cached; return files per part, rendered, reused.

    Each rendered/reused entry reads ``PART:video``, ``PART:captioned`` or ``PART:audio``.
    """
    segments_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, SegmentFiles] = {}
    todo: list[tuple[Part, bool, bool, bool]] = []
    rendered: list[str] = []
    reused: list[str] = []
    for part in parts:
        f = segment_files(part, profile, segments_dir)
        files[part.name] = f
        need_captioned = open_captions and bool(part.cues)
        if need_captioned and f.ass is not None and not f.ass.exists():
            atomic_write_bytes(f.ass, ass_document(part.cues, profile))
        want = (not f.video.exists(), need_captioned and not f.captioned.exists(),
                not f.audio.exists())
        for flag, what in zip(want, ("video", "captioned", "audio"), strict=True):
            if what == "captioned" and not need_captioned:
                continue
            (rendered if flag else reused).append(f"{part.name}:{what}")
        if any(want):
            todo.append((part, *want))

    def one(task: tuple[Part, bool, bool, bool]) -> None:
        part, v, c, a = task
        _render_segment(part, files[part.name], profile, want_video=v, want_captioned=c,
                        want_audio=a, progress=progress)

    if jobs <= 1 or len(todo) <= 1:
        for task in todo:
            one(task)
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            # list() re-raises the first failure; the pool waits for the others to finish.
            list(pool.map(one, todo))
    return files, rendered, reused


def resolve_open_captions(project: Project, prof: RenderProfile, asked: bool | None) -> bool:
    """Whether to make the burned-in variant: the option, else film.yaml, else the profile."""
    if asked is not None:
        return asked
    return project.film.open_captions or prof.open_captions


def render_film(
    project: Project,
    profile: str | RenderProfile = "web",
    *,
    draft: bool = False,
    drop_withdrawn: bool = False,
    open_captions: bool | None = None,
    today: date | None = None,
    jobs: int = 1,
    wait: bool = True,
    progress: Progress | None = None,
) -> RenderResult:
    """Render the film for one output profile into ``build/PROFILE/``.

    Args:
        project: the film project.
        profile: a profile name (web, broadcast, review) or a loaded profile.
        draft: internal draft: sign-off is not required (channel internal only).
        drop_withdrawn: leave out clips whose only problem is a withdrawal, instead of refusing.
        open_captions: also make the burned-in captions variant; None = film.yaml's
            ``open_captions`` if true, else the profile's default.
        today: the day consent expiry is judged on (default today).
        jobs: segments rendered at once (1 is fastest on 2 cores: x264 already uses both).
        wait: wait for another render of this project to finish (False: refuse at once).
        progress: called with (step, fraction 0..1) while ffmpeg works.

    Raises:
        GateRefusedError: consent or sign-off is missing for a clip (every reason listed).
        CaptionsMissingError: a clip has no caption file.
        LoudnessError: the loudness check failed.
        ProjectError: another render holds the lock and ``wait`` is False.
        MediaToolError: ffmpeg failed.
    """
    from pipeline import outputs

    prof = load_profile(profile) if isinstance(profile, str) else profile
    open_caps = resolve_open_captions(project, prof, open_captions)
    with project.lock("render", wait=wait):
        segments_dir = project.build_dir / "segments"
        out_dir = project.build_dir / prof.name
        _clean_stale(segments_dir)
        _clean_stale(out_dir)
        gate, dropped, uses = run_gate(project, prof, draft=draft, drop_withdrawn=drop_withdrawn,
                                 today=today)
        # What the gate decided on, hashed now: the manifest must not describe later edits.
        ledger = project.ledger_path
        inputs = {"film.yaml": project.file_sha256(project.film_yaml),
                  "ledger": project.file_sha256(ledger) if ledger.exists() else None,
                  "profile": prof.digest()}
        credits = outputs.Credits.for_film(project, gate.allowed, gate.name_allowed)
        parts = plan_film(project, prof, gate.allowed, outputs.title_card_lines(project),
                          credits.card_lines())
        files, rendered, reused = render_segments(parts, prof, segments_dir,
                                                  open_captions=open_caps, jobs=jobs,
                                                  progress=progress)
        durations = [p.frames / prof.fps for p in parts]
        video_list = segments_dir / f"{prof.name}.video.ffconcat"
        audio_list = segments_dir / f"{prof.name}.audio.ffconcat"
        write_concat_list(video_list, [files[p.name].video for p in parts], durations)
        write_concat_list(audio_list, [files[p.name].audio for p in parts], durations)
        captioned_list = None
        if open_caps:
            captioned_list = segments_dir / f"{prof.name}.captioned.ffconcat"
            write_concat_list(captioned_list, [
                files[p.name].captioned if p.cues else files[p.name].video for p in parts
            ], durations)

        # The normalised sound depends only on the sound segments and the loudness settings.
        sound_key = _digest({"audio": [files[p.name].audio_key for p in parts],
                             "loudness": [prof.loudness_i, prof.true_peak, prof.loudness_range,
                                          AAC_HEADROOM_DB],
                             "codec": [prof.audio_codec, prof.audio_bitrate, prof.sample_rate],
                             "coprod": __version__, "format": SEGMENT_FORMAT})
        sound = segments_dir / f"{sound_key}.m4a"
        sound_report = segments_dir / f"{sound_key}.loudness.json"
        loudness: LoudnessReport | None = None
        if sound.exists() and sound_report.exists():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                data = json.loads(sound_report.read_text(encoding="utf-8"))
                loudness = LoudnessReport(**data)
        if loudness is None:
            loudness = normalise_audio(audio_list, sound, prof, progress)
            atomic_write_bytes(sound_report, json.dumps(loudness.__dict__, default=str)
                               .encode("utf-8"))
            rendered.append("film:loudness")
        else:
            reused.append("film:loudness")

        notes = []
        if dropped:
            notes.append(f"left out withdrawn clip(s): {', '.join(dropped)}")
        if loudness.note:
            notes.append(loudness.note)
        total_frames = sum(p.frames for p in parts)
        result = RenderResult(
            profile=prof.name, out_dir=out_dir, outputs={},
            duration_ms=frames_ms(total_frames, prof.fps), gate=gate, loudness=loudness,
            segments_rendered=rendered, segments_reused=reused, dropped=dropped, notes=notes,
        )
        def still_cleared() -> None:
            _check_still_cleared(project, prof, uses, gate, draft=draft, today=today)

        _write_outputs(project, prof, parts, files, result, uses=uses, credits=credits,
                       video_list=video_list, captioned_list=captioned_list, sound=sound,
                       draft=draft, progress=progress, still_cleared=still_cleared,
                       inputs=inputs)
        return result


def _check_still_cleared(project: Project, prof: RenderProfile, uses: Sequence[ClipUse],
                         gate: GateResult, *, draft: bool, today: date | None) -> None:
    """Refuse to publish if content or consent changed since the gate said yes.

    Called after the films are made and before anything is renamed into place: a caption or
    footage edit, or a withdrawal recorded while ffmpeg worked, leaves the previous film.
    """
    changed = [u.clip_id for u in uses
               if clearance.clip_use(project, u.clip_id).content_key != u.content_key]
    if changed:
        raise RenderError(f"clip(s) {', '.join(changed)} changed while rendering; nothing was "
                          "published; render again")
    again = gate_check(clearance.events(project), uses, prof.channel, draft=draft,
                       today=today or date.today())
    if again.blocked:
        raise GateRefusedError(again, prof.name)
    if again.name_allowed != gate.name_allowed:
        raise RenderError("consent to show names changed while rendering; nothing was "
                          "published; render again")


def mux_film(video_list: Path, sound: Path, captions_srt: Path | None, dest: Path, *,
             language: str, title: str, seconds: float, progress: Progress | None = None,
             label: str = "join") -> None:
    """Join the segments (video copied), add the film's sound and a soft mov_text track."""
    streams = [_concat_input(video_list).video,
               ffmpeg_python.input(ffmpeg_input_name(sound)).audio]
    kwargs: dict[str, Any] = {
        "c:v": "copy", "c:a": "copy", "metadata": f"title={title}",
        "metadata:s:a:0": f"language={language}", "movflags": "+faststart", "f": "mp4",
    }
    if captions_srt is not None:
        streams.append(ffmpeg_python.input(ffmpeg_input_name(captions_srt), f="srt")["s"])
        kwargs.update({"c:s": "mov_text", "metadata:s:s:0": f"language={language}"})
    runner.run_graph(ffmpeg_python.output(*streams, str(dest), **kwargs),
                     progress=(lambda f: progress(label, f)) if progress else None,
                     total_s=seconds)


FILM = "film.mp4"
OPEN_CAPTIONS_FILM = "film.open-captions.mp4"
OUTPUT_NAMES = (FILM, OPEN_CAPTIONS_FILM, "film.srt", "film.vtt", "transcript.html",
                "transcript.txt", "manifest.json")


def _write_outputs(project: Project, prof: RenderProfile, parts: Sequence[Part],
                   files: dict[str, SegmentFiles], result: RenderResult, *,
                   uses: Sequence[ClipUse], credits: Any, video_list: Path,
                   captioned_list: Path | None, sound: Path, draft: bool,
                   progress: Progress | None, still_cleared: Callable[[], None],
                   inputs: dict[str, Any]) -> None:
    """Make every output under a temp name, then rename them all (the manifest last).

    ``still_cleared`` runs after the films are made and before any rename; it raises when
    consent or content changed meanwhile, and then nothing is published.
    """
    from captions.formats import dumps
    from pipeline import outputs as out

    out_dir = result.out_dir
    film = project.film
    language = iso639_2(film.language)
    seconds = result.duration_ms / 1000
    cues = out.film_cues(parts, prof.fps)
    sections = out.transcript_sections(project, parts, prof.fps, credits)
    staged: dict[str, Path] = {}
    with contextlib.ExitStack() as stack:
        # ExitStack renames in reverse order of entry: the manifest, entered first, is renamed
        # last, so a manifest always describes films that are in place.
        for name in ("manifest.json", "transcript.txt", "transcript.html", "film.vtt",
                     "film.srt", *((OPEN_CAPTIONS_FILM,) if captioned_list else ()), FILM):
            staged[name] = stack.enter_context(temp_output(out_dir / name))
        staged["film.srt"].write_text(dumps(cues, "srt"), encoding="utf-8")
        staged["film.vtt"].write_text(dumps(cues, "vtt"), encoding="utf-8")
        staged["transcript.html"].write_text(
            out.transcript_html(film.title, film.language, result.duration_ms, sections),
            encoding="utf-8")
        staged["transcript.txt"].write_text(
            out.transcript_text(film.title, result.duration_ms, sections), encoding="utf-8")
        track = staged["film.srt"] if cues else None
        if track is None:
            result.notes.append("the film has no captions, so it has no subtitle track")
        mux_film(video_list, sound, track, staged[FILM], language=language, title=film.title,
                 seconds=seconds, progress=progress)
        if captioned_list is not None:
            mux_film(captioned_list, sound, track, staged[OPEN_CAPTIONS_FILM],
                     language=language, title=film.title, seconds=seconds, progress=progress,
                     label="join (open captions)")
        still_cleared()
        outputs = {name: {"sha256": sha256_file(path), "bytes": path.stat().st_size}
                   for name, path in staged.items() if name != "manifest.json"}
        result.manifest = _manifest(project, prof, parts, files, result, uses, credits,
                                    outputs, draft, inputs)
        staged["manifest.json"].write_text(
            json.dumps(result.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _widen_manifest_for_swap(out_dir / "manifest.json", result.manifest)
    if captioned_list is None:
        # An open-captions film from an earlier render would not match this one: remove it.
        with contextlib.suppress(FileNotFoundError):
            (out_dir / OPEN_CAPTIONS_FILM).unlink()
    result.outputs = {name: out_dir / name for name in staged}


def _widen_manifest_for_swap(path: Path, new: dict[str, Any]) -> None:
    """While old films are swapped for new ones, let the manifest name the clips of both.

    The renames are one at a time, so for a moment the folder may hold a new film beside the
    old manifest. A withdrawal report (`coprod status`) read then must still see every clip
    either film may contain: the interim manifest lists both sets; the exact one replaces it
    once every film is in place.
    """
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    old_clips = old.get("clips") if isinstance(old, dict) else None
    clips = list(new.get("clips", []))
    seen = {c.get("id") for c in clips}
    for clip in old_clips if isinstance(old_clips, list) else []:
        if isinstance(clip, dict) and clip.get("id") not in seen:
            clips.append(clip)
    # The earlier of the two times, so withdrawals after either film count.
    created = min(str(old.get("created") or new["created"]), str(new["created"])) \
        if isinstance(old, dict) else new["created"]
    interim = {**new, "clips": clips, "created": created, "interim": True}
    atomic_write_bytes(path, (json.dumps(interim, indent=2, ensure_ascii=False) + "\n")
                       .encode("utf-8"))


def _manifest(project: Project, prof: RenderProfile, parts: Sequence[Part],
              files: dict[str, SegmentFiles], result: RenderResult, uses: Sequence[ClipUse],
              credits: Any, outputs: dict[str, Any], draft: bool,
              inputs: dict[str, Any]) -> dict[str, Any]:
    from pipeline import outputs as out

    root = project.root.resolve()

    def rel(path: Path) -> str:
        path = path.resolve()
        return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    keys = {u.clip_id: u.content_key for u in uses}
    clips, cards = [], []
    for part in parts:
        f = files[part.name]
        entry: dict[str, Any] = {
            "film_start_ms": part_start_ms(part, prof.fps),
            "duration_ms": part_duration_ms(part, prof.fps),
            "segments": {"video": f.video_key, "captioned": f.captioned_key,
                         "audio": f.audio_key},
        }
        if part.kind == "card":
            cards.append({"name": part.name, "text": [t for t, _ in part.lines if t.strip()],
                          **entry})
            continue
        assert part.clip_id is not None and part.source is not None
        caption = project.caption_path(part.clip_id, "srt")
        clips.append({
            "id": part.clip_id,
            "contributors": list(project.clip(part.clip_id).contributors),
            "footage": rel(part.source), "footage_sha256": part.footage_sha256,
            "caption_file": rel(caption),
            "caption_sha256": clearance.caption_sha256(project, part.clip_id),
            "in_ms": part.in_ms, "out_ms": part.out_ms, "content_key": keys.get(part.clip_id),
            **entry,
        })
    return out.manifest(
        output=rel(result.out_dir / FILM),
        created=created_now(),
        coprod=__version__,
        profile=prof.to_dict(),
        channel=prof.channel,
        draft=draft,
        film={"title": project.film.title, "language": project.film.language,
              "duration_ms": result.duration_ms, "frames": sum(p.frames for p in parts),
              "fps": prof.fps},
        inputs=inputs,
        clips=clips,
        cards=cards,
        contributors=[{"id": cid, "credited_by_name": cid in credits.named}
                      for cid in credits.order],
        dropped_clips=result.dropped,
        consent={"channel": result.gate.channel, "draft": result.gate.draft,
                 "events_used": list(result.gate.events_used),
                 "ledger_head": result.gate.ledger_head},
        loudness=result.loudness.to_dict(),
        tools={"ffmpeg": runner.tool_version("ffmpeg"), "ffprobe": runner.tool_version("ffprobe"),
               "coprod": __version__},
        segments={"rendered": result.segments_rendered, "reused": result.segments_reused},
        outputs=outputs,
    )


def created_now() -> str:
    """The time a render finished, as the manifest records it (UTC, ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = [
    "CaptionsMissingError",
    "GateRefusedError",
    "LoudnessError",
    "LoudnessReport",
    "Part",
    "RenderError",
    "RenderResult",
    "ass_document",
    "caption_style",
    "measure_loudness",
    "normalise_audio",
    "plan_film",
    "render_film",
    "render_segments",
    "run_gate",
    "trim_cues",
    "verify_loudness",
]
