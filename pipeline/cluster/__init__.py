"""Transcription and segment renders on a Dask cluster (``--cluster ADDRESS`` or ``--workers N``).

The gate, the plan, the join, loudness, the manifest and every caption or transcript write stay
on the machine that runs the command; only one clip's decoding
(:func:`pipeline.cluster.tasks.decode_clip_task`) and one segment's render
(:func:`pipeline.cluster.tasks.render_segment_task`) run on workers, on a shared filesystem.

* :mod:`.config`: the cluster config file (path mapping, retries, time-out);
* :mod:`.session`: connecting, checking every worker before any work, submitting, retries,
  cancellation on Ctrl-C;
* :mod:`.tasks`: what runs on a worker;
* :mod:`.errors`: the errors, each one line naming the worker or the file.

Dask is an optional extra (``pip install -e '.[cluster]'``), imported only when a cluster is used.
"""

from __future__ import annotations

from pipeline.cluster.config import CONFIG_ENV, ClusterConfig, config_path, load_config
from pipeline.cluster.errors import (
    ClusterConfigError,
    ClusterConnectError,
    ClusterError,
    ClusterTasksError,
    TaskFailedError,
    WorkerRefusedError,
)
from pipeline.cluster.session import ClusterSession, open_cluster

CLUSTER_ENV = "COPROD_CLUSTER"

__all__ = [
    "CLUSTER_ENV",
    "CONFIG_ENV",
    "ClusterConfig",
    "ClusterConfigError",
    "ClusterConnectError",
    "ClusterError",
    "ClusterSession",
    "ClusterTasksError",
    "TaskFailedError",
    "WorkerRefusedError",
    "config_path",
    "load_config",
    "open_cluster",
]
