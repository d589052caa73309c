"""The consent ledger: one append-only, hash-chained JSON Lines file per film.

The line format and how the chain is verified are in :mod:`consent.chain`; this module owns the
file. Appends hold an exclusive ``flock`` on a sibling ``.lock`` file (not the ledger itself,
whose inode a repair replaces), read the tail under the lock, write one line and fsync, so several
coprod processes can append at once. Readers hold a shared lock so they never see a half-written
line. A write that fails part-way (a full disk) is cut back off, so nothing is half-written.

The ledger is created 0600 and must be a regular file: a symbolic link (to /dev/null, say, where
a withdrawal would vanish), a folder or a FIFO is refused with one line (:mod:`consent.files`).
Given a :class:`~consent.witness.Witness`, every append records the new head there and every
read refuses a ledger shorter than, or diverging from, what the witness recorded.
"""

from __future__ import annotations

import fcntl
import getpass
import json
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
    salvage,
    split_lines,
    verify_chain,
)
from consent.exceptions import ConsentError, LedgerError, LedgerFileError, RecordError
from consent.files import (
    atomic_write,
    check_regular,
    fsync_dir,
    make_folder,
    open_regular,
    problem,
    read_regular,
)
from consent.records import Record, event_type, record_from_dict
from consent.vocabulary import Via
from consent.witness import Witness, WitnessCheck, WitnessState
from safeio import append_synced, cut_back_synced


