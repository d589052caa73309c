"""The review page in a real browser: Debian's chromium driven by Playwright, axe-core checks.

Few and real (CI has 2 cores): the video plays, a keyboard-only journey with JavaScript on and
one with it off, axe in every state at 320 px and at 200% text, a conflict refused without loss.
`make test` installs chromium; without it these tests skip, unless COPROD_REQUIRE_BROWSER=1
(which `make test` sets) makes a missing browser a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from captions.formats import load
from consent import SignOff
from pipeline import clearance
from pipeline.project import Project
from tests.review.conftest import HANG_MS, Live, _page

HANG_S = HANG_MS / 1000

pytestmark = pytest.mark.slow

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


FOCUS_JS = """() => { const e = document.activeElement; const cs = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, name: (e.innerText || e.value || '').trim(),
          label: e.getAttribute('aria-label'), fv: e.matches(':focus-visible'),
          ring: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2)
                || cs.boxShadow !== 'none'}; }"""


def tab_to(page: Any, wanted: Callable[[dict[str, Any]], bool], limit: int = 120) -> None:
    """Press Tab until the focused element is ``wanted``; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        # A video's focus is on its native controls inside it, which chromium rings itself.
        if focus["tag"] not in ("BODY", "VIDEO"):
            assert focus["fv"] and focus["ring"], f"focus not visible on {focus}"
        if wanted(focus):
            return
    raise AssertionError("never reached the wanted element by Tab")


