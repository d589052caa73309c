"""The cluster config file: how the workers see this machine's folders, retries, time-outs.

Read from ``$COPROD_CLUSTER_CONFIG`` or ``~/.config/coprod/cluster.yaml``; a missing file means
the defaults (the workers see the same paths, two retries, 30 s to connect). For example::

    paths:                        # this machine's folder: the same folder as the workers see it
      /home/sam/films: /mnt/films
    retries: 2                    # a task that raises is tried this many more times
    connect_timeout: 30           # seconds to reach the scheduler and see a worker

The longest matching folder wins; a path under no listed folder is sent as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.cluster.errors import ClusterConfigError
from pipeline.exceptions import PipelineError
from pipeline.fsutil import describe_os_error, read_regular_bytes

CONFIG_ENV = "COPROD_CLUSTER_CONFIG"
DEFAULT_RETRIES = 2
DEFAULT_CONNECT_TIMEOUT = 30.0
_KEYS = ("paths", "retries", "connect_timeout")


def config_path() -> Path:
    """Where the cluster config is looked for."""
    given = os.environ.get(CONFIG_ENV)
    return Path(given) if given else Path.home() / ".config" / "coprod" / "cluster.yaml"


@dataclass(frozen=True)
class ClusterConfig:
    """The cluster config: path mapping (client folder, worker folder), retries, time-out."""

    paths: tuple[tuple[str, str], ...] = ()
    retries: int = DEFAULT_RETRIES
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    source: str | None = field(default=None, compare=False)

    def to_worker(self, path: Path) -> Path:
        """``path`` (absolute, on this machine) as the workers see it."""
        text = str(path)
        best: tuple[str, str] | None = None
        for client, worker in self.paths:
            if (text == client or text.startswith(client.rstrip("/") + "/")) and \
                    (best is None or len(client) > len(best[0])):
                best = (client, worker)
        if best is None:
            return path
        rest = text[len(best[0]):].lstrip("/")
        return Path(best[1]) / rest if rest else Path(best[1])


def _folder(value: Any, where: str, path: Path) -> str:
    if not isinstance(value, str) or not PurePosixPath(value).is_absolute():
        raise ClusterConfigError(path, f"{where}: must be an absolute folder path, "
                                 f"not {value!r}")
    return os.path.normpath(value)


def parse_config(data: Any, path: Path) -> ClusterConfig:
    """Check the parsed YAML of a cluster config; every error names the file and the key."""
    if data is None:
        return ClusterConfig(source=str(path))
    if not isinstance(data, dict):
        raise ClusterConfigError(path, "must be a mapping of paths, retries, connect_timeout")
    unknown = [str(k) for k in data if k not in _KEYS]
    if unknown:
        raise ClusterConfigError(path, f"unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
    raw_paths = data.get("paths") or {}
    if not isinstance(raw_paths, dict):
        raise ClusterConfigError(path, "paths: must map this machine's folder to the "
                                 "workers' folder, one per line")
    paths = tuple((_folder(k, "paths", path), _folder(v, f"paths.{k}", path))
                  for k, v in raw_paths.items())
    retries = data.get("retries", DEFAULT_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 20:
        raise ClusterConfigError(path, f"retries: must be a whole number 0-20, not {retries!r}")
    timeout = data.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ClusterConfigError(path, f"connect_timeout: must be a number of seconds, "
                                 f"not {timeout!r}")
    return ClusterConfig(paths, retries, float(timeout), source=str(path))


def load_config(path: Path | None = None) -> ClusterConfig:
    """The cluster config at ``path`` (default :func:`config_path`); defaults when absent.

    Raises:
        ClusterConfigError: the file cannot be read or parsed, or a key is wrong.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    path = path or config_path()
    if not path.exists() and not path.is_symlink():
        return ClusterConfig()
    try:
        text = read_regular_bytes(path, limit=1 << 20).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = describe_os_error(exc) if isinstance(exc, OSError) else "not UTF-8 text"
        raise ClusterConfigError(path, f"cannot be read ({reason})") from None
    except PipelineError as exc:  # NotAFileError, FileTooLargeError: they name the file
        raise ClusterConfigError(path, str(exc)) from None
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise ClusterConfigError(path, f"{line}not valid YAML; fix it or remove the file") \
            from None
    return parse_config(data, path)


__all__ = ["CONFIG_ENV", "ClusterConfig", "config_path", "load_config", "parse_config"]
