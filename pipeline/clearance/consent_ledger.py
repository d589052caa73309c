"""The project's consent ledger as coprod keeps it: where it is, its witness, reading it safely.

Every command that reads the ledger comes through :func:`events`: the whole chain verified, the
ledger compared with its witness (outside the project folder, see :mod:`consent.witness`), and
with the renders that relied on it. `consent verify` (:func:`verify_ledger`) and receipts
(:func:`contributor_receipt`, :func:`verify_receipt`) are here too. :mod:`pipeline.clearance`
records events through :func:`ledger` and asks the gate with what :func:`events` returns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from consent import (
    Event,
    Ledger,
    LedgerError,
    Receipt,
    Witness,
    WitnessCheck,
    WitnessState,
    check_receipt,
    default_witness_dir,
    parse_receipt,
    receipt_for,
)
from consent.witness import WITNESS_ENV
from pipeline.exceptions import ProjectError
from pipeline.project import Project


def witness(project: Project) -> Witness:
    """The witness of the project's ledger: ``$COPROD_WITNESS_DIR`` or the user's data folder.

    Raises:
        PipelineError: the witness folder is inside the project (it would go with the ledger).
        consent.LedgerFileError: there is no home folder to keep it in.
    """
    folder = default_witness_dir()
    root = project.root.resolve()
    where = folder.resolve()
    if where == root or root in where.parents:
        raise ProjectError(folder, f"the ledger's witness folder ({WITNESS_ENV}) is inside the "
                           "project, where it can be deleted with the ledger; point it outside")
    return Witness(folder)


def ledger(project: Project) -> Ledger:
    """The project's consent ledger, with its witness."""
    return Ledger(project.ledger_path, witness=witness(project), film=project.film.id)


def verify_ledger(project: Project, *, repair: bool = False
                  ) -> tuple[Path | None, list[Event], WitnessCheck | None]:
    """`consent verify`: the chain, the witness and the renders that relied on the ledger.

    Returns:
        Where a torn last line was moved (with ``repair``), every event, and how the ledger
        stood against its witness.
    """
    book = ledger(project)
    moved = book.verify(repair=True) if repair else None
    found, checked = book.check()
    _check_renders_still_covered(project, found)
    if found and checked is not None and checked.state != WitnessState.MATCHES:
        # A read only brings the witness forward when it can; verify says so when it cannot.
        book_witness = book.witness
        assert book_witness is not None
        book_witness.advance(book.path, found[0].hash, len(found), found[-1].hash,
                             project.film.id or found[0].film)
    return moved, found, checked


def events(project: Project) -> list[Event]:
    """Every ledger event, after verifying the whole chain and the renders that relied on it."""
    found = ledger(project).events()
    _check_renders_still_covered(project, found)
    return found


def _check_renders_still_covered(project: Project, found: Sequence[Event]) -> None:
    """Refuse a ledger that lost events a render relied on.

    The hash chain shows an edited, moved or inserted line anywhere, and a deleted line
    anywhere but at the end: nothing follows the last line to vouch for it. Every render
    records the ledger's last event (``ledger_head``), so lines cut from the end since a render
    are caught here.
    """
    known = {event.hash for event in found}
    for manifest in render_manifests(project):
        consent_part = manifest.get("consent")
        head = consent_part.get("ledger_head") if isinstance(consent_part, dict) else None
        if isinstance(head, str) and head not in known:
            raise LedgerError(
                project.ledger_path, len(found) + 1,
                f"event {head[:12]}... that the render {manifest.get('output', '?')} relied on "
                "is missing: lines were deleted from the end of the ledger",
                code="deleted",
                hint="restore consent/ledger.jsonl from a backup; coprod will not guess what "
                     "was removed")




def render_manifests(project: Project) -> list[dict[str, Any]]:
    """Every render manifest under build/ (what `status` checks withdrawals against)."""
    found: list[dict[str, Any]] = []
    for path in sorted(project.build_dir.glob("*/manifest.json")):
        if not path.is_file():  # a FIFO would hang the read; a folder is no manifest
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            data.setdefault("manifest", str(path))
            found.append(data)
    return found


def retire_witness(project: Project) -> Path | None:
    """A new film in ``project``'s folder: set aside the witness of a ledger that was there
    before (only when no ledger is there now). Returns where the old witness went, if any."""
    if os.path.lexists(project.ledger_path):
        return None
    return witness(project).retire(project.ledger_path)


def contributor_receipt(project: Project, contributor: str) -> tuple[Receipt, Event]:
    """A receipt for ``contributor``'s last event in the verified ledger, and that event."""
    return receipt_for(events(project), contributor)


def verify_receipt(project: Project, text: str) -> Event:
    """The event the receipt in ``text`` names, when the ledger still holds it unchanged.

    Raises:
        consent.ReceiptError: not a receipt, another ledger's, or the event is gone or changed.
        consent.LedgerError: the ledger is damaged or disagrees with its witness.
    """
    wanted = parse_receipt(text)
    return check_receipt(events(project), wanted)


__all__ = [
    "contributor_receipt",
    "events",
    "ledger",
    "render_manifests",
    "retire_witness",
    "verify_ledger",
    "verify_receipt",
    "witness",
]
