"""Ctrl-C on the cluster path cancels like a local render; bad --cluster and --workers values
are one line (issue 21, item 3).

The reproduction: Ctrl-C (SIGINT to the terminal's process group) during `coprod render
--workers 2` killed the workers' ffmpeg, Dask retried the segments, and the render exited 0 and
replaced the previous film, printing "Compute Failed ... Traceback" on the way. A malformed
--cluster address gave a traceback and a 60 s hang; --workers 500 on 2 cores started workers
until it was killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adversarial.conftest import no_hang, one_line_error
from tests.conftest import interruptible, run_cli
from tests.pipeline.conftest import MakeFilm

pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[cluster]'")


def _films(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "build" / "review").glob("film*"))}


@pytest.mark.slow
def test_ctrl_c_to_the_process_group_of_a_workers_render(make_film: MakeFilm) -> None:
    # Eight clips, so that work is left when the first segment is reported.
    film = make_film(8)
    root = film.project.root
    code, out = run_cli("render", str(root), "--profile", "review")
    assert code == 0, out
    previous = _films(root)
    for cached in (root / "build" / "segments").iterdir():
        cached.unlink()

    def own_group() -> None:
        interruptible()
        os.setsid()  # the test's terminal: Ctrl-C goes to every process in the group

    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "render", str(root), "--profile", "review",
         "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=own_group)
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if "rendered on worker" in line:
                os.killpg(proc.pid, signal.SIGINT)
                break
        else:
            pytest.fail("the render ended before any segment was reported:\n" + "".join(seen))
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    err = "".join(seen) + err
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "Compute Failed" not in err, err
    assert "interrupted" in err.lower(), err
    assert _films(root) == previous


@pytest.mark.parametrize("address", ["tcp://", "tcp://host:notaport", "::::", "no address",
                                     "tcp://127.0.0.1:99999", "http://[::1", "tcp://a b:1", "tcp://h:0"])
def test_a_malformed_cluster_address_is_one_line(make_film: MakeFilm, address: str) -> None:
    film = make_film(1, seconds=1.0)
    with no_hang(20):  # a hang detector: the malformed address waited 60 s
        code, out = run_cli("render", str(film.project.root), "--profile", "review",
                            "--cluster", address)
    assert code in (1, 2), out
    line = one_line_error(out)
    assert "--cluster" in line and "tcp://HOST:PORT" in line, line
    assert not (film.project.build_dir / "review").exists()


def test_workers_are_capped_at_the_machine_s_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.cli import _cluster

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert _cluster.worker_count(500) == (2, "--workers 500: this machine has 2 cores; "
                                             "running 2 workers")
    assert _cluster.worker_count(2) == (2, None) and _cluster.worker_count(1) == (1, None)
