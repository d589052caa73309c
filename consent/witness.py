"""The ledger's witness: its head (event count and last hash), kept outside the project folder.

The hash chain shows a line edited, moved or deleted anywhere but at the end: nothing follows the
last line to vouch for it, so cutting the last events (a withdrawal, say) leaves a perfect chain.
Transparency logs solve this with signed tree heads kept by someone else; coprod keeps the head
in a witness file elsewhere. Every append records the new head, and every read refuses a ledger
shorter than its witness, or whose event at the witnessed count is not the witnessed one.

One small JSON file per ledger, named by a hash of the ledger's absolute path, in
``$COPROD_WITNESS_DIR`` or else ``$XDG_DATA_HOME/coprod/witness/`` (``~/.local/share/...``)::

    {"count": 12, "film": "<film.yaml id>", "genesis": "<hash of event 1>",
     "head": "<hash of event 12>", "ledger": "/films/ours/consent/ledger.jsonl",
     "updated": "...Z", "version": 1}

* Every witness of the same film counts, wherever its ledger lives: the film is known by its id
  (written into film.yaml by ``coprod new`` and into the ledger's first event) or, for a film
  made before ids, by its ledger's first event. So a copy, a move or a rename is the same film:
  a ledger shorter than, or diverging from, any witness of its film is refused, whichever
  folder it is in (a withdrawal recorded in one copy binds every copy).
* First use (no witness of this film yet): the ledger is taken as it is and its head recorded,
  as SSH does with a host key.
* Ledger longer than its witness (a crash between the append and the witness write, or events
  appended by a copy of coprod that used another witness folder): the chain vouches for the
  extra events; the witness is brought forward.
* A ledger emptied, deleted, or replaced by one with another first event is refused too.

A witness only moves forward, and never past a ledger that disagrees with it: the evidence stays
until a person restores the ledger, or deliberately starts a new film in the folder
(:meth:`Witness.retire`, which `coprod new` calls when no ledger is there; the old witness file
is kept, renamed).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from consent.exceptions import LedgerFileError, WitnessError
from consent.fields import is_sha256_hex
from consent.files import atomic_write, make_folder, open_regular, problem, read_regular

WITNESS_ENV = "COPROD_WITNESS_DIR"
_VERSION = 1

RESTORE_HINT = ("restore consent/ledger.jsonl from a backup (coprod will not guess what was "
                "removed); only if this folder now holds a different film, move the witness "
                "file aside")
COPY_HINT = ("a copy of a film shares its consent records: use the copy whose ledger is "
             "longest, or copy its consent/ledger.jsonl here; to start a different film, use "
             "`coprod new`")


def default_witness_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$COPROD_WITNESS_DIR``, else ``$XDG_DATA_HOME/coprod/witness``, else
    ``~/.local/share/coprod/witness``.

    Raises:
        LedgerFileError: no home folder to default to (set COPROD_WITNESS_DIR).
    """
    env = os.environ if environ is None else environ
    if env.get(WITNESS_ENV):
        return Path(env[WITNESS_ENV]).expanduser().absolute()
    data = env.get("XDG_DATA_HOME")
    if data and Path(data).is_absolute():
        return Path(data) / "coprod" / "witness"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        raise LedgerFileError("~", f"no home folder for the ledger's witness; set {WITNESS_ENV}"
                              " to a folder outside the project") from None
    return home / ".local" / "share" / "coprod" / "witness"


@dataclass(frozen=True)
class Head:
    """What a witness recorded about one ledger."""

    ledger: str
    genesis: str
    count: int
    head: str
    updated: str
    film: str | None = None  # the film's id (None for a film made before ids)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form kept in the witness file."""
        data: dict[str, Any] = {"version": _VERSION, "ledger": self.ledger,
                                "genesis": self.genesis, "count": self.count,
                                "head": self.head, "updated": self.updated}
        if self.film is not None:
            data["film"] = self.film
        return data

    def same_film(self, film: str | None, genesis: str | None) -> bool:
        """Whether this head is of the film with id ``film`` or first event ``genesis``."""
        return ((film is not None and self.film == film)
                or (genesis is not None and self.genesis == genesis))

    @classmethod
    def from_dict(cls, data: object) -> Head | None:
        """The head in a witness file's JSON, or None when it is not what coprod writes."""
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            return None
        count = data.get("count")
        if (not isinstance(count, int) or isinstance(count, bool) or count < 1
                or not is_sha256_hex(data.get("genesis")) or not is_sha256_hex(data.get("head"))
                or not isinstance(data.get("ledger"), str)
                or not isinstance(data.get("updated"), str)
                or not isinstance(data.get("film", ""), str)):
            return None
        return cls(data["ledger"], data["genesis"], count, data["head"], data["updated"],
                   data.get("film"))


