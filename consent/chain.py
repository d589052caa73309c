"""The ledger's hash chain: the byte form of an event and how a file of them is verified.

Every consent, withdrawal, sign-off and change request is one line::

    {"at": "...Z", "data": {...}, "hash": "...", "prev": "...", "recorded_by": "sam",
     "seq": 7, "type": "consent", "via": "cli"}

The first event of a ledger made since films have ids also carries ``"film": "<id>"``, the id
``coprod new`` wrote into film.yaml, so the ledger names the film it belongs to wherever it is
copied (:mod:`consent.witness` keys on it).

``seq`` counts from 1; ``prev`` is the sha256 of the previous line's exact bytes (without its
newline; 64 zeros on the first line); ``hash`` is the sha256 of the event's canonical JSON without
``hash``. ``recorded_by`` (the OS user) and ``via`` (``cli`` or ``review-page``) say who
recorded the event and through what; lines written before coprod kept them have neither. Lines
are written in that canonical form (sorted keys, no spaces, UTF-8), so any edit,
deletion, insertion or reordering breaks either a line's own hash or the link from the next line.

Everything here works on bytes already read; :mod:`consent.ledger` owns the file and its lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from consent.exceptions import ConsentError, LedgerError, RecordError
from consent.fields import is_sha256_hex
from consent.records import EVENT_TYPES, Record, record_from_dict
from consent.vocabulary import Via

GENESIS = "0" * 64
"""The ``prev`` of the first event."""

REPAIR_HINT = (
    "run `coprod consent verify PROJECT --repair` to move the incomplete line into a "
    ".broken-<time> file beside the ledger; every earlier event is kept"
)

_FIELDS = frozenset({"seq", "type", "at", "data", "prev", "hash"})
_WHO = frozenset({"recorded_by", "via"})
_FILM = "film"


def is_film_id(value: object) -> bool:
    """A film's id as ``coprod new`` writes it: 32 lower-case hex digits."""
    return (isinstance(value, str) and len(value) == 32
            and all(c in "0123456789abcdef" for c in value))


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


def parse_time(value: str) -> datetime | None:
    """A stored event time, or None when it is not a date and time with a time zone."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


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
        recorded_by: the OS user who recorded it (None before coprod kept it).
        via: ``cli`` or ``review-page`` (None before coprod kept it).
        film: the film's id, on the first event of a ledger made since films have ids.
    """

    seq: int
    type: str
    at: datetime
    data: dict[str, Any]
    prev: str
    hash: str
    line: int
    record: Record
    recorded_by: str | None = None
    via: str | None = None
    film: str | None = None


@dataclass(frozen=True)
class Line:
    """One line of a ledger file: its 1-based number, byte offset, bytes, and whether it ended."""

    number: int
    start: int
    raw: bytes
    complete: bool


def split_lines(raw: bytes) -> list[Line]:
    """Lines with their byte offsets; the last one is incomplete when the file lacks a newline."""
    lines: list[Line] = []
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        if end == -1:
            lines.append(Line(len(lines) + 1, pos, raw[pos:], complete=False))
            break
        lines.append(Line(len(lines) + 1, pos, raw[pos:end], complete=True))
        pos = end + 1
    return lines


