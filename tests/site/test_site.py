"""The site a web render writes (build/web/site/), checked on one shared render."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from captions.formats import load
from pipeline.render.sidecars import Credits
from pipeline.site.content import credits_of, read_manifest
from tests.site.conftest import SiteFilm

pytestmark = pytest.mark.slow

VERSIONS = ["film.mp4", "film.described.mp4", "film.signed.mp4", "film.open-captions.mp4"]


class _Refs(HTMLParser):
    """Every src and href in a page, and each video with its tracks."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.videos: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href", "poster"):
            if a.get(key):
                self.refs.append(str(a[key]))
        if tag == "video":
            self.videos.append({"tracks": [], "sources": []})
        elif tag == "track" and self.videos:
            self.videos[-1]["tracks"].append(a)  # type: ignore[attr-defined]
        elif tag == "source" and self.videos:
            self.videos[-1]["sources"].append(a["src"])  # type: ignore[attr-defined]


def _refs(html: str) -> _Refs:
    parser = _Refs()
    parser.feed(html)
    return parser


def test_the_site_holds_the_page_and_everything_it_needs(site_film: SiteFilm) -> None:
    site = site_film.site
    names = sorted(p.name for p in site.iterdir())
    assert names == sorted([*VERSIONS, "index.html", "film.vtt", "film.srt",
                            "film.descriptions.vtt", "chapters.vtt", "poster.jpg",
                            "transcript.html", "transcript.txt", "coprod.css", "coprod.js"])
    for name in [*VERSIONS, "film.vtt", "film.descriptions.vtt", "transcript.html"]:
        assert (site / name).read_bytes() == (site_film.out_dir / name).read_bytes(), name
    page = _refs((site / "index.html").read_text(encoding="utf-8"))
    for ref in page.refs:
        assert not re.match(r"[a-z]+:|//", ref), f"{ref} points away from the site"
        target = ref.split("#", 1)[0]
        if target:
            assert (site / target).is_file(), f"{ref} does not exist"


def test_chapters_one_per_clip_named_by_title_or_by_name_only_with_name_consent(
        site_film: SiteFilm) -> None:
    manifest = read_manifest(site_film.out_dir)
    chapters = load(site_film.site / "chapters.vtt")
    assert [(c.start, c.end) for c in chapters] == [
        (c["film_start_ms"], c["film_start_ms"] + c["duration_ms"]) for c in manifest["clips"]]
    # clip-1: Amara (name consent, no title); clip-2: Ben (no name consent); clip-3: a title.
    assert [c.text for c in chapters] == ["Amara Okafor", "Part 2", "The garden"]


def test_names_appear_exactly_as_the_render_credited_them(site_film: SiteFilm) -> None:
    manifest = read_manifest(site_film.out_dir)
    credits = credits_of(site_film.project, manifest)
    gate = site_film.result.gate.name_allowed
    # The render's own credits (the gate's decision) and the site's reading of the manifest.
    made = Credits.for_film(site_film.project, ["clip-1", "clip-2", "clip-3"], gate)
    assert (credits.order, credits.named) == (made.order, made.named)
    assert sorted(credits.named) == ["amara", "chloe"]
    page = (site_film.site / "index.html").read_text(encoding="utf-8")
    text = " ".join(p.read_text(encoding="utf-8") for p in site_film.site.iterdir()
                    if p.suffix in (".html", ".vtt", ".srt", ".txt"))
    assert "Ben" not in text and "ben" not in re.sub(r"<[^>]+>", "", text).split()
    credits_html = page.split('id="credits-heading"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"<li>([^<]+)</li>", credits_html) == credits.text_lines()[1:]
    assert "Speaker: Contributor 2" in page


def test_transcript_holds_speech_and_descriptions_in_film_order(site_film: SiteFilm) -> None:
    page = (site_film.site / "index.html").read_text(encoding="utf-8")
    starts = [float(s) for s in re.findall(r'class="seek line[^"]*"[^>]*data-start="([\d.]+)"',
                                           page)]
    assert starts == sorted(starts)
    speech = load(site_film.out_dir / "film.vtt")
    described = load(site_film.out_dir / "film.descriptions.vtt")
    assert len(starts) == len(speech) + len(described)
    assert "<strong>Description:</strong> Amara waves.</a>" in page
    assert page.index("Hello from clip 1.") < page.index("Amara waves.") < page.index(
        "We made this film together.")


def test_without_javascript_every_version_is_a_video_with_its_tracks_and_a_link(
        site_film: SiteFilm) -> None:
    page = _refs((site_film.site / "index.html").read_text(encoding="utf-8"))
    assert [v["sources"] for v in page.videos] == [[f] for f in VERSIONS]
    for video, name in zip(page.videos, VERSIONS, strict=True):
        kinds = {t["kind"]: t for t in video["tracks"]}  # type: ignore[attr-defined]
        assert set(kinds) == {"captions", "descriptions", "chapters"}
        # Burned-in captions need no second set on top.
        assert ("default" in kinds["captions"]) == (name != "film.open-captions.mp4")
        assert page.refs.count(name) >= 2  # the source and a download link
    for name in ("film.srt", "film.vtt", "film.descriptions.vtt", "transcript.html",
                 "transcript.txt"):
        assert name in page.refs


def test_coprods_own_script_and_styles_weigh_under_60_kb(site_film: SiteFilm) -> None:
    weight = sum((site_film.site / n).stat().st_size for n in ("coprod.js", "coprod.css"))
    assert 0 < weight < 60_000


def test_the_site_record_says_which_clips_each_file_holds(site_film: SiteFilm) -> None:
    record = json.loads((site_film.out_dir / "site-record.json").read_text())
    every = ["clip-1", "clip-2", "clip-3"]
    assert record["files"]["film.mp4"] == every and record["files"]["index.html"] == every
    assert record["files"]["coprod.js"] == []
    assert record["files"]["poster.jpg"] == ["clip-1"]  # the middle of the first chapter
    assert record["output"] == "build/web/site"
    assert set(record["files"]) == {p.name for p in site_film.site.iterdir()}


def test_the_page_tells_how_to_ask_for_another_format(site_film: SiteFilm) -> None:
    page = (site_film.site / "index.html").read_text(encoding="utf-8")
    assert "Email films@example.org to ask for the film in another format." in page
    assert "Three people talk about making a film together at their day centre." in page
    assert "<li>We made a film together.</li>" in page