def ledger_location(ledger_path: Path) -> str:
    """The ledger's path as a witness knows it: absolute, its folder's symbolic links resolved
    (the ledger itself is never a link), so every way of reaching a project finds one witness."""
    path = Path(ledger_path)
    return str(path.parent.resolve() / path.name)


class WitnessState(StrEnum):
    """How a ledger stood against its witness."""

    MATCHES = "matches"
    FIRST_USE = "first-use"
    BEHIND = "behind"  # the ledger is longer: the witness is brought forward
    EMPTY = "empty"  # no events and no witness: nothing to compare


@dataclass(frozen=True)
class WitnessCheck:
    """The result of comparing a ledger with its witness.

    Attributes:
        file: the witness file for this ledger.
        state: matches, first use, behind or empty.
        witnessed: the head the witness held before the check (None on first use).
        moved_from: where the same film's ledger was when a witness kept for it there was
            used, because this path had none yet (the project was moved, copied or renamed).
    """

    file: Path
    state: WitnessState
    witnessed: Head | None = None
    moved_from: str | None = None


HashAt = Callable[[int], str | None]
"""The ``hash`` of the ledger's event number N (1-based), or None when it has no such event."""


class Witness:
    """The witness folder: one head per ledger.

    Args:
        folder: where witness files live; it should not be inside any project folder.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"Witness({str(self.folder)!r})"

    def file_for(self, ledger_path: Path) -> Path:
        """The witness file of the ledger at ``ledger_path``."""
        key = hashlib.sha256(ledger_location(ledger_path).encode("utf-8")).hexdigest()
        return self.folder / f"{key[:32]}.json"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        make_folder(self.folder, "create the witness folder", private=True)
        fd = open_regular(self.folder / ".lock", os.O_RDWR | os.O_CREAT, "lock the witness")
        assert fd is not None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def load(self, file: Path) -> Head | None:
        """The head in witness ``file``, or None when there is none.

        Raises:
            LedgerFileError: the file is damaged, a symbolic link, or cannot be read.
        """
        raw = read_regular(file, "read the ledger's witness")
        if raw is None:
            return None
        try:
            head = Head.from_dict(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            head = None
        if head is None:
            raise LedgerFileError(file, "the ledger's witness is damaged (not what coprod "
                                  "writes); restore it from a backup, or move it aside to "
                                  "trust the ledger as it is now")
        return head

    def _same_film(self, here: str, film: str | None,
                   genesis: str | None) -> list[tuple[Path, Head]]:
        """Every witness of the same film kept for a ledger at another path, longest first."""
        if (film is None and genesis is None) or not self.folder.is_dir():
            return []
        found: list[tuple[Path, Head]] = []
        for file in sorted(self.folder.glob("*.json")):
            try:
                head = self.load(file)
            except LedgerFileError:
                continue  # another ledger's damaged witness is that ledger's problem
            if head is not None and head.ledger != here and head.same_film(film, genesis):
                found.append((file, head))
        found.sort(key=lambda item: -item[1].count)
        return found

    def check(self, ledger_path: Path, count: int, hash_at: HashAt,
              film: str | None = None) -> WitnessCheck:
        """Compare a ledger of ``count`` events with every witness of its film.

        Args:
            film: the film's id, when it has one; its first event identifies it too.

        Raises:
            WitnessError: the ledger is shorter than a witness of its film, or diverges from
                it (naming both counts, the witness and what to do).
            LedgerFileError: the witness file cannot be read.
        """
        file = self.file_for(ledger_path)
        own = self.load(file)
        genesis = hash_at(1) if count else None
        others = self._same_film(ledger_location(ledger_path), film, genesis)
        if own is not None:
            self._compare(ledger_path, count, hash_at, file, own, f"its witness {file}",
                          RESTORE_HINT)
        for other_file, head in others:
            self._compare(ledger_path, count, hash_at, other_file, head,
                          f"the witness of this film at {head.ledger} ({other_file})",
                          COPY_HINT)
        if own is None and not others:
            return WitnessCheck(file, WitnessState.FIRST_USE if count else WitnessState.EMPTY)
        if own is None:
            return WitnessCheck(file, WitnessState.BEHIND, others[0][1], others[0][1].ledger)
        state = WitnessState.MATCHES if count == own.count else WitnessState.BEHIND
        return WitnessCheck(file, state, own)

    @staticmethod
    def _compare(ledger_path: Path, count: int, hash_at: HashAt, file: Path,
                 witnessed: Head, where: str, hint: str) -> None:
        """Refuse a ledger of ``count`` events that is shorter than, or diverges from, one
        witness of its film."""

        def refuse(line: int, reason: str, code: str) -> WitnessError:
            return WitnessError(ledger_path, line, reason, code=code, hint=hint,
                                witness=file, witnessed=witnessed.count, found=count)

        if count == 0:
            raise refuse(1, f"the ledger is missing or empty, but {where} recorded "
                         f"{witnessed.count} events (last {witnessed.head[:12]}): it was "
                         "deleted or replaced", "deleted")
        if hash_at(1) != witnessed.genesis:
            raise refuse(1, f"the ledger's first event is not the one {where} recorded "
                         f"(ledger: {count} events, witness: {witnessed.count}): it was "
                         "replaced or rewritten", "diverged")
        if count < witnessed.count:
            gone = (f"event {witnessed.count} was" if count + 1 == witnessed.count
                    else f"events {count + 1}-{witnessed.count} were")
            raise refuse(count + 1, f"the ledger has {count} events but {where} recorded "
                         f"{witnessed.count} (last {witnessed.head[:12]}): {gone} cut from "
                         "the end", "deleted")
        if hash_at(witnessed.count) != witnessed.head:
            raise refuse(witnessed.count, f"event {witnessed.count} is not the one {where} "
                         f"recorded (ledger: {count} events, witness: {witnessed.count}): the "
                         "ledger was rewritten", "diverged")

    def retire(self, ledger_path: Path) -> Path | None:
        """Set aside the witness of a ledger that is gone because a new film starts in its
        folder; it is kept beside the others as ``<file>.retired-<time>``, never deleted.

        Returns:
            Where the old witness was moved, or None when there was none.

        Raises:
            LedgerFileError: it cannot be moved.
        """
        file = self.file_for(ledger_path)
        if not os.path.lexists(file):
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = file.with_name(f"{file.name}.retired-{stamp}")
        with self._locked():
            try:
                os.replace(file, target)
            except OSError as err:
                raise problem(file, err, "set the old witness aside") from None
        return target

    def advance(self, ledger_path: Path, genesis: str, count: int, head: str,
                film: str | None = None) -> None:
        """Record that the ledger (of film ``film``) now has ``count`` events ending in
        ``head``.

        Never moves a witness backwards, nor onto another chain: those are the evidence.

        Raises:
            LedgerFileError: the witness folder or file cannot be written.
        """
        file = self.file_for(ledger_path)
        with self._locked():
            old = self.load(file)
            if old is not None and (old.genesis != genesis or old.count >= count):
                return
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            record = Head(ledger_location(ledger_path), genesis, count, head, now, film)
            data = json.dumps(record.to_dict(), sort_keys=True, indent=1) + "\n"
            atomic_write(file, data.encode("utf-8"), "record the ledger's head in its witness")


__all__ = [
    "COPY_HINT",
    "RESTORE_HINT",
    "WITNESS_ENV",
    "Head",
    "HashAt",
    "Witness",
    "WitnessCheck",
    "WitnessState",
    "default_witness_dir",
    "ledger_location",
]
