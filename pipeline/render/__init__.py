"""Rendering a film: the consent gate, cached per-clip segments, a join without re-encoding video,
one linear loudness pass, and every output written under a temporary name and renamed together.

How a render goes (:func:`render_film`), one module a step:

1. **Gate** (:mod:`.gate`, through :mod:`pipeline.clearance`): every clip in the sequence is put
   to the consent gate for the profile's channel; a refusal raises :class:`GateRefusedError`
   carrying every reason. For a public channel the footage is first hashed afresh
   (:mod:`.footage`), caption files with structural errors are refused
   (:mod:`.caption_check`), and so are descriptions over speech (:mod:`.description_check`).
2. **Plan** (:mod:`.plan`): the film becomes parts (title card, clips, credits card; their text
   from :mod:`.sidecars`), each a whole number of frames.
3. **Segments** (:mod:`.segments`, captions burned in by :mod:`.burn_in`): each part's sound
   first (``build/segments/KEY.wav``, one cheap ffmpeg run a part), then its pictures
   (``KEY.mp4``, clean and open-captions from one decode), KEY hashing everything that changes
   the file; the film's loudness (step 5) runs beside the pictures (:mod:`.sound_first`).
4. **Join** (:mod:`.join`): concat lists name the segments; the film's video is copied, not
   encoded.
5. **Loudness** (:mod:`.loudness`): the joined sound measured, normalised by one linear loudnorm
   pass, encoded to AAC and verified; cached by the sound segments' keys.
6. **Publish** (:mod:`.publish`): film MP4 with a language-tagged mov_text track, the
   open-captions variant, .srt/.vtt sidecars, transcript .html/.txt (:mod:`.sidecars`) and
   manifest.json, each checked (:mod:`.verify`), all renamed into place once the gate, asked
   again, still says yes. A film with sign videos also gets ``film.signed.mp4``
   (:mod:`.signing`: the signer's inset over the clean segments, signers gated like clips).
   A described film (web, broadcast) also gets a second, audio-described sound track,
   ``film.described.mp4`` and ``film.descriptions.vtt`` (:mod:`.described`: the programme
   lowered under each voiced description, one ffmpeg graph, cached; sound only).

No frame passes through Python: every step is an ffmpeg process started through the runner.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from captions.styles import get_style
from consent import WITHDRAWAL_CODES, GateResult
from pipeline import site
from pipeline.fsutil import describe_os_error
from pipeline.project import Project
from pipeline.render.caption_check import refuse_caption_errors
from pipeline.render.described import described_sound, makes_described, prepare_described
from pipeline.render.description_check import refuse_descriptions_over_speech
from pipeline.render.errors import (
    CaptionErrorsError,
    CaptionsMissingError,
    DescriptionsOverSpeechError,
    GateRefusedError,
    LoudnessError,
    OutputCheckError,
    OutputWriteError,
    RenderError,
)
from pipeline.render.footage import FreshFootage, FreshProject
from pipeline.render.gate import publishes, run_gate
from pipeline.render.jobs import SegmentDispatch, default_jobs
from pipeline.render.loudness import LoudnessReport
from pipeline.render.options import DEFAULT_OPTIONS, RenderOptions
from pipeline.render.plan import CardLines, Progress, film_duration_ms, plan_film
from pipeline.render.publish import PublishJob, write_outputs
from pipeline.render.segments import clean_stale, render_segments
from pipeline.render.sidecars import Credits, title_card_lines
from pipeline.render.signing import SIGNED_FILM, plan_signing, render_signed
from pipeline.render.sound_first import FilmSoundJob
from pipeline.render_profiles import RenderProfile, load_profile


@dataclass(frozen=True)
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


def _inputs(project: Project, prof: RenderProfile) -> dict[str, str | None]:
    """Hashes of what the gate decided on, taken at once: the manifest must not describe later
    edits."""
    ledger = project.ledger_path
    return {"film.yaml": project.file_sha256(project.film_yaml),
            "ledger": project.file_sha256(ledger) if ledger.exists() else None,
            "profile": prof.digest()}


def render_film(
    project: Project,
    profile: str | RenderProfile = "web",
    options: RenderOptions = DEFAULT_OPTIONS,
    *,
    today: date | None = None,
    wait: bool = True,
    progress: Progress | None = None,
    dispatch: SegmentDispatch | None = None,
    withhold: CardLines | None = None,
) -> RenderResult:
    """Render the film for one output profile into ``build/PROFILE/``.

    Args:
        project: the film project.
        profile: a profile name (web, broadcast, review) or a loaded profile.
        options: draft, drop withdrawn clips, open captions, jobs (:class:`.RenderOptions`;
            jobs None: :func:`.jobs.default_jobs`, 2 on a 2-core machine, where it is fastest).
        today: the day consent expiry is judged on (default today).
        wait: wait for another render of this project to finish (False: refuse at once).
        progress: called with (step, fraction 0..1) while ffmpeg works.
        dispatch: renders the segments elsewhere, e.g. on a Dask cluster
            (:meth:`pipeline.cluster.ClusterSession.segment_dispatch`); None renders them here.
        withhold: the advisory group's cut (:mod:`pipeline.feedback.cut`): a clip the gate
            blocks is not refused but replaced by a card of these lines, as long as its part.

    For a public channel (web, broadcast) every clip's footage is hashed afresh
    (:mod:`.footage`) and structural caption errors are refused (:mod:`.caption_check`); every
    output is checked (:mod:`.verify`) before it replaces the previous one.

    Raises:
        GateRefusedError: consent or sign-off is missing for a clip (every reason listed).
        CaptionErrorsError: a publishing render meets structural caption errors (every one
            listed as file:cue:rule).
        CaptionsMissingError: a clip has no caption file.
        DescriptionsOverSpeechError: a publishing render meets a description whose cue or
            voice overlaps speech (each listed as `coprod describe check` gives it).
        OutputCheckError: an output or cached segment is not what was planned (ffmpeg exited 0
            with a cut-short film, say); the previous outputs are in place.
        OutputWriteError, RenderError: a file could not be written or read (a full disk); one
            line naming it, the previous outputs in place.
        LoudnessError: the loudness check failed.
        ProjectError: another render holds the lock and ``wait`` is False.
        MediaToolError: ffmpeg failed.
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    open_caps = options.open_captions_for(project, prof)
    public = publishes(prof)
    with project.lock("render", wait=wait), contextlib.ExitStack() as stack:
        if public:
            # No cached hash on the publishing path: the footage is hashed now, in threads,
            # while the ledger is read; the gate, the segment keys and the manifest use these.
            footage = stack.enter_context(FreshFootage(
                project, project.film.used_clips))
            project = FreshProject(project, footage)
        try:
            return _render(project, prof, options, open_caps=open_caps, public=public,
                           today=today, progress=progress, dispatch=dispatch,
                           withhold=withhold)
        except OSError as exc:
            # Whatever file it was (a segment, a list, the hash cache), one line naming it.
            raise RenderError(f"{describe_os_error(exc)}; the previous outputs were left in "
                              "place") from None


