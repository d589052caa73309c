"""The options transcribe, render and build share to run on a Dask cluster: --cluster, --workers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline.cli._common import Progress, quiet

if TYPE_CHECKING:
    from pipeline.cluster import ClusterSession

F = TypeVar("F", bound=Callable[..., Any])

CLUSTER_ENV = "COPROD_CLUSTER"  # pipeline.cluster.CLUSTER_ENV, without importing Dask for --help

cluster_options = [
    click.option("--cluster", "cluster", metavar="ADDRESS",
                 help=f"Run clip transcriptions and segment renders on the Dask scheduler at "
                      f"ADDRESS, e.g. tcp://render-1:8786 (default: ${CLUSTER_ENV})."),
    click.option("--workers", type=click.IntRange(min=1), metavar="N",
                 help="Run them on N worker processes on this machine (a Dask LocalCluster)."),
]


def with_cluster_options(func: F) -> F:
    """--cluster ADDRESS and --workers N."""
    for option in reversed(cluster_options):
        func = option(func)
    return func


@contextlib.contextmanager
def cluster_session(address: str | None, workers: int | None) -> Iterator[ClusterSession | None]:
    """The cluster the options ask for, open for the command; None without either option."""
    if address and workers:
        raise click.UsageError("--cluster and --workers: give one (a scheduler elsewhere, or "
                               "workers on this machine)")
    if not address and not workers:
        address = os.environ.get(CLUSTER_ENV) or None
    if not address and not workers:
        yield None
        return
    from pipeline.cluster import open_cluster

    with open_cluster(address, workers) as session:
        yield session


def line_progress() -> Progress | None:
    """Progress as one line per step: films and clips end in any order on a cluster."""
    if quiet():
        return None
    shown = Progress()
    shown.tty = False
    return shown


__all__ = ["cluster_options", "cluster_session", "line_progress", "with_cluster_options"]
