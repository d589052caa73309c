"""Deleting the last ledger lines is caught by the witness, with or without manifests (issue 9,
item 5); receipts let a contributor check the ledger from outside.

The reproduction: cutting the last lines of consent/ledger.jsonl (ben's withdrawal, say) left a
perfect chain, noticed only once a render had recorded the head in its manifest; deleting
build/*/manifest.json removed even that. Now every append records the head in a witness file
outside the project (here the per-test COPROD_WITNESS_DIR), and every command refuses a ledger
shorter than it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.project import Project
from tests.adversarial.conftest import FailWrites, one_line_error
from tests.conftest import MakeMedia, run_cli


@pytest.fixture
def witness_folder() -> Path:
    """The witness folder this test's coprod commands use."""
    return Path(os.environ["COPROD_WITNESS_DIR"])


@pytest.fixture
def film(tmp_path: Path, make_media: MakeMedia) -> Project:
    root = tmp_path / "film"
    assert run_cli("new", str(root), "--title", "Film")[0] == 0
    for who, freq in (("amara", 330), ("ben", 550)):
        clip = make_media(f"witness-{who}.mp4", seconds=1.2, size="160x120", freq=freq)
        assert run_cli("ingest", str(root), str(clip), "--contributor", who, "--id",
                       f"{who}-talk")[0] == 0
    for who in ("amara", "ben"):
        assert consent(root, who)[0] == 0
    return Project.open(root)


def consent(root: Path, who: str) -> tuple[int, str]:
    return run_cli("consent", "record", str(root), "--contributor", who, "--scope", "appear",
                   "--scope", "voice", "--channel", "web", "--method", "written",
                   "--obtained-by", "J. Producer")


def cut_last(project: Project, n: int = 1) -> bytes:
    lines = project.ledger_path.read_bytes().splitlines(keepends=True)
    project.ledger_path.write_bytes(b"".join(lines[:-n]))
    return b"".join(lines[-n:])


def refused_everywhere(project: Project) -> str:
    """The same one-line refusal from verify, status, render and a new consent."""
    root = str(project.root)
    code, out = run_cli("consent", "verify", root)
    assert code == 1
    line = one_line_error(out)
    for args in (("status", root), ("render", root), ("consent", "show", root)):
        code, out = run_cli(*args)
        assert code == 1 and one_line_error(out) == line, args
    code, out = consent(project.root, "amara")
    assert code == 1 and "witness" in one_line_error(out)
    return line


def test_a_withdrawal_cut_from_the_end_is_caught_without_any_manifest(film: Project) -> None:
    root = str(film.root)
    assert run_cli("consent", "withdraw", root, "--contributor", "ben")[0] == 0
    assert not list(film.build_dir.glob("*/manifest.json"))
    cut_last(film)
    line = refused_everywhere(film)
    assert "ledger.jsonl:3: the ledger has 2 events but its witness" in line
    assert "recorded 3" in line and "event 3 was cut from the end" in line
    assert "restore consent/ledger.jsonl from a backup" in line


def test_a_withdrawal_is_still_recorded_on_a_cut_ledger_and_the_evidence_kept(
        film: Project) -> None:
    root = str(film.root)
    cut_last(film)
    code, out = run_cli("consent", "withdraw", root, "--contributor", "ben")
    assert code == 0 and "consent withdrawn for ben (event 2)" in out
    assert "warning: the withdrawal is recorded, but the ledger needs attention" in out
    assert b'"type":"withdrawal"' in film.ledger_path.read_bytes().splitlines()[-1]
    assert "event 2 is not the one its witness" in refused_everywhere(film)


@pytest.mark.slow
def test_a_withdrawal_is_still_recorded_after_damage_mid_ledger(film: Project) -> None:
    lines = film.ledger_path.read_bytes().splitlines(keepends=True)
    film.ledger_path.write_bytes(lines[0].replace(b'"appear"', b'"voice"', 1) + lines[1])
    code, out = run_cli("consent", "withdraw", str(film.root), "--contributor", "ben")
    assert code == 0 and "ledger.jsonl:1:" in out  # recorded, and the damage is named
    assert b'"type":"withdrawal"' in film.ledger_path.read_bytes().splitlines()[-1]


@pytest.mark.slow
def test_deleting_the_manifests_too_changes_nothing(film: Project) -> None:
    manifest = film.build_dir / "web" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    head = json.loads(film.ledger_path.read_bytes().splitlines()[-1])["hash"]
    manifest.write_text(json.dumps({"output": "build/web/film.mp4",
                                    "created": "2026-06-01T10:00:00+00:00", "clips": [],
                                    "consent": {"ledger_head": head}}))
    cut_last(film)
    assert "has 1 events but its witness" in refused_everywhere(film)
    manifest.unlink()
    assert "has 1 events but its witness" in refused_everywhere(film)


@pytest.mark.slow
def test_a_deleted_ledger_and_a_rewritten_tail_are_caught(film: Project) -> None:
    good = film.ledger_path.read_bytes()
    film.ledger_path.unlink()
    assert "missing or empty, but its witness" in refused_everywhere(film)
    # Cut the last event and append another in its place: a sound chain, but not the witnessed.
    film.ledger_path.write_bytes(good)
    cut_last(film)
    from consent import Ledger  # a forger using the library directly, without the witness
    from consent.records import Withdrawal

    Ledger(film.ledger_path).add(Withdrawal("amara", __import__("datetime").date(2026, 1, 1)))
    assert "event 2 is not the one its witness" in refused_everywhere(film)
    film.ledger_path.write_bytes(good)  # restored from the backup: all is well again
    assert run_cli("consent", "verify", str(film.root))[0] == 0


