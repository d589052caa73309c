"""Contributor links: random, stored only hashed, private file, valid across restarts."""

from __future__ import annotations

import json
import logging
import stat
import warnings

import pytest

from pipeline.project import Project
from pipeline.review.links import TOKEN_BYTES, LinkBook
from pipeline.review.security import redact
from tests.review.conftest import MakeVisitor


def test_tokens_are_128_bit_random_and_only_their_hash_is_kept(film: Project) -> None:
    book = LinkBook(film.build_dir / "review")
    links = book.issue(["amara", "ben"])
    assert TOKEN_BYTES * 8 >= 128
    assert len({link.token for link in links}) == 2
    assert all(len(link.token) >= 22 for link in links)  # 16 bytes, base64url
    text = book.path.read_text(encoding="utf-8")
    assert all(link.token not in text for link in links)
    assert set(json.loads(text)["links"]) == {"amara", "ben"}
    assert stat.S_IMODE(book.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(book.path.parent.stat().st_mode) == 0o700
    secret = book.path.parent / "csrf-secret"
    book.secret()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert book.who(links[0].token) == "amara" and book.who(links[1].token) == "ben"
    assert book.who(links[0].token[:-1]) is None and book.who("") is None


def test_a_link_keeps_working_and_new_links_replace_it(film: Project) -> None:
    book = LinkBook(film.build_dir / "review")
    first = book.issue(["amara"])[0].token
    assert book.issue(["amara"]) == []  # a restart: the old link still works, none printed
    assert LinkBook(film.build_dir / "review").who(first) == "amara"
    second = book.issue(["amara"], replace=True)[0].token
    assert book.who(first) is None and book.who(second) == "amara"


def test_a_browser_stays_in_after_the_server_restarts(visitor: MakeVisitor,
                                                      film: Project) -> None:
    from starlette.testclient import TestClient

    from pipeline.review import create_app

    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    restarted = create_app(film.root, hosts=["testserver"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = TestClient(restarted, cookies=dict(amara.client.cookies))
    assert client.get("/").status_code == 200
    page = client.post("/save", data={**fields, "text-1": "After a restart"},
                       headers={"origin": "http://testserver"}, follow_redirects=False)
    assert page.status_code == 303


def test_the_link_cookie_is_http_only_and_the_token_leaves_the_address(
        visitor: MakeVisitor, film: Project) -> None:
    stranger = visitor(None)
    token = LinkBook(film.build_dir / "review").issue(["amara"])[0].token
    page = stranger.get(f"/enter/{token}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/"
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


def test_tokens_never_reach_the_log(visitor: MakeVisitor, film: Project,
                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="coprod.review")
    amara = visitor("amara")
    amara.get("/")
    amara.get(f"/enter/{amara.token}x")
    assert amara.token and amara.token not in caplog.text
    assert "GET /enter/... 303" in caplog.text and "GET / 200" in caplog.text
    assert redact("/enter/abc/def") == "/enter/.../def"
