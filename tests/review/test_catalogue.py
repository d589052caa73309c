"""Easy Read: every sentence the page shows is from the catalogue, short, and easy to read."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from pipeline.review import words
from pipeline.review.words import catalogue
from tests.review.conftest import MakeVisitor

MAX_WORDS = 15
MIN_FLESCH = 70
# Text inside these is data (caption words, titles, ids) or not shown as text.
SKIP_TAGS = {"textarea", "script", "style", "title"}


def _sentence(text: str) -> str:
    text = re.sub(r"\{\w+\}", "it", text)
    return text if text[-1] in ".?!:" else text + "."


def test_every_entry_has_at_most_15_words() -> None:
    long = {key: text for key, text in catalogue().items() if len(text.split()) > MAX_WORDS}
    assert not long


def test_the_catalogue_reads_easily() -> None:
    textstat = pytest.importorskip("textstat")
    text = " ".join(_sentence(entry) for entry in catalogue().values())
    score = textstat.flesch_reading_ease(text)
    assert score >= MIN_FLESCH, f"Flesch reading ease {score:.1f}"


def test_the_check_catches_hard_words() -> None:
    textstat = pytest.importorskip("textstat")
    hard = ("Notwithstanding contemporaneous authorisation, subsequent publication "
            "necessitates comprehensive reconsideration of institutional obligations.")
    assert textstat.flesch_reading_ease(hard) < MIN_FLESCH


class _Text(HTMLParser):
    """Visible text nodes and accessible-name attributes, outside data (translate="no")."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in SKIP_TAGS or values.get("translate") == "no"
        if tag not in ("meta", "link", "input", "br", "img"):
            self.stack.append((tag, skip))
        if not self._skipping():
            for name in ("aria-label", "title", "alt", "placeholder"):
                if values.get(name):
                    self.found.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skipping():
            self.found.append(text)


# What each placeholder may stand for: data, never a sentence of its own.
SLOTS = {"n": r"\d+", "date": r"\d{1,2} [A-Z][a-z]+ \d{4}", "start": r"\d+:\d\d\.\d",
         "end": r"\d+:\d\d\.\d", "clip": r"[a-z0-9][a-z0-9_-]*", "name": r"[\w' -]+",
         "time": r"\d+:\d\d\.\d", "who": r"[\w' -]+"}  # time, who: the advisers' page


def _patterns() -> list[re.Pattern[str]]:
    return [re.compile(re.sub(r"\\\{(\w+)\\\}", lambda m: SLOTS[m[1]], re.escape(entry)))
            for entry in catalogue().values()]


def _strangers(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    patterns = _patterns()
    return [text for text in parser.found if not any(p.fullmatch(text) for p in patterns)]


def test_the_text_check_sees_a_sentence_that_is_not_in_the_catalogue() -> None:
    assert _strangers("<p>Hello there, this was typed in a template.</p>") == [
        "Hello there, this was typed in a template."]
    assert _strangers('<p>Caption 3</p><p translate="no">anything</p>') == []


def test_every_page_in_every_state_shows_only_catalogue_sentences(visitor: MakeVisitor,
                                                                  film: object) -> None:
    amara, ben = visitor("amara"), visitor("ben")
    pages = [amara.get(p) for p in ("/", "/clip/amara-talk", "/clip/together/changes",
                                    "/consent", "/stop", "/nothing")]
    fields = amara.form("/clip/amara-talk")
    pages.append(amara.post("/changes", {**amara.form("/clip/together/changes"), "words": ""}))
    pages.append(amara.post("/save", {**fields, "action": "yes"}))
    pages.append(amara.get("/clip/amara-talk?said=yes"))
    one_tab = amara.form("/clip/amara-talk")["once"]
    pages.append(amara.post("/save", {**fields, "once": one_tab, "text-1": "One tab"}))
    other_tab = amara.form("/clip/amara-talk")["once"]
    pages.append(amara.post("/save", {**fields, "once": other_tab,
                                      "text-1": "Another tab"}))  # a conflict
    pages.append(amara.post("/save", {**fields, "csrftoken": "wrong"}))  # form too old
    pages.append(amara.post("/save", {**fields, "text-1": "x" * 3_000_000}))  # too big
    pages.append(amara.get("/"))  # signed and stale
    amara.post("/changes", {**amara.form("/clip/together/changes"), "words": "Fix it"})
    pages.append(amara.get("/clip/together?said=changes"))
    ben.post("/stop", ben.form("/stop"))
    pages += [ben.get("/"), ben.get("/stop?done=1"), ben.get("/consent")]
    pages.append(visitor(None).get("/enter/wrong"))
    assert {p.status_code for p in pages} >= {200, 400, 403, 404, 409, 413}
    for page in pages:
        assert not _strangers(page.text), page.url


def test_words_turn_data_into_plain_words() -> None:
    from datetime import date

    assert words.long_date(date(2026, 6, 3)) == "3 June 2026"
    assert words.clock(65_230) == "1:05.2"
    assert words.rule_words("line-too-long") == "A line is too long."
    assert words.rule_words("some-future-rule") == "Something in this caption may be wrong."


def test_the_printable_contributor_guide_is_easy_read_too() -> None:
    textstat = pytest.importorskip("textstat")
    from pathlib import Path

    guide = Path(__file__).resolve().parents[2] / "docs" / "contributor-guide.md"
    lines = [line.strip().lstrip("#").strip().replace("**", "")
             for line in guide.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    sentences = [s for line in lines for s in re.split(r"(?<=[.?!])\s+", line) if s]
    assert not [s for s in sentences if len(s.split()) > MAX_WORDS]
    score = textstat.flesch_reading_ease(" ".join(_sentence(s) for s in sentences))
    assert score >= MIN_FLESCH, f"Flesch reading ease {score:.1f}"
    assert len(lines) < 60, "the guide is meant to fit on one printed page"
    for action in ("yes_button", "changes_button", "home_stop_link", "home_consent_link",
                   "play_caption", "undo", "save", "shortcut"):
        assert catalogue()[action].rstrip(".") in guide.read_text(encoding="utf-8"), action