def named(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda focus: focus["name"] == text or focus["name"].replace("\n", " ") == text


def _signoffs(project: Project) -> list[SignOff]:
    return [e.record for e in clearance.events(project) if isinstance(e.record, SignOff)]


def test_the_review_proxy_really_plays_in_chromium(browser: Any, live: Live) -> None:
    page = _page(browser)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    result = page.evaluate("""async () => { const v = document.querySelector('video');
        v.muted = true; await v.play(); const t0 = v.currentTime;
        await new Promise(r => setTimeout(r, 1200));
        return {t0, t1: v.currentTime, error: v.error && v.error.message}; }""")
    assert result["error"] is None
    assert result["t1"] > result["t0"] + 0.5
    seek = page.evaluate("""async () => { const v = document.querySelector('video');
        v.pause(); v.currentTime = 2.5; await new Promise(r => v.addEventListener('seeked', r,
        {once: true})); return v.currentTime; }""")
    assert seek == pytest.approx(2.5, abs=0.1)
    page.context.close()


def test_keyboard_only_with_javascript(browser: Any, live: Live) -> None:
    page = _page(browser)
    page.goto(live.link("amara"))
    tab_to(page, named("Open clip amara-talk"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.base}/clip/amara-talk")
    page.evaluate("document.querySelector('video').muted = true")
    # Play caption 1 (0.2-1.2 s): from 0 s to 1.7 s, then it pauses by itself.
    tab_to(page, named("Play this caption (caption 1)"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => { const v = document.querySelector('video');"
                           " return v.currentTime > 1.5 && v.paused; }", timeout=HANG_MS)
    assert page.evaluate("document.querySelector('video').currentTime") < 2.2
    # Correct a word in caption 2; the shortcut plays and typing pauses.
    tab_to(page, lambda f: f["id"] == "text-2")
    page.keyboard.press("Control+Shift+Space")
    page.wait_for_function("() => !document.querySelector('video').paused", timeout=HANG_MS)
    page.keyboard.press("End")
    for _ in range(len("flim.")):
        page.keyboard.press("Backspace")
    page.keyboard.type("film.")
    assert page.evaluate("document.querySelector('video').paused")
    page.wait_for_function("() => document.getElementById('save-status').textContent"
                           " === 'Saved.'", timeout=HANG_MS)
    assert load(live.project.caption_path("amara-talk"))[1].text == "to be in this film."
    # Move caption 2's start later.
    tab_to(page, named("Start later (caption 2)"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('times-2').textContent"
                           " === 'Shown from 0:01.5 to 0:02.4.'", timeout=HANG_MS)
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent === 'Saved.'")
    deadline = time.monotonic() + HANG_S
    while load(live.project.caption_path("amara-talk"))[1].start != 1550:
        assert time.monotonic() < deadline, "the new start time was not saved"
        time.sleep(0.1)
    tab_to(page, named("Yes, this clip is right"))
    page.keyboard.press("Enter")
    page.wait_for_url("**said=yes**")
    assert "Thank you. You said yes to this clip." in page.inner_text("main")
    signoffs = _signoffs(live.project)
    assert [(s.clip, s.by) for s in signoffs] == [("amara-talk", "amara")]
    assert signoffs[0].content_key == clearance.clip_key(live.project, "amara-talk")
    page.context.close()


def test_undo_and_redo_are_one_action_a_step(browser: Any, live: Live) -> None:
    page = _page(browser)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    box = page.locator("#text-1")
    box.focus()
    page.keyboard.press("End")
    page.keyboard.type(" today")
    page.locator("#text-3").focus()
    page.keyboard.press("End")
    page.keyboard.type(" Yes")
    page.locator("button[value='1:end:later']").focus()
    page.keyboard.press("Enter")
    page.locator("#undo").focus()
    page.keyboard.press("Enter")
    assert page.input_value("[name=end-1]") == "1200"
    assert page.input_value("#text-3").endswith("every one. Yes")
    page.keyboard.press("Enter")
    assert page.input_value("#text-3").endswith("every one.")
    assert page.input_value("#text-1") == "Hello, I am glad today"
    page.locator("#redo").focus()
    page.keyboard.press("Enter")
    assert page.input_value("#text-3").endswith("every one. Yes")
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent === 'Saved.'")
    deadline = time.monotonic() + HANG_S
    while not load(live.project.caption_path("amara-talk"))[2].text.endswith("Yes"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    page.context.close()


def test_keyboard_only_without_javascript(browser: Any, live: Live) -> None:
    page = _page(browser, js=False)
    page.goto(live.link("amara"))
    tab_to(page, named("Open clip amara-talk"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.base}/clip/amara-talk")
    assert not page.is_visible("text=Play this caption")
    tab_to(page, lambda f: f["id"] == "text-2")
    page.keyboard.press("End")
    for _ in range(len("flim.")):
        page.keyboard.press("Backspace")
    page.keyboard.type("film.")
    tab_to(page, named("Save"))
    page.keyboard.press("Enter")
    page.wait_for_url("**said=saved**")
    assert load(live.project.caption_path("amara-talk"))[1].text == "to be in this film."
    tab_to(page, named("End later (caption 2)"))
    page.keyboard.press("Enter")
    page.wait_for_url("**at=cue-2")
    assert load(live.project.caption_path("amara-talk"))[1].end == 2650
    tab_to(page, named("Yes, this clip is right"))
    page.keyboard.press("Enter")
    page.wait_for_url("**said=yes**")
    assert [(s.clip, s.by) for s in _signoffs(live.project)] == [("amara-talk", "amara")]
    page.context.close()


def test_a_conflict_is_refused_without_loss_and_shows_both(browser: Any, live: Live) -> None:
    page = _page(browser)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    srt = live.project.caption_path("amara-talk")
    theirs = srt.read_text(encoding="utf-8").replace("flim", "movie")
    srt.write_text(theirs, encoding="utf-8")  # a producer saves in Subtitle Edit meanwhile
    page.locator("#text-2").focus()
    page.keyboard.press("End")
    page.keyboard.type(" Really.")
    page.wait_for_function("() => !document.getElementById('see-both').hidden", timeout=HANG_MS)
    assert "Someone else changed the words." in page.inner_text("#save-status")
    assert srt.read_text(encoding="utf-8") == theirs
    page.locator("#see-both").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your words")
    main = page.inner_text("main")
    assert "to be in this flim. Really." in main and "to be in this movie." in main
    assert srt.read_text(encoding="utf-8") == theirs
    page.context.close()


def _axe(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG},
                                      "resultTypes": ["violations"]})
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}"
            for v in result.response["violations"]]


def axe_problems(page: Any, mode: str) -> list[str]:
    """axe's WCAG violations on the page as it is now (with text at 200 % when ``mode`` says
    so), and "scrolls sideways" when the page is wider than its window."""
    if mode == "200% text":
        page.add_style_tag(content="html { font-size: 200% !important; }")
    found = _axe(page)
    if page.evaluate("() => document.documentElement.scrollWidth >"
                     " document.documentElement.clientWidth"):
        found.append("scrolls sideways")
    return found


@pytest.mark.parametrize("mode", ["320px", "200% text"])
def test_axe_finds_nothing_in_any_state(browser: Any, live: Live, mode: str) -> None:
    # 200% text is a user style sheet; the page's CSP would block it, so that context skips it.
    page = _page(browser, width=320, height=640) if mode == "320px" else _page(
        browser, bypass_csp=True)
    found: dict[str, list[str]] = {}

    def check(state: str) -> None:
        found[state] = axe_problems(page, mode)

    page.goto(live.link("amara"))
    check("home")
    page.goto(f"{live.base}/clip/amara-talk")
    check("clip page")
    page.locator("#text-2").fill("to be in this film.")
    page.locator("#text-2").dispatch_event("input")
    check("while editing")
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent === 'Saved.'")
    check("saved")
    srt = live.project.caption_path("amara-talk")
    srt.write_text(srt.read_text(encoding="utf-8").replace("glad", "happy"), encoding="utf-8")
    page.locator("#text-1").fill("Hello there")
    page.locator("#text-1").dispatch_event("input")
    page.wait_for_function("() => !document.getElementById('see-both').hidden", timeout=HANG_MS)
    check("refused save, on the clip page")
    page.locator("#see-both").click()
    page.wait_for_selector("text=Your words")
    check("refused save, both versions")
    page.goto(f"{live.base}/clip/together/changes")
    check("change request form")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("text=There is a problem")
    check("change request form with an error")
    page.goto(f"{live.base}/clip/together")
    page.locator("#yes").click()
    page.wait_for_url("**said=yes**")
    check("after sign-off")
    page.goto(f"{live.base}/consent")
    check("consent page")
    page.goto(f"{live.base}/stop")
    check("withdrawal confirmation")
    page.locator("button.warning").click()
    page.wait_for_url("**done=1")
    check("after stopping")
    page.goto(f"{live.base}/nothing")
    check("not found")
    page.context.close()
    assert not {state: v for state, v in found.items() if v}
