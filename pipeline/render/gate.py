"""The consent gate as a render meets it: asked before anything is made, and again just before
anything is published. Both go through :mod:`pipeline.clearance`; this turns its answers into
render errors."""

from __future__ import annotations

from datetime import date

from consent.vocabulary import Channel
from pipeline import clearance
from pipeline.clearance import FilmClearance
from pipeline.project import Project
from pipeline.render.errors import GateRefusedError, RenderError
from pipeline.render_profiles import RenderProfile


def publishes(profile: RenderProfile) -> bool:
    """True for a profile whose channel is public (web, broadcast): not only internal review.

    A publishing render trusts no cached hash and refuses structural caption errors.
    """
    return profile.channel != Channel.INTERNAL


def run_gate(project: Project, profile: RenderProfile, *, draft: bool = False,
             drop_withdrawn: bool = False, today: date | None = None,
             fresh: bool | None = None, withhold: bool = False) -> FilmClearance:
    """Ask the consent gate about the film for ``profile``'s channel; refuse if any clip is blocked.

    ``fresh`` (default: whether the profile publishes) hashes the footage now rather than from
    the cache; `build` deciding whether anything changed passes False, as it publishes nothing.
    ``withhold`` (the advisory group's cut) leaves blocked clips out instead of refusing. A
    publishing render of a film whose film.yaml requires the advisory group's approval is
    refused when the group has not approved the cut as it is now.

    Raises:
        GateRefusedError: a clip is blocked (with ``drop_withdrawn``, for a reason other than a
            withdrawal).
        RenderError: nothing is left to render.
        ApprovalMissingError: the group's approval is required and missing.
        consent.ConsentError: the ledger is damaged, or a draft for a public channel.
    """
    cleared = clearance.clear_film(project, profile.channel, draft=draft,
                                   drop_withdrawn=drop_withdrawn, today=today,
                                   fresh=publishes(profile) if fresh is None else fresh,
                                   withhold=withhold)
    if cleared.result.blocked:
        raise GateRefusedError(cleared.result, profile.name)
    if not cleared.result.allowed:
        raise RenderError("nothing to render: the film's sequence has no clips"
                          + (" left after dropping withdrawn ones" if cleared.dropped else ""))
    if publishes(profile):  # the advisory group's approval, when film.yaml requires it
        from pipeline.feedback.approval import refuse_unapproved

        refuse_unapproved(project, profile.name)
    return cleared


def check_still_cleared(project: Project, profile: RenderProfile, cleared: FilmClearance, *,
                        today: date | None = None) -> None:
    """Refuse to publish if content or consent changed since the gate said yes.

    Called after the films are made and before anything is renamed into place: a caption or
    footage edit, or a withdrawal recorded while ffmpeg worked, leaves the previous film.

    Raises:
        RenderError: a clip's content, or consent to show names, changed.
        GateRefusedError: a clip is now blocked (a withdrawal, say).
    """
    changed = clearance.changed_clips(project, cleared, fresh=publishes(profile))
    if changed:
        raise RenderError(f"clip(s) {', '.join(changed)} changed while rendering; nothing was "
                          "published; render again")
    again = clearance.recheck(project, cleared, today=today)
    if again.blocked:
        raise GateRefusedError(again, profile.name)
    if again.name_allowed != cleared.result.name_allowed:
        raise RenderError("consent to show names changed while rendering; nothing was "
                          "published; render again")


__all__ = ["check_still_cleared", "publishes", "run_gate"]
