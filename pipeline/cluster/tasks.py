"""What runs on a Dask worker: one segment's render, one clip's decoding, the worker's report.

Each task checks first that this worker runs the client's coprod and ffmpeg (a worker that joined
after the start-up check is caught here) and raises :class:`TaskFailedError` naming itself and
the part or clip, so the client can say where a task failed after every retry. The speech model
is loaded once per worker process and kept (:func:`cached_engine`), not once per clip.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.cluster.errors import TaskFailedError
from pipeline.exceptions import ToolInterruptedError
from pipeline.fsutil import change_stamp, describe_os_error, sha256_file
from pipeline.render.jobs import Job
from pipeline.transcribe.decode import DecodedClip, DecodeRequest, decode_clip
from pipeline.transcribe.engines import Engine, load_engine


@dataclass(frozen=True)
class Versions:
    """What must be the same on the client and every worker (cache keys depend on them)."""

    coprod: str
    ffmpeg: str

    def differences(self, worker: Versions) -> list[str]:
        """What ``worker`` runs that differs from this (the client's), in words."""
        return [f"{what} is {theirs!r} there but {ours!r} here"
                for what, ours, theirs in (("coprod", self.coprod, worker.coprod),
                                           ("ffmpeg", self.ffmpeg, worker.ffmpeg))
                if ours != theirs]


def local_versions() -> Versions:
    """This process's coprod and ffmpeg versions (read each call: a test may change them)."""
    import pipeline
    from pipeline import runner

    return Versions(pipeline.__version__, runner.tool_version("ffmpeg"))


def worker_label(worker: Any = None) -> str:
    """The name a person finds this worker by: its name and address (or host and pid)."""
    if worker is None:
        try:
            from distributed import get_worker

            worker = get_worker()
        except (ImportError, ValueError):
            return f"{socket.gethostname()} (pid {os.getpid()})"
    name, address = str(worker.name), str(worker.address)
    return address if name in ("", address) else f"{name} ({address})"


def _one_line(exc: BaseException) -> str:
    text = describe_os_error(exc) if isinstance(exc, OSError) else str(exc) or repr(exc)
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def _same_versions(expected: Versions) -> None:
    differs = expected.differences(local_versions())
    if differs:
        raise RuntimeError("; ".join(differs))


@dataclass(frozen=True)
class Interrupted:
    """A task whose tool was stopped by a signal on ``worker``: not retried, not a result."""

    worker: str
    reason: str = "its ffmpeg was interrupted (Ctrl-C or a stop signal); not retried"


def render_segment_task(job: Job, expected: Versions) -> str | Interrupted:
    """Render one job (a part's missing files, or its signed picture) on this worker; returns
    the worker's label.

    The files appear under their cache names only when complete and checked (temp + rename,
    as every segment is made everywhere).
    """
    label = worker_label()
    try:
        _same_versions(expected)
        job.run(None)
    except ToolInterruptedError:
        # The terminal's Ctrl-C reaches a local cluster's ffmpeg too: an interruption, not a
        # fault Dask should retry (a retry would carry the render on past the Ctrl-C).
        return Interrupted(label)
    except Exception as exc:
        raise TaskFailedError(f"segment {job.name}", label, _one_line(exc)) from None
    return label


_engines: dict[tuple[str, str | None, str | None], Engine] = {}
_engines_lock = threading.Lock()
_decode_lock = threading.Lock()


def cached_engine(engine: str, model: str | None, language: str | None) -> Engine:
    """The engine this worker process loaded for (engine, model, language), loaded once."""
    key = (engine, model, language)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = load_engine(engine, model, language=language)
        return _engines[key]


def decode_clip_task(request: DecodeRequest, expected: Versions,
                     model_sha256: str) -> tuple[DecodedClip, str]:
    """Decode one clip on this worker; returns the decoding and the worker's label."""
    label = worker_label()
    try:
        _same_versions(expected)
        engine = cached_engine(request.engine, request.model, request.language)
        # A model given by name is resolved by the engine itself; only files can be compared.
        if not model_sha256.startswith("name:") and engine.model.sha256 != model_sha256:
            raise RuntimeError(f"the model's hash is {engine.model.sha256[:12]} there but "
                               f"{model_sha256[:12]} here")
        # One clip at a time per process: an engine is not promised to be thread-safe.
        with _decode_lock:
            decoded = decode_clip(engine, request.audio, request.language, vad=request.vad)
    except Exception as exc:
        raise TaskFailedError(f"clip {request.clip_id}", label, _one_line(exc)) from None
    return decoded, label


def model_hash(engine: str, model: str | None) -> str:
    """The hash of the model ``engine`` would load (the bundled one verified file by file)."""
    from pipeline.transcribe.engines.base import (
        BUNDLED_MODEL_SHA256,
        bundled_model_dir,
        hash_model_dir,
        verify_model_dir,
    )

    if model is None:
        return verify_model_dir(bundled_model_dir(), BUNDLED_MODEL_SHA256)
    path = Path(model)
    if path.is_dir():
        return hash_model_dir(path)
    if path.is_file():
        return sha256_file(path)
    return f"name:{model}"  # a model name: the engine resolves it the same way everywhere


@dataclass(frozen=True)
class ProjectProbe:
    """What the client asks each worker to find: the project as the worker sees it."""

    root: Path
    film_yaml_sha256: str
    film_yaml_stamp: tuple[int, int, int, int] | None
    writable: bool
    model: tuple[str, str | None] | None  # (engine, model as the worker sees it)


def worker_report(probe: ProjectProbe, dask_worker: Any = None) -> dict[str, Any]:
    """Run on each worker before any work: its versions, and what it makes of the project.

    ``dask_worker`` is filled in by ``Client.run`` (the worker running this).
    """
    versions = local_versions()
    report: dict[str, Any] = {"versions": versions, "label": worker_label(dask_worker),
                              "problem": None, "model_sha256": None}
    film_yaml = probe.root / "film.yaml"
    try:
        if not probe.root.is_dir():
            raise FileNotFoundError(2, "no such folder", str(probe.root))
        if sha256_file(film_yaml) != probe.film_yaml_sha256:
            report["problem"] = (f"{film_yaml} is not the same file as here (another copy of "
                                 "the project?); the workers must see this project's folder")
            return report
        if probe.film_yaml_stamp is not None and change_stamp(film_yaml) != \
                tuple(probe.film_yaml_stamp):
            report["problem"] = (f"{film_yaml} shows another inode or change time than here; "
                                 "coprod needs a shared filesystem that keeps them (NFS does)")
            return report
        if probe.writable:
            segments = probe.root / "build" / "segments"
            segments.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".coprod-check.", suffix=".tmp", dir=segments)
            os.close(fd)
            os.unlink(tmp)
        if probe.model is not None:
            report["model_sha256"] = model_hash(*probe.model)
    except OSError as exc:
        report["problem"] = f"cannot use the project: {describe_os_error(exc)}"
    except Exception as exc:  # a model that fails its check: the worker's own words
        report["problem"] = _one_line(exc)
    return report


__all__ = [
    "ProjectProbe",
    "Versions",
    "cached_engine",
    "decode_clip_task",
    "local_versions",
    "model_hash",
    "render_segment_task",
    "worker_label",
    "worker_report",
]
