"""Replacing a file whole: temp file beside it, fsync, rename, fsync the folder.

Anything a person relies on (film.yaml, caption files, the ledger's whole-file writes and its
witness, review links, manifests and every output) is written this way, so a crash, Ctrl-C or
full disk at any moment leaves the old file or the new one, never half of one, and no temp
file behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def file_mode(path: Path) -> int:
    """The mode to give a file written at ``path``: its current one, else 0666 less umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def fsync_dir(folder: Path) -> None:
    """Make a new or renamed file's entry in ``folder`` durable.

    A file system that cannot sync a folder (EINVAL, ENOTSUP: some network and FUSE ones) is
    let be: the file's bytes are already on disk.

    Raises:
        OSError: the folder cannot be opened.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (os.write may write less than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def append_synced(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (opened for appending) and fsync it: one line of
    an append-only file (the consent ledger, the comments file) on the disk before it counts."""
    write_all(fd, data)
    os.fsync(fd)


def cut_back_synced(fd: int, size: int) -> None:
    """Truncate ``fd`` back to ``size`` bytes and fsync it: an append that failed part-way
    taken back, so the file ends with its last whole line."""
    os.ftruncate(fd, size)
    os.fsync(fd)


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` whole.

    The bytes go to a new temp file in the same folder (created exclusively, never through a
    symbolic link), are fsync'd, renamed over ``path`` and the folder is fsync'd. On any
    failure the old file is left as it was and the temp file is removed.

    Args:
        path: the file to write; its folder must exist.
        data: every byte of the new file.
        mode: the new file's permission bits; None keeps the current file's, or 0666 less the
            umask for a new one (``0o600`` for personal data).

    Raises:
        OSError: the file cannot be written (nothing changed).
    """
    bits = file_mode(path) if mode is None else mode
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        try:
            os.fchmod(fd, bits)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


__all__ = ["append_synced", "atomic_write", "cut_back_synced", "file_mode", "fsync_dir",
           "write_all"]
