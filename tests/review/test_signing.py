"""Issue 20 item 10: signers review and sign off their sign videos, describers their
descriptions, on the same page with the same standards (own only, bound to what was shown, a
form sent twice acts once, nothing after a withdrawal)."""

from __future__ import annotations

import shutil
from datetime import date

from consent import ChangeRequest, SignOff
from pipeline import clearance
from pipeline.clearance.sign_videos import sign_path
from pipeline.project import Project
from pipeline.review import whose
from pipeline.review.server import issue_links
from pipeline.status import film_status
from tests.review.conftest import MakeVisitor


def _signer(film: Project, clip_id: str = "amara-talk", signer: str = "dev") -> Project:
    """``dev`` signs ``clip_id``: a sign video (a real MP4) and `signer:` in film.yaml."""
    film.add_contributor(signer, "Dev Patel")
    for item in film.doc["sequence"]:
        if item["clip"] == clip_id:
            item["signer"] = signer
    film.save()
    film = film.reload()
    path = sign_path(film, clip_id)
    path.parent.mkdir(exist_ok=True)
    shutil.copyfile(film.proxy_path("ben-talk"), path)
    clearance.record_consent(film, signer, scopes=["appear"], channels=["internal", "web"],
                             method="written", obtained_by="Sam", given=date(2026, 1, 10))
    return film


def _records(project: Project) -> list[tuple[str, str, str]]:
    return [(type(e.record).__name__, e.record.clip, e.record.contributor)
            for e in clearance.events(project) if isinstance(e.record, SignOff | ChangeRequest)]


def test_a_signer_has_a_review_link_and_a_home_page(film: Project, visitor: MakeVisitor) -> None:
    film = _signer(film)
    assert "dev" in whose.people(film, clearance.events(film))
    said: list[str] = []
    issue_links(film, "http://127.0.0.1:8000", contributors=["dev"], say=said.append)
    assert any("/enter/" in line for line in said)
    home = visitor("dev").get("/").text
    assert "Open your signing of clip amara-talk" in home
    assert "Waiting for you." in home
    assert "There are no clips of you yet." not in home


def test_a_signer_watches_their_video_with_the_words_and_says_yes(
        film: Project, visitor: MakeVisitor) -> None:
    film = _signer(film)
    dev = visitor("dev")
    page = dev.get("/sign/amara-talk")
    assert page.status_code == 200
    assert 'src="/sign/amara-talk/video"' in page.text
    assert "to be in this flim." in page.text  # the words they sign, read-only
    assert dev.get("/sign/amara-talk/video").headers["content-type"] == "video/mp4"
    form = dev.form("/sign/amara-talk")
    first = dev.post("/sign", {**form, "action": "yes"})
    again = dev.post("/sign", {**form, "action": "yes"})  # sent twice: acts once
    assert first.status_code == again.status_code == 303
    assert "Thank you. You said yes to your signing." in dev.get(first.headers["location"]).text
    assert _records(film) == [("SignOff", "sign/amara-talk", "dev")]
    row = film_status(film)["signers"][0]
    assert row["signoff"] == "dev:signed"
    assert "You said yes on" in dev.get("/").text


def test_a_signer_asks_for_changes_in_their_own_words(film: Project,
                                                      visitor: MakeVisitor) -> None:
    film = _signer(film)
    dev = visitor("dev")
    html = dev.get("/sign/amara-talk").text
    from tests.review.conftest import form_fields

    changes = form_fields(html.split('class="changes"', 1)[1])
    assert dev.post("/sign", {**changes, "action": "changes", "words": " "}).status_code == 400
    sent = dev.post("/sign", {**changes, "action": "changes", "words": "Redo the second sign"})
    assert sent.status_code == 303
    assert _records(film) == [("ChangeRequest", "sign/amara-talk", "dev")]
    assert "You asked for changes." in dev.get("/").text


def test_only_the_signer_reaches_it_and_a_changed_video_is_not_signed(
        film: Project, visitor: MakeVisitor) -> None:
    film = _signer(film)
    amara = visitor("amara")
    assert amara.get("/sign/amara-talk").status_code == 404
    assert amara.get("/sign/amara-talk/video").status_code == 404
    assert visitor("dev").get("/sign/ben-talk").status_code == 404
    dev = visitor("dev")
    form = dev.form("/sign/amara-talk")
    forged = amara.post("/sign", {"csrftoken": amara.form("/clip/amara-talk")["csrftoken"],
                                  "target": "amara-talk", "seen": form["seen"],
                                  "action": "yes"})
    assert forged.status_code == 404
    shutil.copyfile(film.proxy_path("together"), sign_path(film, "amara-talk"))  # a new take
    answer = dev.post("/sign", {**form, "action": "yes"})
    assert answer.status_code == 409
    assert "Your video changed since you opened this page." in answer.text
    assert _records(film) == []


def test_a_signer_who_stopped_cannot_say_yes(film: Project, visitor: MakeVisitor) -> None:
    film = _signer(film)
    dev = visitor("dev")
    form = dev.form("/sign/amara-talk")
    dev.post("/stop", dev.form("/stop"))
    page = dev.get("/sign/amara-talk").text
    assert "So you can not say yes or ask for changes." in page
    assert "Yes, my signing is right" not in page
    answer = dev.post("/sign", {**form, "action": "yes"})
    assert answer.status_code == 403
    assert "You asked to stop, so nothing was changed." in answer.text
    assert _records(film) == []


def test_a_describer_reviews_and_signs_off_the_descriptions(film: Project,
                                                            visitor: MakeVisitor) -> None:
    film.add_contributor("eve", "Eve Adams")
    film.doc["clips"]["amara-talk"]["described_by"] = ["eve"]
    film.save()
    film = film.reload()
    clearance.record_consent(film, "eve", scopes=["voice"], channels=["internal", "web"],
                             method="written", obtained_by="Sam", given=date(2026, 1, 10))
    eve = visitor("eve")
    assert "Open clip amara-talk" in eve.get("/").text
    page = eve.get("/clip/amara-talk").text
    assert "Amara waves at the camera." in page
    answer = eve.post("/save", {**eve.form("/clip/amara-talk"), "action": "yes"})
    assert answer.status_code == 303
    assert _records(film) == [("SignOff", "amara-talk", "eve")]
    key = clearance.clip_key(film, "amara-talk")
    (signed,) = [e.record for e in clearance.events(film) if isinstance(e.record, SignOff)]
    assert signed.content_key == key  # bound to the descriptions as they are


def test_the_signer_s_pages_show_only_catalogue_sentences(film: Project,
                                                          visitor: MakeVisitor) -> None:
    from tests.review.test_catalogue import _strangers

    film = _signer(film)
    dev = visitor("dev")
    form = dev.form("/sign/amara-talk")
    pages = [dev.get("/"), dev.get("/sign/amara-talk"),
             dev.post("/sign", {**form, "action": "changes", "words": ""})]
    pages.append(dev.get(dev.post("/sign", {**form, "action": "yes"}).headers["location"]))
    dev.post("/stop", dev.form("/stop"))
    pages += [dev.get("/"), dev.get("/sign/amara-talk")]
    for page in pages:
        assert not _strangers(page.text), page.url
