"""Issue 25 item 3: one atomic-write helper and one table of OS-error words, used everywhere.

A failure at any step of a write (mid-write, at the fsync, at the rename) leaves the old file
whole and no temp file; film.yaml's writer, the caption writer, the ledger's whole-file writes
(its witness, its repair) and the review links all go through the one helper, and every
library words an OSError from the one table.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from captions.exceptions import CaptionError
from captions.textio import atomic_write_text, read_caption_bytes
from consent.exceptions import LedgerFileError
from consent.files import atomic_write as consent_write
from consent.files import problem
from pipeline.fsutil import atomic_write_bytes, describe_os_error
from pipeline.review.links import LinkBook
from safeio import atomic, atomic_write, fsync_dir, os_error_advice

OLD = b"the old file, whole\n" * 100


def _fail_after(monkeypatch: pytest.MonkeyPatch, name: str, *, partial: bool = False) -> None:
    """Make ``os.<name>`` fail as a full disk would (os.write after writing half its bytes)."""
    real = getattr(os, name)

    def failing(*args: object) -> object:
        if partial:
            fd, data = args
            real(fd, bytes(data)[: len(data) // 2])  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, name, failing)


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(("step", "partial"), [("write", True), ("fsync", False),
                                               ("replace", False), ("fchmod", False)])
def test_a_failure_at_any_step_leaves_the_old_file_whole_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, partial: bool) -> None:
    target = tmp_path / "film.yaml"
    target.write_bytes(OLD)
    with monkeypatch.context() as patch:
        _fail_after(patch, step, partial=partial)
        with pytest.raises(OSError) as info:
            atomic_write(target, b"new" * 10_000)
    assert info.value.errno == errno.ENOSPC
    assert target.read_bytes() == OLD
    assert _left(tmp_path) == ["film.yaml"]
    atomic_write(target, b"new")  # and the next write goes through
    assert target.read_bytes() == b"new" and _left(tmp_path) == ["film.yaml"]


def test_the_file_and_its_folder_are_synced_before_and_after_the_rename(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (calls.append(
        "dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "file"), real_fsync(fd))[1])
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (calls.append("rename"),
                                                            real_replace(a, b))[1])
    atomic_write(tmp_path / "out.json", b"{}")
    assert calls == ["file", "rename", "dir"]


def test_modes_kept_or_given(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.write_bytes(OLD)
    kept.chmod(0o640)
    atomic_write(kept, b"x")
    assert kept.stat().st_mode & 0o777 == 0o640
    private = tmp_path / "private"
    atomic_write(private, b"x", mode=0o600)
    assert private.stat().st_mode & 0o777 == 0o600


def test_the_temp_file_is_never_made_through_a_symbolic_link(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic.secrets, "token_hex", lambda n: "fixed")
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / f".out.{os.getpid()}.fixed.tmp").symlink_to(elsewhere)
    with pytest.raises(OSError):
        atomic_write(tmp_path / "out", b"x")
    assert not elsewhere.exists() and not (tmp_path / "out").exists()


def test_fsync_dir_lets_a_file_system_that_cannot_sync_folders_be(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(fd: int) -> None:
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(atomic.os, "fsync", refuse)
    fsync_dir(tmp_path)


def _film_yaml(path: Path) -> None:
    atomic_write_bytes(path, b"new film.yaml")


def _caption(path: Path) -> None:
    atomic_write_text(path, "1\n00:00:00,000 --> 00:00:01,000\nHi\n")


def _witness(path: Path) -> None:
    consent_write(path, b"new head")


def _links(path: Path) -> None:
    LinkBook(path.parent).issue(["amara"])


WRITERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "film.yaml": (_film_yaml, "film.yaml"),
    "captions": (_caption, "clip.srt"),
    "ledger": (_witness, "witness.json"),
    "links": (_links, "links.json"),
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_writer_goes_through_the_one_helper(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    write, name = WRITERS[kind]
    target = tmp_path / name
    target.write_bytes(OLD)
    target.chmod(0o600)
    with monkeypatch.context() as patch:
        _fail_after(patch, "replace")
        with pytest.raises((OSError, CaptionError, LedgerFileError)) as info:
            write(target)
    assert target.read_bytes() == OLD and _left(tmp_path) == [name]
    # The libraries word it from the one table; the pipeline's CLI words a bare OSError so.
    if isinstance(info.value, OSError):
        assert info.value.errno == errno.ENOSPC
    else:
        assert os_error_advice(OSError(errno.ENOSPC, "x")) in str(info.value)
    write(target)
    assert target.read_bytes() != OLD


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO])
def test_every_library_words_an_os_error_from_the_one_table(tmp_path: Path, code: int) -> None:
    err = OSError(code, os.strerror(code), str(tmp_path / "x"))
    words = os_error_advice(err)
    assert words != os.strerror(code)  # the table has advice for it
    assert describe_os_error(err).endswith(words)
    assert str(problem(tmp_path / "x", err, "write it")).endswith(f"cannot write it: {words}")
    folder = tmp_path / "unreadable"
    folder.mkdir()
    with pytest.raises(CaptionError) as info:
        read_caption_bytes(folder / "missing.srt")
    assert os_error_advice(OSError(errno.ENOENT, "x")) in str(info.value)
