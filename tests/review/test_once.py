"""Issue 20 item 3: one intention, one event. A decision form sent twice (same one-time token)
is answered with the first result and writes nothing; a second tab saying yes to the clip as
it already is records nothing either. (The real double click and two tabs in Chromium are in
test_browser_states.py.)"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from consent import ChangeRequest, SignOff, Withdrawal
from pipeline import clearance
from pipeline.project import Project
from pipeline.review.once import OnceTokens
from tests.review.conftest import MakeVisitor


def _run(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own (a browser test's loop may be running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _kinds(project: Project) -> list[str]:
    return [type(e.record).__name__ for e in clearance.events(project)
            if isinstance(e.record, SignOff | ChangeRequest | Withdrawal)]


def test_every_decision_form_carries_a_fresh_token(visitor: MakeVisitor) -> None:
    amara = visitor("amara")
    first, second = amara.form("/clip/amara-talk"), amara.form("/clip/amara-talk")
    assert first["once"] and first["once"] != second["once"]
    assert amara.form("/clip/together/changes")["once"]
    assert amara.form("/stop")["once"]


def test_yes_sent_twice_records_one_signoff_and_answers_the_same(visitor: MakeVisitor,
                                                                 film: Project) -> None:
    amara = visitor("amara")
    fields = {**amara.form("/clip/amara-talk"), "action": "yes", "text-2": "to be here."}
    one, two = amara.post("/save", fields), amara.post("/save", fields)
    assert one.status_code == two.status_code == 303
    assert one.headers["location"] == two.headers["location"]
    assert one.headers["location"] == "/clip/amara-talk?said=yes&at=decide"
    assert _kinds(film) == ["SignOff"]


def test_a_change_request_and_a_stop_sent_twice_are_recorded_once(visitor: MakeVisitor,
                                                                  film: Project) -> None:
    amara = visitor("amara")
    fields = {**amara.form("/clip/together/changes"), "words": "Caption 2 is wrong"}
    assert amara.post("/changes", fields).status_code == 303
    assert amara.post("/changes", fields).status_code == 303
    stop = amara.form("/stop")
    assert amara.post("/stop", stop).headers["location"] == "/stop?done=1"
    assert amara.post("/stop", stop).headers["location"] == "/stop?done=1"
    assert _kinds(film) == ["ChangeRequest", "Withdrawal"]
    other_tab = {**stop, "once": OnceTokens.issue()}  # a tab opened before they stopped
    assert amara.post("/stop", other_tab).headers["location"] == "/stop?done=1"
    assert _kinds(film) == ["ChangeRequest", "Withdrawal"]


def test_two_tabs_saying_yes_to_the_same_clip_record_one_signoff(visitor: MakeVisitor,
                                                                 film: Project) -> None:
    amara = visitor("amara")
    tab_a, tab_b = amara.form("/clip/amara-talk"), amara.form("/clip/amara-talk")
    assert amara.post("/save", {**tab_a, "action": "yes"}).status_code == 303
    assert amara.post("/save", {**tab_b, "action": "yes"}).status_code == 303
    assert _kinds(film) == ["SignOff"]
    # After a real change the clip needs a new yes, and gets one.
    fields = {**amara.form("/clip/amara-talk"), "action": "yes", "text-1": "Hello, I am happy"}
    assert amara.post("/save", fields).status_code == 303
    assert _kinds(film) == ["SignOff", "SignOff"]


def test_a_repeat_waits_for_the_first_and_a_failure_is_not_kept() -> None:
    from starlette.responses import HTMLResponse, RedirectResponse, Response

    tokens, token, calls = OnceTokens(), OnceTokens.issue(), []

    async def slow_yes() -> Response:
        calls.append("yes")
        await asyncio.sleep(0)  # the repeat arrives while the first is being written
        return RedirectResponse("/done", status_code=303)

    async def both() -> list[Response]:
        return list(await asyncio.gather(tokens.run(token, slow_yes), tokens.run(token, slow_yes)))

    answers = _run(both())
    assert calls == ["yes"]
    assert [a.headers["location"] for a in answers] == ["/done", "/done"]

    other = OnceTokens.issue()

    async def fails() -> Response:
        calls.append("error")
        return HTMLResponse("error", status_code=409)

    async def retry() -> list[Response]:
        return [await tokens.run(other, fails), await tokens.run(other, slow_yes)]

    first, second = _run(retry())
    assert first.status_code == 409 and second.status_code == 303
    assert calls == ["yes", "error", "yes"]


@pytest.mark.parametrize("token", [None, "", "short", "x" * 200])
def test_a_missing_or_odd_token_just_acts(token: str | None) -> None:
    from starlette.responses import RedirectResponse, Response

    tokens, calls = OnceTokens(), []

    async def act() -> Response:
        calls.append(1)
        return RedirectResponse("/d", status_code=303)

    async def twice() -> None:
        await tokens.run(token, act)
        await tokens.run(token, act)

    _run(twice())
    assert calls == [1, 1]
