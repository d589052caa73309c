"""Every ffmpeg/ffprobe (and espeak-ng) call goes through here.

Argument lists only, never shell strings; each program is located once; each call is logged
with ``shlex.join``; a failure raises :class:`MediaToolError` with the tail of stderr.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import shlex
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.exceptions import MediaToolError, ToolMissingError, tool_error

log = logging.getLogger("coprod.runner")

_INSTALL_HINT = {
    "ffmpeg": "install it with `apt-get install ffmpeg` (or run `make demo`, which does)",
    "ffprobe": "install it with `apt-get install ffmpeg` (or run `make demo`, which does)",
    "espeak-ng": "install it with `apt-get install espeak-ng`",
}

STDERR_TAIL_LINES = 15


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity; the CI machines have 2)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@functools.cache
def which(tool: str) -> str:
    """Absolute path of ``tool``, located once per process."""
    found = shutil.which(tool)
    if found is None:
        raise ToolMissingError(tool, _INSTALL_HINT.get(tool, f"install {tool}"))
    return found


def _argv(argv: Sequence[str | Path]) -> list[str]:
    args = [str(a) for a in argv]
    if not args:
        raise ValueError("empty argv")
    if "/" not in args[0]:
        args[0] = which(args[0])
    return args


def _tail(text: str) -> str:
    return "\n".join(text.strip().splitlines()[-STDERR_TAIL_LINES:])


# Every tool started through here and still running, so a Ctrl-C can stop the ones that threads
# started (a thread's own subprocess is not told of an interrupt in the main thread).
_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()


@contextlib.contextmanager
def _tracked(proc: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """Keep ``proc`` in the live set while it runs; kill it if its caller is interrupted."""
    with _live_lock:
        _live.add(proc)
    try:
        yield proc
    except BaseException:
        with contextlib.suppress(OSError):
            proc.kill()
        raise
    finally:
        with _live_lock:
            _live.discard(proc)


def stop_all() -> int:
    """Terminate every tool started through here that is still running; how many were.

    For a Ctrl-C while segments render in threads: each thread's ffmpeg ends at once (its
    output is a temp file, removed by its caller) instead of running to the end of its part.
    """
    with _live_lock:
        running = [p for p in _live if p.poll() is None]
    for proc in running:
        with contextlib.suppress(OSError):
            proc.terminate()
    return len(running)


def run(
    argv: Sequence[str | Path],
    *,
    input: bytes | None = None,
    check: bool = True,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a program to completion and return its output; raise MediaToolError on failure."""
    args = _argv(argv)
    log.debug("run: %s", shlex.join(args))
    with subprocess.Popen(args, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as popen, \
            _tracked(popen) as proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.communicate()
            raise MediaToolError(args, -1, f"timed out after {timeout} s") from exc
    done = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check and done.returncode != 0:
        raise tool_error(args, done.returncode, _tail(err.decode("utf-8", "replace")))
    return done


def ffmpeg(
    args: Sequence[str | Path],
    *,
    progress: Callable[[float], None] | None = None,
    total_s: float | None = None,
) -> None:
    """Run ffmpeg with ``args`` (without the program name).

    With ``progress``, ffmpeg reports through ``-progress pipe:1`` and ``progress`` is called
    with the fraction done (0..1) when ``total_s`` is known, else with seconds done.
    """
    base: list[str | Path] = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    if progress is None:
        run([*base, *args])
        return
    argv = _argv([*base, "-progress", "pipe:1", "-nostats", *args])
    log.debug("run: %s", shlex.join(argv))
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL) as popen, _tracked(popen) as proc:
        # stderr is drained on a thread so a chatty ffmpeg never blocks on a full pipe.
        err_chunks: list[bytes] = []
        drain = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()))  # type: ignore[union-attr]
        drain.start()
        assert proc.stdout is not None
        try:
            for raw in proc.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and value.strip().lstrip("-").isdigit():
                    done = max(0, int(value)) / 1e6
                    progress(min(1.0, done / total_s) if total_s else done)
            proc.wait()
        except BaseException:
            proc.kill()  # before the join: its stderr ends only when it does
            raise
        finally:
            drain.join()
    if proc.returncode != 0:
        stderr = b"".join(err_chunks).decode("utf-8", "replace")
        raise tool_error(argv, proc.returncode, _tail(stderr))
    if total_s:
        progress(1.0)  # ffmpeg's last out_time can fall short of the length: it is done


def run_graph(stream: Any, **kwargs: Any) -> None:
    """Compile an ffmpeg-python graph to argv and run it through :func:`ffmpeg`."""
    import ffmpeg as ffmpeg_python

    argv = ffmpeg_python.compile(stream, cmd="ffmpeg", overwrite_output=False)
    ffmpeg(argv[1:], **kwargs)


def ffprobe_json(path: str | Path) -> dict[str, Any]:
    """ffprobe's streams and format of ``path`` as a dict."""
    proc = run(
        [
            "ffprobe", "-v", "error", "-print_format", "json",
            "-show_format", "-show_streams", "--", str(path),
        ]
    )
    data: dict[str, Any] = json.loads(proc.stdout or b"{}")
    return data


@functools.cache
def tool_version(tool: str) -> str:
    """First line of ``tool -version`` (for manifests)."""
    proc = run([tool, "-version"], check=False)
    text = proc.stdout.decode("utf-8", "replace") or proc.stderr.decode("utf-8", "replace")
    return text.splitlines()[0].strip() if text else "unknown"
