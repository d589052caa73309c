"""Fifty advisers commenting at once on the real server (issue 26): nothing is lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.feedback.store import CommentsFile
from pipeline.project import Project
from pipeline.review import adviser_links
from tests.review.conftest import form_fields, served

pytestmark = pytest.mark.slow
ADVISERS = 50


def test_fifty_advisers_commenting_at_once_lose_nothing(group_film: Project) -> None:
    import httpx

    from pipeline.review import create_app

    path = group_film.root / "film.yaml"
    more = "".join(f"  - {{id: adviser-{n}, name: Adviser {n}}}\n" for n in range(ADVISERS - 2))
    path.write_text(path.read_text() + more, encoding="utf-8")
    project = Project.open(group_film.root)
    links = {link.contributor: link.token for link in adviser_links.issue(project)}
    assert len(links) == ADVISERS
    start = threading.Barrier(ADVISERS)

    with served(create_app(project.root)) as base:
        def comment(person: str) -> int:
            with httpx.Client(base_url=base, timeout=120, headers={"origin": base}) as client:
                assert client.get(f"/group/enter/{links[person]}").status_code == 303
                fields = form_fields(client.get("/group").text)
                fields.update(time="0:09", text=f"From {person}")
                start.wait()
                return client.post("/group/comment", data=fields).status_code

        with ThreadPoolExecutor(ADVISERS) as pool:
            codes = list(pool.map(comment, links))
    assert codes == [303] * ADVISERS  # each sent back to the page: recorded
    found = CommentsFile(project.root).comments().values()
    assert sorted((c.by, c.text) for c in found) == sorted((p, f"From {p}") for p in links)
    assert len(CommentsFile(project.root).path.read_bytes().splitlines()) == ADVISERS
