"""The review pages driven in-process (no JavaScript): what a plain-forms browser gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from captions.formats import load
from consent import ChangeRequest, SignOff, Withdrawal
from pipeline import clearance
from pipeline.caption_store import CaptionState, WriteStatus, caption_state, write_caption_file
from pipeline.project import Project
from pipeline.status import film_status
from tests.review.conftest import CUES, MakeVisitor

MINE = ["amara-talk", "together"]


def _edit(fields: dict[str, str], n: int, text: str) -> dict[str, str]:
    return {**fields, f"text-{n}": text}


def test_home_lists_only_their_clips_and_where_each_stands(visitor: MakeVisitor) -> None:
    page = visitor("amara").get("/")
    assert page.status_code == 200
    for clip in MINE:
        assert f'href="/clip/{clip}"' in page.text
    assert "ben-talk" not in page.text and "Ben" not in page.text
    assert page.text.count("Waiting for you.") == 2


@pytest.mark.parametrize("path", ["/clip/ben-talk", "/clip/ben-talk/video",
                                  "/clip/ben-talk/changes", "/clip/nobody",
                                  "/clip/..%2Ffilm.yaml/video", "/clip/%2e%2e/video",
                                  "/footage/ben-talk.mp4", "/build/review/links.json"])
def test_anything_not_theirs_is_the_same_404(visitor: MakeVisitor, path: str) -> None:
    amara = visitor("amara")
    page = amara.get(path)
    assert page.status_code == 404
    assert "This page is not here." in page.text
    assert "ben-talk" not in page.text and "Ben Carter" not in page.text


def test_posts_about_someone_elses_clip_answer_404(visitor: MakeVisitor, film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    before = film.caption_path("ben-talk").read_bytes()
    for path in ("/save", "/changes"):
        page = amara.post(path, {**fields, "clip": "ben-talk", "words": "mine now"})
        assert page.status_code == 404
    assert film.caption_path("ben-talk").read_bytes() == before
    assert not [e for e in clearance.events(film) if isinstance(e.record, SignOff)]


def test_without_a_working_link_there_is_nothing(visitor: MakeVisitor) -> None:
    stranger = visitor(None)
    for path in ("/", "/clip/amara-talk", "/consent", "/enter/not-a-token"):
        page = stranger.get(path)
        assert page.status_code == 404
        assert "Amara" not in page.text and "amara-talk" not in page.text


def test_the_review_proxy_is_served_with_range(visitor: MakeVisitor, film: Project) -> None:
    page = visitor("amara").get("/clip/amara-talk/video", headers={"range": "bytes=0-99"})
    assert page.status_code == 206
    assert page.headers["content-range"].startswith("bytes 0-99/")
    assert page.content == film.proxy_path("amara-talk").read_bytes()[:100]


def test_a_saved_edit_is_a_person_s_edit_that_transcribe_keeps(visitor: MakeVisitor,
                                                               film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    page = amara.post("/save", _edit(fields, 2, "to be in this film."))
    assert page.status_code == 303
    assert page.headers["location"] == "/clip/amara-talk?said=saved&at=save"
    srt, vtt = film.caption_path("amara-talk"), film.caption_path("amara-talk", "vtt")
    assert [c.text for c in load(srt)][1] == "to be in this film."
    assert [c.text for c in load(vtt)][1] == "to be in this film."
    assert caption_state(srt) == CaptionState.EDITED
    # What `coprod transcribe` does with a new draft: it goes beside the edited file.
    assert write_caption_file(srt, CUES).status == WriteStatus.KEPT_EDITED
    assert "this film." in srt.read_text(encoding="utf-8")
    assert "Your changes are saved." in amara.get(page.headers["location"]).text


def test_a_save_onto_a_file_changed_meanwhile_is_refused_and_shows_both(
        visitor: MakeVisitor, film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    srt = film.caption_path("amara-talk")
    theirs = srt.read_text(encoding="utf-8").replace("flim", "movie")
    srt.write_text(theirs, encoding="utf-8")  # a producer, in Subtitle Edit
    page = amara.post("/save", _edit(fields, 2, "to be in this film."))
    assert page.status_code == 409
    assert "Someone else changed the words" in page.text
    assert "to be in this film." in page.text and "to be in this movie." in page.text
    assert srt.read_text(encoding="utf-8") == theirs
    # "Keep my words" sends theirs' version: now it is a choice made with both in view.
    keep = {k: v for k, v in _fields_of_second_form(page.text).items()}
    assert keep["version"] != fields["version"]
    again = amara.post("/save", keep)
    assert again.status_code == 303
    assert [c.text for c in load(srt)][1] == "to be in this film."


def _fields_of_second_form(html: str) -> dict[str, str]:
    from tests.review.conftest import form_fields

    return form_fields(html.split('<form method="post" action="/save">', 1)[1])


def test_saving_what_the_file_already_says_is_never_a_conflict(visitor: MakeVisitor,
                                                               film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    amara.post("/save", _edit(fields, 1, "Hello, I am glad!"))
    tab = {**fields, "once": amara.form("/clip/amara-talk")["once"]}
    page = amara.post("/save", _edit(tab, 1, "Hello, I am glad!"))  # a second tab, old version
    assert page.status_code == 303


def test_timing_buttons_work_as_plain_form_buttons(visitor: MakeVisitor, film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    page = amara.post("/save", {**fields, "nudge": "1:start:later"})
    assert page.headers["location"].endswith("said=saved&at=cue-1")
    page = amara.post("/save", {**amara.form("/clip/amara-talk"), "nudge": "3:end:later"})
    cues = load(film.caption_path("amara-talk"))
    assert cues[0].start == 450 and cues[2].end == 3000  # the clip is 3 s long: no later
    # The first page's form again, from another tab (its own one-time token).
    odd = {**fields, "once": amara.form("/clip/amara-talk")["once"], "nudge": "9:start:later"}
    assert amara.post("/save", odd).status_code == 400


def test_autosave_answers_json_with_the_new_version_and_problems(visitor: MakeVisitor) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    page = amara.post("/save", _edit(fields, 1, "Hi"), headers={"accept": "application/json"})
    assert page.status_code == 200
    body = page.json()
    assert body["message"] == "Saved." and body["version"] != fields["version"]
    assert "This caption is too fast to read." in body["problems"]["3"]
    stale = amara.post("/save", _edit(fields, 1, "Hey"), headers={"accept": "application/json"})
    assert stale.status_code == 409 and stale.json()["status"] == "conflict"


def test_yes_signs_off_the_clip_as_seen_with_the_cli_s_content_key(visitor: MakeVisitor,
                                                                   film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    page = amara.post("/save", {**_edit(fields, 2, "to be in this film."), "action": "yes"})
    assert page.status_code == 303 and page.headers["location"].endswith("said=yes&at=decide")
    signoffs = [e.record for e in clearance.events(film) if isinstance(e.record, SignOff)]
    assert len(signoffs) == 1
    assert signoffs[0].by == "amara" and signoffs[0].on_behalf_of is None
    assert signoffs[0].content_key == clearance.clip_key(film, "amara-talk")
    row = next(r for r in film_status(film)["clips"] if r["id"] == "amara-talk")
    assert row["signoff"] == "amara:signed"
    home = amara.get("/").text
    assert "You said yes on" in home
    assert "Thank you. You said yes to this clip." in amara.get(page.headers["location"]).text


def test_yes_is_refused_when_the_words_changed_since_the_page_was_loaded(
        visitor: MakeVisitor, film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    srt = film.caption_path("amara-talk")
    srt.write_text(srt.read_text(encoding="utf-8").replace("flim", "film"), encoding="utf-8")
    page = amara.post("/save", {**fields, "action": "yes"})
    # What they saw is not what the file says: their (unchanged) words merge with the new
    # ones, and the page asks them to look again instead of recording a yes.
    assert page.status_code == 409
    assert "The words changed since you opened this page. Please look again." in page.text
    assert "to be in this film." in page.text
    assert not [e for e in clearance.events(film) if isinstance(e.record, SignOff)]


def test_a_sign_off_goes_stale_when_the_words_change(visitor: MakeVisitor,
                                                     film: Project) -> None:
    amara = visitor("amara")
    amara.post("/save", {**amara.form("/clip/amara-talk"), "action": "yes"})
    amara.post("/save", _edit(amara.form("/clip/amara-talk"), 1, "Hello!"))
    assert "This changed after you said yes. Please look again." in amara.get("/").text


def test_asking_for_changes_needs_words_and_may_point_at_captions(visitor: MakeVisitor,
                                                                  film: Project) -> None:
    amara = visitor("amara")
    page = amara.post("/save", {**amara.form("/clip/together"), "action": "changes"})
    assert page.headers["location"] == "/clip/together/changes"
    fields = amara.form("/clip/together/changes")
    empty = amara.post("/changes", {**fields, "words": "  "})
    assert empty.status_code == 400
    assert "There is a problem" in empty.text and 'aria-invalid="true"' in empty.text
    sent = amara.post("/changes", {**fields, "words": "My name is spelt wrong",
                                   "caption": ["2", "3"]})
    assert sent.status_code == 303
    requests = [e.record for e in clearance.events(film) if isinstance(e.record, ChangeRequest)]
    assert [(r.clip, r.by, r.note) for r in requests] == [
        ("together", "amara", "captions 2, 3: My name is spelt wrong")]
    assert requests[0].content_key == clearance.clip_key(film, "together")
    assert "You asked for changes." in amara.get("/").text
    # ben's sign-off state of the shared clip is his own
    assert "Waiting for you." in visitor("ben").get("/").text


def test_the_consent_page_says_what_they_agreed_to(visitor: MakeVisitor) -> None:
    page = visitor("amara").get("/consent")
    assert page.status_code == 200
    for words in ("The internet.", "Our own team.", "You can be seen.", "You can be heard.",
                  "What the film can not show", "You agreed until 10 January 2031."):
        assert words in page.text
    # Channels not agreed are listed as such, never among where the film can be seen.
    assert "Where people can not see the film" in page.text
    assert 'data-says="channel:training:no">Training.' in page.text
    assert 'data-says="channel:training:yes"' not in page.text


def test_stopping_takes_one_confirmation_and_says_what_happens_next(visitor: MakeVisitor,
                                                                   film: Project) -> None:
    ben = visitor("ben")
    confirm = ben.get("/stop")
    assert "If you stop, we will not make any new film with you." in confirm.text
    assert not [e for e in clearance.events(film) if isinstance(e.record, Withdrawal)]
    done = ben.post("/stop", {**ben.form("/stop"), "reason": "I moved away"})
    assert done.status_code == 303
    withdrawals = [e.record for e in clearance.events(film) if isinstance(e.record, Withdrawal)]
    assert [(w.contributor, w.clips, w.reason) for w in withdrawals] == [
        ("ben", None, "I moved away")]
    page = ben.get(done.headers["location"])
    assert "You have stopped" in page.text and "take down" in page.text
    assert "You asked to stop on" in ben.get("/").text
    row = next(r for r in film_status(film)["clips"] if r["id"] == "ben-talk")
    assert "ben:withdrawn" in row["consent"]


def test_state_changes_need_the_page_s_csrf_token_and_origin(visitor: MakeVisitor,
                                                            film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    changed = _edit(fields, 1, "Changed")
    no_token = {k: v for k, v in changed.items() if k != "csrftoken"}
    assert amara.post("/save", no_token).status_code == 403
    assert amara.post("/save", {**changed, "csrftoken": "x" + fields["csrftoken"]}).status_code \
        == 403
    assert amara.post("/save", changed, origin="http://evil.example").status_code == 403
    assert amara.post("/save", changed, origin=None).status_code == 403
    assert amara.post("/save", changed, origin=None,
                      headers={"referer": "http://testserver/clip/amara-talk"}).status_code == 303
    bare = visitor(None)
    assert bare.post("/stop", {"reason": "x"}).status_code == 403
    assert not [e for e in clearance.events(film) if isinstance(e.record, Withdrawal)]


def test_request_bodies_are_limited(visitor: MakeVisitor) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    page = amara.post("/save", {**fields, "text-1": "x" * (3 * 1024 * 1024)})
    assert page.status_code == 413


def test_every_response_has_a_self_only_csp(visitor: MakeVisitor) -> None:
    amara = visitor("amara")
    for path in ("/", "/clip/amara-talk", "/static/review.css", "/nothing"):
        headers = amara.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert amara.get("/").headers["cache-control"] == "no-store"


def test_another_host_name_is_refused(visitor: MakeVisitor) -> None:
    page = visitor("amara").get("/", headers={"host": "rebind.example:8765"})
    assert page.status_code == 400


def test_no_page_loads_anything_from_elsewhere(visitor: MakeVisitor) -> None:
    amara = visitor("amara")
    for path in ("/", "/clip/amara-talk", "/clip/together/changes", "/consent", "/stop"):
        html = amara.get(path).text
        assert "http://" not in html and "https://" not in html and "//" not in html.replace(
            "<!doctype", "")


def test_broken_caption_file_is_never_replaced_from_the_page(visitor: MakeVisitor,
                                                            film: Project) -> None:
    srt: Path = film.caption_path("amara-talk")
    srt.write_text("1\n00:00:01,000 --> nonsense\nHi\n", encoding="utf-8")
    amara = visitor("amara")
    page = amara.get("/clip/amara-talk")
    assert "The words file is broken." in page.text
    amara.post("/save", {**amara.form("/clip/amara-talk"), "action": "save"})
    assert "nonsense" in srt.read_text(encoding="utf-8")


def test_yes_is_refused_when_another_tab_saved_the_same_words_meanwhile(
        visitor: MakeVisitor, film: Project) -> None:
    from pipeline.review import decisions

    fields = visitor("amara").form("/clip/amara-talk")
    srt = film.caption_path("amara-talk")
    srt.write_text(srt.read_text(encoding="utf-8").replace("flim", "film"), encoding="utf-8")
    with pytest.raises(decisions.ChangedMeanwhile):
        decisions.say_yes(film, "amara-talk", "amara", fields["version"])
    assert not [e for e in clearance.events(film) if isinstance(e.record, SignOff)]


def test_the_page_script_saves_json_with_the_csrf_header(visitor: MakeVisitor,
                                                         film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")
    cues = [[c.start, c.end, c.text] for c in CUES]
    cues[0][2] = "Hello, I am so glad"
    body = {"clip": "amara-talk", "version": fields["version"], "cues": cues}
    headers = {"accept": "application/json", "x-csrftoken": fields["csrftoken"]}
    page = amara.client.post("/save", json=body, headers={**headers, "origin":
                                                            "http://testserver"})
    assert page.status_code == 200 and page.json()["status"] == "saved"
    assert load(film.caption_path("amara-talk"))[0].text == "Hello, I am so glad"
    no_header = amara.client.post("/save", json=body, headers={"origin": "http://testserver"})
    assert no_header.status_code == 403
    other = amara.client.post("/save", json={**body, "clip": "ben-talk"},
                              headers={**headers, "origin": "http://testserver"})
    assert other.status_code == 404
    bad = amara.client.post("/save", json={**body, "cues": [[1, "x", "y"]]},
                            headers={**headers, "origin": "http://testserver"})
    assert bad.status_code == 400


def test_a_yes_from_the_page_is_what_the_render_gate_needs(visitor: MakeVisitor,
                                                           film: Project) -> None:
    amara, ben = visitor("amara"), visitor("ben")
    fields = amara.form("/clip/together")
    amara.post("/save", {**_edit(fields, 2, "to be in this film."), "action": "yes"})
    ben.post("/save", {**ben.form("/clip/together"), "action": "yes"})
    cleared = clearance.clear_film(film, "web")
    assert "together" not in cleared.result.blocked
    assert "amara-talk" in cleared.result.blocked  # not signed off: still refused


def _ledger_knows_via() -> bool:
    import inspect

    return "via" in inspect.signature(clearance.sign_off).parameters


@pytest.mark.skipif(not _ledger_knows_via(), reason="the ledger does not record `via` yet "
                    "(issue #9)")
def test_decisions_from_the_page_are_recorded_as_made_on_the_review_page(
        visitor: MakeVisitor, film: Project) -> None:
    amara, ben = visitor("amara"), visitor("ben")
    amara.post("/save", {**amara.form("/clip/amara-talk"), "action": "yes"})
    amara.post("/changes", {**amara.form("/clip/together/changes"), "words": "Fix it"})
    clearance.sign_off(film, "ben-talk", "ben")  # a producer typing it, for comparison
    ben.post("/stop", ben.form("/stop"))
    found = clearance.events(film)
    by_page = [e for e in found if getattr(e, "via", None) == "review-page"]
    assert [type(e.record).__name__ for e in by_page] == ["SignOff", "ChangeRequest",
                                                          "Withdrawal"]
    assert getattr(found[-2], "via", None) == "cli"
