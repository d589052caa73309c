"""Cached segments: each part of the film rendered once into ``build/segments/``.

A part becomes ``KEY.mp4`` (picture, H.264 with identical encoder headers, so segments join
without re-encoding) and ``KEY.wav`` (sound, exactly ``frames * sample_rate / fps`` samples).
KEY hashes everything that changes the file, so an unchanged clip is never encoded again; the
picture with burned-in captions is a separate file whose key adds the caption track, so editing a
cue re-renders only that file. A part's sound is one ffmpeg run, its pictures (clean and
captioned from one decode) another, each a filter graph run through the runner.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline import __version__, picture, runner, sound
from pipeline.fsutil import atomic_write_bytes, change_stamp, sha256_bytes, temp_output
from pipeline.media import ffmpeg_input_name
from pipeline.render.burn_in import FONT, SAFE_WIDTH, ass_document
from pipeline.render.errors import OutputWriteError, RenderError
from pipeline.render.jobs import Job, SegmentDispatch, run_jobs
from pipeline.render.plan import Part, PartKind, Progress
from pipeline.render.verify import check_segment_audio, check_segment_video
from pipeline.render_profiles import RenderProfile
from pipeline.sound import STEREO

# Bump when the way segments are made changes, so old cached segments are never reused.
# 2: x264's threads fixed (ENCODER_THREADS), so a segment's bytes no longer depend on the machine.
SEGMENT_FORMAT = 2
# x264 with a fixed thread count is deterministic; left to itself it takes 1.5x the cores, and a
# segment made on a 16-core worker would differ from one made on a 2-core laptop. Two threads keep
# today's speed on a 2-core machine.
ENCODER_THREADS = 2
DRAFT_TEXT = "Draft - not for sharing"  # the advisory group sees it too (issue 26)


def cache_key(value: Any) -> str:
    """sha256 of ``value`` as canonical JSON: the name of a cached file made from it."""
    return sha256_bytes(json.dumps(value, sort_keys=True, default=str).encode())


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


def _video_settings(profile: RenderProfile) -> dict[str, Any]:
    return {
        "w": profile.width, "h": profile.height, "fps": profile.fps,
        "codec": profile.video_codec, "preset": profile.video_preset, "crf": profile.video_crf,
        "profile": profile.video_profile, "level": profile.video_level,
    }


def _source(part: Part) -> dict[str, Any]:
    if part.kind == PartKind.CLIP:
        source = {"footage": part.footage_sha256, "in_ms": part.in_ms, "frames": part.frames,
                  "video": part.has_video, "audio": part.has_audio}
        if part.sound.lead_ms:  # sound before the picture is trimmed: the seek moves
            source["lead_ms"] = part.sound.lead_ms
        return source
    return {"card": [list(line) for line in part.lines], "frames": part.frames}


def segment_files(part: Part, profile: RenderProfile, segments_dir: Path) -> SegmentFiles:
    """Cache keys and file names of ``part``'s segments (nothing is rendered here)."""
    overlay = {
        "draft": DRAFT_TEXT if profile.burn_draft else None,
        # The timecode shows the film's time, so it depends on where the part starts.
        "timecode_from": part.start_frame if profile.burn_timecode else None,
    }
    video_key = cache_key({"format": SEGMENT_FORMAT, "coprod": __version__, "what": "video",
                           "source": _source(part), "video": _video_settings(profile),
                           "overlay": overlay, "font": FONT,
                           # Only when deinterlaced or tone-mapped: other clips keep their keys.
                           **({"picture": part.picture.key()} if part.picture else {})})
    ass: Path | None = None
    captioned_key = video_key
    if part.cues:
        ass_bytes = ass_document(part.cues, profile)
        captioned_key = cache_key({"video": video_key, "captions": sha256_bytes(ass_bytes)})
        ass = segments_dir / f"{captioned_key}.ass"
    audio_source: dict[str, Any] = (_source(part) if part.kind == PartKind.CLIP
                                    and part.has_audio else {"silence": part.frames})
    if part.kind == PartKind.CLIP and part.has_audio and part.sound.choice != STEREO:
        audio_source["heard"] = part.sound.choice  # film.yaml's audio: (pipeline/sound.py)
    audio_key = cache_key({"format": SEGMENT_FORMAT, "coprod": __version__, "what": "audio",
                           "source": audio_source, "fps": profile.fps,
                           "sample_rate": profile.sample_rate})
    return SegmentFiles(
        video_key=video_key, captioned_key=captioned_key, audio_key=audio_key,
        video=segments_dir / f"{video_key}.mp4",
        captioned=segments_dir / f"{captioned_key}.mp4",
        audio=segments_dir / f"{audio_key}.wav",
        ass=ass,
    )


