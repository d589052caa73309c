"""A LocalCluster of two single-threaded worker processes, shared by the cluster tests.

Small on purpose: CI has 2 cores, shared with everything else. The film fixtures are the render
tests' own (tiny grey clips, captions, consent and sign-off), imported from tests/pipeline.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.conftest import (  # noqa: F401  (fixtures shared with the render tests)
    TODAY,
    FilmFixture,
    footage_dir,
    make_film,
    make_footage,
    tiny,
)

distributed = pytest.importorskip("distributed", reason="Dask is not installed: pip install -e "
                                  "'.[cluster]' (make test installs it)")


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[Any]:
    """Two worker processes (each with a nanny that restarts it), one thread each."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 3}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0", silence_logs=40) as cluster:
        yield cluster


@pytest.fixture
def client(dask_cluster: Any) -> Iterator[Any]:
    """A client of the shared cluster, with both workers up."""
    with distributed.Client(dask_cluster, set_as_default=False, timeout=30) as c:
        c.wait_for_workers(2, timeout=60)
        yield c


@pytest.fixture
def session(client: Any) -> Any:
    """A coprod cluster session on the shared cluster: one retry, no path mapping."""
    from pipeline.cluster import ClusterConfig, ClusterSession

    return ClusterSession(client, ClusterConfig(retries=1, connect_timeout=30),
                          client.scheduler.address)


def outputs(project_root: Path, profile: str = "web") -> dict[str, bytes]:
    """The published film files of a profile, by name."""
    folder = project_root / "build" / profile
    return {p.name: p.read_bytes() for p in sorted(folder.glob("film*.mp4"))}


def segments(project_root: Path) -> dict[str, bytes]:
    """Every visible cached segment file, by name (temp files are hidden: '.NAME.part...')."""
    folder = project_root / "build" / "segments"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if not p.name.startswith(".")}


def forget_renders(project_root: Path, profile: str = "web") -> None:
    """Remove the cached segments and the published film, so everything is rendered again."""
    shutil.rmtree(project_root / "build" / "segments", ignore_errors=True)
    shutil.rmtree(project_root / "build" / profile, ignore_errors=True)
