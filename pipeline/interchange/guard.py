"""Hostile and careless input at the edges of editor interchange (issue 21).

* :func:`check_export_targets`: where `export-edit -o` may write. Never into the project's own
  files (film.yaml, the consent ledger, captions, footage...): inside the project folder only
  ``build/edit/`` is coprod's to write. Never over something that is not a regular file (a FIFO,
  a device, a folder, a symbolic link). An existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from pipeline.fsutil import file_kind
from pipeline.interchange.errors import InterchangeError
from pipeline.project import Project

EXPORT_FOLDER = ("build", "edit")
"""The one folder inside a project that `export-edit` writes to."""


def _where(path: Path) -> Path:
    """``path`` absolute, its folders' symbolic links resolved (the file itself is not)."""
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name


def check_export_targets(project: Project, targets: Sequence[Path], *, force: bool) -> None:
    """Refuse writing any of ``targets`` (the edit file and the captions beside it).

    Raises:
        InterchangeError: one line naming the first file that may not be written and why.
    """
    root = project.root.resolve()
    allowed = root.joinpath(*EXPORT_FOLDER)
    if len({_where(t) for t in targets}) < len(targets):
        raise InterchangeError(targets[0], "the edit file and the captions beside it would be "
                               "the same file; choose a name ending in the format's suffix")
    for target in targets:
        where = _where(target)
        if (where == root or root in where.parents) and allowed not in where.parents:
            raise InterchangeError(target, "is inside the project folder, where the film's own "
                                   "files are (film.yaml, consent, captions, footage); write "
                                   f"the edit outside it, or under {'/'.join(EXPORT_FOLDER)}/")
        try:
            found = os.lstat(where)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InterchangeError(target, f"cannot be checked: {exc.strerror}") from None
        if not stat.S_ISREG(found.st_mode):
            kind = ("a symbolic link" if stat.S_ISLNK(found.st_mode)
                    else file_kind(found.st_mode))
            raise InterchangeError(target, f"is {kind}, not a regular file; coprod will not "
                                   "replace it: choose another file name with -o")
        if not force:
            raise InterchangeError(target, "already exists; give --force to replace it, or "
                                   "choose another file name with -o")


__all__ = ["EXPORT_FOLDER", "check_export_targets"]
