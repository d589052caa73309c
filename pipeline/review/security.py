"""The review server's guards, as plain ASGI wrappers around the app.

Outermost first: :class:`AccessLog` (never logs a token); :class:`Headers` (a
Content-Security-Policy of self only, referrers sent only to itself so a POST carries its
Origin, no sniffing, no framing); :class:`BodyLimit` (request bodies over a size answer 413
before anything reads them); :class:`SameOrigin` (a state-changing request must come from a
page of this server: its Origin, or failing that its Referer, must be the server's own). The
per-page CSRF token is asgi-csrf's double-submit cookie, wrapped inside these by
:mod:`pipeline.review.app`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# (status, title key, text key) -> a whole HTML page, from the app's templates.
ErrorPage = Callable[[int, str, str], bytes]

log = logging.getLogger("coprod.review")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "media-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TOKEN_PATH = re.compile(r"^(/enter/)[^/?#]*")


def redact(path: str) -> str:
    """A request path fit for a log: a link's token is replaced by ``...``."""
    return _TOKEN_PATH.sub(r"\1...", path)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_page(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One log line per request (method, path without tokens, status, time); no query string."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 0

        async def logged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            log.info("%s %s %s %.0f ms", scope["method"], redact(scope["path"]), status,
                     (time.perf_counter() - began) * 1000)


class Headers:
    """Security headers on every response; HTML pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {bytes(k).lower() for k, _ in headers}
                extra = [(b"content-security-policy", CSP.encode()),
                         (b"referrer-policy", b"same-origin"),
                         (b"x-content-type-options", b"nosniff"),
                         (b"x-frame-options", b"DENY"),
                         (b"cross-origin-opener-policy", b"same-origin"),
                         (b"cross-origin-resource-policy", b"same-origin")]
                if not scope["path"].startswith("/static/") and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [(k, v) for k, v in extra if k not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (413), whether announced or streamed."""

    def __init__(self, app: ASGIApp, limit: int, page: ErrorPage) -> None:
        self.app = app
        self.limit = limit
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _send_page(send, 413, self.page(413, "too_big_title", "too_big"))
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooBig()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched_send)
        except _TooBig:
            if not started:
                await _send_page(send, 413, self.page(413, "too_big_title", "too_big"))


class _TooBig(Exception):
    pass


class SameOrigin:
    """A POST (or any unsafe method) must name this server as its Origin or Referer."""

    def __init__(self, app: ASGIApp, page: ErrorPage) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        own = f"{scope.get('scheme', 'http')}://{host}" if host else None
        origin = _header(scope, b"origin")
        if origin is None or origin == "null":
            referer = _header(scope, b"referer")
            if referer:
                parts = urlsplit(referer)
                origin = f"{parts.scheme}://{parts.netloc}"
        if own is None or origin != own:
            log.warning("refused %s %s: origin %s is not this server", scope["method"],
                        redact(scope["path"]), origin or "missing")
            await _send_page(send, 403, self.page(403, "form_old_title", "form_old"))
            return
        await self.app(scope, receive, send)


__all__ = ["CSP", "AccessLog", "BodyLimit", "Headers", "SameOrigin", "redact"]
