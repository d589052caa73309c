"""Italics on the review page: shown as they will look, kept on every save the page makes.

The page's text boxes hold plain text. A styled caption shows, under its box, how it looks in
the film (italics, bold, underline as such); a save keeps the styling on every character the
contributor did not change, and the voices the .vtt twin names.
"""

from __future__ import annotations

from captions.formats import load
from captions.model import Span, Style
from pipeline.project import Project
from tests.review.conftest import MakeVisitor

SRT = ("1\n00:00:00,200 --> 00:00:01,200\n<i>Hello, I am glad</i>\n\n"
       "2\n00:00:01,300 --> 00:00:02,400\nto be in this <b>flim</b>.\n\n"
       "3\n00:00:02,500 --> 00:00:02,900\nWe made it together.\n")
TWIN = ("WEBVTT\n\n00:00.200 --> 00:01.200\n<v Amara><i>Hello, I am glad</i>\n\n"
        "00:01.300 --> 00:02.400\nto be in this <b>flim</b>.\n\n"
        "00:02.500 --> 00:02.900\nWe made it together.\n")


def _styled(film: Project) -> None:
    """A producer put italics and bold in amara's captions (in Subtitle Edit, say)."""
    film.caption_path("amara-talk").write_text(SRT, encoding="utf-8")
    film.caption_path("amara-talk", "vtt").write_text(TWIN, encoding="utf-8")


def test_a_styled_caption_shows_how_it_looks_beside_its_plain_text_box(
        visitor: MakeVisitor, film: Project) -> None:
    _styled(film)
    page = visitor("amara").get("/clip/amara-talk").text
    assert ">Hello, I am glad</textarea>" in page  # the box holds the words alone
    assert "In the film it looks like this:" in page
    assert 'translate="no"><i>Hello, I am glad</i></span>' in page
    assert "to be in this <b>flim</b>.</span>" in page
    assert 'aria-describedby="times-1 styled-1' in page
    assert 'id="styled-3"' not in page  # an upright caption shows nothing more


def test_a_save_keeps_the_styling_of_what_the_contributor_did_not_change(
        visitor: MakeVisitor, film: Project) -> None:
    _styled(film)
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    assert fields["text-1"] == "Hello, I am glad"
    page = amara.post("/save", {**fields, "text-2": "to be in this film.",
                                "text-3": "We made it all together."})
    assert page.status_code == 303
    srt = film.caption_path("amara-talk").read_text(encoding="utf-8")
    assert "<i>Hello, I am glad</i>" in srt  # untouched: exactly as it was
    assert "to be in this <b>film</b>." in srt  # the corrected word stays bold
    vtt = load(film.caption_path("amara-talk", "vtt"))
    assert vtt[0].spans == (Span(0, 16, Style.ITALIC), Span(0, 16, Style.VOICE, "Amara"))
    assert vtt[2].text == "We made it all together." and not vtt[2].spans


def test_saving_the_styled_file_unchanged_is_unchanged(visitor: MakeVisitor,
                                                       film: Project) -> None:
    _styled(film)
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    page = amara.post("/save", fields, headers={"accept": "application/json"})
    assert page.json()["status"] == "unchanged"
    assert page.json()["version"] == fields["version"]
    assert film.caption_path("amara-talk").read_text(encoding="utf-8") == SRT


def test_the_page_script_s_json_save_keeps_styling_too(visitor: MakeVisitor,
                                                       film: Project) -> None:
    _styled(film)
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    cues = [[c.start, c.end, c.text] for c in load(film.caption_path("amara-talk"))]
    cues[0][2] = "Hello, I am so glad"
    headers = {"accept": "application/json", "x-csrftoken": fields["csrftoken"],
               "origin": "http://testserver"}
    page = amara.client.post("/save", json={"clip": "amara-talk", "version": fields["version"],
                                            "cues": cues}, headers=headers)
    assert page.json()["status"] == "saved"
    assert load(film.caption_path("amara-talk"))[0].spans == (Span(0, 19, Style.ITALIC),)
