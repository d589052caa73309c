"""The caption check `render` and `build` share, run before anything is made.

`build` stops on every QC error. A `render` for a public channel (web, broadcast) refuses the
errors that make a film's captions wrong rather than hard to read (captions QC's structural
rules: overlapping cues, a cue that ends before it starts or after its clip, control characters,
which drop the cue from the film's subtitle track or hide text) and a file that does not parse.
Each is listed as ``file:cue:rule: message``. A draft renders any caption file that parses, its
control characters left out of everything it writes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from captions.qc import ERROR, STRUCTURAL_RULES, Finding
from pipeline.caption_qc import UNREADABLE, check_captions
from pipeline.project import Project
from pipeline.render.errors import CaptionErrorsError

# Errors a publishing render refuses: QC's structural rules, and a file that does not parse.
REFUSED_RULES = STRUCTURAL_RULES | {UNREADABLE}


def caption_findings(project: Project, clip_ids: Sequence[str]) -> dict[str, list[Finding]]:
    """QC findings for each clip's caption file, by clip; clips without one are left out."""
    return {clip_id: check_captions(project, [clip_id]) for clip_id in clip_ids
            if project.caption_path(clip_id).exists()}


def caption_errors(findings: Mapping[str, Sequence[Finding]],
                   rules: Collection[str] | None = None) -> list[tuple[str, Finding]]:
    """(clip, finding) for every error among ``findings``; only ``rules`` when given."""
    return [(clip_id, f) for clip_id, found in findings.items() for f in found
            if f.severity == ERROR and (rules is None or f.rule in rules)]


def refuse_caption_errors(project: Project, clip_ids: Sequence[str], profile: str) -> None:
    """Refuse a publishing render whose caption files have structural errors.

    Raises:
        CaptionErrorsError: listing ``file:cue:rule: message`` for every one.
    """
    errors = caption_errors(caption_findings(project, clip_ids), REFUSED_RULES)
    if errors:
        raise CaptionErrorsError([f for _, f in errors], profile)


__all__ = [
    "REFUSED_RULES",
    "caption_errors",
    "caption_findings",
    "refuse_caption_errors",
]
