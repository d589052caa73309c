"""Publishing a render: the films muxed, every output written under a temporary name, the gate
asked once more, then everything renamed into ``build/PROFILE/`` with the manifest last.

A render killed at any moment leaves the previous outputs intact: nothing is renamed until every
output is complete and the gate still says yes.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline import __version__, clearance, runner
from pipeline.clearance import FilmClearance
from pipeline.exceptions import MediaToolError, ToolInterruptedError
from pipeline.feedback.provenance import feedback_provenance
from pipeline.fsutil import atomic_write_bytes, sha256_file, temp_output
from pipeline.languages import iso639_2
from pipeline.media import ffmpeg_input_name
from pipeline.project import Project
from pipeline.render.access_facts import render_access
from pipeline.render.described import DescribedSound, described_title, track_options
from pipeline.render.errors import OutputCheckError, OutputWriteError, mux_error
from pipeline.render.gate import check_still_cleared
from pipeline.render.jobs import run_at_once
from pipeline.render.join import ConcatLists, concat_input
from pipeline.render.loudness import FilmSound
from pipeline.render.mp4_tracks import clear_subtitle_enabled
from pipeline.render.plan import (
    Part,
    PartKind,
    Progress,
    film_duration_ms,
    part_duration_ms,
    part_start_ms,
)
from pipeline.render.segments import SegmentFiles
from pipeline.render.sidecars import (
    Credits,
    film_cues,
    transcript_html,
    transcript_sections,
    transcript_text,
)
from pipeline.render.signing import SIGNED_FILM, SignedFilm, check_signers_still_cleared
from pipeline.render.verify import FilmSpec, check_caption_file, check_film, check_written
from pipeline.render_profiles import RenderProfile

FILM = "film.mp4"
OPEN_CAPTIONS_FILM = "film.open-captions.mp4"
DESCRIBED_FILM = "film.described.mp4"
DESCRIPTIONS_VTT = "film.descriptions.vtt"
MANIFEST = "manifest.json"
# Films muxed (and checked) at once: each run is mostly disk and one ffprobe core.
MUXES_AT_ONCE = 2
# Every output, in the order they are renamed into place: films first, the manifest last.
OUTPUT_NAMES = (FILM, OPEN_CAPTIONS_FILM, SIGNED_FILM, DESCRIBED_FILM, "film.srt", "film.vtt",
                DESCRIPTIONS_VTT, "transcript.html", "transcript.txt", MANIFEST)
# Films whose soft caption track is not flagged default: captions are burned into the open
# captions film, and the signed film's are burned in or would be drawn across the inset.
CAPTIONS_NOT_DEFAULT = (OPEN_CAPTIONS_FILM, SIGNED_FILM)
# Made only when the film is described (pipeline/render/described.py).
DESCRIBED_OUTPUTS = (DESCRIBED_FILM, DESCRIPTIONS_VTT)


@dataclass(frozen=True)
class PublishJob:
    """Everything a finished render publishes, made and decided before publishing starts.

    Attributes:
        project: the film project.
        profile: the render profile.
        parts: the film's plan.
        files: each part's cached segment files, by part name.
        rendered: segments (and ``film:loudness``) made by this render.
        reused: segments (and ``film:loudness``) taken from the cache.
        lists: the concat lists joining the segments.
        sound: the film's normalised sound.
        cleared: the gate's answer the render went ahead on.
        credits: who the film credits, and how.
        draft: an internal draft (no sign-off needed).
        inputs: hashes of film.yaml, the ledger and the profile, taken when the gate said yes.
        today: the day consent expiry is judged on when the gate is asked again (None: today).
        signed: the signed variant's segments and signers, when the film has sign videos.
        described: the described sound and its descriptions, when the film has any.
    """

    project: Project
    profile: RenderProfile
    parts: tuple[Part, ...]
    files: Mapping[str, SegmentFiles]
    rendered: tuple[str, ...]
    reused: tuple[str, ...]
    lists: ConcatLists
    sound: FilmSound
    cleared: FilmClearance
    credits: Credits
    draft: bool
    inputs: Mapping[str, str | None]
    today: date | None = None
    signed: SignedFilm | None = None
    described: DescribedSound | None = None

    @property
    def out_dir(self) -> Path:
        """Where the outputs go: ``build/PROFILE/``."""
        return self.project.build_dir / self.profile.name

    @property
    def duration_ms(self) -> int:
        """How long the film lasts."""
        return film_duration_ms(self.parts, self.profile.fps)


@dataclass(frozen=True)
class Published:
    """What publishing wrote: every output by name, the manifest, and anything worth saying."""

    outputs: dict[str, Path]
    manifest: dict[str, Any]
    notes: list[str]


def mux_film(video_list: Path, sound: Path, captions_srt: Path | None, dest: Path, *,
             language: str, title: str, seconds: float, progress: Progress | None = None,
             label: str = "join", sound_titles: Sequence[str] = ("",),
             described: Path | None = None, captions_default: bool = True) -> None:
    """Join the segments (video copied), add the film's sound and a soft mov_text track.

    ``described``: a second sound track (the described sound). ``sound_titles``: each sound
    track's title, "" for the programme sound; a titled track is marked visual_impaired and
    the first track stays the default. ``captions_default``: whether the caption track is
    flagged default (never in a film with captions burned in or a signer's inset: a player
    honouring the flag would draw captions twice, or across the signer).
    """
    sounds = [sound, *([described] if described is not None else [])]
    streams = [concat_input(video_list).video,
               *(ffmpeg_python.input(ffmpeg_input_name(s)).audio for s in sounds)]
    kwargs: dict[str, Any] = {
        "c:v": "copy", "c:a": "copy", "metadata": f"title={title}",
        "metadata:s:a:0": f"language={language}", "movflags": "+faststart", "f": "mp4",
    }
    if captions_srt is not None:
        streams.append(ffmpeg_python.input(ffmpeg_input_name(captions_srt), f="srt")["s"])
        kwargs.update({"c:s": "mov_text", "metadata:s:s:0": f"language={language}"})
    argv = ffmpeg_python.compile(ffmpeg_python.output(*streams, str(dest), **kwargs),
                                 cmd="ffmpeg", overwrite_output=False)
    # Options ffmpeg-python cannot repeat (two -metadata for one stream) go before the output.
    runner.ffmpeg([*argv[1:-1], *track_options(sound_titles, language, len(sounds)),
                   argv[-1]], progress=(lambda f: progress(label, f)) if progress else None,
                  total_s=seconds)
    if captions_srt is not None and not captions_default:
        # ffmpeg's MP4 muxer enables a lone caption track whatever -disposition says.
        clear_subtitle_enabled(dest)


def _write_text(path: Path, text: str, shown_as: Path) -> bytes:
    """Write a text output under its temp name and read it back; the bytes written."""
    data = text.encode("utf-8")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise OutputWriteError(shown_as, exc) from None
    check_written(path, data, shown_as)
    return data


def write_outputs(job: PublishJob, progress: Progress | None = None) -> Published:
    """Make every output under a temp name, check each, ask the gate again, then rename them all.

    Raises:
        OutputCheckError: an output is not what was planned (ffmpeg said it succeeded, say,
            but the film is cut short); nothing was published.
        OutputWriteError: an output could not be written (a full disk); nothing was published.
        RenderError, GateRefusedError: content or consent changed while rendering; nothing was
            published.
        MediaToolError: ffmpeg failed; nothing was published.
    """
    from captions.formats import dumps

    out_dir = job.out_dir
    film = job.project.film
    language = iso639_2(film.language)
    duration_ms = job.duration_ms
    seconds = duration_ms / 1000
    captioned_list = job.lists.captioned
    cues = film_cues(job.parts, job.profile.fps)
    spec = FilmSpec.for_film(job.profile, sum(p.frames for p in job.parts), language, cues)
    described = job.described
    sections = transcript_sections(job.project, job.parts, job.profile.fps, job.credits,
                                   described.transcript_entries() if described else None)
    notes: list[str] = []
    staged: dict[str, Path] = {}
    names = [n for n in OUTPUT_NAMES if (captioned_list is not None or n != OPEN_CAPTIONS_FILM)
             and (job.signed is not None or n != SIGNED_FILM)
             and (described is not None or n not in DESCRIBED_OUTPUTS)]
    with contextlib.ExitStack() as stack:
        # ExitStack renames in reverse order of entry: entered from the manifest back, the films
        # are renamed first and the manifest last, so a manifest always describes films in place.
        for name in reversed(names):
            try:
                staged[name] = stack.enter_context(temp_output(out_dir / name))
            except OSError as exc:
                raise OutputWriteError(out_dir / name, exc) from None
        texts = {
            "film.srt": dumps(cues, "srt"),
            "film.vtt": dumps(cues, "vtt"),
            "transcript.html": transcript_html(film.title, film.language, duration_ms,
                                               sections),
            "transcript.txt": transcript_text(film.title, duration_ms, sections),
        }
        if described is not None:
            texts[DESCRIPTIONS_VTT] = dumps(described.cues(), "vtt")
        for name, text in texts.items():
            _write_text(staged[name], text, out_dir / name)
        for fmt in ("srt", "vtt"):
            check_caption_file(staged[f"film.{fmt}"], fmt, cues, out_dir / f"film.{fmt}")
        if described is not None:
            check_caption_file(staged[DESCRIPTIONS_VTT], "vtt", described.cues(),
                               out_dir / DESCRIPTIONS_VTT)
        track = staged["film.srt"] if cues else None
        if track is None:
            notes.append("the film has no captions, so it has no subtitle track")
        films = [(FILM, job.lists.video, "join")]
        if captioned_list is not None:
            films.append((OPEN_CAPTIONS_FILM, captioned_list, "join (open captions)"))
        if job.signed is not None:
            films.append((SIGNED_FILM, job.signed.list_path, "join (signed)"))
        if described is not None:
            films.append((DESCRIBED_FILM, job.lists.video, "join (described)"))

        def mux(name: str, video_list: Path, label: str) -> None:
            sound, extra, titles = _sound_tracks(job, name)
            default = name not in CAPTIONS_NOT_DEFAULT
            try:
                mux_film(video_list, sound, track, staged[name], language=language,
                         title=film.title, seconds=seconds, progress=progress, label=label,
                         sound_titles=titles, described=extra, captions_default=default)
                # ffmpeg's exit code is not proof: a full disk can leave a broken file and
                # exit 0.
                check_film(staged[name], replace(spec, audio_titles=titles,
                                                 captions_default=default), out_dir / name)
            except ToolInterruptedError:
                raise
            except (MediaToolError, OutputCheckError) as exc:
                raise mux_error(out_dir / name, exc) from None

        run_at_once([functools.partial(mux, *f) for f in films], MUXES_AT_ONCE)
        check_still_cleared(job.project, job.profile, job.cleared, today=job.today)
        if job.signed is not None:
            check_signers_still_cleared(job.project, job.profile, job.signed, today=job.today)
        outputs = {name: {"sha256": sha256_file(path), "bytes": path.stat().st_size}
                   for name, path in staged.items() if name != MANIFEST}
        manifest = build_manifest(job, outputs)
        manifest["access"] = render_access(job, manifest, list(outputs),
                                           texts["transcript.txt"]).to_dict()
        manifest_text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        _write_text(staged[MANIFEST], manifest_text, out_dir / MANIFEST)
        try:
            _widen_manifest_for_swap(out_dir / MANIFEST, manifest)
        except OSError as exc:
            raise OutputWriteError(out_dir / MANIFEST, exc) from None
    # A variant from an earlier render that this one did not make would not match it: remove it.
    for made, name in ((captioned_list, OPEN_CAPTIONS_FILM), (job.signed, SIGNED_FILM),
                       (described, DESCRIBED_FILM), (described, DESCRIPTIONS_VTT)):
        if made is None:
            with contextlib.suppress(FileNotFoundError):
                (out_dir / name).unlink()
    return Published({name: out_dir / name for name in staged}, manifest, notes)


def _sound_tracks(job: PublishJob, name: str) -> tuple[Path, Path | None, tuple[str, ...]]:
    """A film's sound: (first track, second track or None, each track's title).

    film.mp4 carries the described sound second when the film is described;
    film.described.mp4 carries only that; every other film the programme sound alone.
    """
    described = job.described
    if described is None or name not in (FILM, DESCRIBED_FILM):
        return job.sound.path, None, ("",)
    title = described_title(job.project.film.language)
    if name == DESCRIBED_FILM:
        return described.path, None, (title,)
    return job.sound.path, described.path, ("", title)


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


def created_now() -> str:
    """The time a render finished, as the manifest records it (UTC, ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_manifest(job: PublishJob, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest: inputs, clips, consent relied on, loudness, tools and ``outputs``' hashes.

    Its keys are in a fixed, readable order; contributors appear by id only.
    """
    project, prof, gate = job.project, job.profile, job.cleared.result
    root = project.root.resolve()

    def rel(path: Path) -> str:
        path = path.resolve()
        return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

    keys = {u.clip_id: u.content_key for u in job.cleared.uses}
    clips, cards = [], []
    for part in job.parts:
        f = job.files[part.name]
        entry: dict[str, Any] = {
            "film_start_ms": part_start_ms(part, prof.fps),
            "duration_ms": part_duration_ms(part, prof.fps),
            "segments": {"video": f.video_key, "captioned": f.captioned_key,
                         "audio": f.audio_key},
        }
        if part.kind == PartKind.CARD:
            cards.append({"name": part.name, "text": [t for t, _ in part.lines if t.strip()],
                          **({"withheld": part.withheld} if part.withheld else {}), **entry})
            continue
        assert part.clip_id is not None and part.source is not None
        caption = project.caption_path(part.clip_id, "srt")
        describers = project.clip(part.clip_id).described_by
        clips.append({
            "id": part.clip_id,
            "contributors": list(project.clip(part.clip_id).contributors),
            "footage": rel(part.source), "footage_sha256": part.footage_sha256,
            "caption_file": rel(caption),
            "caption_sha256": clearance.caption_sha256(project, part.clip_id),
            "in_ms": part.in_ms, "out_ms": part.out_ms, "content_key": keys.get(part.clip_id),
            # Only a clip with describers has the key (`status` lists the files carrying
            # their descriptions to take down after a withdrawal).
            **({"described_by": list(describers)} if describers else {}),
            **entry,
        })
    return {
        "output": rel(job.out_dir / FILM),
        "created": created_now(),
        "coprod": __version__,
        "profile": prof.to_dict(),
        "channel": prof.channel,
        "draft": job.draft,
        "film": {"title": project.film.title, "language": project.film.language,
                 "duration_ms": job.duration_ms, "frames": sum(p.frames for p in job.parts),
                 "fps": prof.fps},
        "inputs": dict(job.inputs),
        "clips": clips,
        "cards": cards,
        "contributors": [{"id": cid, "credited_by_name": cid in job.credits.named}
                         for cid in job.credits.order],
        "dropped_clips": list(job.cleared.dropped),
        "consent": {"channel": gate.channel, "draft": gate.draft,
                    "events_used": list(gate.events_used), "ledger_head": gate.ledger_head},
        "loudness": job.sound.loudness.to_dict(),
        "tools": {"ffmpeg": runner.tool_version("ffmpeg"),
                  "ffprobe": runner.tool_version("ffprobe"), "coprod": __version__},
        "segments": {"rendered": list(job.rendered), "reused": list(job.reused)},
        "outputs": dict(outputs),
        # Only a film with sign videos has the key, so other manifests read as before.
        **({"signed": job.signed.manifest_entry(project, prof)} if job.signed else {}),
        # Likewise only a described film has this key.
        **({"described": job.described.to_manifest()} if job.described else {}),
        # The advisory group's comments and approvals, as counts (issue 26).
        **feedback_provenance(project),
    }


__all__ = [
    "DESCRIBED_FILM",
    "DESCRIBED_OUTPUTS",
    "DESCRIPTIONS_VTT",
    "FILM",
    "MANIFEST",
    "OPEN_CAPTIONS_FILM",
    "OUTPUT_NAMES",
    "PublishJob",
    "Published",
    "build_manifest",
    "created_now",
    "mux_film",
    "write_outputs",
]