@pytest.mark.slow
def test_a_new_film_in_the_same_folder_sets_the_old_witness_aside(
        film: Project, witness_folder: Path) -> None:
    root = str(film.root)
    # `make clean-demo` and `make demo`: every file of the film goes, then `coprod new` again.
    film.ledger_path.unlink()
    code, out = run_cli("new", root, "--title", "Film")  # film.yaml is still there
    assert code == 1 and "already exists" in out
    assert "missing or empty, but its witness" in one_line_error(run_cli("status", root)[1])
    film.film_yaml.unlink()
    assert run_cli("new", root, "--title", "Film again")[0] == 0
    project = Project.open(root)
    project.add_contributor("amara")
    project.save()
    assert consent(project.root, "amara")[0] == 0
    assert run_cli("consent", "verify", root)[0] == 0
    (retired,) = witness_folder.glob("*.json.retired-*")
    assert json.loads(retired.read_text())["count"] == 2  # the old witness is kept


@pytest.mark.slow
def test_verify_reports_the_witness(film: Project, witness_folder: Path) -> None:
    code, out = run_cli("consent", "verify", str(film.root))
    ledger_line, witness_line = out.splitlines()
    assert code == 0 and ledger_line.endswith("ledger.jsonl: 2 events, chain intact")
    assert witness_line.startswith(f"witness {witness_folder}") and "agrees (2 events)" in out
    for file in witness_folder.glob("*.json"):
        file.unlink()  # lost (or this is another machine): first use again
    code, out = run_cli("consent", "verify", str(film.root))
    assert code == 0 and "first use, recorded the ledger's 2 events now" in out


@pytest.mark.slow
def test_a_moved_project_keeps_its_witness(film: Project, tmp_path: Path) -> None:
    moved = tmp_path / "moved-film"
    shutil.move(film.root, moved)
    code, out = run_cli("consent", "verify", str(moved))
    assert code == 0 and "carried over from" in out
    project = Project.open(moved)
    cut_last(project)
    assert "has 1 events but its witness" in refused_everywhere(project)


@pytest.mark.slow
def test_a_witness_folder_inside_the_project_is_refused(
        film: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPROD_WITNESS_DIR", str(film.root / "witness"))
    code, out = run_cli("consent", "verify", str(film.root))
    assert code == 1 and "is inside the project" in one_line_error(out)


@pytest.mark.slow
def test_a_witness_that_cannot_be_written_is_one_line_and_loses_nothing(
        film: Project, witness_folder: Path, fail_writes: FailWrites) -> None:
    fail_writes(witness_folder)
    code, out = run_cli("consent", "withdraw", str(film.root), "--contributor", "ben")
    line = one_line_error(out)
    assert code == 1 and "event 3 is recorded in" in line and "disk full" in line
    assert b'"type":"withdrawal"' in film.ledger_path.read_bytes().splitlines()[-1]


@pytest.mark.slow
def test_receipt_round_trip_and_forgeries(film: Project, witness_folder: Path) -> None:
    root = str(film.root)
    assert run_cli("consent", "withdraw", root, "--contributor", "ben")[0] == 0
    code, out = run_cli("consent", "receipt", root, "--contributor", "ben")
    assert code == 0
    heading, token, how = out.splitlines()
    assert heading.startswith("receipt for ben: event 3 (withdrawal, recorded ")
    assert token.startswith("coprod-r1:") and how.endswith(token)
    code, out = run_cli("consent", "verify", root, "--receipt", token)
    assert code == 0 and "receipt holds: event 3 (withdrawal) is in the ledger, unchanged" in out
    # The whole printed receipt, pasted, works too.
    assert run_cli("consent", "verify", root, "--receipt", heading + "\n" + token)[0] == 0

    prefix, ledger_id, seq, digest = token.split(":")
    forged = {
        "garbage": ("not a receipt", "not a coprod receipt"),
        "another hash": (f"{prefix}:{ledger_id}:{seq}:{'0' * 32}", "is not the one receipted"),
        "another ledger": (f"{prefix}:{'0' * 16}:{seq}:{digest}", "the receipt is for ledger"),
        "past the end": (f"{prefix}:{ledger_id}:9:{digest}", "the ledger has 3 events"),
    }
    for text, words in forged.values():
        code, out = run_cli("consent", "verify", root, "--receipt", text)
        assert code == 1 and words in one_line_error(out), text

    # Ledger and witness both cut back (someone with write access to both): only the receipt,
    # kept off the machine, still speaks.
    cut_last(film)
    for file in witness_folder.glob("*.json"):
        file.unlink()
    assert run_cli("consent", "verify", root)[0] == 0
    code, out = run_cli("consent", "verify", root, "--receipt", token)
    assert code == 1 and "the ledger has 2 events, but the receipt names event 3" in out

    code, out = run_cli("consent", "receipt", root, "--contributor", "zoe")
    assert code == 1 and "no event for contributor 'zoe'" in one_line_error(out)
