"""The advisory group's feedback as a render manifest records it: counts, never words."""

from __future__ import annotations

from typing import Any

from pipeline.project import Project


def feedback_provenance(project: Project) -> dict[str, Any]:
    """``{"feedback": {...}}`` for the manifest: comments, open, resolved, meeting decisions,
    approvals, and whether an approval covers the film as it is now; ``{}`` for a film with no
    advisers and no comments file (its manifest reads as before)."""
    from pipeline.feedback.approval import standing
    from pipeline.feedback.store import CommentsFile

    comments_file = CommentsFile(project.root)
    if not project.film.advisers and not comments_file.path.exists():
        return {}
    comments = comments_file.comments()
    resolved = comments_file.resolutions()
    threads = [c for c in comments.values() if c.reply_to is None]
    return {"feedback": {
        "comments": len(threads),
        "replies": len(comments) - len(threads),
        "meeting_decisions": sum(1 for c in threads if c.meeting),
        "open": sum(1 for c in threads if c.id not in resolved),
        "resolved": sum(1 for c in threads if c.id in resolved),
        "approvals": len(comments_file.approvals()),
        "approved_as_rendered": standing(project, comments_file).approved,
        "approval_required": project.film.advisers_must_approve,
    }}


__all__ = ["feedback_provenance"]
