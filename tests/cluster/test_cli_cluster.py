"""`coprod build --workers N` and `--cluster ADDRESS`: the same film bytes as a local build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import forget_renders, outputs
from tests.conftest import interruptible, run_cli

pytestmark = pytest.mark.slow


def test_build_on_workers_or_a_cluster_makes_the_bytes_a_local_build_makes(
        make_film: Any, dask_cluster: Any) -> None:
    film = make_film(1)
    other = make_film(1, folder="second-film", title="Second film")
    root, second = str(film.project.root), str(other.project.root)
    code, out = run_cli("build", root, "--profile", "review")
    assert code == 0, out
    local = outputs(film.project.root, "review")
    assert set(local) == {"film.mp4", "film.open-captions.mp4"}

    forget_renders(film.project.root, "review")
    code, out = run_cli("build", root, "--profile", "review", "--workers", "2")
    assert code == 0, out
    assert "rendered on worker" in out
    assert outputs(film.project.root, "review") == local

    # Two films in one command, sharing a running cluster; progress names each film.
    forget_renders(film.project.root, "review")
    code, out = run_cli("build", root, second, "--profile", "review",
                        "--cluster", dask_cluster.scheduler_address)
    assert code == 0, out
    assert outputs(film.project.root, "review") == local
    assert set(outputs(other.project.root, "review")) == set(local)
    assert f"{film.project.name}: segment clip-1" in out
    assert f"{other.project.name}: segment clip-1" in out
    assert f"{root}:" in out and f"{second}:" in out


def test_cluster_and_workers_together_is_bad_usage(make_film: Any) -> None:
    film = make_film(1, seconds=1.0)
    code, out = run_cli("render", str(film.project.root), "--workers", "2",
                        "--cluster", "tcp://127.0.0.1:1")
    assert code == 2 and "--cluster and --workers: give one" in out


def test_an_unreachable_scheduler_is_one_line_and_nothing_is_rendered(
        make_film: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "cluster.yaml"
    config.write_text("connect_timeout: 1\n", encoding="utf-8")
    monkeypatch.setenv("COPROD_CLUSTER_CONFIG", str(config))
    monkeypatch.setenv("COPROD_CLUSTER", "tcp://127.0.0.1:9")  # the environment's default
    film = make_film(1, seconds=1.0)
    code, out = run_cli("build", str(film.project.root), "--profile", "review")
    assert code == 1
    (line,) = [x for x in out.splitlines() if x.startswith("Error:")]
    assert line.startswith("Error: Dask cluster tcp://127.0.0.1:9: cannot reach the scheduler")
    assert "Traceback" not in out
    assert not (film.project.build_dir / "review").exists()


def test_ctrl_c_during_a_cluster_render_stops_it_and_keeps_the_previous_film(
        make_film: Any, dask_cluster: Any, client: Any) -> None:
    """A real SIGINT to a real `coprod render --cluster` process, once a segment is done."""
    import signal
    import subprocess
    import sys
    import time

    # Eight clips: after the first segment is reported, enough work is left that the render
    # cannot finish before the signal arrives, even on a loaded machine (with four, it did).
    film = make_film(8)
    root = film.project.root
    code, out = run_cli("render", str(root), "--profile", "review")
    assert code == 0, out
    previous = outputs(root, "review")
    for cached in (root / "build" / "segments").iterdir():
        cached.unlink()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "render", str(root), "--profile", "review",
         "--cluster", dask_cluster.scheduler_address],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "rendered on worker" in line:
                proc.send_signal(signal.SIGINT)
                break
        else:
            pytest.fail("the render ended before any segment was reported")
        assert proc.wait(timeout=60) != 0
    finally:
        proc.kill()
    assert outputs(root, "review") == previous
    deadline = time.monotonic() + 120  # a bound for a hung scheduler only
    left = ["?"]
    while left and time.monotonic() < deadline:
        left = client.run_on_scheduler(
            lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks
                                    if str(k).startswith("coprod-")])
        time.sleep(0.2)
    assert not left
