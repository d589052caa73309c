"""The consent ledger: one append-only, hash-chained JSON Lines file per film.

The line format and how the chain is verified are in :mod:`consent.chain`; this module owns the
file. Appends hold an exclusive ``flock`` on a sibling ``.lock`` file (not the ledger itself,
whose inode a repair replaces), read the tail under the lock, write one line and fsync, so several
coprod processes can append at once. Readers hold a shared lock so they never see a half-written
line.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from consent.chain import (
    GENESIS,
    REPAIR_HINT,
    Event,
    canonical_json,
    event_hash,
    format_time,
    next_link,
    parse_time,
    split_lines,
    verify_chain,
)
from consent.exceptions import ConsentError, LedgerError
from consent.records import Record, event_type, record_from_dict


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
        return verify_chain(self.path, raw)

    def verify(self, *, repair: bool = False) -> Path | None:
        """Check the whole chain; with ``repair``, set aside a last line torn by a crash.

        Args:
            repair: move an incomplete last line (the only damage that can be undone without
                losing an event) into ``<ledger>.broken-<time>``; any other damage still raises.

        Returns:
            The file a torn last line was moved to, or None when nothing needed repairing.

        Raises:
            LedgerError: names the first bad 1-based line and what is wrong with it; for an
                incomplete last line (``code == "truncated"``) its hint says how to recover.
        """
        try:
            self.events()
        except LedgerError as err:
            if not (repair and err.repairable):
                raise
            return self.repair_truncated_tail()
        return None

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
            seq, prev, line_no = next_link(self.path, self._read())
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
        at_utc = parse_time(stamp)
        assert at_utc is not None
        return Event(
            seq=seq, type=kind, at=at_utc, data=fields["data"], prev=prev, hash=fields["hash"],
            line=line_no, record=record,
        )

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
                verify_chain(self.path, raw)
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
            bad = split_lines(raw)[damage.line - 1]
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


# GENESIS, REPAIR_HINT, Event, canonical_json and event_hash moved to consent.chain; they stay
# importable from here for code written before the split.
__all__ = ["GENESIS", "REPAIR_HINT", "Event", "Ledger", "canonical_json", "event_hash"]
