"""A signer's own pages: their sign language video, the words it signs, and their decision.

The same standards as a clip's page: only the signer film.yaml names reaches it (anything else
is the same 404), a decision is bound to the video as the page showed it (its content key) and
goes through the same clearance functions as ``coprod signoff``, a form sent twice acts once,
and after a withdrawal nothing is recorded.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from captions.exceptions import CaptionError
from pipeline.clearance.sign_videos import FILM_TARGET, SignVideo
from pipeline.exceptions import PipelineError, WithdrawnError
from pipeline.project import Project
from pipeline.review import decisions, editing, whose
from pipeline.review.pages import contributor, message_response, not_found, once, render, site

SAID = {"yes": "said_yes_sign", "changes": "said_changes"}


def _own_video(request: Request, target: str) -> tuple[str, Project, SignVideo]:
    person = contributor(request)
    project = site(request).project()
    video = next((v for v in whose.their_signing(project, person) if v.target == target), None)
    if video is None:
        raise not_found()
    return person, project, video


def _context(project: Project, video: SignVideo) -> dict[str, Any]:
    found = whose.events(project)
    standing = whose.sign_standing(project, found, video)
    cues: list[Any] = []
    if video.target != FILM_TARGET:
        try:
            cues = editing.read_track(project, video.target).cues
        except CaptionError:
            cues = []
    return {"target": video.target, "whole_film": video.whole_film, "standing": standing,
            "stopped": standing.state == whose.ClipState.STOPPED, "cues": cues,
            "seen": decisions.signing_key(project, video), "error": False, "words": ""}


def sign_page(request: Request) -> Response:
    """``/sign/TARGET``: the signer's video, the words it signs, and yes or changes."""
    _, project, video = _own_video(request, request.path_params["target"])
    context = _context(project, video)
    context["said"] = SAID.get(request.query_params.get("said", ""))
    return render(request, "sign.html", context, project=project)


def sign_video(request: Request) -> Response:
    """The sign video itself, with HTTP Range so seeking works."""
    _, _, video = _own_video(request, request.path_params["target"])
    return FileResponse(video.path, media_type="video/mp4")


async def decide(request: Request) -> Response:
    """POST /sign: the signer says yes, or asks for changes in their own words."""
    form = await request.form(max_fields=10, max_files=0)
    token = form.get("once")
    return await once(request).run(token if isinstance(token, str) else None,
                                   lambda: _decide(request, form))


async def _decide(request: Request, form: FormData) -> Response:
    person, project, video = _own_video(request, str(form.get("target", "")))
    action, seen = str(form.get("action", "")), str(form.get("seen", ""))
    words = " ".join(str(form.get("words", ""))[:5000].split())
    context = _context(project, video)
    if context["stopped"]:
        return message_response(request, 403, "stopped_title", "stopped_refused")
    if action == "changes" and not words:
        context.update(error=True, said=None)
        return render(request, "sign.html", context, status=400, project=project)
    try:
        if action == "yes":
            await run_in_threadpool(decisions.sign_yes, project, video, person, seen)
        elif action == "changes":
            await run_in_threadpool(decisions.sign_changes, project, video, person, seen, words)
        else:
            return message_response(request, 400, "error_title", "error")
    except decisions.ChangedMeanwhile:
        context.update(changed=True, said=None)
        return render(request, "sign.html", context, status=409, project=project)
    except WithdrawnError:
        return message_response(request, 403, "stopped_title", "stopped_refused")
    except PipelineError:
        return message_response(request, 400, "error_title", "error")
    return RedirectResponse(f"/sign/{video.target}?said={action}", status_code=303)


__all__ = ["decide", "sign_page", "sign_video"]