def os_user() -> str:
    """Who is recording: the OS user's login name (``uid N`` when it has none)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return f"uid {os.getuid()}"


def _field_of_line(raw: bytes, number: int, name: str = "hash") -> str | None:
    """Field ``name`` of line ``number`` (1-based) of ledger bytes, if it has one."""
    lines = split_lines(raw)
    if not 1 <= number <= len(lines):
        return None
    try:
        fields = json.loads(lines[number - 1].raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    value = fields.get(name) if isinstance(fields, dict) else None
    return value if isinstance(value, str) else None


def _hash_of_line(raw: bytes, number: int) -> str | None:
    """The ``hash`` field of line ``number`` (1-based) of ledger bytes, if it has one."""
    return _field_of_line(raw, number)


class Ledger:
    """A film's consent ledger file.

    Args:
        path: the JSON Lines file; it need not exist yet (no events).
        witness: where the ledger's head is kept outside the project; None for none (library
            use and tests; the pipeline always gives one).
        film: the film's id (film.yaml's ``id``): written into the first event, and a ledger
            whose first event names another film is refused; None for a film made before ids.
    """

    def __init__(self, path: str | Path, *, witness: Witness | None = None,
                 film: str | None = None) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.witness = witness
        self.film = film

    def _other_film(self, first: str | None) -> LedgerError | None:
        """A refusal when the ledger's first event names another film than film.yaml."""
        if self.film is None or first is None or first == self.film:
            return None
        return LedgerError(
            self.path, 1, f"the ledger's first event belongs to film {first}, but film.yaml's "
            f"id is {self.film}: the ledger or film.yaml was copied from another film",
            code="diverged", hint="put back the ledger or the film.yaml id that belongs to "
            "this film; coprod will not guess which one was swapped")

    def _identity(self, first: str | None) -> str | None:
        """The film id the witness knows this ledger by."""
        return self.film if self.film is not None else first

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        try:
            fd = open_regular(self.lock_path, os.O_RDWR | os.O_CREAT, "lock the ledger")
        except LedgerFileError:
            if mode != fcntl.LOCK_SH:
                raise
            # A folder we cannot write to is one nobody appends to through coprod either.
            fd = None
        try:
            if fd is not None:
                fcntl.flock(fd, mode)
            yield
        finally:
            if fd is not None:
                os.close(fd)  # closing the descriptor releases the lock

    def _read(self) -> bytes:
        return read_regular(self.path, "read the consent ledger") or b""

    def events(self) -> list[Event]:
        """Every event, oldest first, after verifying the whole chain (and the witness).

        Raises:
            LedgerError: the ledger is damaged (first bad line named); WitnessError when it is
                shorter than, or diverges from, its witness.
            LedgerFileError: the ledger is a symbolic link, folder or FIFO, or cannot be read.
        """
        return self.check()[0]

    def check(self) -> tuple[list[Event], WitnessCheck | None]:
        """Every verified event, and how the ledger stood against its witness (None without one).

        A witness that is behind (or has never seen this ledger) is brought forward when it can
        be; failing to write it here does not stop a read, the next append reports it.
        """
        if not check_regular(self.path):
            return [], self._witness_check([])
        with self._locked(fcntl.LOCK_SH):
            found = verify_chain(self.path, self._read())
            other = self._other_film(found[0].film if found else None)
            if other is not None:
                raise other
            checked = self._witness_check(found)
        return found, checked

    def _witness_check(self, found: list[Event]) -> WitnessCheck | None:
        if self.witness is None:
            return None
        film = self._identity(found[0].film if found else None)
        checked = self.witness.check(
            self.path, len(found), lambda n: found[n - 1].hash if 0 < n <= len(found) else None,
            film)
        if checked.state in (WitnessState.FIRST_USE, WitnessState.BEHIND):
            try:
                self.witness.advance(self.path, found[0].hash, len(found), found[-1].hash, film)
            except LedgerFileError:
                pass
        return checked

    def salvage(self) -> list[Event]:
        """Every line that is a sound event on its own, even in a damaged ledger (see
        :func:`consent.chain.salvage`); for finding what a withdrawal must cover, nothing else."""
        if not check_regular(self.path):
            return []
        with self._locked(fcntl.LOCK_SH):
            return salvage(self._read())

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

    def append(self, type: str, data: Mapping[str, Any], at: datetime | None = None, *,
               via: str = Via.CLI) -> Event:
        """Validate ``data`` as a record of event ``type`` and append it.

        Args:
            type: ``consent``, ``withdrawal``, ``signoff``, ``change-request`` or ``exception``.
            data: the record's fields, as ``to_dict`` gives them.
            at: when it happened (time-zone aware); now if None.
            via: ``cli`` or ``review-page``: through what it was recorded.

        Raises:
            RecordError: ``type`` is unknown or ``data`` (or ``via``) is invalid.
            LedgerError: the ledger's last line is damaged, or the ledger disagrees with its
                witness (a withdrawal is still recorded then); nothing was written.
            LedgerFileError: the ledger cannot be written (full disk, read-only, not a file).
        """
        return self._append(type, record_from_dict(type, data), at, via)

    def add(self, record: Record, at: datetime | None = None, *, via: str = Via.CLI) -> Event:
        """Append a record dataclass (ConsentGiven, Withdrawal, SignOff, ChangeRequest,
        FootageException); see :meth:`append`."""
        return self._append(event_type(record), record, at, via)

    def _append(self, kind: str, record: Record, at: datetime | None, via: str) -> Event:
        if via not in frozenset(Via):
            raise RecordError("via", f"unknown via {via!r} (known: {', '.join(Via)})")
        stamp = format_time(at if at is not None else datetime.now(UTC))
        make_folder(self.path.parent, "create the consent folder")
        with self._locked(fcntl.LOCK_EX):
            raw = self._read()
            seq, prev, line_no = next_link(self.path, raw)
            disagrees = self._disagreement(raw, seq - 1)
            # A withdrawal is recorded even then (chained after the damage, never hidden by it);
            # the witness keeps the evidence until a person restores the ledger.
            if disagrees is not None and kind != "withdrawal":
                raise disagrees
            fields: dict[str, Any] = {
                "seq": seq, "type": kind, "at": stamp, "data": record.to_dict(), "prev": prev,
                "recorded_by": os_user(), "via": str(via),
            }
            if seq == 1 and self.film is not None:
                fields["film"] = self.film
            fields["hash"] = event_hash(fields)
            self._write_line(canonical_json(fields) + b"\n", len(raw))
            if self.witness is not None and disagrees is None:
                genesis = fields["hash"] if seq == 1 else _hash_of_line(raw, 1)
                assert genesis is not None  # next_link found sound lines
                film = self._identity(fields.get("film") if seq == 1
                                      else _field_of_line(raw, 1, "film"))
                try:
                    self.witness.advance(self.path, genesis, seq, fields["hash"], film)
                except LedgerFileError as err:
                    raise LedgerFileError(
                        err.path, f"event {seq} is recorded in {self.path}, but its witness "
                        f"could not be updated: {err.reason}; the next coprod command that "
                        "reads the ledger brings the witness up to date") from None
        at_utc = parse_time(stamp)
        assert at_utc is not None
        return Event(
            seq=seq, type=kind, at=at_utc, data=fields["data"], prev=prev, hash=fields["hash"],
            line=line_no, record=record, recorded_by=fields["recorded_by"], via=fields["via"],
            film=fields.get("film"),
        )

    def _disagreement(self, raw: bytes, count: int) -> ConsentError | None:
        """Why the ledger's ``count`` events disagree with (or cannot be put to) its witness."""
        first = _field_of_line(raw, 1, "film") if count else None
        other = self._other_film(first)
        if other is not None:
            return other
        if self.witness is None:
            return None
        try:
            self.witness.check(self.path, count, lambda n: _hash_of_line(raw, n),
                               self._identity(first))
        except (LedgerError, LedgerFileError) as err:
            return err
        return None

    def _write_line(self, line: bytes, size: int) -> None:
        """Append ``line`` whole, or leave the ledger at ``size`` bytes and say why."""
        created = not check_regular(self.path)
        fd = open_regular(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "record the event")
        assert fd is not None
        try:
            try:
                append_synced(fd, line)
            except OSError as err:
                cause = problem(self.path, err, "record the event")
                try:
                    cut_back_synced(fd, size)
                except OSError:
                    raise LedgerFileError(self.path, f"{cause.reason}; the last line may be "
                                          f"incomplete: {REPAIR_HINT}") from None
                raise LedgerFileError(self.path, f"{cause.reason}; nothing was recorded") from None
        finally:
            os.close(fd)
        if created:
            try:
                fsync_dir(self.path.parent)
            except OSError as err:
                raise problem(self.path.parent, err, "save the new ledger") from None

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
            atomic_write(target, raw[bad.start:], "keep the broken line")
            atomic_write(self.path, raw[: bad.start], "repair the ledger")
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
__all__ = ["GENESIS", "REPAIR_HINT", "Event", "Ledger", "canonical_json", "event_hash", "os_user"]
