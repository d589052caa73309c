"""The signed variant, ``film.signed.mp4``: a signer's video in an inset, captions kept clear of it.

Where the signer goes follows Ofcom's guidance on television access services for signing, as
cited by the Irish National IT Accessibility Guidelines (universaldesign.ie, "Ensure that the
signer is easy to see and read"): the signer should be no smaller than **one sixth of the
picture** (:data:`SIGNER_AREA`, taken as area), with the whole signing space visible (below the
waist to above the head, an elbow's width either side); signed programmes are shown with the
signer in a corner and should also be subtitled. coprod's inset:

* its area is at least 1/6 of the picture: 60 % of the picture height (:data:`INSET_HEIGHT`,
  room for the signing space) by the width that makes 1/6, about 0.82:1 at 16:9;
* bottom right, 5 % of the width and height in from the edges (:data:`INSET_MARGIN`, the caption
  safe area's side margin); the right-hand corner is UK broadcast practice, not an Ofcom figure;
* a signer video of another shape is fitted whole (never cropped: the signing space must show)
  on a light blue-grey ground (:data:`INSET_BACKGROUND`; signers' own guidance prefers light
  blue or grey behind a signer);
* burned-in captions in this variant only are kept left of the inset
  (:func:`pipeline.render.burn_in.caption_style`'s ``clear_right``): same size, inside a
  narrower box, so no caption ever covers the signer; the cues are made again for the shorter
  lines with the rules every caption follows (:func:`signed_cues`: two lines, BBC line breaks),
  not wrapped by libass into three or four.

Each part with a signer is its own cached segment, made from the part's clean picture segment
(so only the inset is new), keyed by that segment, the signer video's sha256, where the part
starts in it, the caption file drawn and the inset; parts without a signer reuse their clean
(or open-captions) segment. The variant is joined by an ffconcat list without re-encoding, like
the others. A clip's video ``sign/CLIP.mp4`` follows the clip's own times (cut at its in
point); ``sign/film.mp4`` follows the film's timeline (title card included). A sign video that
ends before its part does simply ends: the inset goes away for the rest of that stretch (never
a frozen signer), and the render says so in its notes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from captions.model import Cue
from captions.styles import CaptionStyle
from pipeline import __version__, runner
from pipeline.clearance.sign_videos import SigningError, SignVideo, sign_videos
from pipeline.clearance.signers import (
    SigningClearance,
    clear_signing,
    recheck_signing,
    signing_use,
)
from pipeline.fsutil import atomic_write_bytes, sha256_bytes, temp_output
from pipeline.media import ffmpeg_input_name, probe
from pipeline.project import Project
from pipeline.render.burn_in import ass_document, caption_style
from pipeline.render.errors import GateRefusedError, OutputWriteError, RenderError
from pipeline.render.gate import publishes
from pipeline.render.jobs import SegmentDispatch, run_jobs
from pipeline.render.join import write_concat_list
from pipeline.render.plan import Part, Progress, part_start_ms
from pipeline.render.segments import SEGMENT_FORMAT, RenderedSegments, cache_key, video_args
from pipeline.render.verify import check_segment_video
from pipeline.render_profiles import RenderProfile

SIGNED_FILM = "film.signed.mp4"
SIGNER_AREA = 1 / 6  # Ofcom: the signer no smaller than one sixth of the picture
INSET_HEIGHT = 0.60  # of the picture height
INSET_MARGIN = 0.05  # of the width (right) and height (bottom), in from the edge
INSET_BACKGROUND = "0xB0C4DE"  # light steel blue behind a signer video of another shape
GUIDANCE = ("Ofcom guidance on television access services (signing), via the Irish National "
            "IT Accessibility Guidelines: signer no smaller than one sixth of the picture")


def _even_up(value: float) -> int:
    return 2 * math.ceil(value / 2)


@dataclass(frozen=True)
class Inset:
    """Where the signer is drawn, in picture pixels."""

    x: int
    y: int
    width: int
    height: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1), x1 and y1 exclusive."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    def to_dict(self, profile: RenderProfile) -> dict[str, Any]:
        """JSON-ready, with the share of the picture it covers."""
        share = self.width * self.height / (profile.width * profile.height)
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height,
                "position": "bottom right", "fraction_of_picture": round(share, 4),
                "guidance": GUIDANCE}


def inset_for(profile: RenderProfile) -> Inset:
    """The signer's inset for ``profile``'s picture: at least 1/6 of it, bottom right."""
    w, h = profile.width, profile.height
    height = _even_up(h * INSET_HEIGHT)
    width = _even_up(w * h * SIGNER_AREA / height)
    return Inset(w - round(w * INSET_MARGIN) - width, h - round(h * INSET_MARGIN) - height,
                 width, height)


# --- which signer covers which part --------------------------------------------------------------


@dataclass(frozen=True)
class PartSigning:
    """The signer shown over one part: their video, its hash, and where the part starts in it."""

    video: SignVideo
    sha256: str
    from_ms: int


@dataclass(frozen=True)
class SigningPlan:
    """The film's sign videos, the gate's answer for their signers, and each signed part."""

    videos: tuple[SignVideo, ...]
    cleared: SigningClearance
    parts: dict[str, PartSigning]
    clips: tuple[str, ...] = ()  # clip ids shown with a signer, in film order
    notes: tuple[str, ...] = ()
    # How long the signer's video plays in each signed part (ms, from its probed length).
    signed_ms: dict[str, int] = field(default_factory=dict)


def plan_signing(project: Project, profile: RenderProfile, parts: Sequence[Part], *,
                 draft: bool = False, today: date | None = None) -> SigningPlan | None:
    """Gate the signers and decide which signer covers each part; None without sign videos.

    A clip's own sign video wins over ``sign/film.mp4`` for that clip.

    Raises:
        SigningError: a sign video and film.yaml disagree, or a video has no picture.
        GateRefusedError: a signer lacks ``appear`` consent for the channel or a current
            sign-off of their video (every reason listed).
    """
    videos = sign_videos(project)
    if not videos:
        return None
    fresh = publishes(profile)
    cleared = clear_signing(project, profile.channel, videos, draft=draft,
                                      today=today, fresh=fresh)
    if cleared.result.blocked:
        raise GateRefusedError(cleared.result, profile.name, signing=True)
    hashes = {u.clip_id: u.footage_sha256 or "" for u in cleared.uses}
    lengths: dict[str, int] = {}
    for video in videos:
        info = probe(video.path)
        if not info.has_video:
            raise SigningError(video.path, "has no picture; the signer's video needs one")
        lengths[video.use_id] = info.duration_ms
    by_clip = {v.target: v for v in videos if not v.whole_film}
    film_video = next((v for v in videos if v.whole_film), None)
    signed: dict[str, PartSigning] = {}
    signed_ms: dict[str, int] = {}
    short: dict[str, int] = {}
    clips: list[str] = []
    for part in parts:
        if part.withheld:
            continue  # the group's cut: nobody signs the words of a clip held back from them
        chosen = by_clip.get(part.clip_id) if part.clip_id else None
        from_ms = part.in_ms
        if chosen is None and film_video is not None:
            chosen, from_ms = film_video, part_start_ms(part, profile.fps)
        if chosen is None:
            continue
        length = lengths[chosen.use_id]
        end_ms = from_ms + part.frames * 1000 // profile.fps
        if end_ms > length:
            short[chosen.use_id] = max(short.get(chosen.use_id, 0), end_ms - length)
        if from_ms < length:
            signed[part.name] = PartSigning(chosen, hashes[chosen.use_id], from_ms)
            signed_ms[part.name] = min(end_ms, length) - from_ms
            clips += [part.clip_id] if part.clip_id else []
    notes = tuple(f"{v.path.name} ends {short[v.use_id] / 1000:.1f} s before what it signs: "
                  "the signer is not shown after it ends" for v in videos if v.use_id in short)
    return SigningPlan(tuple(videos), cleared, signed, tuple(clips), notes, signed_ms)


# --- one signed segment --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedSegment:
    """One part's signed picture: its cache key and file, and what it is made from."""

    key: str
    path: Path
    base: Path
    ass: Path | None
    sign: Path
    from_ms: int
    inset: Inset


