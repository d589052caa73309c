"""Ingest: probe raw camera files, copy them into the project, record them, make derived files."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import media
from pipeline.exceptions import BatchError, MediaError, PipelineError, ProjectError
from pipeline.film import ID_RE
from pipeline.fsutil import copy_hashing, sha256_file
from pipeline.media import MediaInfo
from pipeline.project import Project

Progress = Callable[[str], None]


@dataclass
class IngestedClip:
    """What happened to one file."""

    source: Path
    clip_id: str
    info: MediaInfo
    already: bool = False
    notes: list[str] = field(default_factory=list)


def clip_id_for(path: Path) -> str:
    """A clip id from a file name: lower-case, letters/digits/-/_ only."""
    stem = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_")
    return (stem or "clip")[:64]


def _ingest_one(project: Project, src: Path, clip_id: str, contributors: Sequence[str],
                say: Progress) -> IngestedClip:
    info = media.probe(src)
    digest = sha256_file(src)
    for existing in project.film.clips.values():
        if existing.sha256 == digest:
            return IngestedClip(src, existing.id, info, already=True,
                                notes=[f"already ingested as clip {existing.id}"])
    if clip_id in project.film.clips:
        raise MediaError(src, f"clip id {clip_id!r} is taken by other footage; "
                              "choose another with --id")
    final = project.footage_dir / f"{clip_id}{src.suffix.lower()}"
    if final.exists() and sha256_file(final) != digest:
        raise MediaError(src, f"{final} already exists with other content and is not in "
                              "film.yaml; move it away or choose another --id")
    if final.exists():
        # Left by an interrupted ingest, or copied in by hand: the same bytes, so adopt it.
        say(f"{clip_id}: {final.name} is already in footage/ with the same content")
    else:
        say(f"{clip_id}: copying {src.name}")
        if copy_hashing(src, final) != digest:
            final.unlink()
            raise MediaError(src, "changed while it was being copied; ingest it again")
    try:
        say(f"{clip_id}: making 16 kHz WAV and review proxy")
        if info.has_audio:
            media.extract_audio(final, project.audio_path(clip_id))
        media.make_proxy(final, project.proxy_path(clip_id), info)
        media.write_probe_record(project.probe_path(clip_id), digest, info)
        # film.yaml is read again under the lock: a producer's edit made while the footage
        # was copying, or a second ingest running beside this one, is kept.
        with project.lock("film"):
            fresh = project.reload()
            for person in contributors:
                fresh.add_contributor(person)
            fresh.add_clip(clip_id, final.relative_to(project.root).as_posix(), digest,
                           list(contributors))
            fresh.save()
    except BaseException:
        # Nothing half-recorded: the footage copy and derived files go if film.yaml was not saved.
        if clip_id not in project.reload().film.clips:
            for path in (final, project.audio_path(clip_id), project.proxy_path(clip_id),
                         project.probe_path(clip_id)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        raise
    notes = []
    if not info.has_audio:
        notes.append("has no audio stream: its captions will be empty")
    if not contributors:
        notes.append("no --contributor given: the render gate blocks this clip until its "
                     "contributors are listed in film.yaml (or it is marked no_people: true)")
    if info.audio_streams > 1:
        notes.append(f"has {info.audio_streams} audio tracks: the first is used")
    return IngestedClip(src, clip_id, info, notes=notes)


def ingest(project: Project, files: Sequence[Path], *, contributors: Sequence[str] = (),
           clip_ids: Sequence[str] = (), say: Progress = lambda _msg: None) -> list[IngestedClip]:
    """Ingest each file; go on past bad ones and raise BatchError listing them at the end."""
    if clip_ids and len(clip_ids) != len(files):
        raise PipelineError(f"--id was given {len(clip_ids)} times for {len(files)} files; "
                            "give one --id per file or none")
    for cid in clip_ids:
        if not ID_RE.match(cid):
            raise PipelineError(f"--id {cid!r}: use lower-case letters, digits, - and _")
    for person in contributors:
        if not ID_RE.match(person):
            raise PipelineError(f"--contributor {person!r}: use lower-case letters, digits, "
                                "- and _")
    done: list[IngestedClip] = []
    failures: list[tuple[str, Exception]] = []
    for i, src in enumerate(files):
        clip_id = clip_ids[i] if clip_ids else clip_id_for(src)
        try:
            project = project.reload()
            result = _ingest_one(project, Path(src), clip_id, contributors, say)
        except (MediaError, ProjectError, PipelineError, OSError) as exc:
            if isinstance(exc, OSError):
                exc = MediaError(src, exc.strerror or str(exc))
            failures.append((str(src), exc))
            continue
        done.append(result)
        for note in result.notes:
            say(f"{result.clip_id}: {note}")
    if failures:
        raise BatchError("files", failures)
    return done
