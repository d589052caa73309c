"""Saves from two tabs: edits to different captions merge; only the same caption clashes.

A save names the version of the caption file its page was made from. When the file has moved on
since, the page's captions are compared caption by caption with that version (the base) and
with the file now: a caption only one side changed takes that side's words, one both changed
the same way is kept, and one both changed differently is a clash, shown side by side. To
compare with the base, the review server keeps every version it has shown or written
(``build/review/versions/SHA256.srt``, with ``SHA256.who`` naming the contributor whose save
made it, so a clash can say "you, in another tab"). A base it never kept, or captions added or
taken away by someone else (a producer's editor), cannot be merged: the whole track is shown
both ways, as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from captions.exceptions import CaptionError
from captions.formats import loads
from captions.model import Cue
from captions.textio import atomic_write_text
from pipeline.fsutil import sha256_bytes
from pipeline.project import Project

KEEP = 400  # versions kept a film; the oldest go first


@dataclass(frozen=True)
class Merged:
    """The captions after a merge, and the numbers (1-based) of those that clash."""

    cues: list[Cue]
    clashes: tuple[int, ...]


def remember(project: Project, data: bytes, who: str | None = None) -> str:
    """Keep one version of a caption file (its bytes) for later merges; return its version."""
    version = sha256_bytes(data)
    folder = project.build_dir / "review" / "versions"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{version}.srt"
    if not path.is_file():
        atomic_write_text(path, data.decode("utf-8"))
        _prune(folder)
    if who is not None:
        atomic_write_text(folder / f"{version}.who", who)
    return version


def _prune(folder: os.PathLike[str]) -> None:
    from pathlib import Path

    kept = sorted(Path(folder).glob("*.srt"), key=lambda p: p.stat().st_mtime_ns)
    for old in kept[:-KEEP]:
        old.unlink(missing_ok=True)
        old.with_suffix(".who").unlink(missing_ok=True)


def recall(project: Project, version: str) -> list[Cue] | None:
    """The captions of a version kept earlier, or None when it was never kept (or is broken)."""
    if len(version) != 64 or not version.isalnum():
        return None
    path = project.build_dir / "review" / "versions" / f"{version}.srt"
    try:
        return loads(path.read_text(encoding="utf-8"), "srt", path)
    except (OSError, UnicodeDecodeError, CaptionError):
        return None


def saved_by(project: Project, version: str) -> str | None:
    """The contributor whose save from the page made ``version`` (None: someone else)."""
    if len(version) != 64 or not version.isalnum():
        return None
    path = project.build_dir / "review" / "versions" / f"{version}.who"
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _same(a: Cue, b: Cue) -> bool:
    return (a.start, a.end, a.text) == (b.start, b.end, b.text)


def three_way(base: list[Cue], mine: list[Cue], theirs: list[Cue]) -> Merged | None:
    """Merge ``mine`` and ``theirs``, both made from ``base``, caption by caption.

    Returns None when the three do not have the same number of captions (nothing to pair).
    """
    if not len(base) == len(mine) == len(theirs):
        return None
    merged: list[Cue] = []
    clashes: list[int] = []
    for n, (b, m, t) in enumerate(zip(base, mine, theirs, strict=True), start=1):
        if _same(m, b) or _same(m, t):
            merged.append(t)
        elif _same(t, b):
            merged.append(m)
        else:
            merged.append(t)
            clashes.append(n)
    return Merged(merged, tuple(clashes))


__all__ = ["KEEP", "Merged", "recall", "remember", "saved_by", "three_way"]
