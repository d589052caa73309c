"""Errors raised by the consent library.

Messages name contributor ids and clip ids, never personal details (names, notes, reasons given),
because they end up in logs and terminals.
"""

from __future__ import annotations

from pathlib import Path


class ConsentError(Exception):
    """Base class for every consent error."""


class RecordError(ConsentError):
    """A consent, withdrawal, sign-off or change request is invalid; names the field."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class LedgerError(ConsentError):
    """The consent ledger is damaged; names the file, the first bad 1-based line and what is wrong.

    Attributes:
        path: the ledger file.
        line: the first line found to be wrong (1-based).
        reason: what is wrong with it, in a producer's words.
        code: a stable word for scripts and tests: ``invalid``, ``edited``, ``deleted``,
            ``inserted``, ``reordered``, ``duplicate``, ``truncated`` or (against its witness)
            ``diverged``.
        hint: how to recover, when there is a safe way (only for ``truncated``), else None.
    """

    def __init__(
        self,
        path: str | Path,
        line: int,
        reason: str,
        *,
        code: str,
        hint: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        self.code = code
        self.hint = hint
        message = f"{self.path}:{line}: {reason}"
        if hint:
            message += f"; {hint}"
        super().__init__(message)

    @property
    def repairable(self) -> bool:
        """True when ``Ledger.repair_truncated_tail`` can fix this damage without losing events."""
        return self.code == "truncated"


class WitnessError(LedgerError):
    """The ledger is shorter than, or diverges from, the head its witness recorded.

    Attributes (besides LedgerError's):
        witness: the witness file.
        witnessed: how many events the witness recorded.
        found: how many events the ledger holds now.
    """

    def __init__(
        self,
        path: str | Path,
        line: int,
        reason: str,
        *,
        code: str,
        hint: str,
        witness: str | Path,
        witnessed: int,
        found: int,
    ) -> None:
        self.witness = str(witness)
        self.witnessed = witnessed
        self.found = found
        super().__init__(path, line, reason, code=code, hint=hint)


class LedgerFileError(ConsentError):
    """The ledger or its witness cannot be used as a file: missing folder, full disk, a folder or
    symbolic link where the file should be. One line: the file, what is wrong, what to do.

    Attributes:
        path: the file.
        reason: what is wrong and what to do.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ReceiptError(ConsentError):
    """A receipt is unreadable, belongs to another ledger, or the ledger no longer holds it."""
