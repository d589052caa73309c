"""Running render jobs: here, a few at once in threads, or handed to a dispatcher (a cluster).

A job is a part's missing segments (:class:`pipeline.render.segments.SegmentJob`) or its signed
picture (:class:`pipeline.render.signing.SignedJob`): each makes its files under temp names and
renames them into the cache only when they are whole and checked, so a job stopped half-way
leaves nothing behind.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Protocol

from pipeline import runner
from pipeline.render.plan import Progress

# Segments rendered at once by default. ffmpeg 5.1 runs a segment's decoding and filters
# (scaling, captions, the signer's overlay) in one thread beside x264's two
# (segments.ENCODER_THREADS), so one segment at a time leaves a core idle while it filters.
# Measured on 2 cores, taking turns: the benchmark film's eight signed segments took 0.77-0.95x
# the time two at a time (five rounds); three clips' clean and open-captions segments 0.93-0.98x
# (two rounds, where 3 x264 threads were slower either way; docs/BENCHMARKS.md). More cores take
# more, up to MAX_SEGMENT_JOBS (each 1080p ffmpeg holds about 0.5 GB); beyond 2 cores this is not
# measured.
MAX_SEGMENT_JOBS = 4


def default_jobs() -> int:
    """Jobs run at once when the caller does not say: 2, or half the cores (each job's x264
    has two threads), at most :data:`MAX_SEGMENT_JOBS`."""
    return max(2, min(MAX_SEGMENT_JOBS, runner.usable_cores() // 2))


class Job(Protocol):
    """Work a dispatcher can run anywhere. Its files appear in the cache only when made and
    checked."""

    @property
    def name(self) -> str: ...

    def run(self, progress: Progress | None = None) -> None: ...

    def on_worker(self, to: Callable[[Path], Path]) -> Job: ...


SegmentDispatch = Callable[[Sequence[Job], Progress | None], None]
"""Runs every job elsewhere, e.g. on a Dask cluster."""


def run_jobs(todo: Sequence[Job], *, jobs: int = 1, progress: Progress | None = None,
             dispatch: SegmentDispatch | None = None) -> None:
    """Run every job: through ``dispatch`` when given, else here, ``jobs`` at once."""
    if dispatch is not None and todo:
        dispatch(todo, progress)
    elif jobs <= 1 or len(todo) <= 1:
        for job in todo:
            job.run(progress)
    else:
        run_at_once([functools.partial(job.run, progress) for job in todo], jobs)


def run_at_once(calls: Sequence[Callable[[], None]], at_once: int) -> None:
    """Run ``calls`` in ``at_once`` threads (render jobs; publishing's muxes).

    After a failure no call that has not started starts; once the running calls have finished
    (their files appear only when whole), the first failure in the calls' order is raised, so
    one fault reads the same whichever thread met it first. On Ctrl-C the tools the threads run
    are stopped too.
    """
    pool = ThreadPoolExecutor(max_workers=at_once)
    futures: list[Future[None]] = []
    try:
        for call in calls:
            futures.append(pool.submit(call))
        wait(futures, return_when=FIRST_EXCEPTION)
    except KeyboardInterrupt:
        # Ctrl-C (or SIGTERM, which coprod turns into one) is heard by the main thread only:
        # nothing queued starts, and the threads' ffmpeg runs (even one starting just now) are
        # stopped until every thread has unwound, removing its temp files.
        for future in futures:
            future.cancel()
        while wait(futures, timeout=0.1).not_done:
            runner.stop_all()
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True, cancel_futures=True)
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            future.result()


__all__ = ["MAX_SEGMENT_JOBS", "Job", "SegmentDispatch", "default_jobs", "run_at_once",
           "run_jobs"]
