"""Task errors name the part or clip and the worker, and survive the trip back to the client."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

from pipeline.cluster import ClusterTasksError, TaskFailedError
from pipeline.cluster.session import describe_failure


def test_a_task_error_comes_back_whole() -> None:
    error = TaskFailedError("segment clip-2", "edit-2 (tcp://10.0.0.2:4000)", "ffmpeg failed")
    back = pickle.loads(pickle.dumps(error))
    assert (back.what, back.worker, back.reason) == (error.what, error.worker, error.reason)
    assert str(back) == "segment clip-2: failed on worker edit-2 (tcp://10.0.0.2:4000): " \
        "ffmpeg failed"
    assert describe_failure("ignored", back) == ("segment clip-2", "edit-2 (tcp://10.0.0.2:4000)",
                                                 "ffmpeg failed")


def test_a_task_that_killed_its_workers_names_the_last_one() -> None:
    killed = SimpleNamespace(last_worker=SimpleNamespace(name="edit-3", address="tcp://x:1"),
                             allowed_failures=3)
    what, worker, reason = describe_failure("clip amara", killed)  # type: ignore[arg-type]
    assert (what, worker) == ("clip amara", "edit-3")
    assert "died 3 time(s)" in reason


def test_every_failure_is_listed() -> None:
    error = ClusterTasksError([("segment a", "w1", "x"), ("segment b", "w2", "y")])
    assert str(error).splitlines() == [
        "2 task(s) failed on the cluster after every retry:",
        "  segment a: on worker w1: x",
        "  segment b: on worker w2: y",
    ]
