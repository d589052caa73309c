"""The advisory group's page (issue 26): the draft, withheld clips, comments, approval."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from pipeline import clearance, runner
from pipeline.feedback import listing
from pipeline.feedback.cut import read_cut, served_cut
from pipeline.feedback.store import Comment, CommentsFile
from pipeline.project import Project
from tests.review.conftest import CARA_WORDS, Adviser, form_fields

WITHHELD = "cara-talk"  # cara consented to `web` only, never `internal`


def _manifest(project: Project) -> dict:
    return json.loads((project.build_dir / "group" / "manifest.json").read_text())


def _peak_db(media: bytes, tmp: Path, start_ms: int, end_ms: int) -> float:
    path = tmp / "served.mp4"
    path.write_bytes(media)
    proc = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
                       "-map", "0:a:0", "-af",
                       f"atrim={start_ms / 1000}:{end_ms / 1000},volumedetect", "-f", "null",
                       "-"])
    found = re.search(r"max_volume:\s*(-?[\d.]+|-inf) dB", proc.stderr.decode())
    assert found, proc.stderr.decode()[-300:]
    return float(found[1])


def test_the_gate_withholds_the_clip_without_internal_consent(group_film: Project) -> None:
    gate = clearance.clear_film(group_film, "internal", draft=True)
    assert WITHHELD in gate.result.blocked  # the gate's own answer, not re-derived here
    cut = read_cut(group_film)
    assert cut is not None
    assert WITHHELD in cut.withheld and WITHHELD not in cut.shown
    assert set(cut.withheld) == set(gate.result.blocked)
    assert "ben-talk" in cut.shown


def test_no_url_serves_any_of_the_withheld_clip(group_film: Project,
                                                adviser_client: Callable[[str], Adviser],
                                                tmp_path: Path) -> None:
    rosa = adviser_client("rosa")
    card = next(c for c in _manifest(group_film)["cards"] if c.get("withheld") == WITHHELD)
    from pipeline.review.app import _routes

    paths = set()
    for route in _routes():
        path = getattr(route, "path", "")
        for clip in group_film.film.clips:
            paths.add(path.replace("{clip_id}", clip).replace("{target}", clip)
                      .replace("{which}", "draft").replace("{token}", "x"))
    for which in ("draft", "signed", "described"):
        paths.add(f"/group/video/{which}")
    served = {}
    for path in sorted(paths):
        response = rosa.get(path, follow_redirects=False)
        served[path] = response
        body = response.content
        for cue in CARA_WORDS:
            assert cue.text.encode() not in body, path
        assert WITHHELD.encode() not in body, path
    for path in (f"/clip/{WITHHELD}", f"/clip/{WITHHELD}/video", f"/clip/{WITHHELD}/captions.vtt"):
        assert served[path].status_code == 404
    video = served["/group/video/draft"]
    assert video.status_code == 200
    assert video.content == (group_film.build_dir / "group" / "film.open-captions.mp4").read_bytes()
    # Measured on the bytes served: cara's clip is an 880 Hz tone; her place is silent.
    start, end = card["film_start_ms"], card["film_start_ms"] + card["duration_ms"]
    assert _peak_db(video.content, tmp_path, start + 200, end - 200) < -80
    shown = next(c for c in _manifest(group_film)["clips"] if c["id"] == "ben-talk")
    assert _peak_db(video.content, tmp_path, shown["film_start_ms"] + 200,
                    shown["film_start_ms"] + shown["duration_ms"] - 200) > -40
    transcript = served["/group/transcript"]
    assert transcript.status_code == 200 and "glad" in transcript.text
    assert "Not shared with the group yet" in served["/group"].text


def test_a_contributor_link_does_not_open_the_group_page_nor_the_other_way(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    from starlette.testclient import TestClient

    from pipeline.review.links import LinkBook

    rosa = adviser_client("rosa")
    assert rosa.get("/").status_code == 404
    assert rosa.get("/clip/ben-talk").status_code == 404
    amara = TestClient(rosa.client.app)
    token = LinkBook(group_film.build_dir / "review").issue(["amara"])[0].token
    assert amara.get(f"/enter/{token}", follow_redirects=False).status_code == 303
    assert amara.get("/").status_code == 200
    assert amara.get("/group").status_code == 404
    assert amara.get("/group/video/draft").status_code == 404
    assert amara.get(f"/group/enter/{token}").status_code == 404


def test_a_clip_withheld_after_the_render_stops_the_draft_being_served(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    rosa = adviser_client("rosa")
    assert rosa.get("/group/video/draft").status_code == 200
    clearance.withdraw_consent(group_film, "ben", clips=["ben-talk"])
    assert served_cut(group_film) is None
    assert rosa.get("/group/video/draft").status_code == 404
    assert rosa.get("/group/transcript").status_code == 404
    assert "The draft is not ready yet" in rosa.get("/group").text


def test_a_comment_without_javascript_keeps_time_clip_caption_and_cut(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    rosa = adviser_client("rosa")
    ben = next(c for c in _manifest(group_film)["clips"] if c["id"] == "ben-talk")
    at = ben["film_start_ms"] + 1000  # 1 s into ben's clip: "Hello, I am glad"
    fields = form_fields(rosa.get("/group").text)
    fields.update(time=f"0:{at // 1000:02d}", text="Can the music be quieter here?")
    response = rosa.post("/group/comment", fields)
    assert response.status_code == 303
    (comment,) = CommentsFile(group_film.root).comments().values()
    cut = read_cut(group_film)
    assert cut is not None
    assert (comment.by, comment.clip, comment.clip_ms, comment.film_ms) == \
        ("rosa", "ben-talk", 1000, at)
    assert comment.caption == "Hello, I am glad" and comment.cut == cut.key
    page = rosa.get("/group?said=comment").text
    assert "Your comment is saved." in page
    assert "Can the music be quieter here?" in page and "Hello, I am glad" in page


def test_a_bad_time_is_refused_and_nothing_is_recorded(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    rosa = adviser_client("rosa")
    for time in ("", "soon", "99:00"):
        fields = form_fields(rosa.get("/group").text)
        fields.update(time=time, text="Here")
        response = rosa.post("/group/comment", fields)
        assert response.status_code == 400
        assert "Please write your comment and a time like 1:05." in response.text
    assert CommentsFile(group_film.root).comments() == {}


def test_replies_resolution_meeting_and_film_order(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    rosa, tom = adviser_client("rosa"), adviser_client("tom")
    clips = {c["id"]: c["film_start_ms"] for c in _manifest(group_film)["clips"]}
    late = listing.record_comment(group_film, by="tom", text="Ending too quick",
                                  film_ms=clips["together"] + 500)
    early = listing.record_comment(group_film, by="rosa", text="Lovely start",
                                   film_ms=clips["ben-talk"] + 300)
    meeting = listing.record_comment(group_film, by="group", text="Keep the laugh",
                                     film_ms=clips["ben-talk"] + 2000, meeting=True)
    fields = form_fields(tom.get("/group").text)
    fields.update(reply_to=early.id, text="I agree with Rosa")
    assert tom.post("/group/comment", fields).status_code == 303
    listing.resolve(group_film, late.id, "Ending made longer", "producer")
    page = rosa.get("/group").text
    order = [page.index(f'id="c-{c.id}"') for c in (early, meeting, late)]
    assert order == sorted(order)  # film order, not the order they were written
    assert "I agree with Rosa" in page and "Tom Reid" in page
    assert "The group meeting decided" in page and "Keep the laugh" in page
    assert "Done. The producer said:" in page and "Ending made longer" in page


def test_a_comment_on_an_older_cut_says_so_and_where_it_was(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    rosa = adviser_client("rosa")
    CommentsFile(group_film.root).append(Comment("abcd1234", "tom", "Too dark", 9000,
                                                 "0" * 64, "ben-talk", 1000, "Hello, I am glad"))
    page = rosa.get("/group").text
    assert "This comment is about an earlier draft. It was at 0:09.0 then." in page
    assert "Hello, I am glad" in page


def test_approval_from_the_page_is_bound_to_the_cut_watched(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    rosa = adviser_client("rosa")
    fields = form_fields(rosa.get("/group").text)
    stale = {**fields, "cut": "f" * 64}
    assert rosa.post("/group/approve", stale).status_code == 409
    assert CommentsFile(group_film.root).approvals() == []
    fields = form_fields(rosa.get("/group").text)
    assert rosa.post("/group/approve", fields).status_code == 303
    (approval,) = CommentsFile(group_film.root).approvals()
    cut = read_cut(group_film)
    assert cut is not None and approval.cut == cut.key and approval.by == "rosa"
    assert approval.clips[WITHHELD] is None
    assert approval.clips["ben-talk"] == clearance.clip_key(group_film, "ben-talk")
    assert "Rosa Hale approved this draft on" in rosa.get("/group").text


def test_every_state_of_the_group_page_shows_only_catalogue_sentences(
        group_film: Project, adviser_client: Callable[[str], Adviser]) -> None:
    from tests.review.test_catalogue import _strangers

    rosa = adviser_client("rosa")
    pages = [rosa.get("/group")]
    fields = form_fields(pages[0].text)
    pages.append(rosa.post("/group/comment", {**fields, "time": "later", "text": "x"}))
    fields = form_fields(rosa.get("/group").text)
    rosa.post("/group/comment", {**fields, "time": "0:09", "text": "Too loud"})
    (first,) = CommentsFile(group_film.root).comments()
    listing.record_comment(group_film, by="tom", text="Agreed", film_ms=0, reply_to=first)
    listing.record_comment(group_film, by="group", text="Keep it", film_ms=3000, meeting=True)
    listing.resolve(group_film, first, "Quieter now", "sam")
    CommentsFile(group_film.root).append(Comment("abcd1234", "tom", "Old", 6000, "0" * 64,
                                                 WITHHELD, 1000, ""))
    pages.append(rosa.get("/group?said=comment"))
    rosa.post("/group/approve", form_fields(rosa.get("/group").text))
    pages.append(rosa.get("/group?said=approve"))
    pages.append(rosa.post("/group/approve", {**form_fields(rosa.get("/group").text),
                                              "cut": "0" * 64}))
    clearance.withdraw_consent(group_film, "ben", clips=["ben-talk"])
    pages.append(rosa.get("/group"))  # the draft shows a clip withheld now: nothing served
    from starlette.testclient import TestClient

    pages.append(TestClient(rosa.client.app).get("/group"))  # no link
    assert {p.status_code for p in pages} == {200, 400, 404, 409}
    for page in pages:
        assert not _strangers(page.text), page.url
    assert "This was on a part not shared with the group now." in pages[2].text


def test_new_links_replace_an_advisers_old_link(group_film: Project) -> None:
    from pipeline.review import adviser_links
    from pipeline.review.server import issue_adviser_links

    said: list[str] = []
    issue_adviser_links(group_film, "http://h", say=said.append)
    old = dict(re.findall(r"  (\w+): http://h/group/enter/(\S+)", "\n".join(said)))
    assert sorted(old) == ["rosa", "tom"]
    said.clear()
    issue_adviser_links(group_film, "http://h", new_links=True, say=said.append)
    new = dict(re.findall(r"  (\w+): http://h/group/enter/(\S+)", "\n".join(said)))
    book = adviser_links.book(group_film.root)
    assert book.who(new["rosa"]) == "rosa" and book.who(old["rosa"]) is None
