"""The contributor's own pages: the link that lets them in, home, consent, and stopping."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from consent.views import consent_terms, stopped_on, summarise
from pipeline.review import decisions, whose
from pipeline.review.pages import (
    contributor,
    cookie_name,
    message_response,
    once,
    render,
    site,
)


def enter(request: Request) -> Response:
    """``/enter/TOKEN``: a contributor's link; sets the cookie and goes home (token leaves URL)."""
    token = request.path_params["token"]
    person = site(request).links.who(token)
    if person is None:
        return message_response(request, 404, "bad_link_title", "bad_link")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(cookie_name(request), token, httponly=True, samesite="lax", path="/")
    return response


def home(request: Request) -> Response:
    """Their clips, each with where it stands for them."""
    person = contributor(request)
    project = site(request).project()
    found = whose.events(project)
    clips = [whose.standing(project, found, person, cid)
             for cid in whose.their_clips(project, found, person)]
    signing = [(video, whose.sign_standing(project, found, video))
               for video in whose.their_signing(project, person)]
    return render(request, "home.html", {
        "name": whose.name_of(project, person), "clips": clips, "signing": signing,
        "stopped": stopped_on(found, person)}, project=project)


def consent_page(request: Request) -> Response:
    """What they agreed to, in Easy Read: every sentence from ``consent.views``, the view the
    gate's rules are read through for ``consent show``."""
    person = contributor(request)
    project = site(request).project()
    found = whose.events(project)
    today = date.today()
    mine = summarise(found, person, today=today)
    return render(request, "consent.html", {
        "consents": [(row, consent_terms(row)) for row in (mine[0].consents if mine else ())],
        "stopped": stopped_on(found, person, today=today)}, project=project)


def stop_page(request: Request) -> Response:
    """The one confirmation before a withdrawal, saying what happens next; or, after, the news."""
    person = contributor(request)
    project = site(request).project()
    # Once they have stopped, this page says so (and offers nothing to press again).
    stopped = stopped_on(whose.events(project), person)
    if stopped is not None:
        return render(request, "stopped.html", {"stopped": stopped}, project=project)
    return render(request, "stop.html", {}, project=project)


async def stop(request: Request) -> Response:
    """Record the withdrawal (POST from the confirmation page)."""
    person = contributor(request)
    form = await request.form(max_fields=10)
    reason = str(form.get("reason", ""))[:2000]
    project = site(request).project()

    async def act() -> Response:
        # Another tab's form after they stopped: it is done already, nothing more to record.
        if stopped_on(whose.events(project), person) is None:
            await run_in_threadpool(decisions.stop, project, person, reason)
        return RedirectResponse("/stop?done=1", status_code=303)

    token = form.get("once")
    return await once(request).run(token if isinstance(token, str) else None, act)


__all__ = ["consent_page", "enter", "home", "stop", "stop_page"]
