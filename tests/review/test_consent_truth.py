"""Issue 20 item 1: what the consent page says is what the gate and `consent show` say.

Generated and exhaustive: one contributor for every combination of scopes and of channels in
consent/vocabulary.py (16 x 31), each with one consent in force, and for every set of scopes
one consent ended each way (expired, withdrawn, both), the channels rotating. For each, the
statements on their /consent page (read with the heading each sits under) are compared with
`coprod consent show --json` and with the gate's answer for a clip that uses only their picture,
one that uses only their sound, and one that uses neither (where the gate's ``name_allowed``
speaks about their name).
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from consent import Channel, ClipUse, ConsentGiven, ReasonCode, Scope, Withdrawal, check
from pipeline import clearance
from pipeline.cli import cli
from pipeline.project import Project
from pipeline.review.words import channel_words, scope_words, t
from tests.review.conftest import MakeVisitor

pytestmark = pytest.mark.slow  # 544 contributors, each page read off a 600-event ledger

KEY = "0" * 64
HEADINGS = {"consent_where": ("channel", "yes"), "consent_where_not": ("channel", "no"),
            "consent_what": ("scope", "yes"), "consent_not": ("scope", "no")}
CONSENT_CODES = {ReasonCode.NO_CONSENT, ReasonCode.WITHDRAWN, ReasonCode.EXPIRED,
                 ReasonCode.CHANNEL_NOT_COVERED, ReasonCode.SCOPE_MISSING}


def _subsets(items: list[str], empty: bool) -> list[tuple[str, ...]]:
    return [combo for n in range(0 if empty else 1, len(items) + 1)
            for combo in itertools.combinations(items, n)]


SCOPE_SETS = _subsets([str(s) for s in Scope], empty=True)
CHANNEL_SETS = _subsets([str(c) for c in Channel], empty=False)
ENDINGS = ("expired", "withdrawn", "expired+withdrawn")


def _cases() -> dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]:
    cases = {}
    for i, (scopes, channels) in enumerate(itertools.product(SCOPE_SETS, CHANNEL_SETS)):
        cases[f"p{i}"] = (scopes, channels, "in force")
    for j, (ending, scopes) in enumerate(itertools.product(ENDINGS, SCOPE_SETS)):
        cases[f"e{j}"] = (scopes, CHANNEL_SETS[(7 * j) % len(CHANNEL_SETS)], ending)
    return cases


class _Statements(HTMLParser):
    """Per consent section: (what, word, yes/no) for each statement, read off its heading, with
    the statement's own data-says and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict[str, object]] = []
        self.heading = ""
        self.tag: str | None = None
        self.says: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and "data-consent" in values:
            self.sections.append({"statements": [], "says": []})
        if tag in ("h3", "li", "p"):
            self.tag, self.says, self.text = tag, values.get("data-says"), ""

    def handle_data(self, data: str) -> None:
        if self.tag:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag != self.tag or not self.sections:
            return
        section = self.sections[-1]
        text = " ".join(self.text.split())
        if tag == "h3":
            self.heading = text
        elif tag == "li":
            section["statements"].append((self.heading, self.says, text))  # type: ignore[union-attr]
        elif self.says:
            section["says"].append((self.says, text))  # type: ignore[union-attr]
        self.tag = None


def _page_says(html: str) -> dict[str, object]:
    parser = _Statements()
    parser.feed(html)
    assert len(parser.sections) == 1, "one consent, one section"
    section = parser.sections[0]
    by_heading = {t(key): meaning for key, meaning in HEADINGS.items()}
    facts: dict[str, object] = {"channel": {}, "scope": {}}
    for heading, says, text in section["statements"]:  # type: ignore[attr-defined]
        kind, answer = by_heading[heading]
        assert says is not None
        what, word, said = says.split(":")
        assert (what, said) == (kind, answer), f"{says} listed under {heading!r}"
        expected = channel_words(word) if kind == "channel" else scope_words(word, said == "yes")
        assert text == expected, f"{says} reads {text!r}"
        facts[kind][word] = said == "yes"  # type: ignore[index]
    for says, text in section["says"]:  # type: ignore[attr-defined]
        facts[says] = text
    return facts