def signed_cues(cues: Sequence[Cue], profile: RenderProfile, style: CaptionStyle) -> list[Cue]:
    """The cues as the signed film burns them: made again for the lines left of the inset
    (:func:`captions.resegment.resegment`, the film's caption style with lines shortened by
    the share of the caption box the inset takes), so no caption runs past two lines."""
    from captions.resegment import narrower, resegment

    clear = profile.width - inset_for(profile).x
    full, signed = caption_style(profile), caption_style(profile, clear_right=clear)
    width = profile.width - 2 * full["margin_h"]
    left = profile.width - signed["margin_h"] - signed["margin_r"]
    return resegment(cues, narrower(style, left / width))


def signed_segment(part: Part, base_key: str, base: Path, signing: PartSigning,
                   profile: RenderProfile, segments_dir: Path, *, open_captions: bool,
                   style: CaptionStyle | None = None) -> tuple[SignedSegment, bytes | None]:
    """Key and file of ``part``'s signed picture (nothing is rendered), and its ASS bytes.

    ``style``: the film's caption style, which the burned-in cues are made again with for the
    narrower lines (:func:`signed_cues`); None burns them as they are.
    """
    inset = inset_for(profile)
    cues = signed_cues(part.cues, profile, style) if style is not None else list(part.cues)
    ass = (ass_document(cues, profile, clear_right=profile.width - inset.x)
           if open_captions and cues else None)
    key = cache_key({"format": SEGMENT_FORMAT, "coprod": __version__, "what": "signed",
                     "video": base_key, "captions": sha256_bytes(ass) if ass else None,
                     "sign": signing.sha256, "from_ms": signing.from_ms,
                     "frames": part.frames, "inset": inset.box, "ground": INSET_BACKGROUND})
    return SignedSegment(key, segments_dir / f"{key}.mp4", base,
                         segments_dir / f"{key}.ass" if ass else None,
                         signing.video.path, signing.from_ms, inset), ass


