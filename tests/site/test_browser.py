"""The film's page in a real browser (Debian's chromium through Playwright, axe-core), as
tests/review/test_browser.py drives it: axe at 320 px, 1280 px and 200 % text with and without
JavaScript, a keyboard-only journey, the described version's sound measured as it plays, every
referenced file present and nothing fetched from another host.

Screenshots at 320 px and 1280 px go to $COPROD_SCREENSHOTS when it is set (to look at them).
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pipeline.site.server import create_app
from tests.review.conftest import HANG_MS, launched_chromium, served
from tests.review.test_browser import WCAG, axe_problems, named, tab_to
from tests.site.conftest import DESCRIPTION_FILM_MS, PROGRAMME_HZ, VOICE_HZ, SiteFilm

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chromium(playwright_driver: Any) -> Iterator[Any]:
    # A viewer pressing Play is a user gesture; the tests' evaluate() calls are not.
    with launched_chromium(playwright_driver,
                           "--autoplay-policy=no-user-gesture-required") as launched:
        yield launched


@pytest.fixture(scope="module")
def base(site_film: SiteFilm) -> Iterator[str]:
    with served(create_app(site_film.site)) as url:
        yield url


def _page(browser: Any, *, width: int = 1280, height: int = 800, js: bool = True) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=js)
    return context.new_page()


def _state(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => { const v = document.getElementById('player');
        const kind = k => Array.from(v.textTracks).find(t => t.kind === k);
        return {t: v.currentTime, paused: v.paused, src: v.currentSrc.split('/').pop(),
                captions: kind('captions').mode, descriptions: kind('descriptions').mode,
                current: (document.querySelector('a.line.current') || {}).textContent || null,
                status: document.getElementById('player-status').textContent}; }""")


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("mode", ["320px", "1280px", "200% text"])
def test_axe_finds_nothing_at_any_size(chromium: Any, base: str, mode: str, js: bool) -> None:
    page = _page(chromium, width=320 if mode == "320px" else 1280,
                 height=640 if mode == "320px" else 800)
    if not js:
        # axe itself is a script, so the page is checked with coprod's script refused: the
        # page exactly as a browser without JavaScript builds it.
        page.route("**/coprod.js", lambda route: route.abort())
    page.goto(f"{base}/")
    assert page.is_visible("#controls") == js
    found: dict[str, list[str]] = {}

    def check(state: str) -> None:
        found[state] = axe_problems(page, mode)

    check("loaded")
    if js:
        page.locator("#descriptions").click()
        page.locator("input[name=version][value=described]").check()
        page.locator("a.line", has_text="Hello from clip 2.").click()
        page.wait_for_function("() => document.querySelector('a.line.current')")
        check("described version, text descriptions on, a transcript line playing")
    shots = os.environ.get("COPROD_SCREENSHOTS")
    if shots and mode != "200% text":
        page.evaluate("() => { const v = document.getElementById('player');"
                      " v.pause(); v.currentTime = 4.5; }")
        page.wait_for_timeout(500)
        page.screenshot(path=str(Path(shots) / f"site-{mode}-{'js' if js else 'nojs'}.png"),
                        full_page=True)
    page.context.close()
    assert WCAG and not {state: v for state, v in found.items() if v}


def test_without_javascript_every_version_plays_with_its_tracks(chromium: Any,
                                                                base: str) -> None:
    page = _page(chromium, js=False)
    page.goto(f"{base}/")
    videos = page.locator("video")
    assert videos.count() == 4 and all(videos.nth(i).is_visible() for i in range(4))
    assert page.locator("#controls").is_hidden()
    assert page.locator("a.line").count() == page.locator("a.line").count() > 5
    assert page.is_visible("text=Hello from clip 3.")
    assert page.locator("a.seek", has_text="The garden").get_attribute("href") == \
        "film.mp4#t=7"
    page.context.close()


