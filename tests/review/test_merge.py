"""Issue 20 item 8: edits to different captions from two tabs merge; only the same caption is a
conflict, shown side by side, saying "you, in another tab" when it was the same person."""

from __future__ import annotations

from captions.formats import load
from captions.model import Cue
from pipeline.project import Project
from pipeline.review.merge import three_way
from tests.review.conftest import MakeVisitor, form_fields


def _texts(project: Project) -> list[str]:
    return [c.text for c in load(project.caption_path("amara-talk"))]


def _tabs(visitor: MakeVisitor) -> tuple[object, dict[str, str], dict[str, str]]:
    amara = visitor("amara")
    return amara, amara.form("/clip/amara-talk"), amara.form("/clip/amara-talk")


def test_two_tabs_editing_different_captions_both_keep_their_words(visitor: MakeVisitor,
                                                                   film: Project) -> None:
    amara, tab_a, tab_b = _tabs(visitor)
    assert amara.post("/save", {**tab_a, "text-1": "Hello, I am happy"}).status_code == 303
    answer = amara.post("/save", {**tab_b, "text-2": "to be in this film."})
    assert answer.status_code == 303
    assert _texts(film)[:2] == ["Hello, I am happy", "to be in this film."]
    # Tab B's next page load shows both; its words never revert tab A's.
    again = amara.form("/clip/amara-talk")
    assert again["text-1"] == "Hello, I am happy"


def test_the_script_gets_the_merged_words_back(visitor: MakeVisitor, film: Project) -> None:
    amara, tab_a, tab_b = _tabs(visitor)
    amara.post("/save", {**tab_a, "text-3": "We made it together."})
    cues = [[200, 1200, "Hello, I am glad"], [1300, 2400, "to be in this film."],
            [2500, 2900, "We made it together, the whole group of us, every one."]]
    answer = amara.client.post(
        "/save", json={"clip": "amara-talk", "version": tab_b["version"], "cues": cues},
        headers={"accept": "application/json", "origin": "http://testserver",
                 "x-csrftoken": tab_b["csrftoken"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "merged"
    assert [c[2] for c in answer.json()["cues"]] == ["Hello, I am glad", "to be in this film.",
                                                     "We made it together."]
    assert _texts(film)[1:] == ["to be in this film.", "We made it together."]


def test_the_same_caption_is_a_conflict_side_by_side_naming_you(visitor: MakeVisitor,
                                                                film: Project) -> None:
    amara, tab_a, tab_b = _tabs(visitor)
    amara.post("/save", {**tab_a, "text-1": "Hello, I am happy", "text-3": "All of us."})
    page = amara.post("/save", {**tab_b, "text-1": "Hello, I am proud",
                                "text-2": "to be in this film."})
    assert page.status_code == 409
    assert "You changed the same words in another tab" in page.text
    assert "These words were changed by: you, in another tab." in page.text
    assert "Only these captions were changed in both places." in page.text
    assert page.text.count('class="clash"') == 1 and 'id="clash-1"' in page.text
    assert "Hello, I am proud" in page.text and "Hello, I am happy" in page.text
    assert _texts(film) == ["Hello, I am happy", "to be in this flim.", "All of us."]
    # Keeping this tab's words changes caption 1 (and its caption 2) and keeps tab A's caption 3.
    keep = form_fields(page.text.split('<form method="post" action="/save">', 1)[1])
    assert amara.post("/save", keep).status_code == 303
    assert _texts(film) == ["Hello, I am proud", "to be in this flim.", "All of us."]


def test_someone_else_is_not_called_you(visitor: MakeVisitor, film: Project) -> None:
    amara, tab_a, _ = _tabs(visitor)
    ben = visitor("ben")
    ben_tab = ben.form("/clip/together")
    amara_tab = amara.form("/clip/together")
    ben.post("/save", {**ben_tab, "text-1": "Ben's words"})
    page = amara.post("/save", {**amara_tab, "text-1": "Amara's words"})
    assert page.status_code == 409
    assert "Someone else changed the words" in page.text
    assert "you, in another tab" not in page.text


def test_three_way_by_caption() -> None:
    base = [Cue(0, 1000, "a"), Cue(1000, 2000, "b"), Cue(2000, 3000, "c")]
    mine = [Cue(0, 1000, "A"), Cue(1000, 2000, "b"), Cue(2000, 3000, "C1")]
    theirs = [Cue(0, 1000, "a"), Cue(1000, 2500, "b"), Cue(2000, 3000, "C2")]
    merged = three_way(base, mine, theirs)
    assert merged is not None
    assert [(c.end, c.text) for c in merged.cues] == [(1000, "A"), (2500, "b"), (3000, "C2")]
    assert merged.clashes == (3,)
    assert three_way(base, mine[:2], theirs) is None
