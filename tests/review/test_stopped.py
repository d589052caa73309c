"""Issue 20 item 2: stopping stops. After a withdrawal every page says so, edits and decisions
are refused with a plain explanation, and neither `status` nor the gate counts a sign-off made
after it (the CLI `signoff` refuses it too)."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from consent import ChangeRequest, SignOff, SignoffState, check, signoff_status
from pipeline import clearance
from pipeline.cli import cli
from pipeline.project import Project
from pipeline.status import film_status
from tests.review.conftest import MakeVisitor


def _feedback(project: Project) -> list[object]:
    return [e.record for e in clearance.events(project)
            if isinstance(e.record, SignOff | ChangeRequest)]


def test_after_stopping_every_page_says_so(visitor: MakeVisitor, film: Project) -> None:
    amara = visitor("amara")
    before = amara.get("/").text
    assert "Please watch each clip and check the words." in before
    amara.post("/stop", amara.form("/stop"))
    home = amara.get("/").text
    day = date.today()
    when = f"{day.day} "
    assert "You asked to stop on " + when in home
    assert "We will not use your clips. You can not change them now." in home
    assert "Please watch each clip and check the words." not in home
    assert home.count("We will not use this clip.") == 2  # amara-talk and together
    assert "Waiting for you." not in home
    clip = amara.get("/clip/amara-talk").text
    assert "So you can not change the words or say yes." in clip
    assert "Yes, this clip is right" not in clip and "<textarea" not in clip
    assert 'action="/save"' not in clip
    consent = amara.get("/consent").text
    assert "You asked to stop. We will not use these clips." in consent
    assert "The film can not use these clips anywhere now." in consent
    assert "Where people can see the film" not in consent
    again = amara.get("/stop").text
    assert "You have stopped" in again and "Yes, I want to stop" not in again


def test_edits_and_decisions_after_stopping_are_refused_and_change_nothing(
        visitor: MakeVisitor, film: Project) -> None:
    amara = visitor("amara")
    fields = amara.form("/clip/amara-talk")  # the page as it was before she stopped
    changes = amara.form("/clip/together/changes")
    srt = film.caption_path("amara-talk").read_bytes()
    amara.post("/stop", amara.form("/stop"))
    edited = {**fields, "text-1": "Something else"}
    for action in ("yes", "save", "changes"):
        answer = amara.post("/save", {**edited, "action": action})
        assert answer.status_code == 403, action
        assert "You asked to stop, so nothing was changed." in answer.text
    asked = amara.post("/changes", {**changes, "words": "Please fix caption 2"})
    assert asked.status_code == 403
    assert "You asked to stop, so nothing was changed." in asked.text
    assert amara.get("/clip/together/changes").status_code == 403
    autosave = amara.client.post(
        "/save", json={"clip": "amara-talk", "version": fields["version"],
                       "cues": [[200, 1200, "typed"]]},
        headers={"accept": "application/json", "origin": "http://testserver",
                 "x-csrftoken": fields["csrftoken"]})
    assert autosave.status_code == 403
    assert autosave.json()["status"] == "stopped"
    assert film.caption_path("amara-talk").read_bytes() == srt
    assert _feedback(film) == []
    # ben has not stopped: his decisions still go through.
    ben = visitor("ben")
    assert ben.post("/save", {**ben.form("/clip/ben-talk"), "action": "yes"}).status_code == 303


def test_the_cli_refuses_a_signoff_or_change_request_after_a_withdrawal(film: Project) -> None:
    clearance.withdraw_consent(film, "amara")
    runner = CliRunner()
    signed = runner.invoke(cli, ["signoff", str(film.root), "amara-talk", "--by", "amara"])
    assert signed.exit_code == 1
    assert "amara withdrew consent on" in signed.output
    assert "Traceback" not in signed.output and len(signed.output.strip().splitlines()) == 1
    asked = runner.invoke(cli, ["request-changes", str(film.root), "amara-talk", "--by",
                                "amara", "--note", "x"])
    assert asked.exit_code == 1
    assert _feedback(film) == []


def _sign_after_withdrawal(film: Project) -> None:
    """What the page and the CLI used to do: a sign-off appended after the withdrawal."""
    clearance.withdraw_consent(film, "amara")
    key = clearance.clip_key(film, "amara-talk")
    clearance.ledger(film).add(SignOff("amara-talk", "amara", key, None, "",
                                       film.footage_sha256("amara-talk")))


def test_status_never_shows_a_signoff_made_after_a_withdrawal_as_current(film: Project) -> None:
    _sign_after_withdrawal(film)
    row = next(r for r in film_status(film)["clips"] if r["id"] == "amara-talk")
    assert "amara:withdrawn" in row["consent"]
    assert "amara:signed" not in row["signoff"]
    assert "amara:no-signoff" in row["signoff"]
    # Consent given again does not bring it back: it was made while she had stopped.
    clearance.record_consent(film, "amara", scopes=["appear", "voice"],
                             channels=["internal", "web"], method="written",
                             obtained_by="Sam", given=date.today())
    found = clearance.events(film)
    key = clearance.clip_key(film, "amara-talk")
    assert signoff_status(found, "amara-talk", "amara", key).state == SignoffState.NO_SIGNOFF
    row = next(r for r in film_status(film)["clips"] if r["id"] == "amara-talk")
    assert "amara:signed" not in row["signoff"]
    uses = [u for u in clearance.clear_film(film, "web").uses if u.clip_id == "amara-talk"]
    result = check(found, uses, "web", today=date.today())
    assert [r.code for r in result.blocked["amara-talk"]] == [SignoffState.NO_SIGNOFF]
    # A sign-off made after consent was given again counts as usual.
    clearance.sign_off(film, "amara-talk", "amara")
    row = next(r for r in film_status(film)["clips"] if r["id"] == "amara-talk")
    assert "amara:signed" in row["signoff"]
