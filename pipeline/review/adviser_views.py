"""The advisory group's pages: the whole draft cut, timecoded comments, replies, approval.

An adviser comes in through their own link (:mod:`.adviser_links`) and sees the group's cut
(:mod:`pipeline.feedback.cut`): only what the consent gate lets the group see, withheld clips
as cards. Every file served is one the group's render made, and only while the gate, asked now,
still withholds nothing it shows. Forms work without JavaScript; the page's script only fills
the time field from the player.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from pipeline.feedback import approval, listing
from pipeline.feedback.advisers import GROUP
from pipeline.feedback.cut import Cut, served_cut, withheld_now
from pipeline.feedback.store import CommentsFile, FeedbackError
from pipeline.film import parse_time_ms
from pipeline.project import Project
from pipeline.render.publish import DESCRIBED_FILM, FILM, OPEN_CAPTIONS_FILM
from pipeline.render.signing import SIGNED_FILM
from pipeline.review.adviser_links import adviser, book, cookie
from pipeline.review.pages import message_response, not_found, once, render, site
from pipeline.review.words import long_date

PROTECTED = frozenset({"/group/comment", "/group/approve"})
SAID = {"comment": "group_comment_saved", "approve": "group_approve_saved"}
VIDEOS = {"draft": (OPEN_CAPTIONS_FILM, FILM), "signed": (SIGNED_FILM,),
          "described": (DESCRIBED_FILM,)}


def enter(request: Request) -> Response:
    """``/group/enter/TOKEN``: an adviser's link; sets their cookie and opens the draft."""
    token = request.path_params["token"]
    who = book(site(request).root).who(token)
    if who is None or who not in site(request).project().film.advisers:
        return message_response(request, 404, "bad_link_title", "bad_link")
    response = RedirectResponse("/group", status_code=303)
    response.set_cookie(cookie(request), token, httponly=True, samesite="lax", path="/group")
    return response


def _video(cut: Cut, which: str) -> str | None:
    for name in VIDEOS.get(which, ()):
        if (cut.folder / name).is_file():
            return name
    return None


def name_of(project: Project, who: str) -> str:
    """An adviser's name, or the words for the whole group."""
    from pipeline.review.words import t

    if who == GROUP:
        return t("group_the_group")
    found = project.film.advisers.get(who)
    return found.name if found else who


def _context(project: Project, person: str, cut: Cut | None) -> dict[str, Any]:
    hidden = withheld_now(project) if cut is not None else set()
    approvals = CommentsFile(project.root).approvals()
    # What the page says is about this draft: an approval of its key, else an older one.
    this = [a for a in approvals if cut is not None and a.cut == cut.key]
    shown = this or approvals
    latest = shown[-1] if shown else None
    return {
        "name": name_of(project, person), "cut": cut,
        "videos": {w: _video(cut, w) for w in VIDEOS} if cut else {},
        "has_transcript": bool(cut and (cut.folder / "transcript.html").is_file()),
        "threads": listing.threads(project, cut), "hidden": hidden,
        "approved": bool(this), "approval": latest,
        "approval_day": long_date(_day(latest.at)) if latest else None,
        "who": lambda by: name_of(project, by), "error": False, "time": "", "text": ""}


def _day(stamp: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(stamp).astimezone().date()


def page(request: Request) -> Response:
    """The draft, what is in it, the comments in film order, and the approval."""
    person = adviser(request)
    project = site(request).project()
    context = _context(project, person, served_cut(project))
    context["said"] = SAID.get(request.query_params.get("said", ""))
    return render(request, "adviser.html", context, project=project)


def video(request: Request) -> Response:
    """The group's draft (``draft``, ``signed`` or ``described``), with HTTP Range."""
    adviser(request)
    cut = served_cut(site(request).project())
    name = _video(cut, request.path_params["which"]) if cut else None
    if cut is None or name is None:
        raise not_found()
    return FileResponse(cut.folder / name, media_type="video/mp4")


def transcript(request: Request) -> Response:
    """The words of the group's draft: withheld clips were never in it."""
    adviser(request)
    cut = served_cut(site(request).project())
    if cut is None or not (cut.folder / "transcript.html").is_file():
        raise not_found()
    return FileResponse(cut.folder / "transcript.html", media_type="text/html; charset=utf-8")


async def comment(request: Request) -> Response:
    """Record a comment or a reply (POST /group/comment); a repeated form records nothing."""
    form = await request.form(max_fields=10, max_files=0)
    token = form.get("once")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await once(request).run(token if isinstance(token, str) else None,
                                   lambda: _comment(request, fields))


async def _comment(request: Request, fields: dict[str, str]) -> Response:
    person = adviser(request)
    project = site(request).project()
    cut = served_cut(project)
    text = fields.get("text", "")[:5000]
    reply_to = fields.get("reply_to") or None
    try:
        film_ms = 0 if reply_to else parse_time_ms(fields.get("time", "").strip())
        if cut is None or not text.strip() or film_ms > cut.duration_ms:
            raise ValueError("not a comment")
        await run_in_threadpool(listing.record_comment, project, by=person, text=text,
                                film_ms=film_ms, reply_to=reply_to, cut=cut)
    except (ValueError, FeedbackError):
        context = _context(project, person, cut)
        context.update(error=True, time=fields.get("time", "")[:20], text=text)
        return render(request, "adviser.html", context, status=400, project=project)
    return RedirectResponse("/group?said=comment#comments", status_code=303)


async def approve(request: Request) -> Response:
    """Record the adviser's approval of the draft they watched (POST /group/approve)."""
    form = await request.form(max_fields=10, max_files=0)
    token = form.get("once")

    async def act() -> Response:
        person = adviser(request)
        project = site(request).project()
        cut = served_cut(project)
        if cut is None or form.get("cut") != cut.key:
            # The draft changed since the page was made: they have not seen this one.
            return message_response(request, 409, "form_old_title", "form_old")
        await run_in_threadpool(approval.approve, project, person, cut)
        return RedirectResponse("/group?said=approve#approve", status_code=303)

    return await once(request).run(token if isinstance(token, str) else None, act)


def routes() -> list[Any]:
    """The group's routes, for :func:`pipeline.review.app.create_app`."""
    from starlette.routing import Route

    return [
        Route("/group", page),
        Route("/group/enter/{token}", enter),
        Route("/group/video/{which}", video),
        Route("/group/transcript", transcript),
        Route("/group/comment", comment, methods=["POST"]),
        Route("/group/approve", approve, methods=["POST"]),
    ]


__all__ = ["PROTECTED", "approve", "comment", "enter", "name_of", "page", "routes",
           "transcript", "video"]
