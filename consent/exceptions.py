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
            ``inserted``, ``reordered``, ``duplicate`` or ``truncated``.
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