def _record(project: Project, cases: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]
            ) -> None:
    book = clearance.ledger(project)
    for person, (scopes, channels, ending) in cases.items():
        expired = "expired" in ending
        given = date(2019, 1, 1) if expired else date(2026, 1, 10)
        book.add(ConsentGiven.create(
            person, scopes=scopes, channels=channels, given=given, method="written",
            obtained_by="Sam", expires=date(2020, 1, 1) if expired else None))
        if "withdrawn" in ending:
            book.add(Withdrawal(person, date(2026, 2, 1)))


def _gate(events: list, people: list[str], today: date) -> dict[str, dict[str, dict]]:
    """Per person and channel: the consent reasons for a picture-only, a sound-only and a
    neither clip, and whether the gate lets their name be shown."""
    uses = {"seen": (True, False), "heard": (False, True), "named": (False, False)}
    found: dict[str, dict[str, dict]] = {p: {} for p in people}
    for channel in Channel:
        for use, (video, audio) in uses.items():
            clips = [ClipUse(f"{p}-{use}", (p,), audio, video, KEY) for p in people]
            result = check(events, clips, str(channel), today=today)
            for p in people:
                codes = {r.code for r in result.blocked.get(f"{p}-{use}", [])
                         if r.code in CONSENT_CODES}
                found[p].setdefault(str(channel), {})[use] = codes
                if use == "named":
                    found[p][str(channel)]["name"] = result.name_allowed[p]
    return found


def test_every_statement_matches_consent_show_and_the_gate(film: Project,
                                                           visitor: MakeVisitor) -> None:
    cases = _cases()
    assert len(cases) == 16 * 31 + 3 * 16
    _record(film, cases)
    today = date.today()
    shown = CliRunner().invoke(cli, ["consent", "show", str(film.root), "--json"])
    assert shown.exit_code == 0, shown.output
    by_json = {row["contributor"]: row for row in json.loads(shown.output)}
    gate = _gate(clearance.events(film), list(cases), today)
    guest = visitor(None)
    from pipeline.review.links import LinkBook

    links = {link.contributor: link.token
             for link in LinkBook(film.build_dir / "review").issue(list(cases), replace=True)}
    for person, (scopes, channels, ending) in cases.items():
        guest.client.cookies.clear()
        assert guest.get(f"/enter/{links[person]}", follow_redirects=False).status_code == 303
        page = _page_says(guest.get("/consent").text)
        (row,) = by_json[person]["consents"]
        ended = row["expired"] or row["withdrawn"]
        assert ended == (ending != "in force")
        assert ("withdrawn" in page) == row["withdrawn"], person
        assert ("expired" in page) == row["expired"], person
        assert ("nowhere" in page) == ended, person
        for channel in Channel:
            said = page["channel"].get(str(channel))  # type: ignore[attr-defined]
            reasons = gate[person][str(channel)]["named"]
            if ended:
                assert said is None, (person, channel)
                assert reasons & {ReasonCode.WITHDRAWN, ReasonCode.EXPIRED}, (person, channel)
                continue
            assert said == (str(channel) in row["channels"]) == (channel in channels), (person,
                                                                                    channel)
            assert said == (not reasons), (person, channel, reasons)
            assert (ReasonCode.CHANNEL_NOT_COVERED in reasons) == (not said)
        if ended:
            assert page["scope"] == {}, person
            continue
        for scope in Scope:
            said = page["scope"][str(scope)]  # type: ignore[index]
            assert said == row["scopes"][str(scope)] == (str(scope) in scopes), (person, scope)
        covered = [str(c) for c in Channel if not gate[person][str(c)]["named"]]
        assert covered, person
        for channel in covered:
            facts = gate[person][channel]
            assert page["scope"]["appear"] == (not facts["seen"]), (person, channel)  # type: ignore[index]
            assert page["scope"]["voice"] == (not facts["heard"]), (person, channel)  # type: ignore[index]
            assert page["scope"]["name"] == facts["name"], (person, channel)  # type: ignore[index]


def test_a_refused_scope_is_never_said_as_allowed(film: Project, visitor: MakeVisitor) -> None:
    """The reproduction: consent without ``name`` told them "Your name can be shown"."""
    amara = visitor("amara")
    page = amara.get("/consent").text
    assert "Your name can be shown." not in page
    assert "Your name can not be shown." in page
