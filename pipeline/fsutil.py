"""File utilities for every pipeline stage: atomic writes, hashing, change stamps.

Anything a person relies on (film.yaml, caption files, manifests, renders, footage copies) is
written to a temp file in the same folder, fsync'd and renamed into place, so a crash or Ctrl-C
at any moment leaves either the old file or the new one, never half of one. The rule itself
lives in :mod:`safeio` (with the words for every OSError), which the libraries share; this
module adds the folder making and ffmpeg's temporary outputs the pipeline needs.

Files coprod reads (footage, film.yaml, caption files, transcripts) must be regular files: a
FIFO would block the read for ever and a device or folder is never what was meant, so
:func:`open_regular` opens without blocking and refuses anything else before reading a byte.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.exceptions import PipelineError
from safeio import (
    atomic_write,
    describe_os_error,
    file_kind,
    file_mode,
    fsync_dir,
    os_error_advice,
)

HASH_CHUNK = 1 << 20

class NotAFileError(PipelineError):
    """A folder, FIFO, device or socket where coprod expects a regular file."""

    def __init__(self, path: str | Path, kind: str) -> None:
        self.path = str(path)
        self.kind = kind
        super().__init__(f"{self.path}: is {kind}, not a regular file; put the file itself there")


def require_regular(path: Path) -> os.stat_result:
    """``path``'s stat (symlinks followed) if it is a regular file; NotAFileError otherwise.

    Raises:
        NotAFileError: it is a folder, FIFO, device or socket.
        OSError: it cannot be looked at (FileNotFoundError when missing).
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotAFileError(path, file_kind(st.st_mode))
    return st


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading, refusing anything but a regular file before reading from it.

    The open itself never blocks (O_NONBLOCK: a FIFO with no writer would otherwise wait for
    ever), and the check is made on the opened file, so a file swapped for a FIFO between a
    look and the open is refused too.

    Raises:
        NotAFileError: it is a folder, FIFO, device or socket.
        OSError: it cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFileError(path, file_kind(mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_bytes(path: Path, *, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``; with ``limit``, refuse a larger file unread.

    Raises:
        FileTooLargeError: the file is larger than ``limit`` bytes.
        NotAFileError, OSError: as for :func:`open_regular`.
    """
    with open_regular(path) as fh:
        if limit is not None:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(limit + 1)
            if size > limit or len(data) > limit:
                raise FileTooLargeError(path, max(size, len(data)), limit)
            return data
        return fh.read()


class FileTooLargeError(PipelineError):
    """A file is larger than coprod will read for its kind."""

    def __init__(self, path: str | Path, size: int, limit: int) -> None:
        self.path = str(path)
        self.size = size
        self.limit = limit
        super().__init__(f"{self.path}: is {_megabytes(size)}, more than the {_megabytes(limit)} "
                         "coprod reads for this kind of file; is it the right file?")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size < 10_000_000 else f"{size // 1_000_000} MB"

ChangeStamp = tuple[int, int, int, int]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (:func:`safeio.atomic_write`), making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)


@contextlib.contextmanager
def temp_output(final: Path) -> Iterator[Path]:
    """A temp path beside ``final`` (same suffix, so ffmpeg picks the muxer); renamed on success."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".part{final.suffix}",
                               dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, file_mode(final))
        with open(tmp_path, "rb") as made:  # what ffmpeg wrote, on disk before the rename
            os.fsync(made.fileno())
        os.replace(tmp_path, final)
        fsync_dir(final.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def copy_to_temp(src: Path, folder: Path, name: str) -> tuple[Path, str]:
    """Copy ``src`` to a new hidden temp file in ``folder``; return its path and sha256.

    The caller renames the temp file into place (see :func:`move_no_replace`) or removes it.
    The hash is of the bytes actually copied.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, open_regular(src) as inp:
            while chunk := inp.read(HASH_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(src, tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp), digest.hexdigest()


def move_no_replace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` unless ``dst`` exists (FileExistsError then; nothing moved).

    A hard link fails when the name is taken, so nothing already there is ever overwritten;
    on a file system without hard links the rename is made after a look (callers hold a lock
    against other coprod processes).
    """
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK,
                             errno.EXDEV):
            raise
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.rename(src, dst)
        fsync_dir(dst.parent)
        return
    os.unlink(src)
    fsync_dir(dst.parent)


def sha256_bytes(data: bytes) -> str:
    """sha256 of bytes already in memory (cache keys, caption files about to be written)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a regular file, streamed in 1 MiB chunks (never the whole file in memory).

    Raises:
        NotAFileError: ``path`` is a folder, FIFO, device or socket (refused before reading).
        OSError: it cannot be read.
    """
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def change_stamp(path: Path) -> ChangeStamp | None:
    """Size, mtime, inode and ctime of ``path``, or None when it cannot be read.

    Any replacement or rewrite of the file changes one of them: ``touch -r`` or ``cp -p`` can
    keep size and mtime, never ctime.
    """
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


__all__ = [
    "HASH_CHUNK",
    "ChangeStamp",
    "FileTooLargeError",
    "NotAFileError",
    "atomic_write_bytes",
    "change_stamp",
    "copy_to_temp",
    "describe_os_error",
    "file_kind",
    "file_mode",
    "move_no_replace",
    "open_regular",
    "os_error_advice",
    "read_regular_bytes",
    "require_regular",
    "sha256_bytes",
    "sha256_file",
    "temp_output",
]
