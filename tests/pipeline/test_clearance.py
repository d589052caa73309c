"""Consent and sign-off from the command line, bound to the project's real content, and the
film's one way into the gate (``clear_film``), asked as render and status ask it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from consent import Channel, GateResult, Ledger, ReasonCode, SignoffState, Withdrawal
from pipeline.clearance import changed_clips, clear_film, clip_key, recheck
from pipeline.exceptions import PipelineError
from pipeline.project import Project
from tests.conftest import MakeMedia
from tests.conftest import run_cli as _run
from tests.pipeline.conftest import TODAY, MakeFilm


@pytest.fixture
def film(tmp_path: Path, make_media: MakeMedia) -> Project:
    root = tmp_path / "film"
    assert _run("new", str(root), "--title", "Film")[0] == 0
    assert _run("ingest", str(root), str(make_media("amara-talk.mp4")), "--contributor",
                "amara")[0] == 0
    assert _run("ingest", str(root), str(make_media("ben-talk.mp4", freq=660)),
                "--contributor", "ben")[0] == 0
    project = Project.open(root)
    project.caption_path("amara-talk").write_text(
        "1\n00:00:00,000 --> 00:00:01,500\nHello, I am Amara.\n", encoding="utf-8")
    return project


def gate(project: Project, channel: Channel) -> GateResult:
    """The gate's answer for the whole film, asked the way `coprod render` asks it."""
    return clear_film(project, channel).result


def _consent(root: Path, who: str, *extra: str) -> tuple[int, str]:
    return _run("consent", "record", str(root), "--contributor", who, "--scope", "appear",
                "--scope", "voice", "--channel", "web", "--method", "written",
                "--obtained-by", "producer", *extra)


def test_consent_and_signoff_open_the_gate(film: Project) -> None:
    root = film.root
    assert not gate(film, Channel.WEB).ok
    assert _consent(root, "amara")[0] == 0
    assert _consent(root, "ben")[0] == 0
    result = gate(film, Channel.WEB)
    assert {r.code for r in result.reasons} == {"no-signoff"}
    assert _run("signoff", str(root), "amara-talk", "--by", "amara")[0] == 0
    code, out = _run("signoff", str(root), "ben-talk", "--by", "Sam Advocate",
                     "--on-behalf-of", "ben")
    assert code == 0 and "on behalf of ben" in out
    assert gate(film, Channel.WEB).ok
    code, out = _run("status", str(root), "--json")
    rows = {c["id"]: c for c in json.loads(out)["clips"]}
    assert rows["amara-talk"]["consent"] == "amara:ok"
    assert rows["amara-talk"]["signoff"] == "amara:signed"


def test_caption_edit_makes_signoff_stale(film: Project) -> None:
    assert _consent(film.root, "amara")[0] == 0
    assert _run("signoff", str(film.root), "amara-talk", "--by", "amara")[0] == 0
    assert "amara-talk" in gate(film, Channel.WEB).allowed
    path = film.caption_path("amara-talk")
    path.write_text(path.read_text().replace("Amara", "Amara O."), encoding="utf-8")
    reasons = gate(film, Channel.WEB).blocked["amara-talk"]
    assert [r.code for r in reasons] == ["stale-signoff"]
    code, out = _run("status", str(film.root))
    assert "amara:stale-signoff" in out


def test_pointing_film_yaml_at_other_footage_makes_signoff_stale(film: Project) -> None:
    assert _consent(film.root, "amara")[0] == 0
    assert _run("signoff", str(film.root), "amara-talk", "--by", "amara")[0] == 0
    assert gate(film, Channel.WEB).blocked.get("amara-talk") is None
    text = film.film_yaml.read_text()
    film.film_yaml.write_text(text.replace("file: footage/amara-talk.mp4",
                                           "file: footage/ben-talk.mp4"))
    reloaded = Project.open(film.root)
    reasons = gate(reloaded, Channel.WEB).blocked["amara-talk"]
    assert [r.code for r in reasons] == ["stale-signoff"]


