"""Issue 20 in a real browser (Debian's chromium via Playwright, as test_browser.py): a double
click and two tabs, captions on the video, caption boxes that show all their words, answers
where the person is looking, the player while playing, leaving with unsaved words, and the new
states at 320 px with axe. Screenshots of each new state at 320 px go to build/screenshots/
under the test's temporary folder (COPROD_SCREENSHOTS=DIR keeps them in DIR)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from captions.formats import load
from consent import ChangeRequest, SignOff
from pipeline import clearance
from pipeline.project import Project
from tests.review.conftest import HANG_MS, Live, _page
from tests.review.test_browser import _axe

pytestmark = pytest.mark.slow


def _decisions(project: Project) -> list[str]:
    return [type(e.record).__name__ for e in clearance.events(project)
            if isinstance(e.record, SignOff | ChangeRequest)]


def shot(page: Any, live: Live, name: str) -> Path:
    folder = Path(os.environ.get("COPROD_SCREENSHOTS") or live.project.build_dir / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def _wait_for(condition: Any, what: str, seconds: float = HANG_MS / 1000) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


# --- item 3: one intention, one event ------------------------------------------------------

def test_a_real_double_click_on_yes_records_one_signoff(browser: Any, live: Live) -> None:
    page = _page(browser, width=390, height=800)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    posts: list[str] = []
    answered: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.on("requestfinished",
            lambda r: answered.append(r.url) if r.method == "POST" else None)
    page.on("requestfailed",
            lambda r: answered.append(r.url) if r.method == "POST" else None)
    page.locator("#text-2").fill("to be in this film.")  # typing, then yes twice, quickly
    # The server is slow to answer (another save of this clip holds its lock), so the second
    # click of the double click lands while the first is still being written, as on a phone.
    page.locator("#yes").scroll_into_view_if_needed()
    box = page.locator("#yes").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with live.project.lock("review-amara-talk"):
        # Two presses a person's double click apart (about 150 ms), with the mouse.
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
        page.mouse.click(x, y)
        for _ in range(40):
            if len([u for u in posts if u.endswith("/save")]) >= 2:
                break
            page.wait_for_timeout(50)
    page.wait_for_url("**said=yes**")
    page.wait_for_load_state("networkidle")
    assert "Thank you. You said yes to this clip." in page.inner_text("main")
    assert len([u for u in posts if u.endswith("/save")]) >= 2, "the browser sent one form"
    # Every form the browser sent has had its answer (or was dropped as the page moved on):
    # the server has handled it, so a second sign-off would be in the ledger now.
    _wait_for(lambda: len([u for u in answered if u.endswith("/save")])
              >= len([u for u in posts if u.endswith("/save")]), "a form was never answered")
    with live.project.lock("review-amara-talk"):
        pass  # and any save still holding the clip's lock has finished
    assert _decisions(live.project) == ["SignOff"]
    assert load(live.project.caption_path("amara-talk"))[1].text == "to be in this film."
    page.context.close()


def test_two_tabs_saying_yes_record_one_signoff(browser: Any, live: Live) -> None:
    first = _page(browser)
    first.goto(live.link("amara"))
    first.goto(f"{live.base}/clip/together")
    second = first.context.new_page()
    second.goto(f"{live.base}/clip/together")
    first.locator("#yes").click()
    first.wait_for_url("**said=yes**")
    second.locator("#yes").click()
    second.wait_for_url("**said=yes**")
    assert "Thank you. You said yes to this clip." in second.inner_text("main")
    assert _decisions(live.project) == ["SignOff"]
    first.context.close()


# --- item 9: captions on the video itself ---------------------------------------------------

TRACK_WORDS = """() => { const v = document.querySelector('video'); const t = v.textTracks[0];
  if (!t || !t.cues) { return null; } t.mode = 'showing';
  return Array.from(t.cues).map(c => c.text); }"""


@pytest.mark.parametrize("js", [True, False])
def test_the_video_shows_captions_of_the_current_words(browser: Any, live: Live,
                                                       js: bool) -> None:
    page = _page(browser, width=320, height=640)
    page.goto(live.link("amara"))
    if not js:  # the page without its script (the test still reads the track from outside)
        page.route("**/static/review.js", lambda route: route.abort())
    page.goto(f"{live.base}/clip/amara-talk")
    page.wait_for_function(f"({TRACK_WORDS})() && ({TRACK_WORDS})().length === 3",
                           timeout=HANG_MS)
    assert page.evaluate(TRACK_WORDS)[1] == "to be in this flim."
    if js:
        page.locator("#text-2").fill("to be in this film.")
        page.locator("#text-2").dispatch_event("input")
        page.wait_for_function(f"() => {{ const w = ({TRACK_WORDS})();"
                               " return w && w[1] === 'to be in this film.'; }", timeout=HANG_MS)
        page.evaluate("document.querySelector('video').currentTime = 1.5")
        page.locator("video").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shot(page, live, "item9-track-after-edit-320")
    page.context.close()


# --- item 4: caption boxes show all their words ------------------------------------------------

HIDDEN_WORDS = """() => Array.from(document.querySelectorAll('textarea.words'))
  .filter(b => b.scrollHeight > b.clientHeight).map(b => b.id)"""
LONG = ("We made it together, the whole group of us, every one of us, "
        "and we are proud of it.\nSay it again.")


@pytest.mark.parametrize("mode", ["320px", "390px", "200% text", "320px without JavaScript",
                                  "320px, fitted by the script"])
def test_every_caption_box_shows_all_its_words(browser: Any, live: Live, mode: str) -> None:
    width = 390 if mode == "390px" else 320 if "320" in mode else 1280
    page = _page(browser, width=width, height=700, js="without" not in mode,
                 bypass_csp=mode in ("200% text", "320px, fitted by the script"))
    if "script" in mode:  # a browser without CSS field-sizing: the page's script fits them
        page.add_init_script("CSS.supports = () => false;")
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    if mode == "200% text":
        page.add_style_tag(content="html { font-size: 200% !important; }")
    if "script" in mode:
        page.add_style_tag(content="textarea.words { field-sizing: fixed !important; }")
        page.evaluate("window.dispatchEvent(new Event('resize'))")
    boxes = page.locator("textarea.words")
    assert boxes.count() == 3
    assert page.evaluate(HIDDEN_WORDS) == [], mode
    if "without" not in mode:
        boxes.nth(0).fill(LONG)
        boxes.nth(0).dispatch_event("input")
        assert page.evaluate(HIDDEN_WORDS) == [], f"{mode}, after typing"
    if mode == "320px":
        page.locator("#text-3").scroll_into_view_if_needed()
        shot(page, live, "item4-boxes-320")
    page.context.close()


# --- item 5: every answer where the person is looking, with focus -----------------------------

IN_VIEW = """(sel) => { const e = document.querySelector(sel); if (!e) { return 'missing'; }
  const r = e.getBoundingClientRect();
  const seen = r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  return {seen, focused: document.activeElement === e || e.contains(document.activeElement),
          role: e.getAttribute('role'), text: e.innerText.trim()}; }"""

WIDTHS = [(320, 640), (390, 800), (1280, 800)]


def _answer(page: Any, selector: str) -> dict[str, Any]:
    found = page.evaluate(IN_VIEW, selector)
    assert found != "missing", selector
    return dict(found)


@pytest.mark.parametrize(("width", "height"), WIDTHS)
@pytest.mark.parametrize("js", [True, False])
def test_yes_is_answered_in_view_with_focus(browser: Any, live: Live, width: int, height: int,
                                            js: bool) -> None:
    page = _page(browser, width=width, height=height, js=js)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    page.locator("#yes").click()
    page.wait_for_url("**said=yes**")
    found = _answer(page, "#result")
    assert found["text"] == "Thank you. You said yes to this clip."
    assert found["role"] == "status" and found["seen"] and found["focused"], found
    if width == 320 and js:
        shot(page, live, "item5-yes-answer-320")
    # Moving a caption's time without JavaScript: the answer is at that caption.
    if not js:
        page.locator("button[value='2:end:later']").click()
        page.wait_for_url("**at=cue-2")
        found = _answer(page, "#result")
        assert found["seen"] and found["focused"], found
        assert page.evaluate("document.getElementById('result').closest('li').id") == "cue-2"
    page.context.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_saved_is_in_view_while_typing_and_save_takes_focus(browser: Any, live: Live,
                                                            width: int, height: int) -> None:
    page = _page(browser, width=width, height=height)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    box = page.locator("#text-1")
    box.scroll_into_view_if_needed()
    box.focus()
    page.keyboard.press("End")
    page.keyboard.type(" today")
    page.wait_for_function("() => document.getElementById('save-status').textContent"
                           " === 'Saved.'", timeout=HANG_MS)
    found = _answer(page, "#save-status")
    assert found["seen"] and found["role"] == "status", found
    assert page.evaluate("document.activeElement.id") == "text-1"  # typing keeps its place
    if width == 320:
        shot(page, live, "item5-saved-while-typing-320")
    page.locator("#save").click()
    page.wait_for_function("() => document.activeElement.id === 'save-status'", timeout=HANG_MS)
    found = _answer(page, "#save-status")
    assert found["seen"] and found["text"] == "Saved.", found
    page.context.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_errors_take_focus_in_view(browser: Any, live: Live, width: int, height: int) -> None:
    page = _page(browser, width=width, height=height)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/together/changes")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("text=There is a problem")
    found = _answer(page, "#error-summary")
    assert found["seen"] and found["focused"] and found["role"] == "alert", found
    if width == 320:
        shot(page, live, "item5-error-320")
    # The words changed under a decision: the alert has focus, in view.
    page.goto(f"{live.base}/clip/amara-talk")
    srt = live.project.caption_path("amara-talk")
    srt.write_text(srt.read_text(encoding="utf-8").replace("glad", "happy"), encoding="utf-8")
    page.evaluate("document.getElementById('yes').scrollIntoView()")
    page.locator("#yes").click()
    page.wait_for_selector("text=The words changed since you opened this page.")
    found = _answer(page, "#result")
    assert found["seen"] and found["focused"] and found["role"] == "alert", found
    page.context.close()


# --- item 7: leaving at once loses nothing ----------------------------------------------------

@pytest.mark.parametrize("how", ["link", "address"])
def test_words_typed_just_before_leaving_are_saved(browser: Any, live: Live, how: str) -> None:
    page = _page(browser, width=390, height=800)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    page.locator("#text-2").focus()
    page.keyboard.press("End")
    for _ in range(len("flim.")):
        page.keyboard.press("Backspace")
    page.keyboard.type("film, said quickly.")
    if how == "link":  # "Back to your clips", at once
        page.get_by_role("link", name="Back to your clips").click()
        page.wait_for_url(f"{live.base}/")
    else:  # another address typed in (no blur first: only pagehide sees it)
        page.goto(f"{live.base}/consent")
    srt = live.project.caption_path("amara-talk")
    _wait_for(lambda: load(srt)[1].text == "to be in this film, said quickly.",
              f"the words typed before leaving by {how} were lost")
    page.context.close()


# --- item 8: two tabs ---------------------------------------------------------------------------

def _type_at_end(page: Any, box: str, words: str) -> None:
    page.locator(box).focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(words)


def _saved(page: Any) -> None:
    page.wait_for_function("() => document.getElementById('save-status').textContent"
                           " === 'Saved.'", timeout=HANG_MS)


def test_two_tabs_merge_and_clash_only_on_the_same_caption(browser: Any, live: Live) -> None:
    tab_a = _page(browser, width=320, height=640)
    tab_a.goto(live.link("amara"))
    tab_a.goto(f"{live.base}/clip/amara-talk")
    tab_b = tab_a.context.new_page()
    tab_b.goto(f"{live.base}/clip/amara-talk")
    _type_at_end(tab_a, "#text-1", " today")
    _saved(tab_a)
    _type_at_end(tab_b, "#text-2", " Yes.")
    _saved(tab_b)
    srt = live.project.caption_path("amara-talk")
    assert [c.text for c in load(srt)][:2] == ["Hello, I am glad today", "to be in this flim. Yes."]
    assert tab_b.input_value("#text-1") == "Hello, I am glad today"  # B shows A's words
    # Both tabs change caption 3: the second is told, side by side, that it was them.
    _type_at_end(tab_a, "#text-3", " A")
    _saved(tab_a)
    tab_b.wait_for_timeout(200)
    _type_at_end(tab_b, "#text-3", " B")
    tab_b.wait_for_function("() => !document.getElementById('see-both').hidden", timeout=HANG_MS)
    assert tab_b.inner_text("#save-status") == ("You changed this caption in another tab. "
                                                "Nothing is lost.")
    tab_b.locator("#see-both").click()
    tab_b.wait_for_selector("text=You changed the same words in another tab")
    main = tab_b.inner_text("main")
    assert "These words were changed by: you, in another tab." in main
    assert tab_b.locator("li.clash").count() == 1
    shot(tab_b, live, "item8-same-caption-320")
    assert _axe(tab_b) == []
    assert [c.text for c in load(srt)][2].endswith("every one. A")
    tab_a.context.close()


# --- item 6: the playing video stays in view ----------------------------------------------

VIDEO_SEEN = """() => { const v = document.querySelector('video');
  const r = v.getBoundingClientRect();
  const shown = Math.min(r.bottom, innerHeight) - Math.max(r.top, 0);
  return {top: r.top, bottom: r.bottom, shown, height: r.height, paused: v.paused}; }"""
NOT_COVERED = """(sel) => { const e = document.querySelector(sel);
  const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit === e || e.contains(hit); }"""


@pytest.mark.parametrize(("width", "height"), [(320, 640), (390, 800)])
def test_the_playing_video_stays_in_view(browser: Any, live: Live, width: int,
                                         height: int) -> None:
    page = _page(browser, width=width, height=height)
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    page.evaluate("document.querySelector('video').muted = true")
    button = page.locator("button[data-play='3']")
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_function("() => !document.querySelector('video').paused", timeout=HANG_MS)
    page.wait_for_timeout(300)
    seen = page.evaluate(VIDEO_SEEN)
    assert not seen["paused"]
    assert seen["top"] >= 0 and seen["shown"] >= seen["height"] - 1, seen
    assert page.evaluate(NOT_COVERED, "button[data-play='3']"), "the player covers the button"
    assert page.evaluate(NOT_COVERED, "#text-3"), "the player covers the caption played"
    if width == 320:
        shot(page, live, "item6-docked-player-320")
    # Stopped, the player goes back to its place.
    page.wait_for_function("() => document.querySelector('video').paused", timeout=HANG_MS)
    assert not page.evaluate("document.getElementById('player').classList.contains('docked')")
    page.context.close()


# --- every new state: axe at 320 px and 200% text, screenshots at 320 px ------------------------

@pytest.mark.parametrize("mode", ["320px", "200% text"])
def test_axe_finds_nothing_in_the_new_states(browser: Any, live: Live, mode: str) -> None:
    from tests.review.test_signing import _signer

    _signer(live.project)
    page = _page(browser, width=320, height=640) if mode == "320px" else _page(
        browser, bypass_csp=True)
    found: dict[str, list[str]] = {}

    def check(state: str) -> None:
        if mode == "200% text":
            page.add_style_tag(content="html { font-size: 200% !important; }")
        else:
            shot(page, live, f"state-{state.replace(' ', '-')}-320")
        found[state] = _axe(page)
        if page.evaluate("() => document.documentElement.scrollWidth >"
                         " document.documentElement.clientWidth"):
            found[state].append("scrolls sideways")

    page.goto(live.link("dev"))
    check("signer home")
    page.goto(f"{live.base}/sign/amara-talk")
    check("sign page")
    page.locator("#changes").click()
    page.wait_for_selector("text=There is a problem")
    check("sign page with an error")
    page.locator("#yes").click()
    page.wait_for_url("**said=yes**")
    check("sign page after yes")
    page.goto(live.link("amara"))
    page.goto(f"{live.base}/clip/amara-talk")
    page.evaluate("document.querySelector('video').muted = true")
    page.locator("button[data-play='3']").click()
    page.wait_for_function("() => document.getElementById('player').classList"
                           ".contains('docked')", timeout=HANG_MS)
    check("docked player")
    page.goto(f"{live.base}/clip/amara-talk")
    page.locator("#yes").click()
    page.wait_for_url("**said=yes**")
    check("answer after yes")
    page.goto(f"{live.base}/stop")
    page.locator("button.warning").click()
    page.wait_for_url("**done=1")
    page.goto(f"{live.base}/")
    check("home after stopping")
    page.goto(f"{live.base}/clip/amara-talk")
    check("clip after stopping")
    page.goto(f"{live.base}/consent")
    check("consent after stopping")
    page.goto(f"{live.base}/clip/together/changes")
    check("refused after stopping")
    page.context.close()
    assert not {state: v for state, v in found.items() if v}
