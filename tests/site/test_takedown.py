"""Take-down: status names the site's files holding a withdrawn clip; the next build removes
every trace of it from the site. Also the build's refresh of a missing site, and a hard Easy Read
sentence refused before anything is rendered."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from captions.formats import load
from pipeline.build import build_film
from pipeline.clearance import withdraw_consent
from pipeline.exceptions import ProjectError
from pipeline.render import render_film
from pipeline.render.options import RenderOptions
from pipeline.site import refresh_site
from pipeline.status import film_status, format_status
from tests.pipeline.conftest import TODAY, tiny
from tests.site.conftest import SiteFilm, render_web, stub_voices

OPEN_CAPTIONS = RenderOptions(open_captions=True)

pytestmark = pytest.mark.slow

EVERY = ["chapters.vtt", "film.described.mp4", "film.descriptions.vtt", "film.mp4",
         "film.open-captions.mp4", "film.signed.mp4", "film.srt", "film.vtt", "index.html",
         "transcript.html", "transcript.txt"]


def _texts(site: Path) -> str:
    return " ".join(p.read_text(encoding="utf-8") for p in sorted(site.iterdir())
                    if p.suffix in (".html", ".vtt", ".srt", ".txt"))


def test_withdrawal_lists_site_files_then_the_next_build_leaves_no_trace(
        site_film: SiteFilm, tmp_path: Path) -> None:
    project = site_film.copy(tmp_path / "copy")
    site = project.build_dir / "web" / "site"
    assert film_status(project)["take_down"] == []
    withdraw_consent(project, "ben", clips=["clip-2"])
    report = film_status(project)
    rows = [r for r in report["take_down"] if r["output"].startswith("build/web/site/")]
    # Every file holding clip-2; not the script, the styles, or the poster (clip-1's frame).
    assert sorted(r["output"].removeprefix("build/web/site/") for r in rows) == EVERY
    assert {(r["clip"], r["contributor"]) for r in rows} == {("clip-2", "ben")}
    assert "  build/web/site/index.html: clip clip-2 (contributor ben, withdrawn " \
        in format_status(report)
    before = load(site / "chapters.vtt")
    assert "Hello from clip 2." in _texts(site)

    render_web(project, tmp_path, drop_withdrawn=True)
    manifest = json.loads((project.build_dir / "web" / "manifest.json").read_text())
    assert [c["id"] for c in manifest["clips"]] == ["clip-1", "clip-3"]
    chapters = load(site / "chapters.vtt")
    assert [c.text for c in chapters] == ["Amara Okafor", "The garden"]
    assert len(before) == 3
    text = _texts(site)
    assert "Hello from clip 2." not in text and "Hello from clip 1." in text
    assert "Contributor 2" not in text and "more contributor" not in text  # Ben was the one
    record = json.loads((project.build_dir / "web" / "site-record.json").read_text())
    assert all("clip-2" not in clips for clips in record["files"].values())
    assert [c["id"] for c in record["clips"]] == ["clip-1", "clip-3"]
    # The films in the site are the new render's, without the clip.
    for name in ("film.mp4", "film.described.mp4", "film.signed.mp4"):
        assert (site / name).read_bytes() == (project.build_dir / "web" / name).read_bytes()
    assert not [r for r in film_status(project)["take_down"]
                if r["output"].startswith("build/web/site/")]
    assert not list((project.build_dir / "web").glob(".site*"))  # nothing half-written left


def test_a_hard_easy_read_sentence_stops_the_render_before_anything_is_made(
        site_film: SiteFilm, tmp_path: Path) -> None:
    project = site_film.copy(tmp_path / "copy")
    text = project.film_yaml.read_text(encoding="utf-8")
    project.film_yaml.write_text(text.replace(
        "    - We made a film together.\n",
        "    - Notwithstanding contemporaneous authorisation, publication necessitates "
        "comprehensive reconsideration.\n"), encoding="utf-8")
    index = project.build_dir / "web" / "site" / "index.html"
    stamp = os.stat(index).st_mtime_ns, os.stat(project.build_dir / "web" / "film.mp4").st_ino
    with pytest.raises(ProjectError, match="page: easy_read: it reads too hard"):
        render_film(project.reload(), tiny(), today=TODAY, options=OPEN_CAPTIONS)
    assert (os.stat(index).st_mtime_ns,
            os.stat(project.build_dir / "web" / "film.mp4").st_ino) == stamp


def test_a_build_with_nothing_to_render_makes_a_missing_site_again(
        site_film: SiteFilm, tmp_path: Path) -> None:
    project = site_film.copy(tmp_path / "copy")
    site = project.build_dir / "web" / "site"
    with pytest.MonkeyPatch.context() as mp:
        stub_voices(mp, tmp_path)
        first = build_film(project, [tiny()], today=TODAY, options=OPEN_CAPTIONS)
        assert "web" in first.rendered
        made = site / "index.html"
        inode = made.stat().st_ino
        assert refresh_site(project, tiny()) == []  # made from this render: left alone
        assert made.stat().st_ino == inode
        for path in site.iterdir():
            path.unlink()
        site.rmdir()
        again = build_film(project, [tiny()], today=TODAY, options=OPEN_CAPTIONS)
    assert again.up_to_date == ["web"] and not again.rendered
    assert (site / "index.html").is_file() and (site / "film.mp4").is_file()


def test_the_poster_goes_with_the_clip_it_was_taken_from(site_film: SiteFilm,
                                                         tmp_path: Path) -> None:
    project = site_film.copy(tmp_path / "copy")
    withdraw_consent(project, "amara", clips=["clip-1"])
    listed = {r["output"].removeprefix("build/web/site/")
              for r in film_status(project)["take_down"] if r["clip"] == "clip-1"}
    assert "poster.jpg" in listed and "coprod.css" not in listed
    render_web(project, tmp_path, drop_withdrawn=True)
    record = json.loads((project.build_dir / "web" / "site-record.json").read_text())
    assert record["files"]["poster.jpg"] == ["clip-2"]  # now the first chapter's frame
    assert "Amara" not in _texts(project.build_dir / "web" / "site")
