"""Shared fixtures: tiny generated media and fresh film projects."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import runner

# ../shared/corpus beside the repository (CI lays it there); COPROD_CORPUS points elsewhere, and
# COPROD_CORPUS=/nonexistent shows what a clone without it runs.
CORPUS = Path(os.environ.get("COPROD_CORPUS")
              or Path(__file__).resolve().parents[1].parent / "shared" / "corpus")


def terminal_like_sigint() -> None:
    """SIGINT at Python's default and unblocked in this process, as a terminal gives it.

    The whole suite is often run as a background job (``make test > log &``, a CI runner,
    nohup): a non-interactive shell starts background jobs with SIGINT ignored, Python keeps an
    ignored SIGINT, and every child inherits it across exec, so each Ctrl-C test's coprod was
    deaf to its Ctrl-C (the "whole-suite SIGINT inheritance"; run alone in the foreground, the
    same tests passed). The tests need a terminal's Ctrl-C, so the session starts with one.
    """
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, signal.SIG_DFL):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config: pytest.Config) -> None:
    terminal_like_sigint()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what `make test-fast` leaves out by what a test uses, so no test can forget it:
    ``browser`` for tests that drive Chromium, ``cluster`` for tests that start Dask."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "playwright_driver" in fixtures or item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
        if "dask_cluster" in fixtures or "cluster" in item.path.parent.name \
                or "cluster" in item.path.name:
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus; every test that needs it skips, naming where it looked, without it."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(autouse=True)
def witness_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own ledger witness folder (COPROD_WITNESS_DIR), never the user's."""
    folder = tmp_path_factory.mktemp("witness")
    monkeypatch.setenv("COPROD_WITNESS_DIR", str(folder))
    return folder


MakeMedia = Callable[..., Path]


def run_cli(*args: str) -> tuple[int, str]:
    """Run a coprod command in-process; its exit code and everything it printed."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright for the whole run: its sync API cannot be started twice in one thread, so
    the review page's and the site's browser tests launch their browsers from this one."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def make_media(media_dir: Path) -> MakeMedia:
    """Make a seconds-long clip with ffmpeg lavfi: video and/or a tone, cached per arguments."""

    def make(name: str = "clip.mp4", *, seconds: float = 2.0, video: bool = True,
             audio: bool = True, size: str = "320x240", freq: int = 440) -> Path:
        out = media_dir / name
        if out.exists():
            return out
        args: list[str] = []
        maps: list[str] = []
        if video:
            args += ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration={seconds}"]
            maps += ["-map", f"{len(maps) // 2}:v"]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=frequency={freq}:duration={seconds}"]
            maps += ["-map", f"{len(maps) // 2}:a"]
        codecs: list[str] = []
        if video:
            codecs += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        if audio:
            codecs += ["-c:a", "aac" if out.suffix != ".wav" else "pcm_s16le"]
        runner.ffmpeg([*args, *maps, *codecs, "-t", str(seconds), str(out)])
        return out

    return make


def interruptible() -> None:
    """``preexec_fn`` for a child process a test will Ctrl-C: SIGINT unblocked and at its default,
    as a terminal gives it, whatever the thread starting it has (see terminal_like_sigint)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)