def render_signed_segment(part: Part, seg: SignedSegment, profile: RenderProfile,
                          progress: Progress | None = None) -> None:
    """One ffmpeg run: the part's clean picture, its captions kept clear of the inset, and the
    signer over it; checked before it enters the cache.

    Raises:
        OutputCheckError: the segment is not what was planned.
        MediaToolError: ffmpeg failed.
    """
    seconds = part.frames / profile.fps
    inset = seg.inset
    video = ffmpeg_python.input(ffmpeg_input_name(seg.base)).video
    if seg.ass is not None:
        video = video.filter("subtitles", filename=str(seg.ass))
    signer = (ffmpeg_python.input(ffmpeg_input_name(seg.sign), ss=f"{seg.from_ms / 1000:.3f}",
                                  t=f"{seconds + 1:.3f}").video
              .filter("setpts", "PTS-STARTPTS")
              .filter("fps", profile.fps)
              .filter("scale", inset.width, inset.height, force_original_aspect_ratio="decrease",
                      force_divisible_by=2, out_color_matrix="bt709", out_range="tv")
              .filter("pad", inset.width, inset.height, "(ow-iw)/2", "(oh-ih)/2",
                      color=INSET_BACKGROUND)
              .filter("setsar", "1"))
    # eof_action=pass: after a short sign video the picture goes on without the inset.
    video = (ffmpeg_python.overlay(video, signer, x=inset.x, y=inset.y, eof_action="pass")
             .filter("trim", end_frame=part.frames)
             .filter("setpts", "N/FRAME_RATE/TB")
             .filter("format", "yuv420p"))
    with temp_output(seg.path) as tmp:
        runner.run_graph(ffmpeg_python.output(video, str(tmp), **video_args(profile)),
                         progress=(lambda f: progress(f"signed {part.name}", f))
                         if progress else None, total_s=seconds)
        check_segment_video(tmp, part.frames, profile, f"{seg.path} (signed segment {part.name})")


# --- the whole signed variant --------------------------------------------------------------------


@dataclass(frozen=True)
class SignedFilm:
    """The signed variant of one render: its concat list, each part's signed segment, what was
    rendered or reused, and the plan (signers, the gate's answer) it was made from."""

    plan: SigningPlan
    list_path: Path
    inset: Inset
    segments: dict[str, SignedSegment] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)

    def manifest_entry(self, project: Project, profile: RenderProfile) -> dict[str, Any]:
        """``manifest["signed"]``: the file, each signed use, the parts signed, the inset."""
        root = project.root.resolve()
        uses = {u.clip_id: u for u in self.plan.cleared.uses}
        signers = {v.use_id: {
            "signer": v.signer, "video": str(v.path.resolve().relative_to(root)),
            "sha256": uses[v.use_id].footage_sha256,
            "content_key": uses[v.use_id].content_key,
        } for v in self.plan.videos}
        return {
            "file": SIGNED_FILM, "signers": signers,
            "clips_signed": list(self.plan.clips),
            "parts_signed": {p: s.video.use_id for p, s in self.plan.parts.items()},
            "signed_ms": dict(self.plan.signed_ms),
            "inset": self.inset.to_dict(profile),
            "segments": {p: s.key for p, s in self.segments.items()},
        }


