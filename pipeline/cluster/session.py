"""A connection to a Dask cluster for one coprod command, shared by every film it builds.

:func:`open_cluster` connects to a scheduler (``--cluster ADDRESS`` / ``COPROD_CLUSTER``) or runs
a :class:`~distributed.LocalCluster` of single-threaded worker processes (``--workers N``).
Before the first task for a project, :meth:`ClusterSession.check` asks every worker whether it
sees the project (through the config's path mapping) and runs the client's coprod, ffmpeg and
model, and refuses with one line per worker that differs. Tasks are submitted with the config's
``retries``; a worker that dies mid-task has its task run elsewhere by the scheduler. When the
waiting client is interrupted (Ctrl-C), every task not finished is cancelled before the
interruption goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.cluster.config import ClusterConfig, load_config
from pipeline.cluster.errors import (
    ClusterConnectError,
    ClusterTasksError,
    TaskFailedError,
    WorkerRefusedError,
)
from pipeline.cluster.tasks import (
    Interrupted,
    ProjectProbe,
    Versions,
    decode_clip_task,
    local_versions,
    model_hash,
    render_segment_task,
    worker_report,
)
from pipeline.fsutil import change_stamp, sha256_file
from pipeline.render.jobs import Job, SegmentDispatch
from pipeline.render.plan import Progress
from pipeline.transcribe.decode import DecodedClip, DecodeRequest

log = logging.getLogger("coprod.cluster")

Failure = tuple[str, str, str]  # (part or clip, worker, reason)


def describe_failure(what: str, exc: BaseException) -> Failure:
    """A task's final error as (what, worker, reason)."""
    if isinstance(exc, TaskFailedError):
        return exc.what, exc.worker, exc.reason
    last = getattr(exc, "last_worker", None)
    if last is not None:  # KilledWorker: the task took its worker down every time it ran
        worker = str(getattr(last, "name", "") or getattr(last, "address", last))
        tries = getattr(exc, "allowed_failures", "several")
        return what, worker, (f"the worker running it died {tries} time(s) or more; "
                              "look at the workers' logs (out of memory?)")
    return what, "unknown", (str(exc) or type(exc).__name__).splitlines()[0]


class ClusterSession:
    """The Dask client of one command, with the config and the checks already passed."""

    def __init__(self, client: Any, config: ClusterConfig, address: str) -> None:
        self.client = client
        self.config = config
        self.address = address
        self.versions: Versions = local_versions()
        self._checked: dict[tuple[Path, bool, tuple[str, str | None] | None], str | None] = {}
        self._lock = threading.Lock()
        self._pending: set[Any] = set()  # every future not yet seen through, for cancel_all

    # --- checks -----------------------------------------------------------------------------

    def worker_model(self, model: str | None) -> str | None:
        """A ``--model`` path as the workers see it (names are sent as they are)."""
        if model is None or not Path(model).exists():
            return model
        return str(self.config.to_worker(Path(model).resolve()))

    def check(self, root: Path, *, writable: bool,
              model: tuple[str, str | None] | None = None) -> str | None:
        """Ask every worker about the project at ``root``; the model's hash when asked for.

        Raises:
            WorkerRefusedError: a worker cannot see or use the project, or runs another coprod,
                ffmpeg or model (every such worker named, with what differs).
        """
        root = root.resolve()
        key = (root, writable, model)
        with self._lock:
            if key in self._checked:
                return self._checked[key]
        expected_model = model_hash(*model) if model is not None else None
        film_yaml = root / "film.yaml"
        probe = ProjectProbe(
            root=self.config.to_worker(root), film_yaml_sha256=sha256_file(film_yaml),
            film_yaml_stamp=change_stamp(film_yaml), writable=writable,
            model=(model[0], self.worker_model(model[1])) if model is not None else None)
        answers = self.client.run(worker_report, probe, on_error="return")
        problems: list[tuple[str, str]] = []
        for address, report in sorted(answers.items()):
            if isinstance(report, BaseException):
                problems.append((address, f"could not run coprod's check: {report}"))
                continue
            label = report["label"]
            differs = self.versions.differences(report["versions"])
            if report["problem"]:
                differs.append(report["problem"])
            elif expected_model is not None and report["model_sha256"] != expected_model:
                differs.append(f"the model's hash is {str(report['model_sha256'])[:12]} there "
                               f"but {expected_model[:12]} here")
            problems += [(label, "; ".join(differs))] if differs else []
        if not answers:
            raise ClusterConnectError(self.address, "no worker is connected; start one with "
                                      f"`dask worker {self.address}`")
        if problems:
            raise WorkerRefusedError(problems)
        with self._lock:
            self._checked[key] = expected_model
        return expected_model

    # --- segments ---------------------------------------------------------------------------

    def _worker_job(self, job: Job) -> Job:
        # Absolute first: a worker's working folder is not this command's.
        return job.on_worker(lambda path: self.config.to_worker(path.resolve()))

    def segment_dispatch(self, root: Path, film: str = "") -> SegmentDispatch:
        """What :func:`pipeline.render.segments.render_segments` hands its todo list to."""

        def dispatch(jobs: Sequence[Job], progress: Progress | None) -> None:
            self.check(root, writable=True)
            futures = {self._submit(render_segment_task, f"segment-{job.name}",
                                    self._worker_job(job), self.versions): job for job in jobs}
            failures: list[Failure] = []
            for job, outcome in self._as_completed(futures):
                what = f"{film + ': ' if film else ''}segment {job.name}"
                if isinstance(outcome, BaseException):
                    failures.append(describe_failure(what, outcome))
                elif isinstance(outcome, Interrupted):
                    failures.append((what, outcome.worker, outcome.reason))
                elif progress is not None:
                    progress(f"{what} rendered on worker {outcome}", 1.0)
            if failures:
                raise ClusterTasksError(failures)

        return dispatch

    # --- transcription ----------------------------------------------------------------------

    def decode_clips(self, root: Path, requests: Sequence[DecodeRequest],
                     ) -> Iterator[tuple[str, DecodedClip | Exception, str]]:
        """Decode each clip on a worker; yield (clip, decoding or error, worker) as each ends."""
        if not requests:
            return
        first = requests[0]
        expected = self.check(root, writable=False, model=(first.engine, first.model))
        assert expected is not None
        futures = {}
        for req in requests:
            sent = dataclasses.replace(req, audio=self.config.to_worker(req.audio.resolve()),
                                       model=self.worker_model(req.model))
            futures[self._submit(decode_clip_task, f"clip-{req.clip_id}", sent, self.versions,
                                 expected)] = req
        for req, outcome in self._as_completed(futures):
            if isinstance(outcome, BaseException):
                what, worker, reason = describe_failure(f"clip {req.clip_id}", outcome)
                yield req.clip_id, TaskFailedError(what, worker, reason), worker
            else:
                decoded, worker = outcome
                yield req.clip_id, decoded, worker

    # --- submitting and waiting -------------------------------------------------------------

    def _submit(self, func: Callable[..., Any], name: str, *args: Any) -> Any:
        # A unique key per submission: a retried build never picks up a cancelled task's state.
        future = self.client.submit(func, *args, key=f"coprod-{name}-{uuid.uuid4().hex[:12]}",
                                    retries=self.config.retries, pure=False)
        with self._lock:
            self._pending.add(future)
        return future

    def cancel_all(self) -> None:
        """Cancel every task this session submitted that has not finished (Ctrl-C)."""
        with self._lock:
            unfinished = [f for f in self._pending if not f.done()]
            self._pending.clear()
        if unfinished:
            log.info("cancelling %d task(s) on the cluster", len(unfinished))
            with contextlib.suppress(Exception):
                self.client.cancel(unfinished)

    def _as_completed(self, futures: dict[Any, Any]) -> Iterator[tuple[Any, Any]]:
        """(what, result or exception) for each future as it ends; cancels the rest on exit."""
        from distributed import as_completed

        try:
            for future in as_completed(  # type: ignore[no-untyped-call]
                    list(futures), loop=self.client.loop):
                if future.status == "finished":
                    yield futures[future], future.result()
                else:
                    yield futures[future], future.exception()
        finally:
            # Ctrl-C, an error here or the caller giving up: nothing is left running for us.
            unfinished = [f for f in futures if not f.done()]
            if unfinished:
                log.info("cancelling %d task(s) on the cluster", len(unfinished))
                with contextlib.suppress(Exception):
                    self.client.cancel(unfinished)
            with self._lock:
                self._pending.difference_update(futures)


