"""Hostile and careless input at the edges of editor interchange (issue 21).

* :func:`check_edit_text`: an edit file nested deeper than any editor writes is refused before
  a parser sees it (OpenTimelineIO's JSON reader recurses once a level and crashed the
  interpreter on a 400 KB .otio).
* :func:`check_timeline`: every time and rate in the timeline read is a finite number (a rate
  above zero, a time within 100 hours, no negative length) and every clip has a range, else one
  line naming the item; clips disabled in the editor (OTIO ``enabled: false``, FCP 7
  ``<enabled>FALSE</enabled>``) are taken off their track, with a warning each.
* :func:`printable`: text from an edit file or its record (a file name, a clip's name) as it is
  printed: control characters escaped like caption text, so a name cannot drive the terminal.
* :func:`check_export_targets`: where `export-edit -o` may write. Never into the project's own
  files (film.yaml, the consent ledger, captions, footage...): inside the project folder only
  ``build/edit/`` is coprod's to write. Never over something that is not a regular file (a FIFO,
  a device, a folder, a symbolic link). An existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from captions.controls import escape_controls
from pipeline.film_guard import shown
from pipeline.fsutil import file_kind
from pipeline.interchange.errors import InterchangeError
from pipeline.interchange.names import EditFormat
from pipeline.project import Project

MAX_EDIT_DEPTH = 200
"""Nesting deeper than this is refused (a compound clip in a compound clip... stays far below)."""
MAX_RATE = 1000.0
MAX_SECONDS = 100 * 3600
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


def printable(text: object) -> str:
    """``text`` safe to print: terminal escapes and other control characters written out."""
    return escape_controls(str(text))


def nesting_depth(text: str, json_text: bool, stop: int = MAX_EDIT_DEPTH) -> int:
    """How deeply ``text`` nests: JSON brackets outside strings, or XML elements; counted no
    further than just past ``stop``."""
    depth = deepest = 0
    if json_text:
        in_string = escaped = False
        for char in text:
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if deepest > stop:
                        break
            elif char in "]}":
                depth -= 1
        return deepest
    pos = text.find("<")
    while pos != -1:
        nxt = text[pos + 1:pos + 2]
        end = text.find(">", pos)
        if end == -1:
            break
        if nxt == "/":
            depth -= 1
        elif nxt not in ("?", "!") and text[end - 1] != "/":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop:
                    break
        pos = text.find("<", end)
    return deepest


_NUMBERS = {
    # FCP 7 XML: timing elements.
    EditFormat.FCP_XML: re.compile(r"<(timebase|in|out|start|end|duration|frame)>([^<]*)</\1>"),
    # MLT (Kdenlive): timing attributes, frames or a clock HH:MM:SS.mmm.
    EditFormat.KDENLIVE: re.compile(
        r"\s(in|out|length|frame_rate_num|frame_rate_den)=[\"']([^\"']*)[\"']"),
}
_PLAIN_NUMBER = re.compile(r"\s*-?\d{1,15}(\.\d{1,15})?\s*|(\d{1,9}:){1,2}\d{1,9}([.,]\d{1,9})?")


def check_edit_text(path: Path, text: str, fmt: EditFormat) -> None:
    """Refuse an edit file nested deeper than :data:`MAX_EDIT_DEPTH` before it is parsed, and
    an FCP 7 XML or Kdenlive timing value that is not a plain number (their adapters read
    ``inf``, ``nan`` or ``1e999`` as a float, or drop what follows it).

    Raises:
        InterchangeError: naming the file (and the line of a bad number).
    """
    if nesting_depth(text, fmt == EditFormat.OTIO) > MAX_EDIT_DEPTH:
        raise InterchangeError(path, f"is nested more than {MAX_EDIT_DEPTH} levels deep, which "
                               "no editor writes; export the edit from the editor again")
    pattern = _NUMBERS.get(fmt)
    for found in pattern.finditer(text) if pattern is not None else ():
        if not _PLAIN_NUMBER.fullmatch(found.group(2)):
            line = text.count("\n", 0, found.start()) + 1
            raise InterchangeError(f"{path}:{line}", f"{found.group(1)} is "
                                   f"{shown(found.group(2).strip())}, not a number; export the "
                                   "edit from the editor again")


def _label(item: Any, track: Any, index: int | None) -> str:
    name = getattr(item, "name", "") or ""
    if index is not None:
        return f"event {index} ({name or 'unnamed clip'}) on track {track.name or '?'}"
    kind = type(item).__name__.lower()
    return f"{kind} {name}".strip() + (f" on track {track.name}" if track is not None
                                        and track.name else "")


def _times(item: Any) -> Iterator[tuple[str, Any]]:
    """Every time an item carries that import reads, with what it is."""
    import opentimelineio as otio

    rng = getattr(item, "source_range", None)
    if rng is not None:
        yield "start", rng.start_time
        yield "length", rng.duration
    if isinstance(item, otio.schema.Transition):
        yield "in offset", item.in_offset
        yield "out offset", item.out_offset
    ref = getattr(item, "media_reference", None)
    available = getattr(ref, "available_range", None)
    if available is not None:
        yield "media start", available.start_time
        yield "media length", available.duration


def _bad_time(what: str, time: Any) -> str | None:
    rate, value = time.rate, time.value
    if not math.isfinite(rate) or not 0 < rate <= MAX_RATE:
        return f"its {what} has the frame rate {rate!r}"
    if not math.isfinite(value) or abs(value / rate) > MAX_SECONDS:
        return f"its {what} is {value!r} frames"
    if what.endswith("length") and value < 0:
        return f"its {what} is negative ({value!r} frames)"
    return None


def _disabled(item: Any) -> bool:
    """Switched off in the editor: OTIO's ``enabled``, or FCP 7's ``<enabled>`` the adapter
    keeps only in metadata."""
    if getattr(item, "enabled", True) is False:
        return True
    meta = item.metadata.get("fcp_xml") if hasattr(item, "metadata") else None
    flag = meta.get("enabled") if isinstance(meta, Mapping) else None
    return isinstance(flag, str) and flag.strip().upper() == "FALSE"


def check_timeline(timeline: Any, path: Path) -> list[str]:
    """Check every number of ``timeline`` and take disabled clips off its tracks.

    Returns:
        A warning for each disabled clip left out.

    Raises:
        InterchangeError: the first time or rate that is not a finite, sensible number, or a
            clip with no range, named by its event and track.
    """
    import opentimelineio as otio

    warnings: list[str] = []
    for track in timeline.find_children(descended_from_type=otio.schema.Track):
        index = 0
        disabled: list[int] = []
        for position, item in enumerate(list(track)):
            label = _label(item, track, None)
            if isinstance(item, otio.schema.Clip):
                index += 1
                label = _label(item, track, index)
            for what, time in _times(item):
                bad = _bad_time(what, time)
                if bad is not None:
                    raise InterchangeError(path, f"{label}: {bad}, not a time coprod can use; "
                                           "export the edit from the editor again")
            try:
                length = item.duration()
            except Exception:  # noqa: BLE001 - OTIO's own error for an item with no range
                raise InterchangeError(path, f"{label}: has no in or out point; export the "
                                       "edit from the editor again") from None
            bad = _bad_time("length", length)
            if bad is not None:
                raise InterchangeError(path, f"{label}: {bad}, not a time coprod can use; "
                                       "export the edit from the editor again")
            if isinstance(item, otio.schema.Clip) and _disabled(item) \
                    and track.kind == otio.schema.TrackKind.Video:
                disabled.append(position)
                warnings.append(f"event {index} ({item.name or 'unnamed clip'}) is disabled "
                                "in the editor: left out")
        for position in reversed(disabled):
            del track[position]
    return warnings


__all__ = ["EXPORT_FOLDER", "MAX_EDIT_DEPTH", "check_edit_text", "check_export_targets",
           "check_timeline", "nesting_depth", "printable"]
