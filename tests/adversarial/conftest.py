"""Fault injection for the adversarial tests: failing writes, a small real disk, FIFOs, hangs.

* ``fail_writes(folder, errno)``: every write coprod's own Python code starts under ``folder``
  fails with that error (ENOSPC by default), as on a full disk or a read-only mount: opening
  a file for writing, creating a temp file, renaming or linking into the folder, making a
  folder. Reads still work. Child processes (ffmpeg) are not affected.
* ``small_tmpfs(size_kb)``: a real tmpfs of that size mounted for the test (root only; the
  test is skipped, saying why, where mounting is not allowed), with :func:`fill_up` to use the
  rest of its space and :func:`remount_read_only`.
* :func:`make_fifo`: a named pipe with no writer, where opening it for reading the usual way
  would wait for ever; :func:`no_hang` fails the test instead of letting it wait.
* the render fixtures (``make_film``...) of tests/pipeline, and ``rate_film`` of
  tests/interchange. (tests/conftest.py gives every test
  its own ledger witness folder.)
"""

from __future__ import annotations

import builtins
import contextlib
import errno as errnos
import io
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.interchange.conftest import rate_film, rate_footage  # noqa: F401
from tests.pipeline.conftest import footage_dir, make_film, make_footage  # noqa: F401

FailWrites = Callable[..., None]
SmallTmpfs = Callable[[int], Path]

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@pytest.fixture
def fail_writes(monkeypatch: pytest.MonkeyPatch) -> FailWrites:
    """Make writes under a folder fail: ``fail_writes(folder, errno.ENOSPC)``."""

    def install(folder: Path, error: int = errnos.ENOSPC) -> None:
        root = os.path.abspath(folder)

        def hit(path: Any) -> bool:
            if isinstance(path, int):
                return False
            full = os.path.abspath(os.fsdecode(os.fspath(path)))
            return full == root or full.startswith(root + os.sep)

        def fail(path: Any) -> None:
            raise OSError(error, os.strerror(error), os.fsdecode(os.fspath(path)))

        real_os_open, real_open = os.open, builtins.open
        real_replace, real_rename, real_link, real_mkdir = os.replace, os.rename, os.link, os.mkdir

        def os_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
            if flags & _WRITE_FLAGS and hit(path):
                fail(path)
            return real_os_open(path, flags, mode, dir_fd=dir_fd)

        def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if any(c in mode for c in "wax+") and hit(file):
                fail(file)
            return real_open(file, mode, *args, **kwargs)

        def renaming(real: Callable[..., None]) -> Callable[..., None]:
            def move(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
                if hit(dst):
                    fail(dst)
                real(src, dst, *args, **kwargs)
            return move

        def mkdir(path: Any, mode: int = 0o777, *args: Any, **kwargs: Any) -> None:
            if hit(path) and not os.path.exists(path):
                fail(path)
            real_mkdir(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(builtins, "open", open_)
        monkeypatch.setattr(io, "open", open_)
        monkeypatch.setattr(os, "replace", renaming(real_replace))
        monkeypatch.setattr(os, "rename", renaming(real_rename))
        monkeypatch.setattr(os, "link", renaming(real_link))
        monkeypatch.setattr(os, "mkdir", mkdir)

    return install


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[SmallTmpfs]:
    """Mount a real tmpfs of ``size_kb`` for the test; skipped where mounting is not allowed."""
    mounted: list[Path] = []

    def mount(size_kb: int) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root; the write-failing stub covers this")
        point = tmp_path / f"tmpfs-{len(mounted)}"
        point.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755",
                                 "tmpfs", str(point)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill_up(folder: Path) -> Path:
    """Use every free byte of ``folder``'s file system with one filler file; return it."""
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(block)
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0")
    return filler


def remount_read_only(point: Path) -> None:
    """Make a mounted tmpfs read-only (EROFS for every write from now on)."""
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True, capture_output=True)


def make_fifo(path: Path) -> Path:
    """A named pipe at ``path`` (replacing a file there) with nobody writing to it."""
    if path.is_file():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


class Hang(AssertionError):
    """The code under test waited instead of failing."""


@contextlib.contextmanager
def no_hang(seconds: float = 10.0) -> Iterator[None]:
    """Fail with :class:`Hang` if the block takes longer than ``seconds`` (a FIFO read, say)."""

    def alarm(_signum: int, _frame: Any) -> None:
        raise Hang(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def one_line_error(output: str) -> str:
    """The single error line a failed command printed; fails on a traceback or several lines."""
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    return errors[0]
