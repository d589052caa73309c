"""One clip: its page, its video, saving caption edits, and the contributor's decision.

Every handler looks the clip id up among the asking contributor's clips in film.yaml and
answers 404 otherwise: no request names a file, and nobody reaches anyone else's clip.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from captions.exceptions import CaptionError
from captions.formats import dumps
from captions.model import Cue
from consent import RecordError
from pipeline.describe.script import DescriptionError, descriptions_version, load_descriptions
from pipeline.exceptions import PipelineError, WithdrawnError
from pipeline.project import Project
from pipeline.review import decisions, editing, whose
from pipeline.review.pages import (
    contributor,
    message_response,
    not_found,
    once,
    render,
    site,
)
from pipeline.review.words import rule_words, t

SAID = {"yes": "said_yes", "changes": "said_changes", "saved": "said_saved"}
# Where on the clip page an action's answer goes: where the person was (the decision, the Save
# button, the caption whose time they moved). It takes focus there (autofocus, no fragment).
_AT = re.compile(r"decide|save|cue-\d{1,5}")


def _own_clip(request: Request, clip_id: str) -> tuple[str, Project]:
    person = contributor(request)
    project = site(request).project()
    if not whose.is_theirs(project, whose.events(project), person, clip_id):
        raise not_found()
    return person, project


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _clip_context(project: Project, person: str, clip_id: str) -> dict[str, Any]:
    found = whose.events(project)
    standing = whose.standing(project, found, person, clip_id)
    context: dict[str, Any] = {
        "clip_id": clip_id, "standing": standing,
        "stopped": standing.state == whose.ClipState.STOPPED,
        "has_video": project.proxy_path(clip_id).is_file(), "broken": False,
        "cues": [], "problems": {}, "version": editing.NO_FILE, "nudge_ms": editing.NUDGE_MS,
        "uses": used_ranges(project, clip_id), "in_film": []}
    context.update(_described(project, clip_id))
    try:
        track = editing.read_track(project, clip_id)
    except CaptionError:
        context["broken"] = True
        return context
    context.update(cues=track.cues, version=track.version,
                   problems=editing.problems(project, clip_id, track.cues),
                   in_film=[_in_film(cue, context["uses"]) for cue in track.cues])
    editing.remember_shown(project, clip_id, track.version)
    return context


def used_ranges(project: Project, clip_id: str) -> list[tuple[int, int | None]]:
    """Each part of the clip the film plays, in film order, as (start, end) ms of the clip
    (end None: to the end of footage that cannot be read now): what a yes approves. A clip
    may be used more than once."""
    try:
        duration: int | None = project.probe(clip_id).duration_ms
    except PipelineError:
        duration = None
    ranges: list[tuple[int, int | None]] = []
    for item in project.film.sequence:
        if item.clip_id == clip_id:
            ends = [e for e in (item.out_ms, duration) if e is not None]
            ranges.append((item.in_ms or 0, min(ends) if ends else None))
    return ranges


def _in_film(cue: Cue, uses: list[tuple[int, int | None]]) -> bool:
    return any(cue.end > start and (end is None or cue.start < end) for start, end in uses)


def _described(project: Project, clip_id: str) -> dict[str, Any]:
    """The clip's audio descriptions as the page shows them (read-only), and their version."""
    try:
        found = load_descriptions(project, clip_id)
    except DescriptionError:
        return {"descriptions": [], "descriptions_broken": True,
                "described": descriptions_version(project, clip_id)}
    return {"descriptions": found, "descriptions_broken": False,
            "described": descriptions_version(project, clip_id)}


def clip_page(request: Request) -> Response:
    """The video, the caption under it, the captions to edit, and the decision."""
    clip_id = request.path_params["clip_id"]
    person, project = _own_clip(request, clip_id)
    context = _clip_context(project, person, clip_id)
    said = request.query_params.get("said", "")
    context["said"] = SAID.get(said)
    at = request.query_params.get("at", "")
    context["at"] = at if context["said"] and _AT.fullmatch(at) else "top"
    return render(request, "clip.html", context, project=project)


def _stopped(project: Project, person: str, clip_id: str) -> bool:
    found = whose.events(project)
    return whose.standing(project, found, person, clip_id).state == whose.ClipState.STOPPED