def test_trimming_the_clip_makes_signoff_stale(film: Project) -> None:
    assert _consent(film.root, "amara")[0] == 0
    assert _run("signoff", str(film.root), "amara-talk", "--by", "amara")[0] == 0
    text = film.film_yaml.read_text()
    film.film_yaml.write_text(text.replace("  - clip: amara-talk\n",
                                           "  - clip: amara-talk\n    in: 0.5\n"))
    assert [r.code for r in gate(Project.open(film.root), Channel.WEB).blocked["amara-talk"]] == \
        ["stale-signoff"]


def test_withdrawal_blocks_and_is_named(film: Project) -> None:
    assert _consent(film.root, "ben")[0] == 0
    assert _run("signoff", str(film.root), "ben-talk", "--by", "ben")[0] == 0
    assert "ben-talk" in gate(film, Channel.WEB).allowed
    code, out = _run("consent", "withdraw", str(film.root), "--contributor", "ben",
                     "--reason", "changed my mind")
    assert code == 0
    reasons = gate(film, Channel.WEB).blocked["ben-talk"]
    assert [(r.clip_id, r.contributor, r.code) for r in reasons] == \
        [("ben-talk", "ben", "withdrawn")]
    code, out = _run("consent", "show", str(film.root), "--contributor", "ben")
    assert "ben: WITHDRAWN" in out


def test_signoff_by_someone_not_in_the_clip_is_refused(film: Project) -> None:
    code, out = _run("signoff", str(film.root), "amara-talk", "--by", "ben")
    assert code == 1 and "'ben' is not a contributor of clip 'amara-talk'" in out
    code, out = _run("signoff", str(film.root), "nope", "--by", "ben")
    assert code == 1 and "no clip 'nope'" in out


def test_request_changes_then_status(film: Project) -> None:
    assert _consent(film.root, "amara")[0] == 0
    assert _run("signoff", str(film.root), "amara-talk", "--by", "amara")[0] == 0
    code, _ = _run("request-changes", str(film.root), "amara-talk", "--by", "amara",
                   "--note", "cue 1 spells my name wrong")
    assert code == 0
    assert [r.code for r in gate(film, Channel.WEB).blocked["amara-talk"]] == ["changes-requested"]


def test_bad_consent_input_is_a_clean_error(film: Project) -> None:
    code, out = _consent(film.root, "zoe")
    assert code == 1 and "no contributor 'zoe'" in out
    code, out = _consent(film.root, "amara", "--expires", "2099-01-01")
    assert code == 1 and "more than 5 years" in out
    code, out = _consent(film.root, "amara", "--capacity", "best-interests")
    assert code == 1 and "decision_maker" in out and "Traceback" not in out


def test_verify_names_a_tampered_line_and_repairs_a_torn_tail(film: Project) -> None:
    for who in ("amara", "ben", "amara"):
        assert _consent(film.root, who)[0] == 0
    code, out = _run("consent", "verify", str(film.root))
    assert code == 0 and "3 events, chain intact" in out
    ledger = film.ledger_path
    good = ledger.read_bytes()
    ledger.write_bytes(good.replace(b'"channels":["web"]', b'"channels":["broadcast"]', 1))
    code, out = _run("consent", "verify", str(film.root))
    assert code == 1 and "ledger.jsonl:1:" in out
    # Every command that reads the ledger refuses a broken one.
    code, out = _run("status", str(film.root))
    assert code == 1 and "ledger.jsonl:1:" in out
    ledger.write_bytes(good + b'{"seq":4,"type":"consent","da')
    code, out = _run("consent", "verify", str(film.root))
    assert code == 1 and "--repair" in out
    code, out = _run("consent", "verify", str(film.root), "--repair")
    assert code == 0 and "3 events, chain intact" in out
    assert ledger.read_bytes() == good
    assert list(ledger.parent.glob("ledger.jsonl.broken-*"))


def test_future_given_date_is_refused(film: Project) -> None:
    code, out = _consent(film.root, "amara", "--given", "2099-01-01")
    assert code == 1 and "is in the future" in out
    assert not film.ledger_path.exists() or film.ledger_path.read_bytes() == b""


