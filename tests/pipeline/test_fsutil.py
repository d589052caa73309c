"""File utilities: atomic writes leave the old file or the new one, never a temp file."""

from __future__ import annotations

import hashlib
import os
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


def test_copy_hashing_returns_the_hash_of_what_it_copied(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    data = os.urandom(3 * fsutil.HASH_CHUNK + 17)
    src.write_bytes(data)
    digest = fsutil.copy_hashing(src, tmp_path / "out" / "copy.bin")
    assert digest == hashlib.sha256(data).hexdigest() == fsutil.sha256_file(src)
    assert digest == fsutil.sha256_bytes(data)
    assert (tmp_path / "out" / "copy.bin").read_bytes() == data


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
