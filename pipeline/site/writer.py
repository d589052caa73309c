"""Writing ``build/web/site/``: made whole in a temporary folder beside it, then swapped in.

The films and tracks are the render's own files (hard links where the file system allows, so a
site costs no extra space); the chapters track, the poster frame and the page are made here.
Because the whole folder is made again from the render each time, a clip the render left out
(a withdrawal) leaves no trace: no film, track, chapter, transcript line or poster holds it.

Beside the folder, ``build/web/site-record.json`` (never uploaded) records which clips each file
holds, so ``coprod status`` can name the files to replace after a withdrawal
(:mod:`pipeline.site.takedown`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from captions.model import Cue
from pipeline import runner
from pipeline.fsutil import atomic_write_bytes, describe_os_error, sha256_file
from pipeline.project import Project
from pipeline.render.publish import DESCRIPTIONS_VTT
from pipeline.site.content import SiteContent, SiteError, site_content
from pipeline.site.page_text import PageText

SITE = "site"
RECORD = "site-record.json"
CHAPTERS_VTT = "chapters.vtt"
POSTER = "poster.jpg"
STATIC = Path(__file__).parent / "static"
STATIC_FILES = ("coprod.css", "coprod.js")
# The render's text files the page links to, when the render made them.
TEXT_FILES = ("film.vtt", "film.srt", DESCRIPTIONS_VTT, "transcript.html", "transcript.txt")
POSTER_WIDTH = 1280


@dataclass(frozen=True)
class SiteResult:
    """The site written: its folder and, per file, the clips it holds."""

    folder: Path
    files: dict[str, list[str]]


def _link(src: Path, dest: Path) -> None:
    """``dest`` is ``src``'s bytes: a hard link, or a copy where links cannot be made."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def chapters_vtt(content: SiteContent) -> str:
    """One WebVTT chapter cue per clip, named as the page names it."""
    from captions.formats import dumps

    return dumps([Cue(c.start_ms, c.end_ms, c.name) for c in content.chapters], "vtt")


def _poster(film: Path, content: SiteContent, dest: Path) -> list[str]:
    """A frame from the middle of the first chapter (the title card when there is none);
    returns the clips the frame shows."""
    first = content.chapters[0] if content.chapters else None
    at_ms = (first.start_ms + first.end_ms) // 2 if first else 500
    runner.ffmpeg(["-ss", f"{at_ms / 1000:.3f}", "-i", f"file:{film}", "-frames:v", "1",
                   "-vf", f"scale='min({POSTER_WIDTH},iw)':-2", "-q:v", "3",
                   "-f", "image2", f"file:{dest}"])
    return [first.clip_id] if first else []


def _write(folder: Path, out_dir: Path, content: SiteContent) -> dict[str, list[str]]:
    """Every file of the site into ``folder``; returns file name -> clips it holds."""
    from pipeline.site.html import render_page

    every = [c["id"] for c in content.clips]
    files: dict[str, list[str]] = {}
    for version in content.versions:
        _link(out_dir / version.file, folder / version.file)
        files[version.file] = every
    for name in TEXT_FILES:
        if (out_dir / name).is_file():
            _link(out_dir / name, folder / name)
            files[name] = every
    (folder / CHAPTERS_VTT).write_text(chapters_vtt(content), encoding="utf-8")
    files[CHAPTERS_VTT] = every
    files[POSTER] = _poster(out_dir / content.versions[0].file, content, folder / POSTER)
    for name in STATIC_FILES:
        shutil.copyfile(STATIC / name, folder / name)
        files[name] = []
    sizes = {name: (folder / name).stat().st_size for name in files}
    (folder / "index.html").write_text(render_page(content, sizes), encoding="utf-8")
    files["index.html"] = every
    return files


def _shown(project: Project, path: Path) -> str:
    """``path`` relative to the project folder, as manifests name outputs."""
    root, path = project.root.resolve(), path.resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def write_site(project: Project, out_dir: Path, page: PageText) -> SiteResult:
    """Make ``out_dir/site/`` from the web render in ``out_dir``, replacing the old one whole.

    Raises:
        SiteError: the render is missing, or a file could not be written (the old site, if
            any, is left as it was).
        MediaToolError: ffmpeg could not take the poster frame.
    """
    content = site_content(project, out_dir, page)
    final = out_dir / SITE
    try:
        staging = Path(tempfile.mkdtemp(prefix=".site.", dir=out_dir))
    except OSError as exc:
        raise SiteError(f"{describe_os_error(exc)}; the site was not written") from None
    try:
        files = _write(staging, out_dir, content)
        os.chmod(staging, 0o755)
        record = {"created": datetime.now(UTC).isoformat(timespec="seconds"),
                  "output": _shown(project, final),
                  "manifest_sha256": sha256_file(out_dir / "manifest.json"),
                  "clips": list(content.clips), "files": files}
        old = None
        if final.exists():
            old = out_dir / f".site.old.{os.getpid()}"
            os.replace(final, old)
        os.replace(staging, final)
        atomic_write_bytes(out_dir / RECORD, (json.dumps(record, indent=1) + "\n").encode())
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise SiteError(f"{describe_os_error(exc)}; the site was not written") from None
    finally:
        with contextlib.suppress(OSError):
            if staging.exists():
                shutil.rmtree(staging)
    return SiteResult(final, files)


def remove_site(out_dir: Path) -> None:
    """Remove a site whose render is gone, so nothing stale is left to upload."""
    shutil.rmtree(out_dir / SITE, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (out_dir / RECORD).unlink()


__all__ = ["CHAPTERS_VTT", "POSTER", "RECORD", "SITE", "STATIC_FILES", "SiteResult",
           "chapters_vtt", "remove_site", "write_site"]
