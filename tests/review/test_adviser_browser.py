"""The advisory group's page in a real browser (issue 26): keyboard only with JavaScript and
without it, the player filling the comment's time, axe at 320 px and at 200% text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pipeline.feedback.store import CommentsFile
from pipeline.project import Project
from pipeline.review import adviser_links
from tests.review.conftest import _page, served
from tests.review.test_browser import axe_problems, named, tab_to

pytestmark = pytest.mark.slow


@dataclass
class GroupLive:
    project: Project
    base: str

    def link(self, person: str) -> str:
        token = adviser_links.issue(self.project, [person], replace=True)[0].token
        return f"{self.base}/group/enter/{token}"


@pytest.fixture
def group_live(group_film: Project) -> Iterator[GroupLive]:
    from pipeline.review import create_app

    with served(create_app(group_film.root)) as base:
        yield GroupLive(group_film, base)


def _comments(project: Project) -> list[tuple[str, int, str]]:
    return [(c.by, c.film_ms, c.text) for c in CommentsFile(project.root).comments().values()]


def test_keyboard_only_without_javascript(browser: Any, group_live: GroupLive) -> None:
    page = _page(browser, js=False)
    page.goto(group_live.link("rosa"))
    tab_to(page, lambda f: f["id"] == "time")
    page.keyboard.type("0:09")
    tab_to(page, lambda f: f["id"] == "text")
    page.keyboard.type("The music is too loud here.")
    tab_to(page, named("Add comment"))
    page.keyboard.press("Enter")
    page.wait_for_url("**said=comment**")
    assert _comments(group_live.project) == [("rosa", 9000, "The music is too loud here.")]
    assert "Your comment is saved." in page.inner_text("main")
    (comment,) = CommentsFile(group_live.project.root).comments().values()
    tab_to(page, lambda f: f["id"] == f"reply-{comment.id}")
    page.keyboard.type("Tom agrees.")
    tab_to(page, named("Reply"))
    page.keyboard.press("Enter")
    # The address is the same as after the comment: wait for the reply itself on the new page.
    page.wait_for_selector("text=Tom agrees.")
    assert [c.text for c in CommentsFile(group_live.project.root).comments().values()] == \
        ["The music is too loud here.", "Tom agrees."]
    tab_to(page, named("Yes, I approve this draft"))
    page.keyboard.press("Enter")
    page.wait_for_url("**said=approve**")
    assert [a.by for a in CommentsFile(group_live.project.root).approvals()] == ["rosa"]
    assert "Rosa Hale approved this draft on" in page.inner_text("main")
    page.context.close()


def test_keyboard_with_javascript_the_player_fills_the_time(browser: Any,
                                                            group_live: GroupLive) -> None:
    page = _page(browser)
    page.goto(group_live.link("tom"))
    page.evaluate("""async () => { const v = document.getElementById('video'); v.muted = true;
        v.currentTime = 9.6; await new Promise(r => v.addEventListener('seeked', r,
        {once: true})); v.dispatchEvent(new Event('pause')); }""")
    assert page.input_value("#time") == "0:09"
    tab_to(page, lambda f: f["id"] == "text")
    page.keyboard.type("Lovely smile.")
    tab_to(page, named("Add comment"))
    page.keyboard.press("Enter")
    page.wait_for_url("**said=comment**")
    assert _comments(group_live.project) == [("tom", 9000, "Lovely smile.")]
    page.context.close()


@pytest.mark.parametrize("mode", ["320px", "200% text"])
def test_axe_finds_nothing_in_any_state(browser: Any, group_live: GroupLive, mode: str) -> None:
    page = _page(browser, width=320, height=640) if mode == "320px" else _page(
        browser, bypass_csp=True)
    found: dict[str, list[str]] = {}

    def check(state: str) -> None:
        found[state] = axe_problems(page, mode)

    page.goto(group_live.link("rosa"))
    check("the draft")
    page.locator("#text").fill("Too dark here")
    page.locator("button[type=submit]", has_text="Add comment").click()
    page.wait_for_selector("text=Please write your comment and a time like 1:05.")
    check("a comment without a time")
    page.locator("#time").fill("0:10")
    page.locator("button[type=submit]", has_text="Add comment").click()
    page.wait_for_url("**said=comment**")
    check("with a comment")
    page.locator("button[type=submit]", has_text="Yes, I approve this draft").click()
    page.wait_for_url("**said=approve**")
    check("approved")
    assert found == {state: [] for state in found}
    page.context.close()
