"""Errors raised by the caption library."""

from __future__ import annotations

from pathlib import Path


class CaptionError(Exception):
    """Base class for every caption error."""


class CaptionParseError(CaptionError):
    """A caption file could not be read; names the file, the line and what is wrong."""

    def __init__(self, path: str | Path | None, line: int, reason: str) -> None:
        self.path = str(path) if path is not None else "<text>"
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")