def _shape_problem(fields: object) -> str | None:
    """What makes a parsed line not an event, or None when its shape is right."""
    if not isinstance(fields, dict):
        return "not a ledger event (not a JSON object)"
    keys = set(fields) - {_FILM}
    if keys not in (_FIELDS, _FIELDS | _WHO):
        missing = sorted((_FIELDS | (_WHO if _WHO & keys else set())) - keys)
        extra = sorted(keys - _FIELDS - _WHO)
        return f"not a ledger event (missing {missing}, unexpected {extra})"
    if "via" in fields and (fields["via"] not in frozenset(Via)
                            or not isinstance(fields["recorded_by"], str)
                            or not fields["recorded_by"].strip()):
        return "recorded_by or via is not what coprod writes"
    seq = fields["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return "seq is not a positive whole number"
    if _FILM in fields and (seq != 1 or not is_film_id(fields[_FILM])):
        return "film is not a film id on the first event"
    if fields["type"] not in EVENT_TYPES:
        return f"unknown event type {fields['type']!r}"
    if not isinstance(fields["at"], str) or parse_time(fields["at"]) is None:
        return "at is not a date and time with a time zone"
    if not isinstance(fields["data"], dict):
        return "data is not an object"
    if not is_sha256_hex(fields["prev"]) or not is_sha256_hex(fields["hash"]):
        return "prev or hash is not a sha256 hex digest"
    return None


def _prev_of(line: Line) -> str | None:
    """The ``prev`` a line claims, if it is readable at all."""
    try:
        fields = json.loads(line.raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    prev = fields.get("prev") if isinstance(fields, dict) else None
    return prev if isinstance(prev, str) else None


def verify_chain(path: Path, raw: bytes) -> list[Event]:
    """Verify every line of ledger ``path`` (its bytes ``raw``) in order and return the events.

    Raises:
        LedgerError: at the first bad line, naming it and what is wrong.
    """
    lines = split_lines(raw)
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
        events.append(_event(fields, n, record))
        expected_prev = digests[idx]
    return events


def _event(fields: Mapping[str, Any], line: int, record: Record) -> Event:
    at = parse_time(fields["at"])
    assert at is not None  # _shape_problem checked it
    return Event(
        seq=fields["seq"], type=fields["type"], at=at.astimezone(UTC), data=fields["data"],
        prev=fields["prev"], hash=fields["hash"], line=line, record=record,
        recorded_by=fields.get("recorded_by"), via=fields.get("via"),
        film=fields.get(_FILM),
    )


def salvage(raw: bytes) -> list[Event]:
    """Every line that is a sound event on its own (own hash right, record valid), links ignored.

    Only for recording a withdrawal from a damaged ledger: it must still find every clip and
    piece of footage the ledger ties the contributor to. Nothing else may trust these events.
    """
    found: list[Event] = []
    for line in split_lines(raw):
        try:
            fields: Any = json.loads(line.raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if _shape_problem(fields) is not None or event_hash(fields) != fields["hash"]:
            continue
        try:
            record = record_from_dict(fields["type"], fields["data"])
        except RecordError:
            continue
        found.append(_event(fields, line.number, record))
    return found


def _chain_error(
    path: Path, lines: list[Line], digests: list[str], idx: int, fields: dict[str, Any]
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


def next_link(path: Path, raw: bytes) -> tuple[int, str, int]:
    """The next event's seq, its prev and its line number; the last line must be a sound event.

    Only the last line is checked, not the whole chain: a withdrawal must still be recordable
    when an older line is damaged, and it is chained after the damage, not hidden by it.

    Raises:
        LedgerError: the last line is incomplete or damaged.
    """
    if not raw:
        return 1, GENESIS, 1
    if not raw.endswith(b"\n"):
        verify_chain(path, raw)  # raises, naming the incomplete line and how to repair
    last = raw[:-1].rsplit(b"\n", 1)[-1]
    try:
        fields: Any = json.loads(last.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        fields = None
    if _shape_problem(fields) is not None or event_hash(fields) != fields["hash"]:
        verify_chain(path, raw)
        raise LedgerError(path, raw.count(b"\n"), "the last event is damaged", code="invalid")
    return fields["seq"] + 1, hashlib.sha256(last).hexdigest(), raw.count(b"\n") + 1


__all__ = [
    "GENESIS",
    "REPAIR_HINT",
    "Event",
    "Line",
    "canonical_json",
    "event_hash",
    "format_time",
    "is_film_id",
    "next_link",
    "parse_time",
    "salvage",
    "split_lines",
    "verify_chain",
]
