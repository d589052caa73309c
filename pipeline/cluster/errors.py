"""What can go wrong on a Dask cluster, each error carrying its data and reading as one line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.exceptions import PipelineError


class ClusterError(PipelineError):
    """Base of the cluster's errors."""


class ClusterConfigError(ClusterError):
    """The cluster config file is unreadable or wrong; names the file and the key."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ClusterConnectError(ClusterError):
    """The scheduler cannot be reached, or no worker joined it in time."""

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(f"Dask cluster {address}: {reason}")


class WorkerRefusedError(ClusterError):
    """A worker cannot do coprod's work: a version differs, or it cannot see the project.

    ``problems`` holds (worker, what differs) for every worker refused.
    """

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"worker {worker}: {what}" for worker, what in self.problems)
                         + "; nothing was sent to the cluster")


class TaskFailedError(ClusterError):
    """A task raised on a worker (the worker and what it was doing are named).

    Raised inside the task, so it must survive pickling back to the client.
    """

    def __init__(self, what: str, worker: str, reason: str) -> None:
        self.what = what
        self.worker = worker
        self.reason = reason
        super().__init__(f"{what}: failed on worker {worker}: {reason}")

    def __reduce__(self) -> tuple[type[TaskFailedError], tuple[str, str, str]]:
        return (type(self), (self.what, self.worker, self.reason))


class ClusterTasksError(ClusterError):
    """Tasks failed on every try; ``failures`` holds (clip or part, worker, reason) for each."""

    def __init__(self, failures: Sequence[tuple[str, str, str]]) -> None:
        self.failures = list(failures)
        lines = [f"{len(self.failures)} task(s) failed on the cluster after every retry:"]
        lines += [f"  {what}: on worker {worker}: {reason}"
                  for what, worker, reason in self.failures]
        super().__init__("\n".join(lines))


__all__ = [
    "ClusterConfigError",
    "ClusterConnectError",
    "ClusterError",
    "ClusterTasksError",
    "TaskFailedError",
    "WorkerRefusedError",
]
