"""Consent and sign-off from the command line, bound to the project's real content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.clearance import gate
from pipeline.project import Project
from tests.conftest import MakeMedia
from tests.conftest import run_cli as _run


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


def _consent(root: Path, who: str, *extra: str) -> tuple[int, str]:
    return _run("consent", "record", str(root), "--contributor", who, "--scope", "appear",
                "--scope", "voice", "--channel", "web", "--method", "written",
                "--obtained-by", "producer", *extra)


def test_consent_and_signoff_open_the_gate(film: Project) -> None:
    root = film.root
    assert not gate(film, "web").ok
    assert _consent(root, "amara")[0] == 0
    assert _consent(root, "ben")[0] == 0
    result = gate(film, "web")
    assert {r.code for r in result.reasons} == {"no-signoff"}
    assert _run("signoff", str(root), "amara-talk", "--by", "amara")[0] == 0
    code, out = _run("signoff", str(root), "ben-talk", "--by", "Sam Advocate",
                     "--on-behalf-of", "ben")
    assert code == 0 and "on behalf of ben" in out
    assert gate(film, "web").ok
    code, out = _run("status", str(root), "--json")
    rows = {c["id"]: c for c in json.loads(out)["clips"]}
    assert rows["amara-talk"]["consent"] == "amara:ok"
    assert rows["amara-talk"]["signoff"] == "amara:signed"


def test_caption_edit_makes_signoff_stale(film: Project) -> None:
    _consent(film.root, "amara")
    _run("signoff", str(film.root), "amara-talk", "--by", "amara")
    assert "amara-talk" in gate(film, "web").allowed
    path = film.caption_path("amara-talk")
    path.write_text(path.read_text().replace("Amara", "Amara O."), encoding="utf-8")
    reasons = gate(film, "web").blocked["amara-talk"]
    assert [r.code for r in reasons] == ["stale-signoff"]
    code, out = _run("status", str(film.root))
    assert "amara:stale-signoff" in out


def test_pointing_film_yaml_at_other_footage_makes_signoff_stale(film: Project) -> None:
    _consent(film.root, "amara")
    _run("signoff", str(film.root), "amara-talk", "--by", "amara")
    assert gate(film, "web").blocked.get("amara-talk") is None
    text = film.film_yaml.read_text()
    film.film_yaml.write_text(text.replace("file: footage/amara-talk.mp4",
                                           "file: footage/ben-talk.mp4"))
    reloaded = Project.open(film.root)
    reasons = gate(reloaded, "web").blocked["amara-talk"]
    assert [r.code for r in reasons] == ["stale-signoff"]


def test_trimming_the_clip_makes_signoff_stale(film: Project) -> None:
    _consent(film.root, "amara")
    _run("signoff", str(film.root), "amara-talk", "--by", "amara")
    text = film.film_yaml.read_text()
    film.film_yaml.write_text(text.replace("  - clip: amara-talk\n",
                                           "  - clip: amara-talk\n    in: 0.5\n"))
    assert [r.code for r in gate(Project.open(film.root), "web").blocked["amara-talk"]] == \
        ["stale-signoff"]


def test_withdrawal_blocks_and_is_named(film: Project) -> None:
    _consent(film.root, "ben")
    _run("signoff", str(film.root), "ben-talk", "--by", "ben")
    assert "ben-talk" in gate(film, "web").allowed
    code, out = _run("consent", "withdraw", str(film.root), "--contributor", "ben",
                     "--reason", "changed my mind")
    assert code == 0
    reasons = gate(film, "web").blocked["ben-talk"]
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
    _consent(film.root, "amara")
    _run("signoff", str(film.root), "amara-talk", "--by", "amara")
    code, _ = _run("request-changes", str(film.root), "amara-talk", "--by", "amara",
                   "--note", "cue 1 spells my name wrong")
    assert code == 0
    assert [r.code for r in gate(film, "web").blocked["amara-talk"]] == ["changes-requested"]


def test_bad_consent_input_is_a_clean_error(film: Project) -> None:
    code, out = _consent(film.root, "zoe")
    assert code == 1 and "no contributor 'zoe'" in out
    code, out = _consent(film.root, "amara", "--expires", "2099-01-01")
    assert code == 1 and "more than 5 years" in out
    code, out = _consent(film.root, "amara", "--capacity", "best-interests")
    assert code == 1 and "decision_maker" in out and "Traceback" not in out


def test_verify_names_a_tampered_line_and_repairs_a_torn_tail(film: Project) -> None:
    for who in ("amara", "ben", "amara"):
        _consent(film.root, who)
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
    _run("ingest", str(film.root), str(make_media("skyline.mp4", freq=200)))
    project = Project.open(film.root)
    assert [r.code for r in gate(project, "web").blocked["skyline"]] == ["no-contributors"]
    text = project.film_yaml.read_text()
    project.film_yaml.write_text(text.replace("    contributors: []\n",
                                              "    contributors: []\n    no_people: true\n"))
    assert "skyline" in gate(Project.open(film.root), "web").allowed


def test_withdrawing_for_a_clip_they_are_not_in_is_refused(film: Project) -> None:
    code, out = _run("consent", "withdraw", str(film.root), "--contributor", "amara",
                     "--clip", "ben-talk")
    assert code == 1 and "does not list contributor 'amara'" in out


def test_lines_cut_from_the_end_after_a_render_are_detected(film: Project) -> None:
    _consent(film.root, "amara")
    _consent(film.root, "ben")
    ledger = film.ledger_path
    lines = ledger.read_bytes().splitlines(keepends=True)
    head = json.loads(lines[-1])["hash"]
    manifest = film.build_dir / "web" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"output": "build/web/film.mp4", "created":
                                    "2026-11-27T10:00:00+00:00", "clips": [],
                                    "consent": {"ledger_head": head}}))
    assert _run("consent", "verify", str(film.root))[0] == 0
    # The chain of what is left is perfect; only the render's record shows the loss.
    ledger.write_bytes(b"".join(lines[:-1]))
    code, out = _run("consent", "verify", str(film.root))
    assert code == 1 and "ledger.jsonl:2:" in out and "build/web/film.mp4 relied on" in out
    code, out = _run("status", str(film.root))
    assert code == 1 and "relied on" in out


def test_status_survives_missing_footage_and_shows_unlisted_clips(
        film: Project, make_media: MakeMedia) -> None:
    _run("ingest", str(film.root), str(make_media("scenery.mp4", freq=250)))
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
