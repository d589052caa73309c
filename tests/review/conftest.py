"""Fixtures for the review page: a small film made with the real ingest, and a client.

The film is made once per session (ingest makes the real review proxies) and copied for each
test. amara has clip ``amara-talk``, ben has ``ben-talk``, and ``together`` is both of theirs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from captions.model import Cue
from pipeline import clearance
from pipeline.caption_store import write_caption_file
from pipeline.ingest import ingest
from pipeline.project import Project
from pipeline.review.links import LinkBook

CLIPS = {"amara-talk": ["amara"], "ben-talk": ["ben"], "together": ["amara", "ben"]}
# How long a browser test waits for the page before failing: a bound for a page that never
# gets there, long enough for a loaded machine (never a measure of speed).
HANG_MS = 60_000
DESCRIPTIONS = "WEBVTT\n\n00:00:02.950 --> 00:00:04.000\nAmara waves at the camera.\n"
CUES = [Cue(200, 1200, "Hello, I am glad"), Cue(1300, 2400, "to be in this flim."),
        Cue(2500, 2900, "We made it together, the whole group of us, every one.")]


def consent_for(project: Project, person: str) -> None:
    clearance.record_consent(project, person, scopes=["appear", "voice", "story"],
                             channels=["internal", "web"], method="easy-read",
                             obtained_by="Sam (support worker)", given=date(2026, 1, 10),
                             capacity="supported")


@pytest.fixture(scope="session")
def film_template(tmp_path_factory: pytest.TempPathFactory, make_media: Any) -> Path:
    root = tmp_path_factory.mktemp("review-template") / "film"
    project = Project.create(root, "Our Street")
    project.add_contributor("amara", "Amara Okafor")
    project.add_contributor("ben", "Ben Carter")
    project.save()
    for i, (clip_id, people) in enumerate(CLIPS.items()):
        src = make_media(f"review-{clip_id}.mp4", seconds=3.0, size="320x240",
                         freq=330 + 110 * i)
        ingest(project.reload(), [src], contributors=people, clip_ids=[clip_id])
    project = project.reload()
    for clip_id in CLIPS:
        write_caption_file(project.caption_path(clip_id), CUES)
        write_caption_file(project.caption_path(clip_id, "vtt"), CUES)
    for person in ("amara", "ben"):
        consent_for(project, person)
    # Audio descriptions of one clip (issue 12): shown on its page, signed off with it.
    (root / "descriptions").mkdir()
    (root / "descriptions" / "amara-talk.vtt").write_text(DESCRIPTIONS, encoding="utf-8")
    return root


@pytest.fixture
def film(film_template: Path, tmp_path: Path) -> Project:
    """A fresh copy of the review film for one test."""
    root = tmp_path / "film"
    shutil.copytree(film_template, root, symlinks=True)
    return Project.open(root)


@dataclass
class Visitor:
    """A browser of the review page, driven in-process (no JavaScript)."""

    client: Any
    token: str | None = None

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict[str, Any], *,
             origin: str | None = "http://testserver", **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if origin is not None:
            headers["origin"] = origin
        return self.client.post(path, data=data, headers=headers, follow_redirects=False, **kw)

    def form(self, path: str) -> dict[str, str]:
        """The hidden and text fields of the first form on ``path`` (what a browser would send)."""
        html = self.get(path).text
        return form_fields(html)


def form_fields(html: str) -> dict[str, str]:
    import html as htmllib

    fields: dict[str, str] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        fields.setdefault(name, htmllib.unescape(value))
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>',
                                  html):
        fields[name] = htmllib.unescape(value)
    return fields


MakeVisitor = Callable[..., Visitor]


@pytest.fixture
def visitor(film: Project) -> MakeVisitor:
    """``visitor("amara")``: a client that has opened amara's link (None: no link at all)."""
    from starlette.testclient import TestClient

    from pipeline.review import create_app

    app = create_app(film.root, hosts=["testserver"])

    def make(person: str | None = "amara") -> Visitor:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            client = TestClient(app)
        if person is None:
            return Visitor(client)
        book = LinkBook(film.build_dir / "review")
        token = book.issue([person], replace=True)[0].token
        response = client.get(f"/enter/{token}", follow_redirects=False)
        assert response.status_code == 303, response.text
        return Visitor(client, token)

    return make


# --- a real browser (test_browser.py, test_browser_states.py) --------------------------------

