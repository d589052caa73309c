"""The review page shows a clip's audio descriptions, and a yes binds the ones the person saw."""

from __future__ import annotations

from consent import SignOff
from pipeline import clearance
from pipeline.project import Project
from tests.review.conftest import MakeVisitor


def _signoffs(film: Project) -> list[SignOff]:
    return [e.record for e in clearance.events(film) if isinstance(e.record, SignOff)]


def test_the_clip_page_shows_its_descriptions_read_only(visitor: MakeVisitor) -> None:
    amara = visitor("amara")
    page = amara.get("/clip/amara-talk").text
    assert "What the voice says about the picture" in page
    assert "Said from 0:02.9 to 0:04.0." in page
    assert '<p lang="en" translate="no">Amara waves at the camera.</p>' in page
    assert "textarea" not in page.split("described-heading")[1].split("</section>")[0]
    # A clip without descriptions has no such section.
    assert "What the voice says" not in amara.get("/clip/together").text


def test_yes_binds_the_descriptions_seen(visitor: MakeVisitor, film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    assert fields["described"] != "none"
    page = amara.post("/save", {**fields, "action": "yes"})
    assert page.status_code == 303
    [signed] = _signoffs(film)
    assert signed.content_key == clearance.clip_key(film, "amara-talk")
    # The producer rewords the description: her yes no longer holds.
    path = film.root / "descriptions" / "amara-talk.vtt"
    path.write_text(path.read_text(encoding="utf-8").replace("waves", "frowns"),
                    encoding="utf-8")
    assert "This changed after you said yes. Please look again." in amara.get("/").text


def test_yes_is_refused_when_the_descriptions_changed_meanwhile(visitor: MakeVisitor,
                                                               film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    path = film.root / "descriptions" / "amara-talk.vtt"
    path.write_text(path.read_text(encoding="utf-8").replace("waves", "frowns"),
                    encoding="utf-8")
    page = amara.post("/save", {**fields, "action": "yes"})
    assert page.status_code == 409
    assert "frowns" in page.text  # the page shown again has what the file says now
    assert not _signoffs(film)


def test_a_describer_reviews_the_clip_they_describe(visitor: MakeVisitor,
                                                    film: Project) -> None:
    assert "amara-talk" not in visitor("ben").get("/").text
    film.doc["clips"]["amara-talk"]["described_by"] = ["ben"]
    film.save()
    ben = visitor("ben")
    assert "amara-talk" in ben.get("/").text
    page = ben.post("/save", {**ben.form("/clip/amara-talk"), "action": "yes"})
    assert page.status_code == 303
    assert [(s.clip, s.contributor) for s in _signoffs(film)] == [("amara-talk", "ben")]
