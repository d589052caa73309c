"""The film as an accessible web page: ``build/web/site/``, made by every web render (issue 27).

- :mod:`.page_text`: film.yaml's ``page:`` words (summary, Easy Read, chapter names, contact),
  checked before anything is rendered;
- :mod:`.content`: what the page shows, read off the finished render (manifest, tracks);
- :mod:`.html`: the page from ``templates/index.html``; ``static/`` holds coprod's only script
  and style sheet;
- :mod:`.writer`: the site folder, made whole and swapped in, and its record;
- :mod:`.takedown`: the site's files to replace after a withdrawal (`coprod status`);
- :mod:`.server`: `coprod preview`, the site served locally (HTTP Range for seeking).

The render calls :func:`page_for` before it renders and :func:`publish_site` after it has
published; a build that finds the render up to date calls :func:`refresh_site`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.fsutil import sha256_file
from pipeline.project import Project
from pipeline.render_profiles import RenderProfile
from pipeline.site.content import SiteError
from pipeline.site.page_text import PageText, load_page_text
from pipeline.site.takedown import WEB, read_record, site_take_down
from pipeline.site.writer import SITE, SiteResult, write_site


def page_for(project: Project, profile: RenderProfile) -> PageText | None:
    """The page's words when ``profile`` makes a web page (the web profile), else None.

    Raises:
        ProjectError: film.yaml's ``page:`` is wrong (an Easy Read sentence too long, say).
    """
    return load_page_text(project) if profile.name == WEB else None


def publish_site(project: Project, out_dir: Path, page: PageText | None) -> list[str]:
    """Write the site after a render has published (nothing for ``page`` None); notes to show."""
    if page is None:
        return []
    made = write_site(project, out_dir, page)
    return [f"web page: {made.folder / 'index.html'} (check it with `coprod preview "
            f"{project.root}`)"]


def refresh_site(project: Project, profile: RenderProfile) -> list[str]:
    """For a render found up to date: write its site again if it is missing or was made from
    another render; notes to show."""
    page = page_for(project, profile)
    if page is None:
        return []
    out_dir = project.build_dir / profile.name
    record = read_record(project)
    manifest = out_dir / "manifest.json"
    if record is not None and (out_dir / SITE / "index.html").is_file() and manifest.is_file() \
            and record.get("manifest_sha256") == sha256_file(manifest):
        return []
    return publish_site(project, out_dir, page)


__all__ = ["PageText", "SiteError", "SiteResult", "page_for", "publish_site", "refresh_site",
           "site_take_down", "write_site"]
