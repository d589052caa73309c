"""What every page shares: the templates, who is asking, and the error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from pipeline.project import Project
from pipeline.review import words
from pipeline.review.once import OnceTokens
from pipeline.review.whose import Site

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def make_templates() -> Jinja2Templates:
    """The page templates, with the catalogue and the word helpers as globals."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(t=words.t, raw=words.raw, clock=words.clock, long_date=words.long_date,
                       rule_words=words.rule_words, channel_words=words.channel_words,
                       scope_words=words.scope_words,
                       state_words=words.state_words)
    return Jinja2Templates(env=env)


def site(request: Request) -> Site:
    """The film this server serves."""
    found: Site = request.app.state.site
    return found


def cookie_name(request: Request) -> str:
    """The name of the cookie that carries the contributor's link token."""
    name: str = request.app.state.cookie
    return name


def who(request: Request) -> str | None:
    """The contributor whose link this browser opened, or None."""
    token = request.cookies.get(cookie_name(request), "")
    return site(request).links.who(token) if token else None


def contributor(request: Request) -> str:
    """The contributor asking; a browser without a working link gets the bad-link page."""
    found = who(request)
    if found is None:
        raise HTTPException(404, "bad_link")
    return found


def not_found() -> HTTPException:
    """Anything that is not the contributor's: one answer, whatever it is."""
    return HTTPException(404, "not_found")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200,
           project: Project | None = None) -> Response:
    """A page, with what every page shows (film title, CSRF token)."""
    templates: Jinja2Templates = request.app.state.templates
    film = project or site(request).project()
    base = {"film_title": film.film.title, "film_language": film.film.language,
            "csrftoken": request.scope["csrftoken"]() if "csrftoken" in request.scope else "",
            "once": OnceTokens.issue()}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def once(request: Request) -> OnceTokens:
    """The server's one-time form tokens."""
    tokens: OnceTokens = request.app.state.once
    return tokens


def message_page(templates: Jinja2Templates, status: int, title_key: str, text_key: str,
                 back: bool = True) -> bytes:
    """A whole page that says one thing (errors), rendered without a request."""
    template = templates.get_template("message.html")
    return template.render(title_key=title_key, text_key=text_key, back=back,
                           film_title=None, status=status).encode("utf-8")


def message_response(request: Request, status: int, title_key: str, text_key: str) -> Response:
    """An error page as a response."""
    body = message_page(request.app.state.templates, status, title_key, text_key,
                        back=who(request) is not None)
    return HTMLResponse(body, status_code=status)


__all__ = ["STATIC", "contributor", "make_templates", "message_page", "message_response",
           "not_found", "once", "render", "site", "who"]
