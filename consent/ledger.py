"""The consent ledger: one append-only, hash-chained JSON Lines file per film.

Every consent, withdrawal, sign-off and change request is one line::

    {"at": "...Z", "data": {...}, "hash": "...", "prev": "...", "seq": 7, "type": "consent"}

``seq`` counts from 1; ``prev`` is the sha256 of the previous line's exact bytes (without its
newline; 64 zeros on the first line); ``hash`` is the sha256 of the event's canonical JSON without
``hash``. Lines are written in that canonical form (sorted keys, no spaces, UTF-8), so any edit,
deletion, insertion or reordering breaks either a line's own hash or the link from the next line.

Appends hold an exclusive ``flock`` on a sibling ``.lock`` file (not the ledger itself, whose inode
a repair replaces), read the tail under the lock, write one line and fsync, so several coprod
processes can append at once. Readers hold a shared lock so they never see a half-written line.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from consent.exceptions import ConsentError, LedgerError, RecordError
from consent.records import EVENT_TYPES, Record, event_type, is_sha256_hex, record_from_dict

GENESIS = "0" * 64
"""The ``prev`` of the first event."""

REPAIR_HINT = (
    "run `coprod consent verify PROJECT --repair` to move the incomplete line into a "
    ".broken-<time> file beside the ledger; every earlier event is kept"
)

_FIELDS = frozenset({"seq", "type", "at", "data", "prev", "hash"})


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """The one byte form of an event that hashes and lines are made of."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_hash(fields: Mapping[str, Any]) -> str:
    """sha256 of an event's canonical JSON without its ``hash`` field."""
    body = {key: value for key, value in fields.items() if key != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def format_time(at: datetime) -> str:
    """An event time as stored: UTC, microseconds, ``Z`` suffix.

    Raises:
        ConsentError: ``at`` has no time zone (it would be ambiguous).
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ConsentError("a ledger event time must carry a time zone (use UTC)")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Event:
    """One verified ledger event.

    Attributes:
        seq: position in the chain, from 1.
        type: ``consent``, ``withdrawal``, ``signoff`` or ``change-request``.
        at: when it was recorded (UTC).
        data: the stored record dict.
        prev: sha256 of the previous line.
        hash: this event's hash; render manifests cite events by it.
        line: the 1-based line of the ledger file it is on.
        record: ``data`` as a record dataclass.
    """

    seq: int
    type: str
    at: datetime
    data: dict[str, Any]
    prev: str
    hash: str
    line: int
    record: Record


@dataclass(frozen=True)
class _Line:
    number: int
    start: int
    raw: bytes
    complete: bool


def _split(raw: bytes) -> list[_Line]:
    """Lines with their byte offsets; the last one is incomplete when the file lacks a newline."""
    lines: list[_Line] = []
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        if end == -1:
            lines.append(_Line(len(lines) + 1, pos, raw[pos:], complete=False))
            break
        lines.append(_Line(len(lines) + 1, pos, raw[pos:end], complete=True))
        pos = end + 1
    return lines


def _parse_time(value: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _shape_problem(fields: object) -> str | None:
    """What makes a parsed line not an event, or None when its shape is right."""
    if not isinstance(fields, dict):
        return "not a ledger event (not a JSON object)"
    if set(fields) != _FIELDS:
        missing = sorted(_FIELDS - set(fields))
        extra = sorted(set(fields) - _FIELDS)
        return f"not a ledger event (missing {missing}, unexpected {extra})"
    seq = fields["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return "seq is not a positive whole number"
    if fields["type"] not in EVENT_TYPES:
        return f"unknown event type {fields['type']!r}"
    if not isinstance(fields["at"], str) or _parse_time(fields["at"]) is None:
        return "at is not a date and time with a time zone"
    if not isinstance(fields["data"], dict):
        return "data is not an object"
    if not is_sha256_hex(fields["prev"]) or not is_sha256_hex(fields["hash"]):
        return "prev or hash is not a sha256 hex digest"
    return None


def _prev_of(line: _Line) -> str | None:
    """The ``prev`` a line claims, if it is readable at all."""
    try:
        fields = json.loads(line.raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    prev = fields.get("prev") if isinstance(fields, dict) else None
    return prev if isinstance(prev, str) else None


def _check(path: Path, raw: bytes) -> list[Event]:
    """Verify every line in order and return the events; raise LedgerError at the first bad line."""
    lines = _split(raw)
    digests = [hashlib.sha256(line.raw).hexdigest() for line in lines]
    events: list[Event] = []
    expected_prev = GENESIS
    for idx, line in enumerate(lines):
        n = line.number
        is_last = idx == len(lines) - 1
        if not line.complete:
            raise LedgerError(
                path, n, "the file ends part-way through this line (a crash while appending?)",
                code="truncated", hint=REPAIR_HINT,
            )
        try:
            fields: Any = json.loads(line.raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if is_last:
                # Damage confined to the final line is what a crash mid-append leaves.
                raise LedgerError(
                    path, n, "the last line is not a complete event (a crash while appending?)",
                    code="truncated", hint=REPAIR_HINT,
                ) from None
            what = "an empty line" if not line.raw.strip() else "not valid JSON"
            raise LedgerError(path, n, f"{what} (edited by hand?)", code="invalid") from None
        problem = _shape_problem(fields)
        if problem is not None:
            raise LedgerError(path, n, problem, code="invalid")
        if event_hash(fields) != fields["hash"]:
            raise LedgerError(
                path, n, f"event {fields['seq']} was edited: its content does not match its hash",
                code="edited",
            )
        if canonical_json(fields) != line.raw:
            raise LedgerError(
                path, n, "the line was rewritten by hand (not in the form coprod writes)",
                code="edited",
            )
        if fields["seq"] != idx + 1 or fields["prev"] != expected_prev:
            raise _chain_error(path, lines, digests, idx, fields)
        try:
            record = record_from_dict(fields["type"], fields["data"])
        except RecordError as err:
            raise LedgerError(
                path, n, f"event {fields['seq']} holds an invalid {fields['type']}: {err}",
                code="invalid",
            ) from err
        at = _parse_time(fields["at"])
        assert at is not None  # _shape_problem checked it
        events.append(
            Event(
                seq=fields["seq"], type=fields["type"], at=at.astimezone(UTC),
                data=fields["data"], prev=fields["prev"], hash=fields["hash"], line=n,
                record=record,
            )
        )
        expected_prev = digests[idx]
    return events


def _chain_error(
    path: Path, lines: list[_Line], digests: list[str], idx: int, fields: dict[str, Any]
) -> LedgerError:
    """Say how line ``idx`` (whose own hash is right) fails to follow the line before it.

    The line's ``prev`` usually still names the line it was written after; finding that line in
    the file tells an insertion (it is further up), a reordering (it is further down) and a
    deletion (it is gone) apart.
    """
    n = lines[idx].number
    seq, prev, expected = fields["seq"], fields["prev"], idx + 1
    for m in range(idx):
        if lines[m].raw == lines[idx].raw:
            return LedgerError(path, n, f"repeats line {m + 1} (a copied event)", code="duplicate")
    linked = next((m for m, d in enumerate(digests) if d == prev and m != idx), None)
    if linked is not None and linked < idx - 1:
        first, last = linked + 2, n - 1
        span = f"line {first} was" if first == last else f"lines {first}-{last} were"
        return LedgerError(
            path, first,
            f"{span} inserted: not part of the chain (line {n} follows line {linked + 1})",
            code="inserted",
        )
    if linked is not None and linked > idx - 1:
        return LedgerError(
            path, n, f"out of order: this event follows the one now on line {linked + 1} "
            "(lines swapped or moved)",
            code="reordered",
        )
    if linked is not None:
        return LedgerError(
            path, n, f"seq is {seq} where {expected} was expected (edited)", code="edited"
        )
    if prev == GENESIS and idx > 0:
        return LedgerError(
            path, n, "claims to be the first event but is not on line 1 (moved or inserted)",
            code="reordered" if seq == 1 else "inserted",
        )
    if seq > expected:
        missing = (
            f"event {expected} is" if seq == expected + 1 else f"events {expected}-{seq - 1} are"
        )
        return LedgerError(path, n, f"{missing} missing before this line (deleted)", code="deleted")
    if seq < expected:
        return LedgerError(
            path, n, f"seq {seq} goes back (expected {expected}): reordered or inserted",
            code="reordered",
        )
    if idx == 0:
        return LedgerError(
            path, n, "the first event does not start the chain: earlier events were deleted",
            code="deleted",
        )
    # A later line still linked to the line before this one means this one was slipped in.
    for j in range(idx + 1, len(lines)):
        if _prev_of(lines[j]) == digests[idx - 1]:
            span = f"line {n} was" if j == idx + 1 else f"lines {n}-{j} were"
            return LedgerError(
                path, n, f"{span} inserted: not part of the chain (line {j + 1} follows line "
                f"{n - 1})",
                code="inserted",
            )
    # Both lines hash correctly on their own, so one of them was edited and re-hashed.
    return LedgerError(
        path, n - 1,
        f"line {n - 1} was changed after line {n} was written (line {n}'s prev hash "
        f"does not match it), or line {n}'s link was",
        code="edited",
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(folder: Path) -> None:
    # A new or renamed file is only durable once its folder entry is.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Ledger:
    """A film's consent ledger file.

    Args:
        path: the JSON Lines file; it need not exist yet (no events).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            if mode != fcntl.LOCK_SH:
                raise
            # A folder we cannot write to is one nobody appends to through coprod either.
            fd = -1
        try:
            if fd >= 0:
                fcntl.flock(fd, mode)
            yield
        finally:
            if fd >= 0:
                os.close(fd)  # closing the descriptor releases the lock

    def _read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return b""

    def events(self) -> list[Event]:
        """Every event, oldest first, after verifying the whole chain.

        Raises:
            LedgerError: the ledger is damaged (first bad line named).
        """
        if not self.path.exists():
            return []
        with self._locked(fcntl.LOCK_SH):
            raw = self._read()
        return _check(self.path, raw)

    def verify(self) -> None:
        """Check the whole chain.

        Raises:
            LedgerError: names the first bad 1-based line and what is wrong with it; for an
                incomplete last line (``code == "truncated"``) its hint says how to recover.
        """
        self.events()

    def append(self, type: str, data: Mapping[str, Any], at: datetime | None = None) -> Event:
        """Validate ``data`` as a record of event ``type`` and append it.

        Args:
            type: ``consent``, ``withdrawal``, ``signoff`` or ``change-request``.
            data: the record's fields, as ``to_dict`` gives them.
            at: when it happened (time-zone aware); now if None.

        Raises:
            RecordError: ``type`` is unknown or ``data`` is invalid.
            LedgerError: the ledger's last line is damaged; nothing was written.
        """
        return self._append(type, record_from_dict(type, data), at)

    def add(self, record: Record, at: datetime | None = None) -> Event:
        """Append a record dataclass (ConsentGiven, Withdrawal, SignOff, ChangeRequest)."""
        return self._append(event_type(record), record, at)

    def _append(self, kind: str, record: Record, at: datetime | None) -> Event:
        stamp = format_time(at if at is not None else datetime.now(UTC))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(fcntl.LOCK_EX):
            seq, prev, line_no = self._tail()
            fields: dict[str, Any] = {
                "seq": seq, "type": kind, "at": stamp, "data": record.to_dict(), "prev": prev,
            }
            fields["hash"] = event_hash(fields)
            created = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                _write_all(fd, canonical_json(fields) + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_dir(self.path.parent)
        at_utc = _parse_time(stamp)
        assert at_utc is not None
        return Event(
            seq=seq, type=kind, at=at_utc, data=fields["data"], prev=prev, hash=fields["hash"],
            line=line_no, record=record,
        )

    def _tail(self) -> tuple[int, str, int]:
        """Next seq, its prev and its line number; the last line must be a sound event.

        Only the last line is checked, not the whole chain: a withdrawal must still be recordable
        when an older line is damaged, and it is chained after the damage, not hidden by it.
        """
        raw = self._read()
        if not raw:
            return 1, GENESIS, 1
        if not raw.endswith(b"\n"):
            _check(self.path, raw)  # raises, naming the incomplete line and how to repair
        last = raw[:-1].rsplit(b"\n", 1)[-1]
        try:
            fields: Any = json.loads(last.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            fields = None
        if _shape_problem(fields) is not None or event_hash(fields) != fields["hash"]:
            _check(self.path, raw)
            raise LedgerError(
                self.path, raw.count(b"\n"), "the last event is damaged", code="invalid"
            )
        return fields["seq"] + 1, hashlib.sha256(last).hexdigest(), raw.count(b"\n") + 1

    def repair_truncated_tail(self) -> Path:
        """Move an incomplete last line into ``<ledger>.broken-<time>`` beside the ledger.

        Every earlier event stays; the broken bytes are kept, not deleted. Nothing else is ever
        changed: damage anywhere but the last line is refused.

        Returns:
            The file the broken tail was moved to.

        Raises:
            LedgerError: the damage is not an incomplete last line (nothing changed).
            ConsentError: the ledger has nothing to repair.
        """
        with self._locked(fcntl.LOCK_EX):
            raw = self._read()
            try:
                _check(self.path, raw)
            except LedgerError as err:
                if not err.repairable:
                    raise LedgerError(
                        self.path, err.line,
                        f"not repaired, only an incomplete last line can be: {err.reason}",
                        code=err.code,
                    ) from err
                damage = err
            else:
                raise ConsentError(f"{self.path}: nothing to repair, the ledger is sound")
            bad = _split(raw)[damage.line - 1]
            target = self._broken_path()
            # The broken bytes are safe on disk before the ledger loses them.
            _atomic_write(target, raw[bad.start:])
            _atomic_write(self.path, raw[: bad.start])
        return target

    def _broken_path(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        count = 1
        while target.exists():
            count += 1
            target = self.path.with_name(f"{self.path.name}.broken-{stamp}-{count}")
        return target


__all__ = ["GENESIS", "REPAIR_HINT", "Event", "Ledger", "canonical_json", "event_hash"]
