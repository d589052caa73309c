"""Before any work, every worker is asked: same coprod and ffmpeg, and can it see the project?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.cluster import ClusterConfig, ClusterSession, WorkerRefusedError
from pipeline.render import render_film
from tests.cluster.conftest import TODAY, tiny


def _set_coprod_version(version: str) -> None:
    import pipeline

    pipeline.__version__ = version


def test_a_worker_with_another_coprod_version_is_refused_by_name(
        make_film: Any, client: Any) -> None:
    """What is faked: the version string coprod reports inside one worker process.

    The check compares ``pipeline.__version__`` as each worker's imported coprod reports it with
    the client's; a worker with another coprod installed reports another string there, which is
    exactly what setting it in that one process (and nowhere else) reproduces. Installing a
    second coprod for one worker would test pip, not the check.
    """
    import pipeline

    film = make_film(1)
    odd = sorted(client.scheduler_info()["workers"])[0]
    name = client.scheduler_info()["workers"][odd]["name"]
    session = ClusterSession(client, ClusterConfig(retries=0), client.scheduler.address)
    client.run(_set_coprod_version, "9.9.9", workers=[odd])
    try:
        with pytest.raises(WorkerRefusedError) as caught:
            render_film(film.reload(), tiny("web"), today=TODAY,
                        dispatch=session.segment_dispatch(film.project.root))
    finally:
        client.run(_set_coprod_version, pipeline.__version__, workers=[odd])
    ((worker, what),) = caught.value.problems
    assert worker == f"{name} ({odd})"
    assert what == f"coprod is '9.9.9' there but '{pipeline.__version__}' here"
    message = str(caught.value)
    assert "\n" not in message and f"worker {name} ({odd})" in message
    # Refused before any work: no segment was rendered, no film published.
    assert not any((film.project.build_dir / "segments").glob("*.mp4"))
    assert not (film.project.build_dir / "web").exists()


def test_a_project_path_the_workers_cannot_see_is_refused(
        make_film: Any, client: Any, tmp_path: Path) -> None:
    film = make_film(1)
    root = film.project.root.resolve()
    # The config says the workers see this folder somewhere they do not.
    config = ClusterConfig(paths=((str(root.parent), str(tmp_path / "not-mounted")),))
    session = ClusterSession(client, config, client.scheduler.address)
    with pytest.raises(WorkerRefusedError) as caught:
        session.check(root, writable=True)
    problems = caught.value.problems
    assert len(problems) == 2  # each worker named
    for worker, what in problems:
        assert "(tcp://" in worker
        assert what.startswith("cannot use the project: ")
        assert str(tmp_path / "not-mounted" / root.name) in what


def test_a_copy_of_the_project_is_not_the_project(make_film: Any, client: Any) -> None:
    film = make_film(1, folder="film")
    other = make_film(1, folder="film-copy", title="Another film")
    session = ClusterSession(client, ClusterConfig(
        paths=((str(film.project.root.resolve()), str(other.project.root.resolve())),)),
        client.scheduler.address)
    with pytest.raises(WorkerRefusedError, match="is not the same file as here"):
        session.check(film.project.root, writable=False)


def test_workers_that_see_the_project_pass_and_the_answer_is_kept(
        make_film: Any, session: ClusterSession) -> None:
    film = make_film(1)
    assert session.check(film.project.root, writable=True) is None
    assert (film.project.root.resolve(), True, None) in session._checked
    assert not [p for p in (film.project.build_dir / "segments").iterdir()]  # probe removed
