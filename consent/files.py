"""The files the consent library keeps (the ledger, its lock, its witness), handled with care.

Each is opened without following a symbolic link and without blocking, and refused unless it is
a regular file: a ledger symlinked to /dev/null would swallow a withdrawal, and a FIFO would hang
the command. New files are created 0600 (consent records are personal data). Whole-file writes
go to a temporary file beside the target, are fsync'd and renamed into place. Every OSError
becomes a :class:`~consent.exceptions.LedgerFileError`: one line naming the file, what went
wrong and what to do.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from consent.exceptions import LedgerFileError

PRIVATE = 0o600
"""The mode new consent files are created with: the owner reads and writes, nobody else."""

_ADVICE: dict[int, str] = {
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EROFS: "the file system is read-only; run coprod where this folder can be written",
    errno.EACCES: "permission denied; check the permissions of this file and its folder",
    errno.EPERM: "operation not permitted; check the permissions of this file and its folder",
    errno.ENOTDIR: "part of this path is a file where a folder should be",
    errno.ENOENT: "its folder does not exist",
    errno.EIO: "input/output error; the disk may be failing, copy the project elsewhere",
    errno.ENAMETOOLONG: "the name is too long for this file system",
}


def problem(path: str | Path, err: OSError, doing: str) -> LedgerFileError:
    """One line for an OSError met while ``doing`` something to ``path``."""
    if err.errno == errno.ELOOP:
        return LedgerFileError(path, symlink_refused())
    if err.errno == errno.EISDIR:
        return LedgerFileError(path, not_a_file("a folder"))
    advice = _ADVICE.get(err.errno or 0) or (err.strerror or str(err))
    return LedgerFileError(path, f"cannot {doing}: {advice}")


def symlink_refused() -> str:
    """Why a symbolic link is refused where a consent file belongs."""
    return ("is a symbolic link; coprod refuses one here, since what is written through it "
            "could land anywhere or be lost: put the real file in its place")


def not_a_file(kind: str) -> str:
    """Why something other than a regular file is refused."""
    return f"is {kind}, not a regular file; move it away and put the real file there"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


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
        raise LedgerFileError(path, not_a_file(_kind(mode)))
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
        raise LedgerFileError(path, not_a_file(_kind(mode)))
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


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` (os.write may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_dir(folder: Path) -> None:
    """Make a new or renamed file's folder entry durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
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
    """Replace ``path`` with ``data`` whole: a temp file beside it (0600), fsync, rename.

    Refuses a symbolic link, folder or other non-regular file at ``path``; on any failure the
    old file is left as it was and the temp file is removed.
    """
    check_regular(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, doing)
    assert fd is not None  # O_CREAT: made or refused
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as err:
        tmp.unlink(missing_ok=True)
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