def test_clip_without_contributors_is_blocked_until_marked(film: Project,
                                                          make_media: MakeMedia) -> None:
    assert _run("ingest", str(film.root), str(make_media("skyline.mp4", freq=200)))[0] == 0
    project = Project.open(film.root)
    assert [r.code for r in gate(project, Channel.WEB).blocked["skyline"]] == ["no-contributors"]
    text = project.film_yaml.read_text()
    project.film_yaml.write_text(text.replace("    contributors: []\n",
                                              "    contributors: []\n    no_people: true\n"))
    assert "skyline" in gate(Project.open(film.root), Channel.WEB).allowed


def test_withdrawing_for_a_clip_they_are_not_in_is_refused(film: Project) -> None:
    code, out = _run("consent", "withdraw", str(film.root), "--contributor", "amara",
                     "--clip", "ben-talk")
    assert code == 1 and "does not list contributor 'amara'" in out


def test_lines_cut_from_the_end_after_a_render_are_detected(film: Project,
                                                            witness_dir: Path) -> None:
    assert _consent(film.root, "amara")[0] == 0
    assert _consent(film.root, "ben")[0] == 0
    ledger = film.ledger_path
    lines = ledger.read_bytes().splitlines(keepends=True)
    head = json.loads(lines[-1])["hash"]
    manifest = film.build_dir / "web" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"output": "build/web/film.mp4", "created":
                                    "2026-11-27T10:00:00+00:00", "clips": [],
                                    "consent": {"ledger_head": head}}))
    assert _run("consent", "verify", str(film.root))[0] == 0
    # The chain of what is left is perfect; the witness and the render's record show the loss.
    ledger.write_bytes(b"".join(lines[:-1]))
    code, out = _run("consent", "verify", str(film.root))
    assert code == 1 and "ledger.jsonl:2:" in out and "has 1 events but its witness" in out
    # Without the witness (lost, or kept elsewhere) the render's record still catches it.
    for file in witness_dir.glob("*.json"):
        file.unlink()
    code, out = _run("consent", "verify", str(film.root))
    assert code == 1 and "ledger.jsonl:2:" in out and "build/web/film.mp4 relied on" in out
    code, out = _run("status", str(film.root))
    assert code == 1 and "relied on" in out


def test_status_survives_missing_footage_and_shows_unlisted_clips(
        film: Project, make_media: MakeMedia) -> None:
    assert _run("ingest", str(film.root), str(make_media("scenery.mp4", freq=250)))[0] == 0
    (film.footage_dir / "ben-talk.mp4").unlink()
    code, out = _run("status", str(film.root))
    assert code == 0, out
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert "no contributors listed" in rows["scenery"]
    assert "amara:no-consent" in rows["amara-talk"]
    assert "Problems:" in out and "ben-talk:" in out and "missing" in out
    data = json.loads(_run("status", str(film.root), "--json")[1])
    problem = {c["id"]: c["problem"] for c in data["clips"]}
    assert problem["ben-talk"] and problem["amara-talk"] is None


# --- the gate adapter, as render and status use it ------------------------------------------


