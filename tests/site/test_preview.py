"""`coprod preview`: the site served as a web server would, HTTP Range included."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.project import Project
from pipeline.site.server import create_app
from tests.conftest import run_cli
from tests.site.conftest import SiteFilm


@pytest.mark.slow
def test_the_site_is_served_with_range_requests_for_seeking(site_film: SiteFilm) -> None:
    from starlette.testclient import TestClient

    client = TestClient(create_app(site_film.site))
    page = client.get("/")
    assert page.status_code == 200 and "<h1>Our Film</h1>" in page.text
    film = (site_film.site / "film.mp4").read_bytes()
    part = client.get("/film.mp4", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.content == film[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(film)}"
    assert client.get("/film.vtt").headers["content-type"].startswith("text/vtt")
    # Only the site: the render's other files beside it are not served.
    assert client.get("/../manifest.json").status_code == 404
    assert client.get("/site-record.json").status_code == 404


def test_preview_without_a_site_says_how_to_make_one(tmp_path: Path) -> None:
    Project.create(tmp_path / "film", "Our Film")
    code, output = run_cli("preview", str(tmp_path / "film"))
    assert code == 1
    assert output.strip().splitlines()[-1].endswith(
        f"no web page yet; run `coprod build {tmp_path / 'film'}` (the web profile makes it)")
    assert "Traceback" not in output


@pytest.mark.slow
def test_a_port_in_use_is_one_line_naming_it(site_film: SiteFilm) -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        code, output = run_cli("preview", str(site_film.project.root), "--port", str(port))
    finally:
        taken.close()
    assert code == 1
    assert output.strip().splitlines()[-1].startswith(f"Error: cannot listen on 127.0.0.1:{port}")
    assert "try --port" in output and "Traceback" not in output
