"""`coprod review` as a producer runs it: links printed, the page served, Ctrl-C stops it."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline.project import Project
from tests.conftest import interruptible, run_cli

COPROD = [sys.executable, "-m", "pipeline"]


def _start(root: Path, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start `coprod review` on a free port; return it and what it printed up to "Ctrl-C"."""
    proc = subprocess.Popen([*COPROD, "review", str(root), "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            preexec_fn=interruptible)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                return
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    while True:
        line = lines.get(timeout=30)
        if line is None:
            proc.kill()
            raise AssertionError(f"review did not start: {seen}")
        seen.append(line)
        if line.startswith("Press Ctrl-C"):
            return proc, seen


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


@pytest.mark.slow
def test_review_prints_links_serves_the_page_and_stops_cleanly(film: Project) -> None:
    httpx = pytest.importorskip("httpx")
    proc, lines = _start(film.root)
    try:
        links = dict(re.findall(r"^  (\w+): (http://127\.0\.0\.1:\d+/enter/\S+)$",
                                "\n".join(lines), re.M))
        assert set(links) == {"amara", "ben"}
        assert any("only this computer" in line for line in lines)
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            home = browser.get(links["amara"])
            assert home.status_code == 200 and "Open clip amara-talk" in home.text
            assert "ben-talk" not in home.text
    finally:
        code, out, err = _stop(proc)
    assert code == 0, err
    assert "Review page stopped." in out
    assert "Traceback" not in err
    assert "GET /enter/... 303" in err
    for link in links.values():
        assert link.rsplit("/", 1)[1] not in err

    # A restart keeps the links (and cannot print them again); --new-links replaces one.
    proc, lines = _start(film.root, "--contributor", "ben", "--new-links")
    try:
        text = "\n".join(lines)
        assert "amara" not in text
        new_ben = re.search(r"ben: (http://\S+)", text)
        assert new_ben and new_ben[1].rsplit("/", 1)[1] != links["ben"].rsplit("/", 1)[1]
        port = new_ben[1].split(":")[2].split("/")[0]
        with httpx.Client(timeout=10) as browser:
            old_amara = links["amara"].split(":")[0:2]
            amara = f"{':'.join(old_amara)}:{port}/enter/{links['amara'].rsplit('/', 1)[1]}"
            assert browser.get(amara).status_code == 303
            old_ben = amara.rsplit("/", 1)[0] + "/" + links["ben"].rsplit("/", 1)[1]
            assert browser.get(old_ben).status_code == 404
    finally:
        assert _stop(proc)[0] == 0
    proc, lines = _start(film.root)
    _stop(proc)
    assert any(re.match(r"  amara: the link made on \d{4}-\d\d-\d\d still works", line)
               for line in lines)


def test_review_refuses_unknown_contributors_and_says_who_can_reach_it(film: Project) -> None:
    code, out = run_cli("review", str(film.root), "--contributor", "zed", "--port", "0")
    assert code == 1
    assert "no clips to review for zed" in out and "amara, ben" in out


def test_a_host_other_than_this_computer_is_spelled_out() -> None:
    from pipeline.review.server import plan

    assert plan("127.0.0.1", 8765).local_only
    assert plan("0.0.0.0", 8765).hosts == ("*",)
    assert "192.168.1.5" in plan("192.168.1.5", 8765).hosts


def test_ctrl_c_straight_after_start_still_stops_cleanly(film: Project) -> None:
    for _ in range(3):
        proc, _lines = _start(film.root)
        code, out, err = _stop(proc)
        assert code == 0, err
        assert "Review page stopped." in out and "Traceback" not in err
