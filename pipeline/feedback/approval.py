"""The advisory group's approval of a cut, bound to its key like a contributor's sign-off.

An approval records the cut's key and each clip's content key as the group saw it (None for
a clip withheld from them). When film.yaml says ``approvals: {advisers: required}``, a
publishing render (web, broadcast) is refused unless an approval by the group, or by one of
its advisers, covers every clip of the film exactly as it is now; the refusal names what
changed since the latest approval.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import clearance
from pipeline.feedback.advisers import GROUP
from pipeline.feedback.cut import Cut, current_keys, read_cut
from pipeline.feedback.store import Approval, CommentsFile, FeedbackError
from pipeline.project import Project


class ApprovalMissingError(FeedbackError):
    """A publishing render needs the advisory group's approval of the cut as it is now.

    Attributes:
        changes: what differs from the latest approval, one line a clip (empty: none yet).
    """

    def __init__(self, profile: str, changes: list[str]) -> None:
        what = ("; since the group's last approval: " + "; ".join(changes) if changes
                else "; the group has approved no cut yet")
        super().__init__("film.yaml", f"{profile} render refused: approvals: advisers: required, "
                         f"and the advisory group has not approved the cut as it is now{what}. "
                         "Render the group's draft (coprod feedback cut) and record their "
                         "approval (coprod feedback approve)")
        self.profile = profile
        self.changes = changes


@dataclass(frozen=True)
class Standing:
    """Where the group's approval stands for the film as it is now."""

    approved: bool
    latest: Approval | None
    changes: list[str]


def _who_counts(project: Project, by: str) -> bool:
    return by == GROUP or by in project.film.advisers


def differences(project: Project, approved: Approval, now: dict[str, str]) -> list[str]:
    """What differs between ``approved`` and the film's clips ``now`` (clip id -> key)."""
    changes: list[str] = []
    for clip_id, key in now.items():
        if clip_id not in approved.clips:
            changes.append(f"{clip_id} is new in the film")
        elif approved.clips[clip_id] is None:
            changes.append(f"{clip_id} was not shared with the group when they approved")
        elif approved.clips[clip_id] != key:
            changes.append(f"{clip_id}: {_what_changed(project, clip_id, approved)}")
    changes += [f"{cid} was left out of the film" for cid in approved.clips if cid not in now]
    if not changes and list(approved.clips) != list(now):
        changes.append("the clips' order changed")
    return changes


def _what_changed(project: Project, clip_id: str, approved: Approval) -> str:
    caption = clearance.caption_sha256(project, clip_id)
    seen = approved.captions.get(clip_id) if approved.captions else None
    if seen is not None and caption != seen:
        return "captions changed"
    return "footage, in/out points or descriptions changed"


def standing(project: Project, comments: CommentsFile | None = None) -> Standing:
    """Whether an approval covers the film as it is now, and what changed if not."""
    comments = comments or CommentsFile(project.root)
    found = [a for a in comments.approvals() if _who_counts(project, a.by)]
    now = current_keys(project)
    for approval in reversed(found):
        if not differences(project, approval, now):
            return Standing(True, approval, [])
    latest = found[-1] if found else None
    return Standing(False, latest, differences(project, latest, now) if latest else [])


def refuse_unapproved(project: Project, profile: str) -> None:
    """Refuse a publishing render the group has not approved, when film.yaml requires it.

    Raises:
        ApprovalMissingError: naming what changed since the latest approval.
    """
    if not project.film.advisers_must_approve:
        return
    found = standing(project)
    if not found.approved:
        raise ApprovalMissingError(profile, found.changes)


def approve(project: Project, by: str, cut: Cut | None = None) -> Approval:
    """Record ``by``'s approval of the group's cut (the rendered one, unless given).

    Raises:
        FeedbackError: no group cut is rendered, or ``by`` is neither an adviser nor the group.
    """
    if not _who_counts(project, by):
        raise FeedbackError(project.film_yaml, f"{by!r} is not an adviser in film.yaml (or "
                            f"{GROUP!r} for the whole group)")
    cut = cut or read_cut(project)
    if cut is None:
        raise FeedbackError(project.build_dir / "group", "no group cut to approve: render it "
                            "first with coprod feedback cut")
    approval = Approval(by, cut.key, cut.clip_keys, captions=cut.captions)
    CommentsFile(project.root).append(approval)
    return approval


__all__ = ["ApprovalMissingError", "Standing", "approve", "differences", "refuse_unapproved",
           "standing"]