def test_clear_film_describes_every_clip_as_it_is_now(make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    cleared = clear_film(project, Channel.WEB, today=TODAY)
    assert cleared.result.allowed == ["clip-1", "clip-2"] and cleared.result.ok
    assert [(u.clip_id, u.contributors, u.has_audio, u.has_video) for u in cleared.uses] == \
        [("clip-1", ("amara",), True, True), ("clip-2", ("ben",), True, True)]
    assert [u.content_key for u in cleared.uses] == [clip_key(project, "clip-1"),
                                                     clip_key(project, "clip-2")]
    assert list(cleared.events) == Ledger(project.ledger_path).events()
    assert cleared.dropped == () and dict(cleared.unreadable) == {}


def test_drop_withdrawn_leaves_out_only_withdrawn_clips_and_asks_again(
        make_film: MakeFilm) -> None:
    film = make_film(3)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    refused = clear_film(film.project, Channel.WEB, today=TODAY)
    assert list(refused.result.blocked) == ["clip-2"] and refused.dropped == ()
    cleared = clear_film(film.project, Channel.WEB, drop_withdrawn=True, today=TODAY)
    assert cleared.dropped == ("clip-2",)
    assert [u.clip_id for u in cleared.uses] == ["clip-1", "clip-3"]
    # Asked again without clip-2: ben is not in the film, so not among the names decided.
    assert cleared.result.ok and "ben" not in cleared.result.name_allowed


def test_drop_withdrawn_drops_nothing_while_another_reason_blocks(make_film: MakeFilm) -> None:
    film = make_film(3)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    save_captions([Cue(100, 800, "Not signed.")], film.project.caption_path("clip-3"))
    cleared = clear_film(film.project, Channel.WEB, drop_withdrawn=True, today=TODAY)
    assert cleared.dropped == ()
    assert {clip: [r.code for r in reasons] for clip, reasons in cleared.result.blocked.items()} \
        == {"clip-2": [ReasonCode.WITHDRAWN], "clip-3": [SignoffState.STALE]}


def test_unreadable_footage_stops_a_render_but_not_status(make_film: MakeFilm) -> None:
    film = make_film(2)
    film.project.clip("clip-1").file.unlink()
    with pytest.raises(PipelineError):
        clear_film(film.project, Channel.WEB, today=TODAY)
    cleared = clear_film(film.project, Channel.WEB, skip_unreadable=True, today=TODAY)
    assert list(cleared.unreadable) == ["clip-1"] and "no such file" in cleared.unreadable["clip-1"]
    assert [u.clip_id for u in cleared.uses] == ["clip-2"]
    assert cleared.result.allowed == ["clip-2"]


def test_changes_since_the_gate_said_yes(make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    cleared = clear_film(project, Channel.WEB, today=TODAY)
    assert changed_clips(project, cleared) == []
    assert recheck(project, cleared, today=TODAY).ok
    save_captions([Cue(100, 800, "Edited.")], project.caption_path("clip-2"))
    assert changed_clips(project, cleared) == ["clip-2"]
    Ledger(project.ledger_path).add(Withdrawal(contributor="amara", date=TODAY))
    again = recheck(project, cleared, today=TODAY)
    # The same clips at the keys the gate saw: only the withdrawal blocks.
    assert [(r.clip_id, r.code) for r in again.reasons] == [("clip-1", ReasonCode.WITHDRAWN)]
    assert (again.channel, again.draft) == (Channel.WEB, False)


def test_a_description_or_title_naming_someone_without_name_consent_is_refused(
        make_film: MakeFilm) -> None:
    from pipeline.render import GateRefusedError, render_film
    from tests.pipeline.conftest import record_signoffs, tiny

    film = make_film(2, signed=False)  # amara consents to `name`, ben (clip-2) does not
    project = film.project
    folder = project.root / "descriptions"
    folder.mkdir(exist_ok=True)
    (folder / "clip-1.vtt").write_text("WEBVTT\n\n00:00:00.950 --> 00:00:01.250\n"
                                       "Amara passes Ben Smith a cup.\n")
    (folder / "clip-2.vtt").write_text("WEBVTT\n\n00:00:00.950 --> 00:00:01.250\n"
                                       "Amara smiles.\n")
    record_signoffs(project)
    result = clear_film(project, Channel.WEB, today=TODAY).result
    assert result.allowed == ["clip-2"]
    [reason] = result.blocked["clip-1"]
    assert (reason.contributor, reason.code) == ("ben", ReasonCode.NAME_NOT_CONSENTED)
    with pytest.raises(GateRefusedError) as info:
        render_film(project, tiny(), today=TODAY)
    assert "clip clip-1: description 1 names contributor ben, whose consent does not include " \
           "`name`" in str(info.value)

    # The title card too; a name with consent is fine.
    (folder / "clip-1.vtt").write_text("WEBVTT\n\n00:00:00.950 --> 00:00:01.250\n"
                                       "Amara passes a cup.\n")
    project.doc["title"] = "Ben's Garden"
    project.save()
    project = project.reload()
    record_signoffs(project)
    result = clear_film(project, Channel.WEB, today=TODAY).result
    assert set(result.blocked) == {"title"} and result.allowed == ["clip-1", "clip-2"]
    assert result.blocked["title"][0].message.startswith("title: the title card names "
                                                          "contributor ben")