# --- one segment's graph -------------------------------------------------------------------------


def _timecode(frame: int, fps: int) -> str:
    seconds, ff = divmod(frame, fps)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


def _fit(video: Any, profile: RenderProfile, fix: picture.PictureFix | None = None) -> Any:
    """Deinterlaced and tone-mapped (``fix``), constant frame rate, scaled to fit and
    letter/pillarboxed, BT.709 4:2:0."""
    w, h = profile.width, profile.height
    video = picture.correct(video, fix)
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
        "threads": ENCODER_THREADS,
        "colorspace": "bt709", "color_primaries": "bt709", "color_trc": "bt709",
        "video_track_timescale": profile.fps * 1000,
        "an": None,
        "f": "mp4",
    }


def video_args(profile: RenderProfile) -> dict[str, Any]:
    """The encoder settings every picture segment shares (the signed ones too), so that all of
    them join without re-encoding."""
    return _video_args(profile)


def render_segment(part: Part, files: SegmentFiles, profile: RenderProfile, *,
                   want_video: bool, want_captioned: bool, want_audio: bool,
                   progress: Progress | None) -> None:
    """One ffmpeg run making the missing files of ``part`` (picture, captioned picture, sound).

    Raises:
        RenderError: the footage changed while ffmpeg read it (nothing is cached).
        MediaToolError: ffmpeg failed.
    """
    n_samples = part.frames * profile.sample_rate // profile.fps
    seconds = part.frames / profile.fps
    inp = None
    if part.kind == PartKind.CLIP:
        assert part.source is not None
        inp = sound.timeline_input(ffmpeg_input_name(part.source), part.sound, part.in_ms,
                                   t=f"{seconds + 1:.3f}")
    outputs = []
    made: list[tuple[Path, Path]] = []  # (temp file, cached file) of each output
    with contextlib.ExitStack() as stack:
        if want_video or want_captioned:
            if part.kind == PartKind.CARD:
                video = _card_video(part, profile)
            elif part.has_video:
                assert inp is not None
                video = _fit(inp.video, profile, part.picture)
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
                made.append((tmp, final))
                outputs.append(ffmpeg_python.output(stream, str(tmp), **_video_args(profile)))
        if want_audio:
            if part.kind == PartKind.CLIP and part.has_audio:
                assert inp is not None
                # Sound that starts after the picture is padded with silence rather than
                # pulled forward, so lips and voice stay together; the chosen speech is dual mono.
                audio = sound.on_timeline(sound.listening(inp, part.sound), profile.sample_rate)
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
            made.append((tmp, files.audio))
            outputs.append(ffmpeg_python.output(audio, str(tmp), acodec="pcm_f32le", f="wav"))
        if not outputs:
            return
        label = f"segment {part.name}" if want_video or want_captioned else f"sound {part.name}"
        before = change_stamp(part.source) if part.source is not None else None
        if part.footage_stamp is not None and before != part.footage_stamp:
            raise RenderError(f"clip {part.clip_id}: its footage changed after it was hashed; "
                              "render again")
        runner.run_graph(ffmpeg_python.merge_outputs(*outputs),
                         progress=(lambda f: progress(label, f)) if progress else None,
                         total_s=seconds)
        # The cache names this segment after the footage hash taken when the film was planned:
        # if the file was replaced while ffmpeg read it, the picture may be another clip's.
        # Raising here, inside the temp files' context, keeps it out of the cache.
        if part.source is not None and change_stamp(part.source) != before:
            raise RenderError(f"clip {part.clip_id}: its footage changed while it was being "
                              "rendered; render again")
        # Nothing enters the cache on ffmpeg's word alone: a cut-short segment would spoil
        # every later film made from it.
        for tmp, final in made:
            shown = f"{final} (segment {part.name})"
            if final.suffix == ".wav":
                check_segment_audio(tmp, n_samples, shown)
            else:
                check_segment_video(tmp, part.frames, profile, shown)


