"""The advisory group's comments file: ``feedback/comments.jsonl`` in the project.

Append-only JSON Lines, kept apart from the consent ledger (comments are not consent), made
durable the ledger's way with its file helpers (:mod:`consent.files`): an exclusive ``flock`` on
a sibling ``.lock`` file around every append, the tail read under that lock, one whole line
written and fsync'd (the folder too when the file is new), a line torn by a crash moved into
``comments.jsonl.broken-TIME`` before the next append. Readers take the shared lock and leave a
torn last line out, so a page never shows half a comment.

Entries: a ``comment`` (an adviser's, a reply, or a meeting's decision recorded by the
producer), a ``resolve`` closing one, and an ``approve`` of a cut (:mod:`.approval`).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from consent.files import (
    atomic_write,
    check_regular,
    fsync_dir,
    make_folder,
    open_regular,
    problem,
    read_regular,
)
from pipeline.exceptions import PipelineError
from safeio import append_synced, cut_back_synced

FOLDER = "feedback"
FILE = "comments.jsonl"
MAX_TEXT = 5000  # characters of one comment, reply, note or decision
KINDS = ("comment", "resolve", "approve")


class FeedbackError(PipelineError):
    """The comments file cannot be read or an entry is not acceptable."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A short random id a producer can type (``coprod feedback resolve PROJECT ID``)."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class Comment:
    """One comment on the cut: where it was made, on which version, and what it says.

    Attributes:
        film_ms: the time in the group's cut the comment is about.
        clip: the clip playing at that time (None: a card, or a clip not shared with the group).
        clip_ms: the time in that clip's footage.
        caption: the caption on screen at that time, as it read then.
        cut: the cut's key (:func:`pipeline.feedback.cut.cut_key`) when the comment was made.
        reply_to: the comment this answers (None: a new comment).
        meeting: recorded by the producer for the group's meeting.
    """

    id: str
    by: str
    text: str
    film_ms: int
    cut: str
    clip: str | None = None
    clip_ms: int | None = None
    caption: str = ""
    reply_to: str | None = None
    meeting: bool = False
    at: str = field(default_factory=_now)


@dataclass(frozen=True)
class Resolution:
    """A producer closed a comment (or a contributor's change request), saying what was done."""

    target: str
    note: str
    by: str
    at: str = field(default_factory=_now)


@dataclass(frozen=True)
class Approval:
    """The group (or one adviser) approved a cut: its key and each clip's key in it.

    ``clips`` maps clip id -> content key; None for a clip the group could not see (withheld).
    """

    by: str
    cut: str
    clips: Mapping[str, str | None]
    captions: Mapping[str, str | None] = field(default_factory=dict)  # caption file sha256s
    at: str = field(default_factory=_now)


Entry = Comment | Resolution | Approval
_KIND_OF = {Comment: "comment", Resolution: "resolve", Approval: "approve"}


def _entry(kind: str, data: Mapping[str, Any]) -> Entry:
    if kind == "comment":
        return Comment(**data)
    if kind == "resolve":
        return Resolution(**data)
    if kind == "approve":
        return Approval(**{**data, "clips": dict(data["clips"]),
                           "captions": dict(data.get("captions") or {})})
    raise TypeError(kind)


def _check_text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise FeedbackError(what, "say something: an empty text cannot be acted on")
    if len(text) > MAX_TEXT:
        raise FeedbackError(what, f"at most {MAX_TEXT} characters")
    return text


class CommentsFile:
    """A project's comments file.

    Args:
        root: the project folder (the file is ``feedback/comments.jsonl`` in it).
    """

    def __init__(self, root: Path) -> None:
        self.path = root / FOLDER / FILE
        self.lock_path = self.path.with_name(FILE + ".lock")

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        if mode == fcntl.LOCK_EX:
            make_folder(self.path.parent, "create the feedback folder")
        elif not self.path.parent.is_dir():
            yield
            return
        fd = open_regular(self.lock_path, os.O_RDWR | os.O_CREAT, "lock the comments file")
        assert fd is not None
        try:
            fcntl.flock(fd, mode)
            yield
        finally:
            os.close(fd)

    def entries(self) -> list[Entry]:
        """Every whole entry, oldest first (a last line torn by a crash is left out).

        Raises:
            FeedbackError: a line before the last is not an entry (named by its number).
            consent.LedgerFileError: the file is a link, a folder, or cannot be read.
        """
        with self._locked(fcntl.LOCK_SH):
            raw = read_regular(self.path, "read the comments file") or b""
        return self._parse(raw[: raw.rfind(b"\n") + 1])

    def _parse(self, raw: bytes) -> list[Entry]:
        found: list[Entry] = []
        for number, line in enumerate(raw.splitlines(), start=1):
            try:
                fields = json.loads(line.decode("utf-8"))
                found.append(_entry(fields.pop("kind"), fields))
            except (UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError):
                raise FeedbackError(self.path, "not a comments entry; restore the file from a "
                                    "backup or move the line out", number) from None
        return found

    def append(self, entry: Entry) -> Entry:
        """Add ``entry`` at the end, whole and fsync'd, under the lock.

        Raises:
            FeedbackError: the file's last whole lines are damaged (nothing written).
            consent.LedgerFileError: the file cannot be written (full disk, read-only).
        """
        line = json.dumps({"kind": _KIND_OF[type(entry)], **asdict(entry)},
                          ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        with self._locked(fcntl.LOCK_EX):
            raw = read_regular(self.path, "read the comments file") or b""
            whole = raw.rfind(b"\n") + 1
            if whole < len(raw):
                self._set_aside(raw, whole)
            created = not check_regular(self.path)
            fd = open_regular(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                              "record the comment")
            assert fd is not None
            try:
                try:
                    append_synced(fd, line)
                except OSError as err:
                    cut_back_synced(fd, whole)
                    raise problem(self.path, err, "record the comment") from None
            finally:
                os.close(fd)
            if created:
                fsync_dir(self.path.parent)
        return entry

    def _set_aside(self, raw: bytes, whole: int) -> None:
        """Move a line torn by a crash into ``comments.jsonl.broken-TIME``; keep the rest."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        atomic_write(self.path.with_name(f"{FILE}.broken-{stamp}"), raw[whole:],
                     "keep the torn line")
        atomic_write(self.path, raw[:whole], "repair the comments file")

    def add_comment(self, *, by: str, text: str, film_ms: int, cut: str, clip: str | None = None,
                    clip_ms: int | None = None, caption: str = "", reply_to: str | None = None,
                    meeting: bool = False) -> Comment:
        """Record a comment (or a reply, or a meeting's decision)."""
        if reply_to is not None and reply_to not in self.comments():
            raise FeedbackError(self.path, f"no comment {reply_to} to reply to")
        comment = Comment(new_id(), by, _check_text(text, "comment"), max(film_ms, 0), cut,
                          clip, clip_ms, caption, reply_to, meeting)
        self.append(comment)
        return comment

    def comments(self) -> dict[str, Comment]:
        """Every comment by id, oldest first."""
        return {e.id: e for e in self.entries() if isinstance(e, Comment)}

    def resolutions(self) -> dict[str, Resolution]:
        """The latest resolution of each closed comment or change request, by its id."""
        return {e.target: e for e in self.entries() if isinstance(e, Resolution)}

    def approvals(self) -> list[Approval]:
        """Every approval, oldest first."""
        return [e for e in self.entries() if isinstance(e, Approval)]


__all__ = ["FILE", "FOLDER", "KINDS", "MAX_TEXT", "Approval", "Comment", "CommentsFile",
           "Entry", "FeedbackError", "Resolution", "new_id"]
