"""`coprod preview`: the film's web page served from this computer, to check before upload.

Starlette's StaticFiles serves ``build/web/site/`` as any web server would, answering HTTP Range
requests (a browser seeks in a film by asking for a part of it); uvicorn runs it, as for
`coprod review`. Only files inside the site folder are served.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.exceptions import PipelineError
from pipeline.project import Project
from pipeline.serving import listen, run_quietly
from pipeline.site.takedown import WEB
from pipeline.site.writer import SITE

Say = Callable[[str], None]


def site_folder(project: Project) -> Path:
    """The site to preview.

    Raises:
        PipelineError: there is none yet (one line saying how to make it).
    """
    folder = project.build_dir / WEB / SITE
    if not (folder / "index.html").is_file():
        raise PipelineError(f"{folder}: no web page yet; run `coprod build {project.root}` "
                            "(the web profile makes it)")
    return folder


def create_app(folder: Path) -> Any:
    """The ASGI app serving ``folder`` (index.html at /)."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    # Not every system's MIME table knows WebVTT; a browser may refuse a track served as text.
    mimetypes.add_type("text/vtt", ".vtt")
    return Starlette(routes=[Mount("/", app=StaticFiles(directory=folder, html=True))])


def serve(project: Project, *, host: str = "127.0.0.1", port: int = 8766, say: Say) -> None:
    """Serve the site until Ctrl-C, saying where."""
    folder = site_folder(project)
    sock = listen(host, port, busy="another preview")
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    say(f"Preview of {project.film.title!r}: open http://{shown}:{sock.getsockname()[1]}/")
    say(f"Serving {folder}. Press Ctrl-C to stop.")
    try:
        run_quietly(create_app(folder), sock)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    say("Preview stopped.")


__all__ = ["create_app", "serve", "site_folder"]
