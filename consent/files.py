"""The files the consent library keeps (the ledger, its lock, its witness), handled with care.

Each is opened without following a symbolic link and without blocking, and refused unless it is
a regular file: a ledger symlinked to /dev/null would swallow a withdrawal, and a FIFO would hang
the command. New files are created 0600 (consent records are personal data). Whole-file writes
go through :func:`safeio.atomic_write` (temp file beside the target, fsync, rename, fsync the
folder). Every OSError becomes a :class:`~consent.exceptions.LedgerFileError`: one line naming
the file, what went wrong and what to do (:func:`safeio.os_error_advice`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from consent.exceptions import LedgerFileError
from safeio import atomic_write as safe_write
from safeio import file_kind, fsync_dir, os_error_advice, write_all

PRIVATE = 0o600
"""The mode new consent files are created with: the owner reads and writes, nobody else."""

def problem(path: str | Path, err: OSError, doing: str) -> LedgerFileError:
    """One line for an OSError met while ``doing`` something to ``path``."""
    if err.errno == errno.ELOOP:
        return LedgerFileError(path, symlink_refused())
    if err.errno == errno.EISDIR:
        return LedgerFileError(path, not_a_file("a folder"))
    return LedgerFileError(path, f"cannot {doing}: {os_error_advice(err)}")


def symlink_refused() -> str:
    """Why a symbolic link is refused where a consent file belongs."""
    return ("is a symbolic link; coprod refuses one here, since what is written through it "
            "could land anywhere or be lost: put the real file in its place")


def not_a_file(kind: str) -> str:
    """Why something other than a regular file is refused."""
    return f"is {kind}, not a regular file; move it away and put the real file there"


def open_regular(path: Path, flags: int, doing: str) -> int | None:
    """A descriptor on the regular file ``path``; None when it is missing and not being created.

    Raises:
        LedgerFileError: a symbolic link, a folder, FIFO or device, or any other OSError.
    """
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, PRIVATE)
    except FileNotFoundError as err:
        if flags & os.O_CREAT:
            raise problem(path, err, doing) from None
        return None
    except OSError as err:
        raise problem(path, err, doing) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise LedgerFileError(path, not_a_file(file_kind(mode)))
    return fd


def check_regular(path: Path) -> bool:
    """True when ``path`` is a regular file, False when it is missing; refuses anything else."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as err:
        raise problem(path, err, "read it") from None
    if stat.S_ISLNK(mode):
        raise LedgerFileError(path, symlink_refused())
    if not stat.S_ISREG(mode):
        raise LedgerFileError(path, not_a_file(file_kind(mode)))
    return True


def read_regular(path: Path, doing: str = "read it") -> bytes | None:
    """The bytes of the regular file ``path``, or None when it is missing."""
    fd = open_regular(path, os.O_RDONLY, doing)
    if fd is None:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise problem(path, err, doing) from None
    finally:
        os.close(fd)


def make_folder(folder: Path, doing: str, *, private: bool = False) -> None:
    """Create ``folder`` (and its parents) if needed; 0700 when ``private``."""
    try:
        folder.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
    except FileExistsError:
        raise LedgerFileError(folder, not_a_file("a file where a folder should be")) from None
    except OSError as err:
        raise problem(folder, err, doing) from None


def atomic_write(path: Path, data: bytes, doing: str = "write it") -> None:
    """Replace ``path`` with ``data`` whole (:func:`safeio.atomic_write`, created 0600).

    Refuses a symbolic link, folder or other non-regular file at ``path``; on any failure the
    old file is left as it was and the temp file is removed.
    """
    check_regular(path)
    try:
        safe_write(path, data, mode=PRIVATE)
    except OSError as err:
        raise problem(path, err, doing) from None


__all__ = [
    "PRIVATE",
    "atomic_write",
    "check_regular",
    "fsync_dir",
    "make_folder",
    "not_a_file",
    "open_regular",
    "problem",
    "read_regular",
    "symlink_refused",
    "write_all",
]