# --- every segment of the film -------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedSegments:
    """The segments of a film: files per part, and what was rendered or re-used.

    ``rendered`` and ``reused`` entries read ``PART:video``, ``PART:captioned`` or
    ``PART:audio``.
    """

    files: dict[str, SegmentFiles]
    rendered: list[str]
    reused: list[str]


def clean_stale(folder: Path) -> None:
    """Remove temp files a killed render left behind (callers hold the render lock)."""
    if folder.is_dir():
        for stale in list(folder.glob(".*.part*")) + list(folder.glob(".*.tmp")):
            with contextlib.suppress(OSError):
                stale.unlink()


@dataclass(frozen=True)
class SegmentJob:
    """One part's missing files, as :func:`render_segments` hands them to a dispatcher."""

    part: Part
    files: SegmentFiles
    profile: RenderProfile
    want_video: bool
    want_captioned: bool
    want_audio: bool

    @property
    def name(self) -> str:
        """What the job makes, for progress and errors: the part's name (and "sound" when
        it makes the part's sound alone)."""
        only_sound = self.want_audio and not (self.want_video or self.want_captioned)
        return f"{self.part.name} sound" if only_sound else self.part.name

    def run(self, progress: Progress | None = None) -> None:
        """Render the files (:func:`render_segment`)."""
        render_segment(self.part, self.files, self.profile, want_video=self.want_video,
                       want_captioned=self.want_captioned, want_audio=self.want_audio,
                       progress=progress)

    def on_worker(self, to: Callable[[Path], Path]) -> SegmentJob:
        """The same job with every path as ``to`` maps it (a cluster worker's view)."""
        part = self.part
        if part.source is not None:
            part = dataclasses.replace(part, source=to(part.source))
        f = self.files
        files = dataclasses.replace(f, video=to(f.video), captioned=to(f.captioned),
                                    audio=to(f.audio),
                                    ass=to(f.ass) if f.ass is not None else None)
        return dataclasses.replace(self, part=part, files=files)


def render_segments(parts: Sequence[Part], profile: RenderProfile, segments_dir: Path, *,
                    open_captions: bool, jobs: int = 1,
                    progress: Progress | None = None,
                    dispatch: SegmentDispatch | None = None,
                    alongside: Callable[[RenderedSegments], Job | None] | None = None,
                    ) -> RenderedSegments:
    """Render every segment not cached yet: each part's sound first (its own cheap run), then
    ``alongside``'s job (the film's loudness, given the segments) queued ahead of the pictures,
    so it runs while they encode. Through ``dispatch`` (a cluster) sound and pictures go
    together and that job runs here afterwards."""
    segments_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, SegmentFiles] = {}
    sounds: list[SegmentJob] = []
    pictures: list[SegmentJob] = []
    rendered: list[str] = []
    reused: list[str] = []
    for part in parts:
        f = segment_files(part, profile, segments_dir)
        files[part.name] = f
        need_captioned = open_captions and bool(part.cues)
        if need_captioned and f.ass is not None and not f.ass.exists():
            try:
                atomic_write_bytes(f.ass, ass_document(part.cues, profile))
            except OSError as exc:
                raise OutputWriteError(f.ass, exc) from None
        want = (not f.video.exists(), need_captioned and not f.captioned.exists(),
                not f.audio.exists())
        for flag, what in zip(want, ("video", "captioned", "audio"), strict=True):
            if what == "captioned" and not need_captioned:
                continue
            (rendered if flag else reused).append(f"{part.name}:{what}")
        if want[2]:
            sounds.append(SegmentJob(part, f, profile, False, False, True))
        if want[0] or want[1]:
            pictures.append(SegmentJob(part, f, profile, want[0], want[1], False))

    segments = RenderedSegments(files, rendered, reused)
    run_jobs(sounds if dispatch is None else [*sounds, *pictures], jobs=jobs,
             progress=progress, dispatch=dispatch)
    extra = [job] if alongside and (job := alongside(segments)) else []
    run_jobs([*extra, *pictures] if dispatch is None else extra, jobs=jobs, progress=progress)
    return segments


__all__ = [
    "DRAFT_TEXT",
    "ENCODER_THREADS",
    "SEGMENT_FORMAT",
    "RenderedSegments",
    "SegmentFiles",
    "SegmentJob",
    "cache_key",
    "clean_stale",
    "render_segment",
    "render_segments",
    "segment_files",
    "video_args",
]
