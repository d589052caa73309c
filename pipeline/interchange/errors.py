"""Errors of editor interchange: an edit file that cannot be read, or an edit coprod refuses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.exceptions import PipelineError


class InterchangeError(PipelineError):
    """An edit file cannot be read or written; one line naming the file and what to do."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EditRefusedError(PipelineError):
    """The edit names clips coprod cannot use; every problem listed, nothing written."""

    def __init__(self, path: str | Path, problems: Sequence[str],
                 warnings: Sequence[str] = ()) -> None:
        self.path = str(path)
        self.problems = list(problems)
        self.warnings = list(warnings)  # what was read leniently or left out, printed too
        lines = [f"{self.path}: not imported, film.yaml is unchanged "
                 f"({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))
