"""The group's comments as threads in film order, and what ``coprod feedback`` lists.

A comment is placed in the group's cut it was made on (:func:`place_comment`): the clip and the
time in it, the caption on screen. Threads are ordered by where that clip is in the film now,
then the time in the clip, so the list follows the film even after an edit moved things.
Contributors' change requests (from the consent ledger, through :mod:`pipeline.clearance`) are
listed beside the comments for the producer; their ids are ``cr-`` and the event's hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consent import signoff_status
from pipeline import clearance
from pipeline.exceptions import PipelineError
from pipeline.feedback.cut import Cut, caption_at, read_cut
from pipeline.feedback.store import Comment, CommentsFile, FeedbackError, Resolution
from pipeline.project import Project

LAST = 10**9  # after every clip: a comment on the end card


@dataclass(frozen=True)
class Thread:
    """A comment, its replies, and the producer's resolution if it is closed."""

    comment: Comment
    replies: tuple[Comment, ...]
    resolution: Resolution | None
    on_current_cut: bool


@dataclass(frozen=True)
class Where:
    """Where a time of the group's cut falls: the cut's key, the clip, the time in it, and the
    caption on screen."""

    cut: str
    clip: str | None = None
    clip_ms: int | None = None
    caption: str = ""


def place_comment(project: Project, cut: Cut | None, film_ms: int) -> Where:
    """Where ``film_ms`` of the group's cut falls."""
    if cut is None:
        return Where("")
    place = cut.place_at(film_ms)
    if place is None or place.clip is None:
        return Where(cut.key)
    clip_ms = place.in_ms + max(film_ms - place.film_start_ms, 0)
    # A withheld clip's words never reach the comments file: only where it was.
    caption = "" if place.withheld else caption_at(project, place.clip, clip_ms)
    return Where(cut.key, place.clip, clip_ms, caption)


def record_comment(project: Project, *, by: str, text: str, film_ms: int,
                   reply_to: str | None = None, meeting: bool = False,
                   cut: Cut | None = None) -> Comment:
    """Record a comment at ``film_ms`` of the group's cut (the rendered one unless given)."""
    comments = CommentsFile(project.root)
    if reply_to is not None:
        found = comments.comments()
        parent = found.get(reply_to)
        if parent is None:
            raise FeedbackError(comments.path, f"no comment {reply_to} to reply to")
        if parent.reply_to is not None:  # a reply to a reply joins the same thread
            reply_to, parent = parent.reply_to, found[parent.reply_to]
        where = Where(parent.cut, parent.clip, parent.clip_ms, parent.caption)
        film_ms = parent.film_ms
    else:
        where = place_comment(project, cut if cut is not None else read_cut(project), film_ms)
    return comments.add_comment(by=by, text=text, film_ms=film_ms, reply_to=reply_to,
                                meeting=meeting, cut=where.cut, clip=where.clip,
                                clip_ms=where.clip_ms, caption=where.caption)


def _order(project: Project, cut: Cut | None, comment: Comment) -> tuple[int, int]:
    order = project.film.clips_in_film_order
    if comment.clip in order:
        return order.index(comment.clip), comment.clip_ms or 0
    first = next((p.film_start_ms for p in cut.places if p.clip), 0) if cut else 0
    return (-1 if comment.film_ms < first else LAST), comment.film_ms


def threads(project: Project, cut: Cut | None = None,
            comments_file: CommentsFile | None = None) -> list[Thread]:
    """Every thread, in film order."""
    comments_file = comments_file or CommentsFile(project.root)
    found = comments_file.comments()
    resolved = comments_file.resolutions()
    replies: dict[str, list[Comment]] = {}
    for comment in found.values():
        if comment.reply_to is not None:
            replies.setdefault(comment.reply_to, []).append(comment)
    key = cut.key if cut else None
    tops = sorted((c for c in found.values() if c.reply_to is None),
                  key=lambda c: _order(project, cut, c))
    return [Thread(c, tuple(replies.get(c.id, ())), resolved.get(c.id), c.cut == key)
            for c in tops]


@dataclass(frozen=True)
class StandingRequest:
    """A contributor's change request still standing on their clip as it is now."""

    ident: str  # "cr-" and the start of its ledger event's hash
    clip: str
    contributor: str
    note: str


def change_requests(project: Project) -> list[StandingRequest]:
    """Contributors' change requests still standing on their clips as they are now, with ids."""
    found = clearance.events(project)
    out: list[StandingRequest] = []
    for clip_id in project.film.clips_in_film_order:
        try:
            key = clearance.clip_key(project, clip_id)
        except PipelineError:
            continue
        for person in project.film.clips[clip_id].contributors:
            status = signoff_status(found, clip_id, person, key)
            note = status.request_note
            if note is not None and status.event is not None:
                out.append(StandingRequest(f"cr-{status.event.hash[:8]}", clip_id, person, note))
    return out


def open_feedback(project: Project) -> list[dict[str, Any]]:
    """Open comments and change requests, by clip and time in film order (for the CLI)."""
    comments_file = CommentsFile(project.root)
    resolved = comments_file.resolutions()
    cut = read_cut(project)
    rows: list[tuple[tuple[int, int], dict[str, Any]]] = []
    for thread in threads(project, cut, comments_file):
        if thread.resolution is not None:
            continue
        c = thread.comment
        rows.append((_order(project, cut, c), {
                     "id": c.id, "kind": "meeting" if c.meeting else "comment", "by": c.by,
                     "clip": c.clip, "clip_ms": c.clip_ms, "film_ms": c.film_ms,
                     "caption": c.caption, "text": c.text, "on_current_cut": thread.on_current_cut,
                     "replies": [{"by": r.by, "text": r.text} for r in thread.replies]}))
    order = project.film.clips_in_film_order
    for request in change_requests(project):
        if request.ident in resolved:
            continue
        rows.append(((order.index(request.clip), -1), {
            "id": request.ident, "kind": "change-request", "by": request.contributor,
            "clip": request.clip, "clip_ms": None, "film_ms": None, "caption": "",
            "text": request.note, "on_current_cut": True, "replies": []}))
    rows.sort(key=lambda row: row[0])  # stable: comments keep their order within a time
    return [row for _, row in rows]


def resolve(project: Project, ident: str, note: str, by: str) -> Resolution:
    """Close an open comment or change request with the producer's note.

    Raises:
        FeedbackError: no open comment or change request has that id.
    """
    comments_file = CommentsFile(project.root)
    known = {row["id"] for row in open_feedback(project)}
    if ident not in known:
        raise FeedbackError(comments_file.path, f"no open comment or change request {ident!r} "
                            "(coprod feedback PROJECT lists them)")
    if not note.strip():
        raise FeedbackError(comments_file.path, "--note: say what was done")
    resolution = Resolution(ident, note.strip(), by)
    comments_file.append(resolution)
    return resolution


__all__ = ["StandingRequest", "Thread", "Where", "change_requests", "open_feedback",
           "place_comment", "record_comment", "resolve", "threads"]
