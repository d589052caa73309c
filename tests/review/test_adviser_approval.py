"""The group's approval (issue 26): bound to the cut's key, required by film.yaml, and the
publishing gate naming what changed since; coprod feedback at the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from captions.model import Cue
from pipeline import clearance
from pipeline.caption_store import write_caption_file
from pipeline.feedback.approval import ApprovalMissingError
from pipeline.feedback.cut import read_cut
from pipeline.feedback.render_cut import render_group_cut
from pipeline.feedback.store import CommentsFile
from pipeline.project import Project
from pipeline.render.gate import run_gate
from pipeline.render_profiles import load_profile
from tests.conftest import run_cli


def _signed_film(project: Project, *, required: bool) -> Project:
    """ben-talk and together only (every clip shared with the group), signed off, the group's
    draft rendered again; approval required or not."""
    doc = Project.open(project.root)
    doc.doc["sequence"] = ["ben-talk", "together"]
    doc.save()
    if required:
        path = project.root / "film.yaml"
        path.write_text(path.read_text() + "approvals: {advisers: required}\n")
    project = Project.open(project.root)
    for clip, people in (("ben-talk", ["ben"]), ("together", ["amara", "ben"])):
        for person in people:
            clearance.sign_off(project, clip, person)
    render_group_cut(project, jobs=2)
    return project


def test_the_web_gate_refuses_until_the_group_approves_then_names_what_changed(
        group_film: Project) -> None:
    project = _signed_film(group_film, required=True)
    web = load_profile("web")
    with pytest.raises(ApprovalMissingError, match="has approved no cut yet"):
        run_gate(project, web)
    code, out = run_cli("render", str(project.root), "--profile", "web")
    assert code == 1 and "the advisory group has not approved the cut" in out
    assert not (project.build_dir / "web" / "film.mp4").exists()

    code, out = run_cli("feedback", "approve", str(project.root), "--by", "group")
    assert code == 0, out
    run_gate(project, web)  # approved as it is: no refusal

    write_caption_file(project.caption_path("ben-talk"),
                       [Cue(200, 1200, "Hello, I am so glad"), Cue(1300, 2400, "to be here.")])
    clearance.sign_off(project, "ben-talk", "ben")  # consent and sign-off are in order again
    with pytest.raises(ApprovalMissingError) as caught:
        run_gate(project, web)
    assert caught.value.changes == ["ben-talk: captions changed"]
    assert "ben-talk: captions changed" in str(caught.value)
    run_gate(project, load_profile("review"), draft=True)  # internal drafts are never held


def test_an_approval_of_a_cut_with_a_withheld_clip_does_not_cover_it(
        group_film: Project) -> None:
    path = group_film.root / "film.yaml"
    path.write_text(path.read_text() + "approvals: {advisers: required}\n")
    project = Project.open(group_film.root)
    code, out = run_cli("feedback", "approve", str(project.root), "--by", "rosa")
    assert code == 0, out
    from pipeline.feedback.approval import standing

    found = standing(project)
    assert not found.approved
    assert "cara-talk was not shared with the group when they approved" in found.changes


def test_without_the_requirement_the_gate_does_not_ask(group_film: Project) -> None:
    project = _signed_film(group_film, required=False)
    run_gate(project, load_profile("web"))


def test_approve_needs_an_adviser_and_a_rendered_draft(group_film: Project,
                                                       tmp_path: Path) -> None:
    code, out = run_cli("feedback", "approve", str(group_film.root), "--by", "stranger")
    assert code == 1 and "'stranger' is not an adviser" in out
    for name in ("manifest.json",):
        (group_film.build_dir / "group" / name).unlink()
    code, out = run_cli("feedback", "approve", str(group_film.root), "--by", "group")
    assert code == 1 and "no group cut to approve" in out
    assert CommentsFile(group_film.root).approvals() == []


def test_feedback_lists_comments_and_change_requests_in_film_order(group_film: Project) -> None:
    cut = read_cut(group_film)
    assert cut is not None
    starts = {p.clip: p.film_start_ms for p in cut.places if p.clip}
    root = str(group_film.root)
    code, out = run_cli("feedback", "add", root, "--by", "group", "--at",
                        f"00:{(starts['together'] + 1000) // 1000:02d}", "Keep the ending")
    assert code == 0 and "in together" in out, out
    code, out = run_cli("feedback", "add", root, "--by", "tom", "--at",
                        f"00:{(starts['ben-talk'] + 1000) // 1000:02d}", "Too quiet")
    assert code == 0, out
    clearance.request_changes(group_film, "ben-talk", "ben", "Please cut my cough")
    code, out = run_cli("feedback", root, "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert [(r["kind"], r["clip"]) for r in rows] == [
        ("change-request", "ben-talk"), ("comment", "ben-talk"), ("meeting", "together")]
    assert rows[1]["clip_ms"] == 1000 and rows[1]["caption"] == "Hello, I am glad"
    code, out = run_cli("feedback", root)
    assert code == 0 and "Please cut my cough" in out and "Keep the ending" in out

    code, out = run_cli("feedback", "resolve", root, rows[1]["id"], "--note", "Louder now")
    assert code == 0, out
    code, out = run_cli("feedback", "resolve", root, rows[0]["id"], "--note", "Cough cut")
    assert code == 0, out
    remaining = json.loads(run_cli("feedback", root, "--json")[1])
    assert [r["kind"] for r in remaining] == ["meeting"]
    code, out = run_cli("feedback", "resolve", root, rows[1]["id"], "--note", "again")
    assert code == 1 and "no open comment or change request" in out
    code, out = run_cli("feedback", "add", root, "--by", "group", "--at", "soon", "x")
    assert code == 2 and "--at" in out


def test_the_manifest_counts_the_feedback_as_the_comments_file_holds_it(
        group_film: Project) -> None:
    from pipeline.feedback import approval, listing

    first = listing.record_comment(group_film, by="rosa", text="One", film_ms=9000)
    listing.record_comment(group_film, by="tom", text="Two", film_ms=12000)
    listing.record_comment(group_film, by="tom", text="Agreed", film_ms=0, reply_to=first.id)
    listing.record_comment(group_film, by="group", text="Decided", film_ms=3000, meeting=True)
    listing.resolve(group_film, first.id, "Done", "sam")
    approval.approve(group_film, "group")
    render_group_cut(group_film, jobs=2)
    manifest = json.loads((group_film.build_dir / "group" / "manifest.json").read_text())
    lines = [json.loads(x) for x in CommentsFile(group_film.root).path.read_text().splitlines()]
    tops = [x for x in lines if x["kind"] == "comment" and x["reply_to"] is None]
    closed = {x["target"] for x in lines if x["kind"] == "resolve"}
    assert manifest["feedback"] == {
        "comments": len(tops), "replies": 1, "meeting_decisions": 1,
        "open": len([x for x in tops if x["id"] not in closed]), "resolved": 1,
        "approvals": 1, "approved_as_rendered": False,  # two clips are withheld from them
        "approval_required": False}
    assert manifest["feedback"]["comments"] == 3 and manifest["feedback"]["open"] == 2


def test_after_a_new_draft_a_comment_says_it_was_on_an_earlier_one(group_film: Project) -> None:
    from starlette.testclient import TestClient

    from pipeline.feedback import listing
    from pipeline.review import adviser_links, create_app

    cut = read_cut(group_film)
    assert cut is not None
    ben = next(p for p in cut.places if p.clip == "ben-talk")
    comment = listing.record_comment(group_film, by="rosa", text="Say glad more slowly",
                                     film_ms=ben.film_start_ms + 500)
    assert comment.cut == cut.key and comment.caption == "Hello, I am glad"
    write_caption_file(group_film.caption_path("ben-talk"),
                       [Cue(200, 1200, "Hello, I am very glad"), Cue(1300, 2400, "to be here.")])
    render_group_cut(group_film, jobs=2)
    new = read_cut(group_film)
    assert new is not None and new.key != cut.key
    client = TestClient(create_app(group_film.root, hosts=["testserver"]))
    token = adviser_links.issue(group_film, ["tom"])[0].token
    client.get(f"/group/enter/{token}")
    page = client.get("/group").text
    seconds = (ben.film_start_ms + 500) // 1000
    assert f"This comment is about an earlier draft. It was at 0:{seconds:02d}.5 then." in page
    assert "Hello, I am glad" in page  # the caption as it read under the comment
