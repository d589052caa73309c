"""A copy, a move or a rename of a project is the same film to the witness (issue 21, item 1).

The reproduction: `consent withdraw`, `cp -a film film_copy`, cut the ledger's last line in the
copy, and `coprod render film_copy` said "first use ... chain intact" and published the withdrawn
clip: the witness was looked up by the ledger's path. Moving the project and leaving an empty
ledger at the old path did the same. Now the witness knows the film by the id `coprod new`
writes into film.yaml and the ledger's first event (or, for a film made before ids, by the
ledger's first event), and every witness of that film counts, wherever its ledger lives.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.project import Project
from tests.adversarial.conftest import one_line_error
from tests.adversarial.test_witness import consent, cut_last
from tests.adversarial.test_witness import film as film  # noqa: F401  (the fixture)
from tests.conftest import MakeMedia, run_cli


def refused(root: Path) -> str:
    """The one-line refusal of verify, status and render of the project at ``root``."""
    code, out = run_cli("consent", "verify", str(root))
    assert code == 1, out
    line = one_line_error(out)
    for args in (("status", str(root)), ("render", str(root))):
        code, out = run_cli(*args)
        assert code == 1 and one_line_error(out) == line, (args, out)
    return line


@pytest.mark.slow
def test_a_new_film_has_an_id_in_film_yaml_and_its_first_event(film: Project) -> None:
    assert film.film.id is not None and re.fullmatch(r"[0-9a-f]{32}", film.film.id)
    first = json.loads(film.ledger_path.read_bytes().splitlines()[0])
    assert first["film"] == film.film.id and first["seq"] == 1
    assert all("film" not in json.loads(line)
               for line in film.ledger_path.read_bytes().splitlines()[1:])


def test_a_copy_with_a_cut_ledger_is_refused(film: Project, tmp_path: Path) -> None:
    assert run_cli("consent", "withdraw", str(film.root), "--contributor", "ben")[0] == 0
    copy = tmp_path / "film_copy"
    shutil.copytree(film.root, copy, symlinks=True)
    cut_last(Project.open(copy))
    line = refused(copy)
    assert "film_copy/consent/ledger.jsonl:3: the ledger has 2 events but the witness of this " \
           f"film at {film.ledger_path.resolve()}" in line
    assert "event 3 was cut from the end" in line and "a copy of a film shares" in line
    # A withdrawal recorded in the copy binds the original in turn.
    assert run_cli("consent", "verify", str(film.root))[0] == 0


@pytest.mark.slow
def test_a_withdrawal_in_a_copy_binds_the_original(film: Project, tmp_path: Path) -> None:
    copy = tmp_path / "film_copy"
    shutil.copytree(film.root, copy, symlinks=True)
    assert run_cli("consent", "withdraw", str(copy), "--contributor", "ben")[0] == 0
    assert "has 2 events but the witness of this film at" in refused(film.root)


@pytest.mark.slow
def test_a_move_leaving_an_empty_ledger_behind_is_refused(film: Project, tmp_path: Path) -> None:
    root = film.root
    assert run_cli("consent", "withdraw", str(root), "--contributor", "ben")[0] == 0
    moved = tmp_path / "moved"
    shutil.move(root, moved)
    (root / "consent").mkdir(parents=True)
    (root / "consent" / "ledger.jsonl").write_bytes(b"")  # the old path still "exists"
    cut_last(Project.open(moved))
    assert "has 2 events but the witness of this film at" in refused(moved)


@pytest.mark.slow
def test_a_copy_with_its_ledger_deleted_or_replaced_is_refused(
        film: Project, tmp_path: Path) -> None:
    copy = tmp_path / "film_copy"
    shutil.copytree(film.root, copy, symlinks=True)
    (copy / "consent" / "ledger.jsonl").unlink()
    assert "missing or empty, but the witness of this film at" in refused(copy)
    # A fresh ledger in the copy (consent recorded again) is another first event.
    code, out = consent(copy, "amara")
    assert code == 1 and "missing or empty" in one_line_error(out)
    shutil.rmtree(copy)
    shutil.copytree(film.root, copy, symlinks=True)
    (copy / "consent" / "ledger.jsonl").unlink()
    from consent import Ledger
    from consent.records import Withdrawal

    assert film.film.id is not None
    Ledger(copy / "consent" / "ledger.jsonl", film=film.film.id).add(
        Withdrawal("zoe", __import__("datetime").date(2026, 1, 1)))
    assert "first event is not the one the witness of this film" in refused(copy)


@pytest.mark.slow
def test_a_copy_with_another_id_in_film_yaml_is_refused(film: Project, tmp_path: Path) -> None:
    copy = tmp_path / "film_copy"
    shutil.copytree(film.root, copy, symlinks=True)
    yaml = copy / "film.yaml"
    assert film.film.id is not None
    yaml.write_text(yaml.read_text().replace(film.film.id, "0" * 32))
    cut_last(Project.open(copy))
    line = refused(copy)
    assert f"the ledger's first event belongs to film {film.film.id}, but film.yaml's id is " \
           f"{'0' * 32}" in line
    # Taking the id out of film.yaml does not help: the ledger's first event still names it.
    yaml.write_text("\n".join(t for t in yaml.read_text().splitlines()
                              if not t.startswith("id:")) + "\n")
    assert "the witness of this film at" in refused(copy)


def test_a_film_made_before_ids_is_known_by_its_first_event(
        tmp_path: Path, make_media: MakeMedia) -> None:
    root = tmp_path / "old-film"
    assert run_cli("new", str(root), "--title", "Old")[0] == 0
    yaml = root / "film.yaml"
    yaml.write_text("\n".join(t for t in yaml.read_text().splitlines()
                              if not t.startswith("id:")) + "\n")
    clip = make_media("old-ben.mp4", seconds=1.2, size="160x120", freq=550)
    assert run_cli("ingest", str(root), str(clip), "--contributor", "ben", "--id",
                   "ben-talk")[0] == 0
    assert consent(root, "ben")[0] == 0
    assert run_cli("consent", "withdraw", str(root), "--contributor", "ben")[0] == 0
    assert "film" not in json.loads((root / "consent" / "ledger.jsonl").read_bytes()
                                    .splitlines()[0])
    copy = tmp_path / "old-copy"
    shutil.copytree(root, copy, symlinks=True)
    cut_last(Project.open(copy))
    assert "has 1 events but the witness of this film at" in refused(copy)