@dataclass(frozen=True)
class SignedJob:
    """One part's signed picture to render, as :func:`render_signed` hands it to
    :func:`pipeline.render.jobs.run_jobs` (here, or on a cluster worker)."""

    part: Part
    segment: SignedSegment
    profile: RenderProfile

    @property
    def name(self) -> str:
        """What the job makes: ``PART:signed``."""
        return f"{self.part.name}:signed"

    def run(self, progress: Progress | None = None) -> None:
        """Render the signed segment (:func:`render_signed_segment`)."""
        render_signed_segment(self.part, self.segment, self.profile, progress)

    def on_worker(self, to: Callable[[Path], Path]) -> SignedJob:
        """The same job with every path as ``to`` maps it (a cluster worker's view)."""
        seg = self.segment
        return replace(self, segment=replace(
            seg, path=to(seg.path), base=to(seg.base), sign=to(seg.sign),
            ass=to(seg.ass) if seg.ass is not None else None))


def render_signed(plan: SigningPlan, parts: Sequence[Part], segments: RenderedSegments,
                  profile: RenderProfile, segments_dir: Path, *, open_captions: bool,
                  jobs: int = 1, progress: Progress | None = None,
                  dispatch: SegmentDispatch | None = None,
                  style: CaptionStyle | None = None) -> SignedFilm:
    """Render every signed segment not cached yet and write the variant's concat list.

    The segments are rendered like the others (:func:`pipeline.render.jobs.run_jobs`):
    ``jobs`` at once here, or through ``dispatch`` (a cluster).

    Raises:
        OutputWriteError: a caption or list file cannot be written.
        OutputCheckError, MediaToolError: as :func:`render_signed_segment`.
    """
    film = SignedFilm(plan, segments_dir / f"{profile.name}.signed.ffconcat", inset_for(profile))
    chosen: list[Path] = []
    todo: list[SignedJob] = []
    for part in parts:
        files = segments.files[part.name]
        signing = plan.parts.get(part.name)
        if signing is None:
            chosen.append(files.captioned if open_captions and part.cues else files.video)
            continue
        seg, ass = signed_segment(part, files.video_key, files.video, signing, profile,
                                  segments_dir, open_captions=open_captions, style=style)
        film.segments[part.name] = seg
        chosen.append(seg.path)
        if seg.path.exists():
            film.reused.append(f"{part.name}:signed")
            continue
        if seg.ass is not None and ass is not None:
            try:
                atomic_write_bytes(seg.ass, ass)
            except OSError as exc:
                raise OutputWriteError(seg.ass, exc) from None
        todo.append(SignedJob(part, seg, profile))
        film.rendered.append(f"{part.name}:signed")
    run_jobs(todo, jobs=jobs, progress=progress, dispatch=dispatch)
    try:
        write_concat_list(film.list_path, chosen, [p.frames / profile.fps for p in parts])
    except OSError as exc:
        raise OutputWriteError(film.list_path, exc) from None
    return film


def check_signers_still_cleared(project: Project, profile: RenderProfile, film: SignedFilm, *,
                                today: date | None = None) -> None:
    """Refuse to publish if a sign video changed or a signer's consent ended while rendering.

    Raises:
        RenderError: a sign video changed.
        GateRefusedError: a signer's use is now blocked (a withdrawal, say).
    """
    plan = film.plan
    fresh = publishes(profile)
    changed = [v.use_id for v, u in zip(plan.videos, plan.cleared.uses, strict=True)
               if signing_use(project, v, fresh=fresh).content_key != u.content_key]
    if changed:
        raise RenderError(f"sign video(s) {', '.join(changed)} changed while rendering; nothing "
                          "was published; render again")
    again = recheck_signing(project, plan.cleared, today=today)
    if again.blocked:
        raise GateRefusedError(again, profile.name, signing=True)


__all__ = [
    "GUIDANCE",
    "INSET_BACKGROUND",
    "INSET_HEIGHT",
    "INSET_MARGIN",
    "SIGNED_FILM",
    "SIGNER_AREA",
    "Inset",
    "PartSigning",
    "SignedFilm",
    "SignedJob",
    "SignedSegment",
    "SigningPlan",
    "check_signers_still_cleared",
    "inset_for",
    "plan_signing",
    "render_signed",
    "render_signed_segment",
    "signed_cues",
    "signed_segment",
]
