"""Safe file writing and plain words for file errors: the one home of both rules.

A leaf package: it imports nothing of coprod's, so ``captions/``, ``consent/`` and
``pipeline/`` all use it (the libraries never import ``pipeline/``).
"""

from safeio.atomic import (
    append_synced,
    atomic_write,
    cut_back_synced,
    file_mode,
    fsync_dir,
    write_all,
)
from safeio.oserrors import describe_os_error, file_kind, os_error_advice

__all__ = [
    "append_synced",
    "atomic_write",
    "cut_back_synced",
    "describe_os_error",
    "file_kind",
    "file_mode",
    "fsync_dir",
    "os_error_advice",
    "write_all",
]
