"""Ingest: probe raw camera files, copy them into the project, record them, make derived files."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import cards, clip_sound, media, picture
from pipeline.exceptions import BatchError, MediaError, PipelineError, ProjectError
from pipeline.film import is_id
from pipeline.fsutil import (
    copy_to_temp,
    describe_os_error,
    file_mode,
    move_no_replace,
    os_error_advice,
    sha256_file,
)
from pipeline.media import MediaInfo
from pipeline.project import Project

Progress = Callable[[str], None]
# clip, clip-2 ... clip-999: past that a producer should choose ids with --id.
MAX_SUFFIX = 1000


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


def _same_footage(project: Project, digest: str) -> str | None:
    """The id of a clip already recorded with these exact bytes, if any."""
    return next((c.id for c in project.film.clips.values() if c.sha256 == digest), None)


def _candidates(wanted: str, explicit: bool) -> Iterator[str]:
    """Clip ids to try: the one asked for with --id, else the file's name, then name-2, -3..."""
    yield wanted
    if explicit:
        return
    for n in range(2, MAX_SUFFIX):
        tail = f"-{n}"
        yield f"{wanted[:64 - len(tail)]}{tail}"


def _footage_taken(project: Project, final: Path) -> str | None:
    """The id of a clip whose footage is the file ``final``, if any."""
    target = final.resolve()
    return next((c.id for c in project.film.clips.values() if c.file == target), None)


@dataclass
class _Placed:
    """Footage moved to its final name in footage/ under the film lock."""

    clip_id: str
    final: Path
    adopted: bool  # the file was already there with the same bytes (an interrupted ingest)


def _place_footage(project: Project, src: Path, tmp: Path, digest: str, wanted: str,
                   explicit: bool, say: Progress) -> _Placed:
    """Choose the clip id and move the copied footage to its name; never overwrite anything.

    Called under the film lock with film.yaml freshly read. A clip id or footage name already
    taken gets the next free one (clip, clip-2, ...); an explicit --id that is taken is refused.
    """
    for clip_id in _candidates(wanted, explicit):
        final = project.footage_dir / f"{clip_id}{src.suffix.lower()}"
        if clip_id in project.film.clips:
            if explicit:
                raise MediaError(src, f"clip id {clip_id!r} is taken by other footage; choose "
                                      "another with --id")
            continue
        owner = _footage_taken(project, final)
        if owner is not None:
            if explicit:
                raise MediaError(src, f"footage/{final.name} is the footage of clip {owner}; "
                                      "choose another id with --id")
            continue
        try:
            move_no_replace(tmp, final)
        except FileExistsError:
            if final.is_file() and sha256_file(final) == digest:
                # Left by an interrupted ingest, or copied in by hand: the same bytes, so adopt it.
                tmp.unlink()
                say(f"{clip_id}: {final.name} is already in footage/ with the same content")
                return _Placed(clip_id, final, adopted=True)
            if explicit:
                raise MediaError(src, f"{final} already exists with other content and is not "
                                      "in film.yaml; move it away or choose another --id") \
                    from None
            continue
        return _Placed(clip_id, final, adopted=False)
    raise MediaError(src, f"no free clip id like {wanted!r}; choose one with --id")


