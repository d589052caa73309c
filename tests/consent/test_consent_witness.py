"""The ledger's witness: heads recorded outside the project, and every way a ledger can disagree."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest

from consent import (
    ConsentGiven,
    Ledger,
    LedgerFileError,
    SignOff,
    Withdrawal,
    Witness,
    WitnessError,
    WitnessState,
    default_witness_dir,
)
from consent import witness as witness_module
from consent.witness import ledger_location

KEY = "b" * 64


def consent(who: str = "p1") -> ConsentGiven:
    return ConsentGiven.create(who, scopes=["appear"], channels=["web"], given=date(2024, 1, 10),
                               method="written", obtained_by="staff-1")


@pytest.fixture
def witness(tmp_path: Path) -> Witness:
    return Witness(tmp_path / "witness")


@pytest.fixture
def book(tmp_path: Path, witness: Witness) -> Ledger:
    ledger = Ledger(tmp_path / "film" / "consent" / "ledger.jsonl", witness=witness)
    for who in ("p1", "p2", "p3"):
        ledger.add(consent(who))
    return ledger


def head_file(book: Ledger) -> dict[str, object]:
    assert book.witness is not None
    data: dict[str, object] = json.loads(book.witness.file_for(book.path).read_text())
    return data


def cut(book: Ledger, keep: int) -> None:
    lines = book.path.read_bytes().splitlines(keepends=True)
    book.path.write_bytes(b"".join(lines[:keep]))


def test_every_append_records_the_head_outside_the_project(book: Ledger) -> None:
    found = book.events()
    assert head_file(book) == {
        "version": 1, "ledger": ledger_location(book.path), "genesis": found[0].hash,
        "count": 3, "head": found[-1].hash, "updated": head_file(book)["updated"]}
    assert book.check()[1].state == WitnessState.MATCHES  # type: ignore[union-attr]


def test_witness_files_are_private(book: Ledger) -> None:
    assert book.witness is not None
    assert stat.S_IMODE(book.witness.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(book.witness.file_for(book.path).stat().st_mode) == 0o600
    assert stat.S_IMODE(book.path.stat().st_mode) == 0o600


def test_events_cut_from_the_end_are_refused_naming_both_counts(book: Ledger) -> None:
    cut(book, 2)
    with pytest.raises(WitnessError) as caught:
        book.events()
    err = caught.value
    assert (err.code, err.line, err.witnessed, err.found) == ("deleted", 3, 3, 2)
    assert "the ledger has 2 events but its witness" in str(err) and "recorded 3" in str(err)
    assert "restore consent/ledger.jsonl from a backup" in str(err)
    with pytest.raises(WitnessError):
        book.verify(repair=True)  # nothing to repair: the damage is not a torn line


def test_a_deleted_or_emptied_ledger_is_refused(book: Ledger) -> None:
    book.path.write_bytes(b"")
    with pytest.raises(WitnessError, match="missing or empty, but its witness"):
        book.events()
    book.path.unlink()
    with pytest.raises(WitnessError, match="recorded 3 events"):
        book.events()


def test_a_rewritten_tail_or_a_new_chain_is_refused(book: Ledger, tmp_path: Path) -> None:
    cut(book, 2)
    Ledger(book.path).add(consent("p9"))  # a forger with the library, but not the witness
    with pytest.raises(WitnessError) as caught:
        book.events()
    assert caught.value.code == "diverged" and "event 3 is not the one" in str(caught.value)
    book.path.unlink()
    Ledger(book.path).add(consent("p1"))
    with pytest.raises(WitnessError, match="first event is not the one"):
        book.events()


def test_appends_to_a_disagreeing_ledger_are_refused_but_a_withdrawal_is_kept(
        book: Ledger) -> None:
    cut(book, 2)
    before = head_file(book)
    with pytest.raises(WitnessError):
        book.add(SignOff("c1", "p1", KEY))
    assert len(book.path.read_bytes().splitlines()) == 2
    book.add(Withdrawal("p2", date(2024, 6, 1)))  # recorded, chained after the damage
    assert len(book.path.read_bytes().splitlines()) == 3
    assert head_file(book) == before  # the evidence stays
    with pytest.raises(WitnessError):
        book.events()


def test_first_use_and_a_ledger_longer_than_its_witness(tmp_path: Path, witness: Witness) -> None:
    path = tmp_path / "film" / "consent" / "ledger.jsonl"
    plain = Ledger(path)  # no witness: as a crash between the append and the witness write
    plain.add(consent("p1"))
    book = Ledger(path, witness=witness)
    assert book.check()[1].state == WitnessState.FIRST_USE  # type: ignore[union-attr]
    assert head_file(book)["count"] == 1
    plain.add(consent("p2"))
    checked = book.check()[1]
    assert checked is not None and checked.state == WitnessState.BEHIND
    assert checked.witnessed is not None and checked.witnessed.count == 1
    assert head_file(book)["count"] == 2 and book.check()[1].state == WitnessState.MATCHES  # type: ignore[union-attr]


def test_an_empty_ledger_with_no_witness_has_nothing_to_compare(tmp_path: Path,
                                                               witness: Witness) -> None:
    book = Ledger(tmp_path / "ledger.jsonl", witness=witness)
    assert book.check() == ([], book.check()[1])
    assert book.check()[1].state == WitnessState.EMPTY  # type: ignore[union-attr]
    assert not witness.folder.exists() or not list(witness.folder.glob("*.json"))


def test_a_moved_project_keeps_its_witness_and_a_copy_shares_it(
        book: Ledger, tmp_path: Path, witness: Witness) -> None:
    moved = tmp_path / "moved"
    shutil.move(tmp_path / "film", moved)
    there = Ledger(moved / "consent" / "ledger.jsonl", witness=witness)
    cut(there, 1)
    with pytest.raises(WitnessError, match="the witness of this film at .*/film/"):
        there.events()
    shutil.rmtree(moved)
    # A copy (both folders still exist) is the same film: it cannot go its own way (issue 21:
    # a withdrawal recorded in one copy binds the other).
    fresh = Ledger(tmp_path / "a" / "ledger.jsonl", witness=witness)
    fresh.add(consent("p1"))
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    copy = Ledger(tmp_path / "b" / "ledger.jsonl", witness=witness)
    copy.add(consent("p2"))
    with pytest.raises(WitnessError, match="has 1 events but the witness of this film at"):
        fresh.events()
    with pytest.raises(WitnessError, match="has 1 events but the witness of this film at"):
        fresh.add(consent("p3"))
    assert len(copy.events()) == 2


def test_a_witness_never_moves_backwards(book: Ledger) -> None:
    assert book.witness is not None
    found = book.events()
    book.witness.advance(book.path, found[0].hash, 1, found[0].hash)
    assert head_file(book)["count"] == 3


def test_a_damaged_or_symlinked_witness_is_refused(book: Ledger, tmp_path: Path) -> None:
    assert book.witness is not None
    file = book.witness.file_for(book.path)
    file.write_text("{not json")
    with pytest.raises(LedgerFileError, match="witness is damaged"):
        book.events()
    forged = tmp_path / "forged.json"
    forged.write_text("{}")
    file.unlink()
    file.symlink_to(forged)
    with pytest.raises(LedgerFileError, match="symbolic link"):
        book.events()


def test_where_the_witness_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_witness_dir({"COPROD_WITNESS_DIR": str(tmp_path)}) == tmp_path
    assert default_witness_dir({"XDG_DATA_HOME": "/data", "HOME": "/h"}) == \
        Path("/data/coprod/witness")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_witness_dir({"XDG_DATA_HOME": "relative"}) == \
        tmp_path / ".local" / "share" / "coprod" / "witness"


def test_a_witness_that_cannot_be_written_stops_the_append_not_the_read(
        book: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, _data: bytes, _doing: str) -> None:
        raise LedgerFileError(path, "cannot record the ledger's head in its witness: the disk "
                              "is full; free some space and run the command again")

    with monkeypatch.context() as patch:
        patch.setattr(witness_module, "atomic_write", full)
        with pytest.raises(LedgerFileError) as caught:
            book.add(consent("p4"))
        assert "event 4 is recorded in" in str(caught.value) and "disk is full" in str(caught.value)
        assert "the next coprod command that reads the ledger" in str(caught.value)
        assert len(book.events()) == 4  # reading goes on; the witness is behind
    assert head_file(book)["count"] == 3
    book.events()  # the disk has room again: the read brings the witness forward
    assert head_file(book)["count"] == 4


def test_an_unreadable_witness_folder_refuses_reads(book: Ledger, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the witness folder should be")
    with pytest.raises(LedgerFileError, match="part of this path is a file"):
        Ledger(book.path, witness=Witness(blocked)).events()