def _refused(request: Request) -> Response:
    """What an edit or decision gets once the contributor has stopped: nothing changes."""
    if _wants_json(request):
        return JSONResponse({"status": "stopped", "message": t("stopped_refused")},
                            status_code=403)
    return message_response(request, 403, "stopped_title", "stopped_refused")


def video(request: Request) -> Response:
    """The review proxy made at ingest, with HTTP Range so seeking works."""
    clip_id = request.path_params["clip_id"]
    _, project = _own_clip(request, clip_id)
    path = project.proxy_path(clip_id)
    if not path.is_file():
        raise not_found()
    return FileResponse(path, media_type="video/mp4")


def captions_track(request: Request) -> Response:
    """The clip's captions as WebVTT, for the video's ``<track>``: the words as saved now, so
    full screen and a page without JavaScript show them too."""
    clip_id = request.path_params["clip_id"]
    _, project = _own_clip(request, clip_id)
    try:
        cues = editing.read_track(project, clip_id).cues
    except CaptionError:
        cues = []  # a broken file: an empty track, and the page says the file is broken
    return Response(dumps(cues, "vtt"), media_type="text/vtt; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def _changes_context(project: Project, clip_id: str) -> dict[str, Any]:
    try:
        track = editing.read_track(project, clip_id)
    except CaptionError:
        track = editing.Track(editing.version_of(project, clip_id), [])
    return {"clip_id": clip_id, "cues": track.cues, "version": track.version,
            "error": False, "words": "", "picked": set()}


def changes_page(request: Request) -> Response:
    """The form for asking for changes, in the contributor's own words."""
    clip_id = request.path_params["clip_id"]
    person, project = _own_clip(request, clip_id)
    if _stopped(project, person, clip_id):
        return _refused(request)
    return render(request, "changes.html", _changes_context(project, clip_id), project=project)


async def _form(request: Request) -> FormData:
    return await request.form(max_fields=4 * editing.MAX_CUES + 20, max_files=0)


async def ask_for_changes(request: Request) -> Response:
    """Record a change request (POST /changes); a repeat of the same form records nothing."""
    form = await request.form(max_fields=editing.MAX_CUES + 20, max_files=0)
    token = form.get("once")
    return await once(request).run(token if isinstance(token, str) else None,
                                   lambda: _ask_for_changes(request, form))


async def _ask_for_changes(request: Request, form: FormData) -> Response:
    clip_id = str(form.get("clip", ""))
    person, project = _own_clip(request, clip_id)
    if _stopped(project, person, clip_id):
        return _refused(request)
    words = str(form.get("words", ""))[:5000]
    picked = [int(v) for v in form.getlist("caption") if isinstance(v, str) and v.isdigit()]
    version = str(form.get("version", ""))
    context = _changes_context(project, clip_id)
    if not words.strip():
        context.update(error=True, version=version, picked=set(picked))
        return render(request, "changes.html", context, status=400, project=project)
    try:
        await run_in_threadpool(decisions.ask_for_changes, project, clip_id, person, version,
                                words, picked)
    except decisions.ChangedMeanwhile:
        return _changed(request, project, person, clip_id)
    except WithdrawnError:
        return _refused(request)
    except RecordError:
        return message_response(request, 400, "error_title", "error")
    return RedirectResponse(f"/clip/{clip_id}?said=changes&at=decide", status_code=303)


def _conflict(request: Request, project: Project, clip_id: str, person: str, mine: list[Cue],
              result: editing.SaveResult) -> Response:
    """The save was refused: the captions both sides changed, side by side (all of them when
    the two tracks cannot be paired), saying who made the other version when it was them."""
    you = result.by == person
    if _wants_json(request):
        return JSONResponse({"status": "conflict",
                             "message": t("conflict_short_you" if you else "conflict_short")},
                            status_code=409)
    theirs = result.theirs.cues if result.theirs else []
    clashes = result.clashes
    if clashes is None:
        rows = list(range(1, max(len(mine), len(theirs)) + 1))
        keep = mine  # the tracks do not pair: keeping mine keeps all of mine
    else:
        rows = list(clashes)
        keep = [mine[i] if i + 1 in clashes else cue for i, cue in enumerate(theirs)]
    pairs = [(n, mine[n - 1] if n <= len(mine) else None,
              theirs[n - 1] if n <= len(theirs) else None) for n in rows]
    return render(request, "conflict.html", {
        "clip_id": clip_id, "pairs": pairs, "keep": keep, "version": result.version,
        "you": you, "all_rows": clashes is None}, status=409, project=project)


def _changed(request: Request, project: Project, person: str, clip_id: str) -> Response:
    context = _clip_context(project, person, clip_id)
    context["changed"] = True
    return render(request, "clip.html", context, status=409, project=project)


def _problems_json(project: Project, clip_id: str, cues: list[Cue]) -> dict[str, list[str]]:
    found = editing.problems(project, clip_id, cues)
    return {str(n): [rule_words(rule) for rule in rules] for n, rules in found.items()}


async def _submitted(request: Request) -> tuple[dict[str, str], list[Cue] | None]:
    """The save's fields and captions: a plain form, or the page script's JSON.

    The captions are None when they are malformed (answered 400 once the clip is known).
    """
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return {}, None
        fields = {key: str(data.get(key, "")) for key in ("clip", "version")}
        fields["action"] = "save"
        try:
            return fields, editing.parse_json_track(data.get("cues"))
        except editing.FormError:
            return fields, None
    form = await _form(request)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        return fields, editing.parse_track(fields)
    except editing.FormError:
        return fields, None


async def save(request: Request) -> Response:
    """Save the captions (POST /save); then, if asked, say yes or go to the change form.

    The page's script autosaves with JSON and gets JSON back; a plain form is redirected, so
    the page works the same without JavaScript. A repeat of the same form (its one-time token)
    is answered as the first was and writes nothing.
    """
    fields, cues = await _submitted(request)
    return await once(request).run(fields.get("once"), lambda: _save(request, fields, cues))


async def _save(request: Request, fields: dict[str, str], cues: list[Cue] | None) -> Response:
    clip_id = fields.get("clip", "")
    person, project = _own_clip(request, clip_id)
    if _stopped(project, person, clip_id):
        return _refused(request)
    nudged = None
    try:
        if cues is None:
            raise editing.FormError("not a caption track")
        if fields.get("nudge"):
            nudged = editing.nudge(cues, fields["nudge"], editing.duration_of(project, clip_id))
    except editing.FormError:
        return message_response(request, 400, "error_title", "error")
    base = fields.get("version", "")
    if not cues:
        # No caption boxes on the page (none yet, or a file it cannot read): nothing to save,
        # and a broken file must never be replaced by an empty one.
        result = editing.SaveResult(editing.SaveStatus.UNCHANGED, base)
    else:
        result = await run_in_threadpool(editing.save_track, project, clip_id, base, cues,
                                         person)
    if result.status == editing.SaveStatus.CONFLICT:
        return _conflict(request, project, clip_id, person, cues, result)
    action = fields.get("action", "save")
    if action == "yes" and result.status == editing.SaveStatus.MERGED:
        # Their edits are saved with another tab's, which they have not seen: no yes to those.
        return _changed(request, project, person, clip_id)
    if action == "yes":
        try:
            await run_in_threadpool(decisions.say_yes, project, clip_id, person, result.version,
                                    fields.get("described"))
        except decisions.ChangedMeanwhile:
            return _changed(request, project, person, clip_id)
        except WithdrawnError:
            return _refused(request)
        return RedirectResponse(f"/clip/{clip_id}?said=yes&at=decide", status_code=303)
    if action == "changes":
        return RedirectResponse(f"/clip/{clip_id}/changes", status_code=303)
    if _wants_json(request):
        found = await run_in_threadpool(_problems_json, project, clip_id, result.cues or cues)
        answer: dict[str, Any] = {"status": str(result.status), "version": result.version,
                                  "message": t("saved"), "problems": found}
        if result.status == editing.SaveStatus.MERGED:  # the page shows the other tab's words
            answer["cues"] = [[c.start, c.end, c.text] for c in result.cues]
        return JSONResponse(answer)
    at = f"cue-{nudged}" if nudged else "save"
    return RedirectResponse(f"/clip/{clip_id}?said=saved&at={at}", status_code=303)


__all__ = ["ask_for_changes", "captions_track", "changes_page", "clip_page", "save", "video"]