def _staging(path: Path) -> Path:
    """A new empty hidden file beside ``path``, for a derived file made before its id is known."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ingest-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    # mkstemp makes 0600 files, and the derived file keeps the staging file's mode.
    os.chmod(tmp, file_mode(path))
    return Path(tmp)


def _unlink(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _ingest_one(project: Project, src: Path, wanted: str, explicit: bool,
                contributors: Sequence[str], say: Progress) -> IngestedClip:
    """Copy, make derived files under staging names, then record everything in one locked step.

    The slow work (hashing, copying, ffmpeg) happens outside the film lock; choosing the id,
    moving the footage and derived files to their names and saving film.yaml happen under it,
    so two ingests running at once never share an id, a footage file or a film.yaml entry.
    """
    info = media.probe(src)
    digest = sha256_file(src)
    already = _same_footage(project, digest)
    if already is not None:
        return IngestedClip(src, already, info, already=True,
                            notes=[f"already ingested as clip {already}"])
    say(f"{wanted}: copying {src.name}")
    tmp, copied = copy_to_temp(src, project.footage_dir, f"{wanted}{src.suffix.lower()}")
    audio = proxy = None
    placed: _Placed | None = None
    saved = False
    try:
        if copied != digest:
            raise MediaError(src, "changed while it was being copied; ingest it again")
        heard = clip_sound.ingest_choice(tmp, info)
        say(f"{wanted}: making 16 kHz WAV and review proxy")
        if info.has_audio:
            audio = _staging(project.audio_path(wanted))
            media.extract_audio(tmp, audio, heard.plan)
        proxy = _staging(project.proxy_path(wanted))
        media.make_proxy(tmp, proxy, info, plan=heard.plan)
        # film.yaml is read again under the lock: a producer's edit made while the footage
        # was copying, or a second ingest running beside this one, is kept.
        with project.lock("film"):
            fresh = project.reload()
            already = _same_footage(fresh, digest)
            if already is not None:
                return IngestedClip(src, already, info, already=True,
                                    notes=[f"already ingested as clip {already}"])
            placed = _place_footage(fresh, src, tmp, digest, wanted, explicit, say)
            if audio is not None:
                os.replace(audio, fresh.audio_path(placed.clip_id))
                clip_sound.record_sound(fresh.audio_path(placed.clip_id), heard.plan, info)
            os.replace(proxy, fresh.proxy_path(placed.clip_id))
            clip_sound.record_sound(fresh.proxy_path(placed.clip_id), heard.plan, info)
            media.write_probe_record(fresh.probe_path(placed.clip_id), digest, info,
                                     heard.probe_fields())
            for person in contributors:
                fresh.add_contributor(person)
            fresh.add_clip(placed.clip_id, placed.final.relative_to(fresh.root).as_posix(), digest,
                           list(contributors), {"original_name": src.name,
                                                "reel": info.reel, "timecode": info.timecode,
                                                "audio": heard.choice})
            fresh.save()
            saved = True
    finally:
        _unlink(tmp, audio, proxy)
        if placed is not None and not saved:
            # Nothing half-recorded: what this ingest put in place goes if film.yaml was not saved.
            _unlink(None if placed.adopted else placed.final, project.audio_path(placed.clip_id),
                    project.proxy_path(placed.clip_id), project.probe_path(placed.clip_id),
                    clip_sound.sound_record(project.audio_path(placed.clip_id)),
                    clip_sound.sound_record(project.proxy_path(placed.clip_id)))
    clip_id = placed.clip_id
    notes = []
    if clip_id != wanted:
        notes.append(f"clip id {wanted!r} is taken, so this clip is {clip_id!r}")
    if not info.has_audio:
        notes.append("has no audio stream: its captions will be empty")
    if not contributors:
        notes.append("no --contributor given: the render gate blocks this clip until its "
                     "contributors are listed in film.yaml (or it is marked no_people: true)")
    notes += picture.describe(info.picture_fix(), info.interlace_found_by)
    notes += heard.notes()
    return IngestedClip(src, clip_id, info, notes=notes)


def ingest(project: Project, files: Sequence[Path], *, contributors: Sequence[str] = (),
           clip_ids: Sequence[str] = (), say: Progress = lambda _msg: None) -> list[IngestedClip]:
    """Ingest each file; go on past bad ones and raise BatchError listing them at the end."""
    if clip_ids and len(clip_ids) != len(files):
        raise PipelineError(f"--id was given {len(clip_ids)} times for {len(files)} files; "
                            "give one --id per file or none")
    for cid in clip_ids:
        if not is_id(cid):
            raise PipelineError(f"--id {cid!r}: use lower-case letters, digits, - and _")
    for person in contributors:
        if not is_id(person):
            raise PipelineError(f"--contributor {person!r}: use lower-case letters, digits, "
                                "- and _")
    # A card folder is walked whole before anything is written (pipeline/cards.py).
    if clip_ids and any(Path(f).is_dir() for f in files):
        raise PipelineError("--id cannot be used with a card folder; ingest the card without "
                            "--id (its clip ids come from the camera's file names)")
    takes = cards.expand([Path(f) for f in files], say)
    done: list[IngestedClip] = []
    failures: list[tuple[str, Exception]] = []
    for i, take in enumerate(takes):
        src = take.first
        wanted = clip_ids[i] if clip_ids else clip_id_for(src)
        try:
            project = project.reload()
            with cards.joined(take, project.build_dir / "cards") as path:
                result = _ingest_one(project, path, wanted, bool(clip_ids), contributors, say)
            result.source = src
            note = cards.joined_note(take)
            result.notes[:0] = [note] if note else []
        except (MediaError, ProjectError, PipelineError, OSError) as exc:
            if isinstance(exc, OSError):
                exc = MediaError(src, os_error_advice(exc) if exc.filename in (None, str(src))
                                 else describe_os_error(exc))
            failures.append((str(src), exc))
            continue
        done.append(result)
        for note in result.notes:
            say(f"{result.clip_id}: {note}")
    if failures:
        raise BatchError("files", failures)
    return done
