"""`make demo`'s advisory group (issue 26): two advisers in film.yaml, the group's draft
rendered, and each adviser's link printed, a link that opens their page."""

from __future__ import annotations

import importlib.util
import re
import warnings
from pathlib import Path

import pytest

from pipeline.project import Project

DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo" / "run_demo.py"


def test_the_demo_adds_two_advisers_and_prints_links_that_open_their_page(
        film: Project, capsys: pytest.CaptureFixture[str]) -> None:
    from starlette.testclient import TestClient

    from pipeline.review import create_app

    spec = importlib.util.spec_from_file_location("run_demo", DEMO)
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    demo.advise(film.root)
    printed = capsys.readouterr().err
    project = Project.open(film.root)
    assert [(a.id, a.name) for a in project.film.advisers.values()] == \
        [("rosa", "Rosa Hale"), ("tom", "Tom Reid")]
    links = dict(re.findall(r"  (\w+): http://127\.0\.0\.1:8765(/group/enter/\S+)", printed))
    assert sorted(links) == ["rosa", "tom"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = TestClient(create_app(film.root, hosts=["testserver"]))
    for person, path in links.items():
        assert client.get(path, follow_redirects=False).status_code == 303
        page = client.get("/group").text
        assert project.film.advisers[person].name in page and "/group/video/draft" in page
    demo.advise(film.root)  # run again: the links made before still work, none replaced
    assert "still works" in capsys.readouterr().err
