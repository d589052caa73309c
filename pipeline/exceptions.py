"""Errors raised by the pipeline stages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path


class PipelineError(Exception):
    """Base class for every pipeline error; its message is one line a producer can act on."""


class ProjectError(PipelineError):
    """A film project folder or its film.yaml is missing or invalid."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class MediaError(PipelineError):
    """A media file cannot be used (missing, empty, unreadable, not media)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class MediaToolError(PipelineError):
    """ffmpeg, ffprobe or another tool failed; carries its argv, exit code and stderr tail."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr_tail: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        lines = [ln.strip() for ln in stderr_tail.splitlines() if ln.strip(" -")]
        # ffmpeg's last line is often a bare "--" or a summary; the first "Error" line says why.
        why = next((ln for ln in lines if "error" in ln.lower()), lines[-1] if lines else
                   "no message")
        super().__init__(f"{Path(self.argv[0]).name} failed (exit {returncode}): {why}")


class ToolInterruptedError(MediaToolError):
    """A tool was stopped by a signal (Ctrl-C, or coprod stopping it), not a failure of its own:
    ffmpeg exits 255 saying nothing at ``-loglevel error``, or the process dies of the signal."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr_tail: str) -> None:
        super().__init__(argv, returncode, stderr_tail)
        self.args = (f"{Path(self.argv[0]).name} was interrupted (Ctrl-C or a stop signal)",)

    def __str__(self) -> str:
        return str(self.args[0])


INTERRUPTED_EXITS = frozenset({255, -2, -15})
"""Exit codes of a tool stopped by SIGINT or SIGTERM (ffmpeg's own 255, or death by signal)."""


def tool_error(argv: Sequence[str], returncode: int, stderr_tail: str) -> MediaToolError:
    """The error for a tool that exited ``returncode``: interrupted when a signal stopped it
    (and it said nothing else), else failed."""
    if returncode in INTERRUPTED_EXITS and (returncode < 0 or not stderr_tail.strip()
                                           or "received signal" in stderr_tail):
        return ToolInterruptedError(argv, returncode, stderr_tail)
    return MediaToolError(argv, returncode, stderr_tail)


class ToolMissingError(PipelineError):
    """A required program is not installed."""

    def __init__(self, tool: str, hint: str) -> None:
        self.tool = tool
        super().__init__(f"{tool} not found: {hint}")


class BatchError(PipelineError):
    """Some items of a batch failed; the others were done. Carries (item, error) pairs."""

    def __init__(self, action: str, failures: Sequence[tuple[str, Exception]]) -> None:
        self.failures = list(failures)
        lines = [f"{len(self.failures)} {action} failed:"]
        lines += [f"  {err}" if item in str(err) else f"  {item}: {err}"
                  for item, err in self.failures]
        super().__init__("\n".join(lines))


class WithdrawnError(PipelineError):
    """A sign-off or change request for a clip the contributor has withdrawn their consent from.

    Attributes:
        clip_id: the clip.
        contributor: who withdrew.
        withdrawn_on: the withdrawal's date.
    """

    def __init__(self, clip_id: str, contributor: str, withdrawn_on: date) -> None:
        self.clip_id = clip_id
        self.contributor = contributor
        self.withdrawn_on = withdrawn_on
        super().__init__(
            f"clip {clip_id}: {contributor} withdrew consent on {withdrawn_on.isoformat()}, so "
            "nothing is recorded for them now; if they want to go on, record their consent again "
            "first (coprod consent record)")
