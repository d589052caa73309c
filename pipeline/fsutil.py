"""File utilities for every pipeline stage: atomic writes, hashing, change stamps.

Anything a person relies on (film.yaml, caption files, manifests, renders, footage copies) is
written to a temp file in the same folder and renamed into place with ``os.replace``, so a crash
or Ctrl-C at any moment leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

HASH_CHUNK = 1 << 20

ChangeStamp = tuple[int, int, int, int]


def file_mode(path: Path) -> int:
    """The mode to give a file written at ``path``: its current one, else 0666 less umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes 0600 files; a shared project folder needs the usual mode.
        os.chmod(tmp, file_mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
        os.replace(tmp_path, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def copy_hashing(src: Path, final: Path) -> str:
    """Copy ``src`` to ``final`` through a temp file in the same folder; return its sha256.

    The hash is of the bytes actually copied, so a caller can compare it with a hash taken
    earlier and know the file did not change during the copy.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while chunk := inp.read(HASH_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(src, tmp)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """sha256 of bytes already in memory (cache keys, caption files about to be written)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a file, streamed in 1 MiB chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
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
