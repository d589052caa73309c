"""The hash-chained ledger: appending, every kind of tampering, crash repair, concurrent appends."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from consent import (
    GENESIS,
    ConsentError,
    ConsentGiven,
    Ledger,
    LedgerError,
    RecordError,
    SignOff,
    Withdrawal,
)
from consent.chain import canonical_json, event_hash

KEY = "b" * 64


def consent(contributor: str = "p1") -> ConsentGiven:
    return ConsentGiven.create(
        contributor, scopes=["appear", "voice"], channels=["web"], given=date(2024, 1, 10),
        method="written", obtained_by="staff-1",
    )


@pytest.fixture
def five(ledger: Ledger) -> Ledger:
    """A ledger of five events."""
    ledger.add(consent("p1"))
    ledger.add(consent("p2"))
    ledger.add(SignOff("c1", "p1", KEY))
    ledger.add(SignOff("c2", "p2", KEY))
    ledger.add(Withdrawal("p2", date(2024, 6, 1), ("c2",)))
    return ledger


def lines(ledger: Ledger) -> list[bytes]:
    return ledger.path.read_bytes().splitlines(keepends=True)


def write(ledger: Ledger, new_lines: list[bytes]) -> None:
    ledger.path.write_bytes(b"".join(new_lines))


def damage(ledger: Ledger) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        ledger.verify()
    with pytest.raises(LedgerError):
        ledger.events()  # every reader verifies
    return caught.value


def forge(fields: dict[str, Any]) -> bytes:
    """A line with a correct hash of its own, as a forger with the code would write it."""
    fields = dict(fields)
    fields["hash"] = event_hash(fields)
    return canonical_json(fields) + b"\n"


# --- normal use ----------------------------------------------------------------------------


def test_missing_and_empty_ledger_have_no_events(ledger: Ledger) -> None:
    assert ledger.events() == []
    ledger.verify()
    assert not ledger.path.exists()  # reading creates nothing
    ledger.path.parent.mkdir(parents=True)
    ledger.path.write_bytes(b"")
    assert ledger.events() == []


def test_append_chains_events(five: Ledger) -> None:
    events = five.events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.line for e in events] == [1, 2, 3, 4, 5]
    assert [e.type for e in events] == ["consent", "consent", "signoff", "signoff", "withdrawal"]
    assert events[0].prev == GENESIS
    raw = lines(five)
    for event, previous in zip(events[1:], raw, strict=False):
        assert event.prev == hashlib.sha256(previous.rstrip(b"\n")).hexdigest()
    for event, line in zip(events, raw, strict=True):
        stored = json.loads(line)
        assert stored["hash"] == event.hash == event_hash(stored)
        assert line == canonical_json(stored) + b"\n"
    assert events[0].record == consent("p1")


def test_append_returns_what_events_reads(ledger: Ledger) -> None:
    at = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    written = ledger.append("signoff", {"clip": "c1", "by": "p1", "content_key": KEY}, at=at)
    assert ledger.events() == [written]
    assert written.at == at and written.seq == 1 and written.line == 1
    assert json.loads(ledger.path.read_bytes())["at"] == "2024-05-01T09:30:00.000000Z"


def test_append_rejects_bad_records_and_writes_nothing(ledger: Ledger) -> None:
    with pytest.raises(RecordError, match="unknown event type 'approval'"):
        ledger.append("approval", {})
    with pytest.raises(RecordError, match="content_key"):
        ledger.append("signoff", {"clip": "c1", "by": "p1", "content_key": "nope"})
    with pytest.raises(ConsentError, match="time zone"):
        ledger.add(SignOff("c1", "p1", KEY), at=datetime(2024, 1, 1))
    assert ledger.events() == []


# --- tampering, each way, names the first bad line -----------------------------------------


def test_edited_field_is_detected(five: Ledger) -> None:
    raw = lines(five)
    raw[2] = raw[2].replace(b'"by":"p1"', b'"by":"p9"')
    write(five, raw)
    err = damage(five)
    assert (err.line, err.code) == (3, "edited")
    assert str(err).startswith(f"{five.path}:3: event 3 was edited")
    assert not err.repairable and err.hint is None


def test_edited_and_rehashed_line_is_detected_at_that_line(five: Ledger) -> None:
    raw = lines(five)
    fields = json.loads(raw[1])
    fields["data"]["channels"] = ["web", "broadcast"]
    raw[1] = forge(fields)
    write(five, raw)
    err = damage(five)
    assert (err.line, err.code) == (2, "edited")


def test_reformatted_line_is_detected(five: Ledger) -> None:
    raw = lines(five)
    raw[3] = json.dumps(json.loads(raw[3]), indent=None).encode() + b"\n"  # spaces after ':'
    write(five, raw)
    assert (damage(five).line, damage(five).code) == (4, "edited")


def test_deleted_line_is_detected(five: Ledger) -> None:
    raw = lines(five)
    del raw[2]
    write(five, raw)
    err = damage(five)
    assert (err.line, err.code) == (3, "deleted")
    assert "event 3 is missing" in err.reason


def test_deleted_first_line_is_detected(five: Ledger) -> None:
    write(five, lines(five)[1:])
    assert (damage(five).line, damage(five).code) == (1, "deleted")


def test_swapped_lines_are_detected(five: Ledger) -> None:
    raw = lines(five)
    raw[1], raw[2] = raw[2], raw[1]
    write(five, raw)
    err = damage(five)
    assert (err.line, err.code) == (2, "reordered")


def test_moved_line_is_detected(five: Ledger) -> None:
    raw = lines(five)
    raw.append(raw.pop(1))
    write(five, raw)
    assert (damage(five).line, damage(five).code) == (2, "reordered")


def test_inserted_forged_line_with_its_own_correct_hash_is_detected(five: Ledger) -> None:
    raw = lines(five)
    # The forger chains the line perfectly onto line 2; only line 4's link gives it away.
    forged = forge({
        "seq": 3, "type": "signoff", "at": "2024-05-01T00:00:00.000000Z",
        "data": SignOff("c9", "p2", KEY).to_dict(),
        "prev": hashlib.sha256(raw[1].rstrip(b"\n")).hexdigest(),
    })
    raw.insert(2, forged)
    write(five, raw)
    err = damage(five)
    assert (err.line, err.code) == (3, "inserted")
    assert "line 3 was inserted" in err.reason


def test_inserted_forged_line_with_a_made_up_link_is_detected(five: Ledger) -> None:
    raw = lines(five)
    forged = forge({
        "seq": 3, "type": "signoff", "at": "2024-05-01T00:00:00.000000Z",
        "data": SignOff("c9", "p2", KEY).to_dict(), "prev": "f" * 64,
    })
    raw.insert(2, forged)
    write(five, raw)
    assert damage(five).line == 3


def test_copied_line_is_detected(five: Ledger) -> None:
    raw = lines(five)
    raw.insert(3, raw[2])
    write(five, raw)
    assert (damage(five).line, damage(five).code) == (4, "duplicate")


def test_line_that_is_not_json_is_detected(five: Ledger) -> None:
    raw = lines(five)
    raw[1] = b"hello\n"
    write(five, raw)
    err = damage(five)
    assert (err.line, err.code) == (2, "invalid") and not err.repairable


def test_truncated_last_line_is_detected_with_the_way_to_recover(five: Ledger) -> None:
    raw = lines(five)
    raw[4] = raw[4][: len(raw[4]) // 2]  # a crash half-way through the append
    write(five, raw)
    err = damage(five)
    assert (err.line, err.code) == (5, "truncated") and err.repairable
    assert "coprod consent verify PROJECT --repair" in str(err)
    assert "every earlier event is kept" in str(err)


def test_appending_to_a_truncated_ledger_is_refused(five: Ledger) -> None:
    raw = lines(five)
    raw[4] = raw[4][:40]
    write(five, raw)
    before = five.path.read_bytes()
    with pytest.raises(LedgerError) as caught:
        five.add(Withdrawal("p1", date(2024, 7, 1)))
    assert caught.value.code == "truncated"
    assert five.path.read_bytes() == before


# --- repair --------------------------------------------------------------------------------


def test_repair_moves_the_broken_tail_and_keeps_every_earlier_event(five: Ledger) -> None:
    good = five.events()[:4]
    raw = lines(five)
    broken_tail = raw[4][:50]
    write(five, raw[:4] + [broken_tail])
    moved = five.repair_truncated_tail()
    assert moved.parent == five.path.parent
    assert moved.name.startswith("ledger.jsonl.broken-")
    assert moved.read_bytes() == broken_tail
    assert five.events() == good
    # The chain carries on from the last good event.
    assert five.add(Withdrawal("p1", date(2024, 7, 1))).seq == 5
    five.verify()


def test_repair_of_a_last_line_that_is_not_json(five: Ledger) -> None:
    raw = lines(five)
    raw[4] = b'{"seq":5,"ty\x00\x00\n'
    write(five, raw)
    assert damage(five).code == "truncated"
    five.repair_truncated_tail()
    assert len(five.events()) == 4


def test_repair_refuses_damage_elsewhere(five: Ledger) -> None:
    raw = lines(five)
    raw[1] = raw[1].replace(b'"p2"', b'"p7"')
    raw[4] = raw[4][:30]
    write(five, raw)
    before = five.path.read_bytes()
    with pytest.raises(LedgerError) as caught:
        five.repair_truncated_tail()
    assert caught.value.line == 2 and "not repaired" in str(caught.value)
    assert five.path.read_bytes() == before
    assert list(five.path.parent.glob("*.broken-*")) == []


def test_repair_refuses_a_sound_ledger(five: Ledger) -> None:
    with pytest.raises(ConsentError, match="nothing to repair"):
        five.repair_truncated_tail()


def test_verify_with_repair_sets_aside_a_torn_tail_and_says_where(five: Ledger) -> None:
    raw = lines(five)
    write(five, raw[:4] + [raw[4][:50]])
    with pytest.raises(LedgerError):
        five.verify()  # without repair it only reports
    moved = five.verify(repair=True)
    assert moved is not None and moved.read_bytes() == raw[4][:50]
    assert len(five.events()) == 4
    assert five.verify(repair=True) is None  # sound now: nothing to do, nothing said


def test_verify_with_repair_leaves_other_damage_alone(five: Ledger) -> None:
    raw = lines(five)
    raw[1] = raw[1].replace(b'"p2"', b'"p7"')
    write(five, raw)
    before = five.path.read_bytes()
    with pytest.raises(LedgerError) as caught:
        five.verify(repair=True)
    assert caught.value.line == 2 and not caught.value.repairable
    assert five.path.read_bytes() == before
    assert list(five.path.parent.glob("*.broken-*")) == []


# --- two processes at once -----------------------------------------------------------------


def _append_many(path: str, who: str, count: int, start: Any) -> None:
    ledger = Ledger(path)
    start.wait()
    for i in range(count):
        ledger.add(SignOff(f"clip-{i}", who, KEY))


def test_two_processes_appending_at_once_leave_one_valid_chain(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ctx = multiprocessing.get_context("spawn")  # separate interpreters, nothing shared
    start = ctx.Event()
    workers = [
        ctx.Process(target=_append_many, args=(str(path), who, 100, start))
        for who in ("p1", "p2")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    events = Ledger(path).events()  # verifies the whole chain
    assert [e.seq for e in events] == list(range(1, 201))
    for who in ("p1", "p2"):
        mine = [e.record for e in events if isinstance(e.record, SignOff) and e.record.by == who]
        assert [r.clip for r in mine] == [f"clip-{i}" for i in range(100)]


def test_chain_names_stay_importable_from_ledger() -> None:
    from consent import chain, ledger

    assert ledger.Event is chain.Event and ledger.GENESIS == chain.GENESIS
    assert ledger.REPAIR_HINT == chain.REPAIR_HINT
    assert ledger.canonical_json is chain.canonical_json and ledger.event_hash is chain.event_hash
