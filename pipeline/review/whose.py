"""Who is asking, and what is theirs: a contributor's clips and where each one stands.

A contributor's clips are those film.yaml lists them on, and those the ledger ties them to (a
consent or withdrawal naming the clip, or their own sign-off or change request), as long as
film.yaml still has the clip. Everything else answers 404, the same as a clip that does not
exist, so a page never tells one contributor that another's clip is there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from consent import (
    ClipUse,
    Event,
    SignoffState,
    linked_clips,
    named_contributors,
    signoff_status,
    withdrawal_date,
    withdrawal_in,
)
from pipeline.clearance import clip_use, events, signing_use
from pipeline.clearance.sign_videos import SignVideo, sign_videos
from pipeline.exceptions import PipelineError
from pipeline.fsutil import change_stamp
from pipeline.project import Project
from pipeline.review.links import LinkBook


class ClipState(StrEnum):
    """Where a clip stands for one contributor, as their home page says it."""

    WAITING = "waiting"
    CHANGES = "changes"
    SIGNED = "signed"
    STALE = "stale"
    STOPPED = "stopped"


_STATES = {
    SignoffState.SIGNED: ClipState.SIGNED,
    SignoffState.CHANGES_REQUESTED: ClipState.CHANGES,
    SignoffState.STALE: ClipState.STALE,
    SignoffState.NO_SIGNOFF: ClipState.WAITING,
}


@dataclass(frozen=True)
class ClipStanding:
    """One of a contributor's clips and where it stands for them."""

    clip_id: str
    state: ClipState
    since: date | None = None  # the day they said yes (signed), asked for changes, or stopped


class Site:
    """The film a review server serves: its folder, its links and a fresh view of film.yaml."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.links = LinkBook(root / "build" / "review")
        self._lock = threading.Lock()
        self._cached: tuple[object, Project] | None = None

    def project(self) -> Project:
        """The project as film.yaml says now (re-read only when the file changed)."""
        stamp = change_stamp(self.root / "film.yaml")
        with self._lock:
            if self._cached is None or self._cached[0] != stamp:
                self._cached = (stamp, Project.open(self.root))
            return self._cached[1]


def their_clips(project: Project, found: Sequence[Event], contributor: str) -> list[str]:
    """The contributor's clips, in film order, then any clips not in the sequence."""
    mine = {cid for cid, clip in project.film.clips.items()
            if contributor in (*clip.contributors, *clip.described_by)}
    mine |= linked_clips(found, contributor) & set(project.film.clips)
    return [cid for cid in project.film.clips_in_film_order if cid in mine]


def is_theirs(project: Project, found: Sequence[Event], contributor: str, clip_id: str) -> bool:
    """True when ``clip_id`` is one of the contributor's clips (a film.yaml id, never a path)."""
    return clip_id in their_clips(project, found, contributor)


def people(project: Project, found: Sequence[Event]) -> list[str]:
    """Every contributor with at least one clip to review, in film.yaml order."""
    known = list(project.film.contributors)
    known += [who for who in named_contributors(found) if who not in known]
    known += [v.signer for v in _sign_videos(project) if v.signer not in known]
    return [person for person in known
            if their_clips(project, found, person) or their_signing(project, person)]


def _sign_videos(project: Project) -> list[SignVideo]:
    try:
        return sign_videos(project)
    except PipelineError:
        return []  # film.yaml and sign/ disagree: `coprod status` names the problem


def their_signing(project: Project, contributor: str) -> list[SignVideo]:
    """The sign videos film.yaml names the contributor as the signer of."""
    return [video for video in _sign_videos(project) if video.signer == contributor]


def standing(project: Project, found: Sequence[Event], contributor: str,
             clip_id: str) -> ClipStanding:
    """Where ``clip_id`` stands for ``contributor`` with the clip as it is now; a withdrawal in
    effect comes before anything else."""
    return standing_of(found, contributor, clip_id, lambda: clip_use(project, clip_id))


def sign_standing(project: Project, found: Sequence[Event], video: SignVideo) -> ClipStanding:
    """Where a sign video stands for its signer, with the video as it is now."""
    return standing_of(found, video.signer, video.use_id, lambda: signing_use(project, video))


def standing_of(found: Sequence[Event], contributor: str, use_id: str,
                use_now: Callable[[], ClipUse]) -> ClipStanding:
    """Where a use stands for ``contributor``, given the use as the gate is asked about it now:
    stopped exactly when the gate refuses it for a withdrawal of theirs
    (:func:`consent.withdrawal_in`)."""
    try:
        use: ClipUse | None = use_now()
    except PipelineError:
        use = None  # footage gone or unreadable: judged by the clip's id alone, never signed
    asked = use if use is not None else ClipUse(use_id, (contributor,), False, False, "")
    withdrawal = withdrawal_in(found, asked, contributor)
    if withdrawal is not None:
        return ClipStanding(use_id, ClipState.STOPPED, withdrawal_date(withdrawal))
    if use is None:
        return ClipStanding(use_id, ClipState.WAITING)
    status = signoff_status(found, use_id, contributor, use.content_key)
    when = status.event.at.astimezone().date() if status.event is not None else None
    return ClipStanding(use_id, _STATES[status.state], when)


def name_of(project: Project, contributor: str) -> str:
    """The contributor's name from film.yaml (their id when it has none)."""
    person = project.film.contributors.get(contributor)
    return person.name if person is not None else contributor


__all__ = ["ClipStanding", "ClipState", "Site", "events", "is_theirs", "name_of", "people",
           "sign_standing", "standing", "standing_of", "their_clips", "their_signing"]
