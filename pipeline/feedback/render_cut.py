"""Rendering the advisory group's draft (:mod:`.cut`): the ``review`` profile into
``build/group/``, the clips the gate withholds on ``internal`` replaced by a card."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pipeline.feedback.cut import GROUP_PROFILE
from pipeline.project import Project
from pipeline.render_profiles import RenderProfile, load_profile

CARD_LINES = (("withheld_card_title", 0.07), ("withheld_card_text", 0.045))


def group_profile() -> RenderProfile:
    """The ``review`` profile (captions and the draft mark burned in), into ``build/group/``."""
    base = load_profile("review")
    return replace(base, name=GROUP_PROFILE,
                   description="the advisory group's draft: " + base.description)


def card_lines() -> tuple[tuple[str, float], ...]:
    """What the card in a withheld clip's place says (the review page's catalogue)."""
    from pipeline.review.words import t

    return tuple((t(key), size) for key, size in CARD_LINES)


def render_group_cut(project: Project, *, jobs: int | None = None, **options: Any) -> Any:
    """Render the group's draft into ``build/group/``; ``options`` go to ``render_film``.

    Returns:
        The :class:`pipeline.render.RenderResult`.
    """
    from pipeline.render import render_film
    from pipeline.render.options import RenderOptions

    return render_film(project, group_profile(),
                       RenderOptions(draft=True, open_captions=True, jobs=jobs),
                       withhold=card_lines(), **options)


__all__ = ["CARD_LINES", "card_lines", "group_profile", "render_group_cut"]
