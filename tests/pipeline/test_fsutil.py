"""File utilities: atomic writes leave the old file or the new one, never a temp file."""

from __future__ import annotations

import errno
import hashlib
import os
import re
from pathlib import Path

import pytest

from pipeline import fsutil


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "file.json"
    fsutil.atomic_write_bytes(path, b"one")
    path.chmod(0o640)
    fsutil.atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    assert path.stat().st_mode & 0o777 == 0o640
    assert _leftovers(path.parent) == []


def test_atomic_write_failure_leaves_the_old_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "file.json"
    fsutil.atomic_write_bytes(path, b"old")

    def broken_fsync(_fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        fsutil.atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_temp_output_is_renamed_only_on_success(tmp_path: Path) -> None:
    final = tmp_path / "film.mp4"
    with fsutil.temp_output(final) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".mp4"
        tmp.write_bytes(b"film")
    assert final.read_bytes() == b"film"
    with pytest.raises(KeyboardInterrupt), fsutil.temp_output(final) as tmp:
        tmp.write_bytes(b"half a film")
        raise KeyboardInterrupt
    assert final.read_bytes() == b"film"
    assert _leftovers(tmp_path) == []


def test_copy_to_temp_returns_the_hash_of_what_it_copied(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    data = os.urandom(3 * fsutil.HASH_CHUNK + 17)
    src.write_bytes(data)
    tmp, digest = fsutil.copy_to_temp(src, tmp_path / "out", "copy.bin")
    assert digest == hashlib.sha256(data).hexdigest() == fsutil.sha256_file(src)
    assert digest == fsutil.sha256_bytes(data)
    assert tmp.parent == tmp_path / "out" and tmp.name.startswith(".copy.bin.")
    assert tmp.read_bytes() == data


def test_move_no_replace_never_overwrites(tmp_path: Path) -> None:
    src, dst = tmp_path / "new", tmp_path / "taken"
    src.write_bytes(b"new")
    dst.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        fsutil.move_no_replace(src, dst)
    assert (src.read_bytes(), dst.read_bytes()) == (b"new", b"old")
    free = tmp_path / "free"
    fsutil.move_no_replace(src, free)
    assert free.read_bytes() == b"new" and not src.exists()


def test_move_no_replace_without_hard_links(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(_src: object, _dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    src, dst = tmp_path / "new", tmp_path / "taken"
    src.write_bytes(b"new")
    dst.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        fsutil.move_no_replace(src, dst)
    fsutil.move_no_replace(src, tmp_path / "free")
    assert (tmp_path / "free").read_bytes() == b"new" and dst.read_bytes() == b"old"


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_reading_refuses_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "thing"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: a plain open() would wait for ever
    else:
        path.mkdir()
    expected = "a FIFO (named pipe)" if kind == "fifo" else "a folder"
    for read in (fsutil.sha256_file, fsutil.read_regular_bytes, fsutil.require_regular):
        with pytest.raises(fsutil.NotAFileError, match=re.escape(expected)) as info:
            read(path)
        assert str(info.value).startswith(f"{path}: is {expected}, not a regular file")


def test_read_regular_bytes_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.srt"
    path.write_bytes(b"x" * 2001)
    assert fsutil.read_regular_bytes(path, limit=2001) == b"x" * 2001
    with pytest.raises(fsutil.FileTooLargeError, match="is 0.0 MB, more than the 0.0 MB"):
        fsutil.read_regular_bytes(path, limit=2000)


@pytest.mark.parametrize(("number", "words"), [
    (errno.ENOSPC, "disk full; free some space"),
    (errno.EROFS, "read-only file system"),
    (errno.EACCES, "permission denied"),
    (errno.EISDIR, "is a folder where a file is expected"),
    (errno.ELOOP, "symbolic link"),
    (errno.EBUSY, "Device or resource busy"),
])
def test_describe_os_error_names_the_file_and_what_to_do(number: int, words: str) -> None:
    exc = OSError(number, os.strerror(number), "/films/ours/film.yaml")
    line = fsutil.describe_os_error(exc)
    assert line.startswith("/films/ours/film.yaml: ") and words in line and "\n" not in line
    assert words in fsutil.describe_os_error(OSError(number, os.strerror(number)))


def test_change_stamp_sees_a_replacement_that_keeps_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"aaaa")
    before = fsutil.change_stamp(path)
    st = path.stat()
    other = tmp_path / "other.mp4"
    other.write_bytes(b"bbbb")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p` or `touch -r` would
    os.replace(other, path)
    after = fsutil.change_stamp(path)
    assert before is not None and after is not None
    assert before[:2] == after[:2] and before != after
    assert fsutil.change_stamp(tmp_path / "gone") is None
