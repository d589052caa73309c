"""`coprod import-edit`: an editor's timeline becomes film.yaml's sequence, all or nothing.

The edit file is read and hashed first; then, under the project's film lock, film.yaml is read
afresh, the edit's clips are matched and checked against it, and the new sequence is written into
the round-trip document and saved in one atomic write (comments and key order kept). Any problem
stops the import before anything is written; ``dry_run`` only reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.exceptions import PipelineError
from pipeline.fsutil import sha256_file
from pipeline.interchange.errors import EditRefusedError, InterchangeError
from pipeline.interchange.formats import EditFormat, read_edit
from pipeline.interchange.guard import check_timeline
from pipeline.interchange.plan import SequencePlan, plan_sequence, write_sequence
from pipeline.interchange.read import ReadEdit, footage_rate, read_placements
from pipeline.interchange.record import write_record
from pipeline.interchange.timebase import snap_rate
from pipeline.project import Project

DEFAULT_EDL_RATE = Fraction(25)


@dataclass
class ImportResult:
    """What an import found, and whether film.yaml was written."""

    path: Path
    format: EditFormat
    sha256: str
    plan: SequencePlan
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    notes: list[str] = field(default_factory=list)


def footage_rate_of_film(project: Project) -> Fraction | None:
    """The frame rate most of the film's clips were shot at (None without video)."""
    rates: Counter[Fraction] = Counter()
    for clip_id in project.film.clips:
        try:
            rate = footage_rate(project, clip_id)
        except PipelineError:
            continue
        if rate is not None:
            rates[rate] += 1
    return rates.most_common(1)[0][0] if rates else None


def _checked(project: Project, timeline: Any, path: Path,
             close_gaps: bool) -> tuple[ReadEdit, SequencePlan]:
    found = read_placements(timeline, project, path, close_gaps=close_gaps)
    if not found.problems and not found.placements:
        found.problems.append("the main video track has no footage clip; nothing to import")
    if found.problems:
        raise EditRefusedError(path, found.problems, found.warnings)
    return found, plan_sequence(project, found.placements)


def _stated_start(timeline: Any, fmt: EditFormat) -> Fraction | None:
    """The timeline's start timecode in seconds, where the format states it (an EDL's is only
    its first event's record in, and a Kdenlive project has none)."""
    start = timeline.global_start_time
    if fmt not in (EditFormat.OTIO, EditFormat.FCP_XML, EditFormat.FCPX) or start is None \
            or not start.rate:
        return None
    return Fraction(round(start.value)) / snap_rate(start.rate)


def import_edit(project: Project, path: Path, *, dry_run: bool = False,
                close_gaps: bool = False) -> ImportResult:
    """Make film.yaml's sequence the edit's main video track.

    A gap between clips is refused unless ``close_gaps`` joins the clips either side.

    Raises:
        InterchangeError: the file is missing, of an unknown type or cannot be read.
        EditRefusedError: clips not ingested, wrong frame rate, in/out outside the footage, a
            gap (without ``close_gaps``) or no video track (every problem
            listed; film.yaml unchanged).
    """
    try:
        digest = sha256_file(path if path.suffix.lower() != ".fcpxmld"
                             else path / "Info.fcpxml")
    except FileNotFoundError:
        raise InterchangeError(path, "no such file; check the path to the exported edit") \
            from None
    except (OSError, PipelineError) as exc:
        raise InterchangeError(path, f"cannot be read ({exc})") from None
    timeline, fmt = read_edit(path, footage_rate_of_film(project) or DEFAULT_EDL_RATE)
    left_out = check_timeline(timeline, path)  # hostile numbers; disabled clips taken off
    if dry_run:
        found, plan = _checked(project, timeline, path, close_gaps)
        return ImportResult(path, fmt, digest, plan, left_out + found.warnings)
    with project.lock("film"):
        fresh = project.reload()
        found, plan = _checked(fresh, timeline, path, close_gaps)
        result = ImportResult(path, fmt, digest, plan, left_out + found.warnings)
        if plan.changed:
            write_sequence(fresh.doc, plan)
            fresh.save()
            result.written = True
        try:
            write_record(fresh, edit_file=path, edit_format=str(fmt), sha256=digest,
                         start=_stated_start(timeline, fmt))
        except OSError as exc:
            result.notes.append(f"film.yaml is written, but the import record was not "
                                f"({exc.strerror or exc}); `coprod status` will not show it")
    return result


__all__ = ["ImportResult", "footage_rate_of_film", "import_edit"]
