"""Who is asking on the advisory group's pages: an adviser's own link, kept like a
contributor's (:class:`pipeline.review.links.LinkBook`: hashes only), in its own book and
cookie, so an adviser's link never opens a contributor's pages nor the other way round."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.requests import Request

from pipeline.exceptions import PipelineError
from pipeline.project import Project
from pipeline.review.links import LinkBook, NewLink
from pipeline.review.pages import cookie_name, site

FOLDER = "advisers"  # build/review/advisers/links.json


def book(project_root: object) -> LinkBook:
    """The advisers' link book of the film at ``project_root``."""
    from pathlib import Path

    return LinkBook(Path(str(project_root)) / "build" / "review" / FOLDER)


def cookie(request: Request) -> str:
    """The name of the cookie that carries an adviser's link token."""
    return cookie_name(request) + "-adviser"


def adviser(request: Request) -> str:
    """The adviser asking (one film.yaml still lists); anyone else gets the bad-link page."""
    token = request.cookies.get(cookie(request), "")
    found = book(site(request).root).who(token) if token else None
    if found is None or found not in site(request).project().film.advisers:
        raise HTTPException(404, "bad_link")
    return found


def issue(project: Project, advisers: Sequence[str] = (), *,
          replace: bool = False) -> list[NewLink]:
    """Make links for the film's advisers who have none (all with ``replace``).

    Raises:
        PipelineError: an id asked for is not an adviser in film.yaml.
    """
    listed = list(project.film.advisers)
    unknown = [a for a in advisers if a not in listed]
    if unknown:
        raise PipelineError(f"{', '.join(unknown)}: not an adviser in {project.film_yaml} "
                            f"(advisers: {', '.join(listed) or 'none'})")
    return book(project.root).issue(list(advisers) or listed, replace=replace)


__all__ = ["FOLDER", "adviser", "book", "cookie", "issue"]