def _chromium() -> str | None:
    for path in ("/usr/lib/chromium/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if path and os.path.exists(path):
            return path
    return None


@contextlib.contextmanager
def launched_chromium(playwright_driver: Any, *args: str) -> Iterator[Any]:
    """Debian's chromium launched with ``args``; the test fails without it when the run requires
    a browser (make test), else it skips naming what is missing."""
    executable = _chromium()
    if executable is None:
        if os.environ.get("COPROD_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (make test installs it)")
    launched = playwright_driver.chromium.launch(executable_path=executable, args=list(args))
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    with launched_chromium(playwright_driver) as launched:
        yield launched


@dataclass
class Live:
    """A review server running in this process, on a free port."""

    project: Project
    base: str

    def link(self, person: str) -> str:
        token = LinkBook(self.project.build_dir / "review").issue([person], replace=True)[0].token
        return f"{self.base}/enter/{token}"


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # a bound for a hung start, not a measure of speed
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def live(film: Project) -> Iterator[Live]:
    from pipeline.review import create_app

    with served(create_app(film.root)) as base:
        yield Live(film, base)


def _page(browser: Any, *, width: int = 1280, height: int = 800, js: bool = True,
          bypass_csp: bool = False) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=js, bypass_csp=bypass_csp)
    return context.new_page()


# --- the advisory group's draft (issue 26): test_adviser_*.py ---------------------------------

ADVISERS = "advisers:\n  - {id: rosa, name: Rosa Hale, role: carer}\n" \
           "  - {id: tom, name: Tom Reid, role: commissioner}\n"
CARA_WORDS = [Cue(200, 1400, "Cara secret words nobody"), Cue(1500, 2800, "in the group hears")]


def add_advisers(root: Path, extra: str = "") -> None:
    """Put two advisers (rosa, tom) and ``extra`` film.yaml lines into the film."""
    path = root / "film.yaml"
    path.write_text(path.read_text(encoding="utf-8") + ADVISERS + extra, encoding="utf-8")


@pytest.fixture(scope="session")
def group_template(film_template: Path, tmp_path_factory: pytest.TempPathFactory,
                   make_media: Any) -> Path:
    """The review film with cara's clip (consent to `web` only, not `internal`) in the middle of
    the sequence, two advisers, and the group's draft rendered once (build/group/)."""
    from pipeline.feedback.render_cut import render_group_cut

    root = tmp_path_factory.mktemp("group-template") / "film"
    shutil.copytree(film_template, root, symlinks=True)
    project = Project.open(root)
    project.add_contributor("cara", "Cara Lewis")
    project.save()
    src = make_media("review-cara.mp4", seconds=3.0, size="320x240", freq=880)
    ingest(project.reload(), [src], contributors=["cara"], clip_ids=["cara-talk"])
    project = project.reload()
    write_caption_file(project.caption_path("cara-talk"), CARA_WORDS)
    clearance.record_consent(project, "cara", scopes=["appear", "voice", "story"],
                             channels=["web"], method="written", obtained_by="Sam",
                             given=date(2026, 1, 10), capacity="own")
    # cara's clip second: amara-talk, cara-talk, ben-talk, together.
    doc = Project.open(root)
    doc.doc["sequence"] = ["amara-talk", "cara-talk", "ben-talk", "together"]
    doc.save()
    add_advisers(root)
    render_group_cut(Project.open(root), jobs=2)
    return root


@pytest.fixture
def group_film(group_template: Path, tmp_path: Path) -> Project:
    """A fresh copy of the film with the group's draft rendered."""
    root = tmp_path / "group-film"
    shutil.copytree(group_template, root, symlinks=True)
    return Project.open(root)


@dataclass
class Adviser:
    """An adviser's browser, in-process (no JavaScript)."""

    client: Any

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data=data, headers={"origin": "http://testserver"},
                                follow_redirects=False)


@pytest.fixture
def adviser_client(group_film: Project) -> Callable[[str], Adviser]:
    """``adviser_client("rosa")``: a client that has opened rosa's link."""
    from starlette.testclient import TestClient

    from pipeline.review import adviser_links, create_app

    app = create_app(group_film.root, hosts=["testserver"])

    def make(person: str) -> Adviser:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            client = TestClient(app)
        token = adviser_links.issue(group_film, [person], replace=True)[0].token
        response = client.get(f"/group/enter/{token}", follow_redirects=False)
        assert response.status_code == 303, response.text
        return Adviser(client)

    return make
