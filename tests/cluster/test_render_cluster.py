"""Segment renders on a LocalCluster: the same bytes as here, and what faults leave behind."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.cluster import ClusterSession, ClusterTasksError
from pipeline.render import render_film
from pipeline.render.options import RenderOptions
from pipeline.render.plan import plan_film
from pipeline.render.segments import SegmentJob, segment_files
from tests.cluster.conftest import TODAY, forget_renders, outputs, segments, tiny
from tests.pipeline.conftest import add_signer

pytestmark = pytest.mark.slow


def _render(film: Any, session: ClusterSession | None, **kwargs: Any) -> Any:
    project = film.reload()
    return render_film(project, tiny("web"), today=TODAY,
                       dispatch=session.segment_dispatch(project.root) if session else None,
                       **kwargs, options=RenderOptions(open_captions=True))


def test_a_film_rendered_on_the_cluster_is_byte_identical_to_one_rendered_here(
        make_film: Any, session: ClusterSession) -> None:
    film = make_film(3)
    root = film.project.root
    _render(film, None)
    local_films, local_segments = outputs(root), segments(root)
    forget_renders(root)
    steps: list[str] = []
    result = _render(film, session, progress=lambda step, _f: steps.append(step))
    assert outputs(root) == local_films
    assert segments(root) == local_segments
    assert set(local_films) == {"film.mp4", "film.open-captions.mp4"}
    # Every segment was made on a worker, none here.
    # 2 cards + 3 clips, each part's sound its own job (issue 28) beside its pictures.
    assert len([s for s in steps if "rendered on worker" in s]) == 10
    assert all(":" in name for name in result.segments_rendered)
    # The encoder's thread count is fixed, so the bytes cannot depend on a worker's cores.
    video = next(data for name, data in local_segments.items() if name.endswith(".mp4"))
    assert b"threads=2" in video


def _arm_kill_once(marker: str) -> None:
    """On a worker: the first segment render anywhere kills this worker process mid-task.

    The render's ffmpeg runs, then the process is SIGKILLed before the task can rename its
    output into place, as a machine lost mid-render would be. The marker file (created
    atomically) makes it happen once across all workers; the nanny starts a fresh worker,
    which has no such patch.
    """
    import os
    import signal

    from pipeline import runner

    real = runner.run_graph

    def run_graph_then_die(stream: Any, **kwargs: Any) -> None:
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            real(stream, **kwargs)
            return
        real(stream, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    runner.run_graph = run_graph_then_die


def _disarm() -> None:
    import importlib

    from pipeline import runner

    importlib.reload(runner)


def test_a_worker_killed_mid_render_has_its_segment_made_elsewhere_and_nothing_partial(
        make_film: Any, session: ClusterSession, client: Any, tmp_path: Path) -> None:
    film = make_film(2)
    root = film.project.root
    _render(film, None)
    local_films, local_segments = outputs(root), segments(root)
    forget_renders(root)
    marker = tmp_path / "killed-once"
    before = set(client.scheduler_info()["workers"])
    client.run(_arm_kill_once, str(marker))
    try:
        _render(film, session)
    finally:
        client.run(_disarm)
    assert marker.exists(), "no worker was killed: the test did not test anything"
    assert set(client.scheduler_info()["workers"]) != before  # the nanny started a new one
    assert outputs(root) == local_films
    # Every visible segment is whole (the killed task's output never got its name).
    assert segments(root) == local_segments
    client.wait_for_workers(2, timeout=60)


def test_a_task_that_fails_on_every_retry_names_the_segment_and_the_worker(
        make_film: Any, session: ClusterSession, tmp_path: Path) -> None:
    film = make_film(1)
    project = film.reload()
    prof = tiny("web")
    parts = plan_film(project, prof, ["clip-1"], [("Title", 0.1)], [("Credits", 0.1)])
    clip = next(p for p in parts if p.clip_id == "clip-1")
    gone = dataclasses.replace(clip, source=tmp_path / "gone.mp4", footage_stamp=None)
    files = segment_files(gone, prof, project.build_dir / "segments")
    job = SegmentJob(gone, files, prof, want_video=True, want_captioned=False, want_audio=True)
    with pytest.raises(ClusterTasksError) as caught:
        session.segment_dispatch(project.root)([job], None)
    ((what, worker, reason),) = caught.value.failures
    assert what == f"segment {clip.name}"
    assert worker.startswith("0 (tcp://") or worker.startswith("1 (tcp://")
    assert "gone.mp4" in reason
    assert f"{what}: on worker {worker}" in str(caught.value)
    assert not files.video.exists() and not files.audio.exists()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_ctrl_c_cancels_the_tasks_and_leaves_the_previous_film(
        make_film: Any, session: ClusterSession, client: Any) -> None:
    film = make_film(4)
    root = film.project.root
    _render(film, None)
    previous = {p.name: _sha(p) for p in (root / "build" / "web").iterdir() if p.is_file()}
    for cached in (root / "build" / "segments").iterdir():
        cached.unlink()

    def interrupt(step: str, _fraction: float) -> None:
        if "rendered on worker" in step:
            raise KeyboardInterrupt  # what Ctrl-C raises in the waiting client

    with pytest.raises(KeyboardInterrupt):
        _render(film, session, progress=interrupt)
    now = {p.name: _sha(p) for p in (root / "build" / "web").iterdir() if p.is_file()}
    assert now == previous
    # The scheduler forgets every coprod task: nothing queued stays to run.
    deadline = time.monotonic() + 120  # a bound for a hung scheduler only
    while time.monotonic() < deadline:
        left = client.run_on_scheduler(
            lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks
                                    if str(k).startswith("coprod-")])
        if not left:
            break
        time.sleep(0.2)
    assert not left
    # Fewer than all 6 segments were made (2 cards + 4 clips): the rest were cancelled.
    made = [p for p in (root / "build" / "segments").glob("*.mp4")]
    assert len(made) < 6


def test_signed_segments_are_made_on_workers_and_the_signed_film_is_the_same(
        make_film: Any, session: ClusterSession) -> None:
    film = make_film(2)
    add_signer(film.project, "clip-1")
    root = film.project.root
    _render(film, None)
    local_films = outputs(root)
    assert "film.signed.mp4" in local_films
    forget_renders(root)
    steps: list[str] = []
    result = _render(film, session, progress=lambda step, _f: steps.append(step))
    assert outputs(root) == local_films
    assert "clip-1:signed" in result.segments_rendered
    assert any(s.startswith("segment clip-1:signed rendered on worker") for s in steps), steps
