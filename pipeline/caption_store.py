"""The project's caption files, and the record of what coprod wrote, so no edit is ever lost.

coprod records the sha256 of every caption file it writes in ``captions/.coprod-written.json``.
Before it writes ``CLIP.srt`` again it compares the file on disk with that record:

* the file is missing, or is byte-for-byte what coprod wrote: it is replaced (or left alone
  when the new text is the same, so its time stamp and anything keyed on it stay put);
* the file differs (a contributor edited it) or coprod never wrote it: the new draft goes to
  ``CLIP.whisper.srt`` beside it and the edited file is not touched (``CLIP.whisper.srt`` is
  coprod's own scratch copy and is replaced freely);
* only with ``force=True`` is an edited file replaced, and then it is first copied to
  ``CLIP.srt.bak-YYYYmmddTHHMMSS``.

Every file (caption files, backups, the record) is written to a temp file in the same folder and
renamed into place. Only regular files are read or replaced: a folder, FIFO or device where a
caption file should be is refused before it is opened, so nothing hangs and nothing is lost.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from captions.model import Cue, Span
from captions.textio import MAX_CAPTION_BYTES, too_large
from pipeline.exceptions import PipelineError
from pipeline.fsutil import (
    NotAFileError,
    atomic_write_bytes,
    describe_os_error,
    read_regular_bytes,
    require_regular,
    sha256_bytes,
    sha256_file,
)

log = logging.getLogger("coprod.caption_store")

RECORD_NAME = ".coprod-written.json"
MACHINE_DRAFT_TAG = "whisper"
BACKUP_STAMP = "%Y%m%dT%H%M%S"


class WriteStatus(StrEnum):
    """What happened to one caption file when coprod wrote a draft."""

    WRITTEN = "written"  # coprod wrote it (new, or replacing its own earlier draft)
    UNCHANGED = "unchanged"  # the new text is what is already there
    KEPT_EDITED = "kept-edited"  # edited by someone; the draft went to CLIP.whisper.EXT
    REPLACED_EDITED = "replaced-edited"  # edited, replaced because of force; old one backed up


class CaptionState(StrEnum):
    """Whose a caption file is now (``coprod status``'s captions column)."""

    MISSING = "missing"
    MACHINE = "machine"  # byte-for-byte what coprod last wrote
    EDITED = "edited"  # changed since, or never written by coprod
    UNREADABLE = "unreadable"  # not a regular file, too large, or cannot be read


@dataclass(frozen=True)
class CaptionWrite:
    """The outcome of writing one caption file."""

    path: Path
    written: Path | None
    status: WriteStatus
    backup: Path | None = None

    @property
    def message(self) -> str:
        """One line for a producer."""
        if self.status == WriteStatus.KEPT_EDITED:
            return (f"{self.path.name} was edited since coprod wrote it; kept it and wrote the "
                    f"new draft to {self.written.name if self.written else '?'} "
                    "(use --force to replace the edited file)")
        if self.status == WriteStatus.REPLACED_EDITED:
            return (f"{self.path.name} was edited; replaced it (--force) and kept the edited "
                    f"one as {self.backup.name if self.backup else '?'}")
        if self.status == WriteStatus.UNCHANGED:
            return f"{self.path.name} unchanged"
        return f"wrote {self.path.name}"


def read_record(folder: Path) -> dict[str, Any]:
    """``{file name: {"sha256": ..., "written": ISO time}}`` for files coprod wrote in ``folder``.

    A missing or unreadable record counts as empty: every existing file then counts as edited,
    which is the safe way to be wrong.
    """
    try:
        data = json.loads(read_regular_bytes(folder / RECORD_NAME))
    except (OSError, ValueError, NotAFileError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _remember(folder: Path, name: str, digest: str, when: datetime) -> None:
    files = read_record(folder)
    files[name] = {"sha256": digest, "written": when.isoformat(timespec="seconds")}
    body = {"about": "sha256 of each caption file as coprod last wrote it; a file that differs "
                     "was edited by a person and is never overwritten without --force",
            "files": dict(sorted(files.items()))}
    atomic_write_bytes(folder / RECORD_NAME,
                       (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def machine_draft_path(path: Path) -> Path:
    """``captions/CLIP.whisper.srt`` for ``captions/CLIP.srt``."""
    return path.with_name(f"{path.stem}.{MACHINE_DRAFT_TAG}{path.suffix}")


def backup_path(path: Path, when: datetime) -> Path:
    """``CLIP.srt.bak-YYYYmmddTHHMMSS`` (a counter is added if that name is taken)."""
    base = path.with_name(f"{path.name}.bak-{when.strftime(BACKUP_STAMP)}")
    candidate, n = base, 1
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-{n}")
        n += 1
    return candidate


def caption_problem(path: Path) -> str | None:
    """Why the caption file at ``path`` cannot be read, in one line; None if it can (or is missing).

    Nothing is opened: a FIFO, folder or device, or a file over the size limit, is named from
    its stat alone.
    """
    try:
        st = require_regular(path)
    except FileNotFoundError:
        return None
    except NotAFileError as exc:
        return str(exc)
    except OSError as exc:
        return describe_os_error(exc)
    if st.st_size > MAX_CAPTION_BYTES:
        return str(too_large(path, st.st_size))
    return None


def caption_state(path: Path) -> CaptionState:
    """Missing, machine (as coprod wrote it), edited (since, or not coprod's) or unreadable."""
    if not path.exists():
        return CaptionState.MISSING
    if caption_problem(path) is not None:
        return CaptionState.UNREADABLE
    try:
        digest = sha256_file(path)
    except (OSError, PipelineError):
        return CaptionState.UNREADABLE
    recorded = read_record(path.parent).get(path.name, {})
    if isinstance(recorded, dict) and recorded.get("sha256") == digest:
        return CaptionState.MACHINE
    return CaptionState.EDITED


def write_caption_bytes(
    path: Path, data: bytes, *, force: bool = False, now: datetime | None = None
) -> CaptionWrite:
    """Write ``data`` to the caption file ``path`` unless that would overwrite someone's edits.

    Args:
        path: the caption file contributors review, e.g. ``captions/CLIP.srt``.
        data: the file's new bytes.
        force: replace an edited file (after copying it to ``CLIP.srt.bak-...``).
        now: the time used for the record and the backup's name (tests pass one).
    """
    when = now or datetime.now().astimezone()
    digest = sha256_bytes(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    for existing in (path, machine_draft_path(path)):
        if os.path.lexists(existing):
            require_regular(existing)  # a folder or FIFO there is refused, never replaced
    if not path.exists():
        atomic_write_bytes(path, data)
        _remember(path.parent, path.name, digest, when)
        return CaptionWrite(path, path, WriteStatus.WRITTEN)
    current = sha256_file(path)
    recorded = read_record(path.parent).get(path.name, {})
    machine = isinstance(recorded, dict) and recorded.get("sha256") == current
    if current == digest:
        if not machine:
            # Someone's file already says exactly this; adopting it loses nothing.
            _remember(path.parent, path.name, digest, when)
        return CaptionWrite(path, path, WriteStatus.UNCHANGED)
    if machine:
        atomic_write_bytes(path, data)
        _remember(path.parent, path.name, digest, when)
        return CaptionWrite(path, path, WriteStatus.WRITTEN)
    if not force:
        draft = machine_draft_path(path)
        if not draft.is_file() or sha256_file(draft) != digest:
            atomic_write_bytes(draft, data)
        _remember(path.parent, draft.name, digest, when)
        result = CaptionWrite(path, draft, WriteStatus.KEPT_EDITED)
        log.warning("%s", result.message)
        return result
    backup = backup_path(path, when)
    atomic_write_bytes(backup, path.read_bytes())
    atomic_write_bytes(path, data)
    _remember(path.parent, path.name, digest, when)
    result = CaptionWrite(path, path, WriteStatus.REPLACED_EDITED, backup)
    log.warning("%s", result.message)
    return result


def write_caption_file(
    path: Path, cues: Sequence[Cue], *, force: bool = False, now: datetime | None = None
) -> CaptionWrite:
    """Write ``cues`` as ``path`` (format from its extension) under edit protection.

    The bytes are exactly what ``captions.formats.save`` writes (UTF-8 of ``dumps``); they are
    rendered here first so they can be hashed and compared before anything is replaced.

    Raises:
        captions.exceptions.CaptionError: the extension is not a caption format coprod writes,
            or a cue holds a control character.
        pipeline.fsutil.NotAFileError: a folder, FIFO or device is where the file would go.
    """
    from captions.formats import dumps, format_for_path

    text = dumps(cues, format_for_path(path))
    return write_caption_bytes(path, text.encode("utf-8"), force=force, now=now)


def load_captions(path: Path) -> list[Cue]:
    """The cues of a clip's caption file; an empty .srt (a clip with no speech) has none.

    coprod writes a 0-byte SRT for a clip without speech: SRT has no header, so an empty file
    is the only way to say "no cues". Anything else goes through the strict readers.

    SRT has no voices, so a ``CLIP.srt`` takes them from its ``.vtt`` twin (see
    :func:`twin_voices`): what the .srt says is the caption, and its twin only says who speaks.

    Raises:
        captions.exceptions.CaptionError: the file is malformed (names the file and line), is
            not a regular file, is over the size limit, or cannot be read.
    """
    from captions.formats import format_for_path, loads
    from captions.textio import decode_caption_bytes, read_caption_bytes

    fmt = format_for_path(path)
    data = read_caption_bytes(path)
    if fmt == "srt" and not data.strip():
        return []
    cues = loads(decode_caption_bytes(data, path=path), fmt, path)
    return twin_voices(path, cues) if fmt == "srt" else cues


def twin_voices(path: Path, cues: Sequence[Cue]) -> list[Cue]:
    """``cues`` of ``path`` with the voices (``<v Amara>``) of its .vtt twin's matching cues.

    A cue takes the voices of the twin's cue with the same times and text, so a cue edited in
    the .srt since the twin was written has none; a twin that is missing, unreadable or
    malformed gives none. Voices are kept this way whenever coprod rewrites the twin (a review
    save, a new transcription), and the transcript names speakers by them.
    """
    from captions.exceptions import CaptionError
    from captions.formats import loads
    from captions.model import Style
    from captions.textio import decode_caption_bytes, read_caption_bytes

    twin = path.with_suffix(".vtt")
    try:
        data = read_caption_bytes(twin)
        if b"<v" not in data:
            return list(cues)
        found = loads(decode_caption_bytes(data, path=twin), "vtt", twin)
    except CaptionError:
        return list(cues)
    voiced: dict[tuple[int, int, str], list[tuple[Span, ...]]] = {}
    for cue in found:
        voices = tuple(span for span in cue.spans if span.style is Style.VOICE)
        if voices:
            voiced.setdefault((cue.start, cue.end, cue.text), []).append(voices)
    out: list[Cue] = []
    for cue in cues:
        match = voiced.get((cue.start, cue.end, cue.text))
        out.append(Cue(cue.start, cue.end, cue.text, cue.spans + match.pop(0)) if match else cue)
    return out
