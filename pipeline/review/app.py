"""The review server's ASGI app: routes, templates, and the guards around them.

``create_app(project_root)`` is all ``coprod review`` needs; tests drive the same app in-process
with Starlette's TestClient. Routes that change anything are POSTs to fixed paths (``/save``,
``/changes``, ``/stop``) that asgi-csrf always protects; the clip they act on is a form field,
looked up among the contributor's clips in film.yaml.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.review import adviser_views, clip_views, sign_views, views
from pipeline.review.once import OnceTokens
from pipeline.review.pages import STATIC, make_templates, message_page, message_response
from pipeline.review.security import AccessLog, ASGIApp, BodyLimit, Headers, SameOrigin
from pipeline.review.whose import Site

log = logging.getLogger("coprod.review")

MAX_BODY = 2 * 1024 * 1024  # a 3000-caption film with its times is well under 1 MB
PROTECTED = frozenset({"/save", "/changes", "/stop", "/sign"}) | adviser_views.PROTECTED
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def _routes() -> list[Route | Mount]:
    return [
        Route("/", views.home),
        Route("/enter/{token}", views.enter),
        Route("/consent", views.consent_page),
        Route("/stop", views.stop_page, methods=["GET"]),
        Route("/stop", views.stop, methods=["POST"]),
        Route("/clip/{clip_id}", clip_views.clip_page),
        Route("/clip/{clip_id}/video", clip_views.video),
        Route("/clip/{clip_id}/captions.vtt", clip_views.captions_track),
        Route("/clip/{clip_id}/changes", clip_views.changes_page),
        Route("/sign/{target}", sign_views.sign_page),
        Route("/sign/{target}/video", sign_views.sign_video),
        Route("/sign", sign_views.decide, methods=["POST"]),
        Route("/save", clip_views.save, methods=["POST"]),
        Route("/changes", clip_views.ask_for_changes, methods=["POST"]),
        *adviser_views.routes(),  # the advisory group's pages (issue 26)
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        if exc.detail == "bad_link":
            return message_response(request, 404, "bad_link_title", "bad_link")
        return message_response(request, 404, "not_found_title", "not_found")
    if exc.status_code == 405:
        return message_response(request, 405, "not_found_title", "not_found")
    return message_response(request, exc.status_code, "error_title", "error")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error on %s %s: %s", request.method, request.url.path.split("/enter/")[0], exc)
    return message_response(request, 500, "error_title", "error")


def cookie_for(root: Path) -> str:
    """The link cookie's name, distinct per film so two review servers never mix them."""
    return "coprod-" + hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]


def create_app(root: str | Path, *, hosts: Sequence[str] = LOCAL_HOSTS,
               max_body: int = MAX_BODY) -> ASGIApp:
    """The review server for the film project at ``root``.

    Args:
        root: the film project folder.
        hosts: host names the server answers to (others get 400; this stops DNS rebinding);
            ``"*"`` for any.
        max_body: the largest request body accepted, in bytes.
    """
    site = Site(Path(root))
    site.project()  # a broken film.yaml stops the server before it starts
    templates = make_templates()
    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))],
        exception_handlers={HTTPException: _http_error, 500: _server_error},
    )
    app.state.site = site
    app.state.templates = templates
    app.state.cookie = cookie_for(site.root)
    app.state.once = OnceTokens()

    def page(status: int, title_key: str, text_key: str) -> bytes:
        return message_page(templates, status, title_key, text_key)

    async def csrf_failed(scope: Any, send: Any, message_id: Any) -> None:
        body = page(403, "form_old_title", "form_old")
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")]})
        await send({"type": "http.response.body", "body": body})

    guarded = asgi_csrf(app, signing_secret=site.links.secret(), always_protect=set(PROTECTED),
                        cookie_name=f"{app.state.cookie}-csrf", send_csrf_failed=csrf_failed)
    return AccessLog(Headers(BodyLimit(SameOrigin(guarded, page), max_body, page)))


__all__ = ["LOCAL_HOSTS", "MAX_BODY", "PROTECTED", "cookie_for", "create_app"]
