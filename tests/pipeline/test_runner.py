"""The one process runner: missing tools, failing calls and what is logged."""

from __future__ import annotations

import logging
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.exceptions import MediaToolError, ToolMissingError


@pytest.fixture(autouse=True)
def _fresh_which() -> Iterator[None]:
    # `which` remembers what it found for the whole process; each test starts and ends clean.
    runner.which.cache_clear()
    yield
    runner.which.cache_clear()


def test_a_missing_ffmpeg_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _tool: None)
    with pytest.raises(ToolMissingError) as caught:
        runner.run(["ffmpeg", "-version"])
    assert caught.value.tool == "ffmpeg"
    assert str(caught.value) == (
        "ffmpeg not found: install it with `apt-get install ffmpeg` (or run `make demo`, which "
        "does)"
    )


def test_a_missing_tool_without_a_known_hint_is_still_named() -> None:
    with pytest.raises(ToolMissingError, match=r"^coprod-no-such-tool not found: install "
                                               r"coprod-no-such-tool$"):
        runner.which("coprod-no-such-tool")


def test_each_tool_is_located_once(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = shutil.which

    def counting(tool: str) -> str | None:
        asked.append(tool)
        return real(tool)

    monkeypatch.setattr(shutil, "which", counting)
    first = runner.which("ffmpeg")
    assert runner.which("ffmpeg") == first and Path(first).is_absolute()
    assert asked == ["ffmpeg"]


def _fail_ffmpeg(tmp_path: Path, **kwargs: object) -> MediaToolError:
    missing = tmp_path / "it's missing.mp4"
    with pytest.raises(MediaToolError) as caught:
        runner.ffmpeg(["-i", missing, tmp_path / "out.mp4"], **kwargs)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize("with_progress", [False, True], ids=["plain", "progress"])
def test_a_failing_ffmpeg_call_carries_argv_and_stderr_tail(
    tmp_path: Path, with_progress: bool
) -> None:
    seen: list[float] = []
    err = _fail_ffmpeg(tmp_path, **({"progress": seen.append, "total_s": 1.0}
                                    if with_progress else {}))
    assert Path(err.argv[0]).is_absolute() and Path(err.argv[0]).name == "ffmpeg"
    assert str(tmp_path / "it's missing.mp4") in err.argv
    assert ("-progress" in err.argv) is with_progress
    assert err.returncode not in (0, -1)
    assert "No such file or directory" in err.stderr_tail
    assert str(err).startswith(f"ffmpeg failed (exit {err.returncode}): ")
    assert "No such file or directory" in str(err)


def test_the_logged_command_is_shlex_joined(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="coprod.runner")
    err = _fail_ffmpeg(tmp_path)
    logged = [r.getMessage() for r in caplog.records if r.name == "coprod.runner"]
    assert logged == [f"run: {shlex.join(err.argv)}"]
    # Pasted into a shell, the logged line is the same argv, quotes and spaces included.
    assert shlex.split(logged[0].removeprefix("run: ")) == err.argv


def test_only_the_tail_of_stderr_is_kept() -> None:
    script = "for i in $(seq 1 40); do echo line $i >&2; done; exit 3"
    with pytest.raises(MediaToolError) as caught:
        runner.run(["/bin/sh", "-c", script])
    err = caught.value
    assert err.returncode == 3 and err.argv == ["/bin/sh", "-c", script]
    assert err.stderr_tail.splitlines() == [
        f"line {i}" for i in range(41 - runner.STDERR_TAIL_LINES, 41)
    ]
    assert str(err) == "sh failed (exit 3): line 40"


def test_check_false_returns_the_failed_process() -> None:
    proc = runner.run(["/bin/sh", "-c", "echo out; exit 4"], check=False)
    assert proc.returncode == 4 and proc.stdout == b"out\n"


def test_a_timeout_is_a_media_tool_error() -> None:
    with pytest.raises(MediaToolError, match=r"timed out after 0.2 s") as caught:
        runner.run(["/bin/sleep", "5"], timeout=0.2)
    assert caught.value.returncode == -1


def test_an_empty_argv_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="empty argv"):
        runner.run([])