@contextlib.contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """Start worker processes with SIGINT ignored (inherited across exec, and kept by Python).

    A terminal sends Ctrl-C to every process in its group, and --workers' processes are in
    coprod's: this command's client hears it and cancels the work, as a local render does, while
    the workers stay quiet instead of each printing its own KeyboardInterrupt traceback.
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def open_cluster(address: str | None = None, workers: int | None = None, *,
                 config: ClusterConfig | None = None) -> Iterator[ClusterSession]:
    """Connect to the scheduler at ``address``, or run ``workers`` local worker processes.

    Raises:
        ClusterConnectError: the scheduler cannot be reached or no worker joins in time.
        ClusterConfigError: the cluster config file is wrong.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterConnectError(address or "local", "Dask is not installed; install it "
                                  "with pip install -e '.[cluster]'") from None
    config = config or load_config()
    if not log.isEnabledFor(logging.DEBUG):
        # The scheduler's and workers' own chatter is not for producers.
        logging.getLogger("distributed").setLevel(logging.ERROR)
    with contextlib.ExitStack() as stack:
        if address is None:
            if not workers or workers < 1:
                raise ClusterConnectError("local", "give --workers a number of 1 or more")
            with _deaf_to_ctrl_c():
                cluster = stack.enter_context(LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.CRITICAL))
            # This machine's workers see this machine's paths: no mapping.
            config = ClusterConfig(retries=config.retries,
                                   connect_timeout=config.connect_timeout)
            shown, target = f"local ({workers} workers)", cluster
        else:
            shown, target = address, address
        try:
            client = stack.enter_context(Client(  # type: ignore[no-untyped-call]
                target, timeout=config.connect_timeout, set_as_default=False))
            client.wait_for_workers(1, timeout=config.connect_timeout)
        except (OSError, TimeoutError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ClusterConnectError(shown, f"cannot reach the scheduler or no worker joined "
                                      f"within {config.connect_timeout:g} s ({reason}); start "
                                      "`dask scheduler` and `dask worker ADDRESS`, or check "
                                      "the address") from None
        yield ClusterSession(client, config, shown)


__all__ = ["ClusterSession", "describe_failure", "open_cluster"]