def _render(project: Project, prof: RenderProfile, options: RenderOptions, *, open_caps: bool,
            public: bool, today: date | None, progress: Progress | None,
            dispatch: SegmentDispatch | None = None,
            withhold: CardLines | None = None) -> RenderResult:
    """One render, the lock held; see :func:`render_film`."""
    draft, drop_withdrawn = options.draft, options.drop_withdrawn
    jobs = default_jobs() if options.jobs is None else options.jobs
    segments_dir = project.build_dir / "segments"
    out_dir = project.build_dir / prof.name
    clean_stale(segments_dir)
    clean_stale(out_dir)
    cleared = run_gate(project, prof, draft=draft, drop_withdrawn=drop_withdrawn, today=today,
                       withhold=withhold is not None)
    gate = cleared.result
    unchecked: list[str] = []
    if public:
        refuse_caption_errors(project, gate.allowed, prof.name)
        unchecked = refuse_descriptions_over_speech(project, gate.allowed, prof.name)
    inputs = _inputs(project, prof)
    page = site.page_for(project, prof)  # the web page's words are checked before rendering
    credits = Credits.for_film(project, gate.allowed, gate.name_allowed)
    parts = plan_film(project, prof, gate.allowed, title_card_lines(project),
                      credits.card_lines(), withheld=cleared.withheld,
                      withheld_lines=withhold or ())
    notes = []
    try:
        signing = plan_signing(project, prof, parts, draft=draft, today=today)
    except GateRefusedError as refused:
        # A withdrawn signer is in film.signed.mp4 only: --drop-withdrawn leaves that out.
        if not (drop_withdrawn and refused.only_withdrawn):
            raise
        signing = None
        signers = ", ".join(sorted({r.contributor for r in refused.result.reasons
                                    if r.code in WITHDRAWAL_CODES}))
        notes.append(f"{SIGNED_FILM} not made: consent withdrawn for {signers}'s signing "
                     "(--drop-withdrawn); an earlier one is removed")
    # The advisory group's draft (``withhold``) is described too, when the film has
    # descriptions: the group watches the described version of what they may see.
    voiced = prepare_described(project, parts, prof, progress) \
        if makes_described(prof) or withhold is not None else None
    # Sound first: the film's loudness is measured and normalised while the pictures encode.
    sound_job = FilmSoundJob(parts, prof, segments_dir, open_captions=open_caps,
                             progress=progress)
    segments = render_segments(parts, prof, segments_dir, open_captions=open_caps,
                               jobs=jobs, progress=progress, dispatch=dispatch,
                               alongside=sound_job.ready)
    lists = sound_job.lists
    signed = None if signing is None else render_signed(
        signing, parts, segments, prof, segments_dir, open_captions=open_caps, jobs=jobs,
        progress=progress, dispatch=dispatch, style=get_style(project.film.caption_style))
    sound = sound_job.sound
    described = None if voiced is None else described_sound(
        voiced, parts, segments, lists.audio, prof, segments_dir, sound, progress)
    rendered = [*segments.rendered, *(signed.rendered if signed else ()),
                *(() if sound.reused else ("film:loudness",)),
                *(("film:described",) if described and not described.reused else ())]
    reused = [*segments.reused, *(signed.reused if signed else ()),
              *(("film:loudness",) if sound.reused else ()),
              *(("film:described",) if described and described.reused else ())]
    published = write_outputs(PublishJob(
        project=project, profile=prof, parts=tuple(parts), files=segments.files,
        rendered=tuple(rendered), reused=tuple(reused), lists=lists, sound=sound,
        cleared=cleared, credits=credits, draft=draft, inputs=inputs, today=today,
        signed=signed, described=described,
    ), progress)
    notes += [*unchecked, *site.publish_site(project, out_dir, page)]
    if cleared.dropped:
        notes.append(f"left out withdrawn clip(s): {', '.join(cleared.dropped)}")
    if sound.loudness.note:
        notes.append(sound.loudness.note)
    notes += signing.notes if signing else ()
    notes += [f"description left out: {x}" for x in described.placement.left_out] \
        if described else []
    return RenderResult(
        profile=prof.name, out_dir=out_dir, outputs=published.outputs,
        duration_ms=film_duration_ms(parts, prof.fps), gate=gate, loudness=sound.loudness,
        segments_rendered=rendered, segments_reused=reused, dropped=list(cleared.dropped),
        notes=[*notes, *published.notes], manifest=published.manifest,
    )


__all__ = [
    "CaptionErrorsError",
    "CaptionsMissingError",
    "DescriptionsOverSpeechError",
    "GateRefusedError",
    "LoudnessError",
    "OutputCheckError",
    "OutputWriteError",
    "Progress",
    "RenderError",
    "RenderOptions",
    "RenderResult",
    "render_film",
]
