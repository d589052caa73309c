"""Every OSError as words a producer can act on (the one table of them), and what a file
that is not a regular file is, in words."""

from __future__ import annotations

import errno
import stat

ADVICE: dict[int, str] = {
    errno.ENOSPC: "disk full; free some space and run the command again",
    errno.EDQUOT: "disk quota exceeded; free some space and run the command again",
    errno.EROFS: "read-only file system; run coprod where the project can be written",
    errno.EACCES: "permission denied; check the permissions of this file and its folder",
    errno.EPERM: "operation not permitted; check the permissions of this file and its folder",
    errno.EISDIR: "is a folder where a file is expected; move the folder away",
    errno.ENOTDIR: "a part of this path is a file where a folder is expected",
    errno.ELOOP: "too many symbolic links, or a symbolic link where coprod refuses one; "
                 "put the file itself there",
    errno.ENOENT: "no such file or folder",
    errno.EIO: "input/output error; the disk may be failing, copy the project elsewhere",
    errno.ENAMETOOLONG: "the name is too long for this file system",
    errno.EMFILE: "too many open files; close other programs and run the command again",
}
"""What to do about each error a producer can meet while coprod reads or writes a file."""


def os_error_advice(exc: OSError) -> str:
    """What went wrong and what to do, without the file's name."""
    return ADVICE.get(exc.errno or 0) or exc.strerror or str(exc)


def describe_os_error(exc: OSError) -> str:
    """One line for a producer: the file, what went wrong and what to do."""
    advice = os_error_advice(exc)
    where = exc.filename if exc.filename is not None else None
    if where is not None and exc.filename2 is not None:
        where = f"{exc.filename} -> {exc.filename2}"
    return f"{where}: {advice}" if where is not None else advice


def file_kind(mode: int) -> str:
    """What a stat mode describes, in words (``a FIFO (named pipe)``, ``a folder``...)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


__all__ = ["ADVICE", "describe_os_error", "file_kind", "os_error_advice"]