def test_keyboard_only_journey(chromium: Any, base: str) -> None:
    page = _page(chromium)
    page.goto(f"{base}/")
    assert page.is_visible("#shortcuts") and page.is_visible("text=Alt")
    tab_to(page, named("Play"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('player').currentTime > 1.2")
    assert not _state(page)["paused"]
    # Captions off, then on again.
    tab_to(page, lambda f: f["id"] == "captions")
    page.keyboard.press("Enter")
    assert _state(page)["captions"] == "disabled"
    assert page.get_attribute("#captions", "aria-pressed") == "false"
    page.keyboard.press("Space")
    assert _state(page)["captions"] == "showing"
    # The described version, at the same point in the film, still playing.
    tab_to(page, lambda f: f["tag"] == "INPUT" and f["name"] == "standard")
    assert page.evaluate("document.activeElement.value") == "standard"
    before = _state(page)["t"]
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => { const v = document.getElementById('player');"
                           " return v.currentSrc.endsWith('film.described.mp4')"
                           " && v.readyState >= 2 && !v.paused; }")
    now = _state(page)
    assert now["src"] == "film.described.mp4" and now["captions"] == "showing"
    assert before - 0.1 <= now["t"] <= before + 1.5
    assert page.inner_text("#version-standard .download a:not([hidden])").startswith(
        "Download the audio described version")
    # Jump by chapter, from the chapter list and by the shortcut.
    tab_to(page, named("The garden"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('player').currentTime >= 7")
    assert _state(page)["t"] < 8 and _state(page)["src"] == "film.described.mp4"
    page.keyboard.press("Alt+Shift+KeyB")
    page.wait_for_function("() => { const t = document.getElementById('player').currentTime;"
                           " return t >= 4 && t < 5; }")
    # A transcript line: the film plays from it, and it is highlighted and in view.
    tab_to(page, named("0:01 Hello from clip 1."))
    page.keyboard.press("Enter")
    page.wait_for_function("() => { const t = document.getElementById('player').currentTime;"
                           " return t >= 1.2 && t < 2; }")
    page.wait_for_function("() => (document.querySelector('a.line.current') || {})"
                           ".textContent === '0:01 Hello from clip 1.'")
    assert page.get_attribute("a.line.current", "aria-current") == "true"
    in_view = page.evaluate("""() => { const box = document.getElementById('transcript-lines')
        .getBoundingClientRect(); const line = document.querySelector('a.line.current')
        .getBoundingClientRect(); return line.top >= box.top && line.bottom <= box.bottom; }""")
    assert in_view
    # The shortcuts never hold focus: Tab goes on past the player to the end of the page.
    page.keyboard.press("Alt+Shift+KeyP")
    page.wait_for_function("() => document.getElementById('player').paused")
    tab_to(page, named("Transcript (plain text), 1 KB"))
    page.context.close()


def test_the_transcript_follows_the_film_and_scrolls_the_line_into_view(
        chromium: Any, base: str) -> None:
    page = _page(chromium, height=600)
    page.goto(f"{base}/")
    page.evaluate("() => { const box = document.getElementById('transcript-lines');"
                  " box.style.maxHeight = '6rem'; }")
    page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = 8.4; }")
    page.wait_for_function("() => (document.querySelector('a.line.current') || {})"
                           ".textContent === '0:08 We made this film together.'")
    in_view = page.evaluate("""() => { const box = document.getElementById('transcript-lines')
        .getBoundingClientRect(); const line = document.querySelector('a.line.current')
        .getBoundingClientRect(); return line.top >= box.top && line.bottom <= box.bottom; }""")
    assert in_view
    page.context.close()


def test_text_descriptions_are_announced_and_can_pause_the_film(chromium: Any,
                                                                base: str) -> None:
    page = _page(chromium)
    page.goto(f"{base}/")
    page.locator("#descriptions").click()
    page.locator("#pause-descriptions").check()
    assert _state(page)["descriptions"] == "hidden"
    assert page.get_attribute("#description-now", "aria-live") == "polite"
    page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = 1.6;"
                  " v.play(); }")
    page.wait_for_function("() => document.getElementById('description-now').textContent"
                           " === 'Description: Amara waves.'", timeout=HANG_MS)
    page.wait_for_function("() => document.getElementById('player').paused")
    t = _state(page)["t"]
    assert DESCRIPTION_FILM_MS[0] / 1000 - 0.1 <= t <= DESCRIPTION_FILM_MS[1] / 1000 + 0.5
    assert "Paused while the description is read." in _state(page)["status"]
    page.context.close()


LEVELS_JS = """async ([version, at, hz]) => {
  const v = document.getElementById('player');
  const radio = document.querySelector(`input[name=version][value=${version}]`);
  radio.click();
  await new Promise(r => { const ok = () => v.currentSrc.endsWith(radio.value === 'standard'
      ? 'film.mp4' : 'film.described.mp4') && v.readyState >= 2; if (ok()) r();
      else v.addEventListener('loadeddata', r, {once: true}); });
  const ctx = window.__ctx || (window.__ctx = new AudioContext());
  if (!window.__analyser) {
    const source = ctx.createMediaElementSource(v);
    window.__analyser = ctx.createAnalyser();
    window.__analyser.fftSize = 8192;
    const silent = ctx.createGain(); silent.gain.value = 0;
    source.connect(window.__analyser); window.__analyser.connect(silent);
    silent.connect(ctx.destination);
  }
  await ctx.resume();
  const an = window.__analyser;
  v.pause(); v.currentTime = at;
  await new Promise(r => v.addEventListener('seeked', r, {once: true}));
  await v.play();
  const bins = new Float32Array(an.frequencyBinCount);
  const level = f => bins[Math.round(f / (ctx.sampleRate / an.fftSize))];
  const best = {};
  const end = performance.now() + 600;
  while (performance.now() < end) {
    an.getFloatFrequencyData(bins);
    for (const f of hz) { best[f] = Math.max(best[f] ?? -Infinity, level(f)); }
    await new Promise(r => setTimeout(r, 20));
  }
  v.pause();
  return best;
}"""


def test_the_described_version_really_plays_its_described_sound(chromium: Any,
                                                                base: str) -> None:
    page = _page(chromium)
    page.goto(f"{base}/")
    at = DESCRIPTION_FILM_MS[0] / 1000 - 0.1
    hz = [VOICE_HZ, PROGRAMME_HZ]
    standard = page.evaluate(LEVELS_JS, ["standard", at, hz])
    described = page.evaluate(LEVELS_JS, ["described", at, hz])
    # The programme's own tone plays in both; the voiced description only in the described.
    assert standard[str(PROGRAMME_HZ)] > -60 and described[str(PROGRAMME_HZ)] > -70
    assert described[str(VOICE_HZ)] > standard[str(VOICE_HZ)] + 20, (standard, described)
    page.context.close()


def test_every_request_stays_on_the_site_and_finds_its_file(chromium: Any, base: str) -> None:
    page = _page(chromium)
    requests: list[str] = []
    failed: list[str] = []
    weight = {"own": 0}
    page.on("request", lambda r: requests.append(r.url))
    # A film's download is cut short (ERR_ABORTED) whenever the player changes version.
    page.on("requestfailed", lambda r: None if r.failure == "net::ERR_ABORTED"
            else failed.append(f"{r.failure} {r.url}"))

    def response(r: Any) -> None:
        if r.status >= 400:
            failed.append(f"{r.status} {r.url}")
        if r.url.endswith((".js", ".css")):
            weight["own"] += len(r.body())

    page.on("response", response)
    page.goto(f"{base}/")
    page.locator("#play").click()
    page.locator("#descriptions").click()
    for version in ("described", "signed", "open-captions", "standard"):
        page.locator(f"input[name=version][value={version}]").check()
        page.wait_for_function("() => document.getElementById('player').readyState >= 2")
    refs = page.evaluate("""() => Array.from(document.querySelectorAll('[src],[href],[poster]'))
        .flatMap(e => ['src', 'href', 'poster'].map(a => e.getAttribute(a) && e[a] ||
                                                    e.getAttribute(a)).filter(Boolean))""")
    page.context.close()
    host = urlsplit(base).netloc
    assert requests and {urlsplit(u).netloc for u in requests} == {host}
    assert not failed
    for ref in sorted({r.split("#", 1)[0] for r in refs}):
        assert urlsplit(ref).netloc == host, ref
        with urllib.request.urlopen(ref) as answer:  # every file the page names is there
            assert answer.status == 200, ref
    assert len(refs) > 20
    assert 0 < weight["own"] < 60_000


def test_speed_by_the_list_and_by_shortcut_and_controls_are_large(chromium: Any,
                                                                  base: str) -> None:
    page = _page(chromium)
    page.goto(f"{base}/")
    tab_to(page, lambda f: f["id"] == "speed")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.getElementById('player').playbackRate === 1.25")
    page.keyboard.press("Alt+Shift+KeyS")
    page.keyboard.press("Alt+Shift+KeyS")
    page.wait_for_function("() => document.getElementById('player').playbackRate === 0.75")
    assert page.input_value("#speed") == "0.75"
    assert page.inner_text("#player-status") == "Speed 0.75 times."
    # Every control is at least 44 px high (WCAG 2.5.5's size; axe checks 2.5.8's 24 px).
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#controls button, #controls select, #controls label:has(input)'))
        .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])""")
    assert sizes and all(height >= 44 for _, height in sizes), sizes
    page.context.close()
