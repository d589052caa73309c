"""The options transcribe, render and build share to run on a Dask cluster: --cluster, --workers."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline.cli._common import say

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


# A Dask scheduler address: tcp:// (or tls://, ws://, wss://) and host:port; a host name, an
# IPv4 address or a bracketed IPv6 one. Checked before Dask sees it: a malformed one made the
# client print a traceback and then wait out its whole connect time-out.
ADDRESS_RE = re.compile(r"(?:(?:tcp|tls|ws|wss)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})")


def check_address(address: str, where: str) -> str:
    """``address`` if it is a scheduler address; else a usage error naming ``where`` it came
    from (--cluster or $COPROD_CLUSTER)."""
    found = ADDRESS_RE.fullmatch(address.strip())
    if found is None or not 0 < int(found.group(2)) < 65536:
        shown = address if len(address) <= 80 else address[:77] + "..."
        raise click.UsageError(f"{where} {shown!r} is not a scheduler address like "
                               "tcp://HOST:PORT (e.g. tcp://render-1:8786)")
    return address.strip()


def worker_count(asked: int) -> tuple[int, str | None]:
    """The worker processes to start for --workers ``asked``: at most one a core (each renders
    with ffmpeg's own threads, so more only thrash), and what to say when capped."""
    from pipeline.runner import usable_cores

    cores = usable_cores()
    if asked <= cores:
        return asked, None
    return cores, (f"--workers {asked}: this machine has {cores} core{'s' if cores != 1 else ''}"
                   f"; running {cores} worker{'s' if cores != 1 else ''}")


@contextlib.contextmanager
def cluster_session(address: str | None, workers: int | None) -> Iterator[ClusterSession | None]:
    """The cluster the options ask for, open for the command; None without either option."""
    if address and workers:
        raise click.UsageError("--cluster and --workers: give one (a scheduler elsewhere, or "
                               "workers on this machine)")
    where = "--cluster"
    if not address and not workers:
        address, where = os.environ.get(CLUSTER_ENV) or None, f"${CLUSTER_ENV}"
    if not address and not workers:
        yield None
        return
    if address:
        address = check_address(address, where)
    if workers:
        workers, capped = worker_count(workers)
        if capped:
            say(capped)
    from pipeline.cluster import open_cluster

    with open_cluster(address, workers) as session:
        yield session


__all__ = ["check_address", "cluster_options", "cluster_session", "with_cluster_options",
           "worker_count"]
