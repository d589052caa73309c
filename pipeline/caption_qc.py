"""Caption QC for producers: each clip's caption file checked, and what a reviewer changed."""

from __future__ import annotations

from collections.abc import Sequence

from captions.exceptions import CaptionError, CaptionParseError
from captions.qc import ERROR, Finding, check
from captions.styles import get_style
from pipeline.caption_store import load_captions
from pipeline.exceptions import PipelineError
from pipeline.project import Project

NO_CAPTIONS = "no-caption-file"
UNREADABLE = "unreadable"


def check_captions(project: Project, clip_ids: Sequence[str] = (), *,
                   style: str | None = None) -> list[Finding]:
    """QC findings for each clip's caption file (every clip in the film by default).

    Args:
        project: the film project.
        clip_ids: the clips to check; empty for every clip in the film.
        style: the caption style to check against; None for film.yaml's.

    A missing or unreadable caption file is itself an error finding, so one bad file does not
    hide the findings of the others.
    """
    rules = get_style(style or project.film.caption_style)
    ids = list(dict.fromkeys(clip_ids)) or project.film.used_clips
    findings: list[Finding] = []
    for clip_id in ids:
        project.clip(clip_id)
        path = project.caption_path(clip_id)
        if not path.exists():
            findings.append(Finding(str(path), 0, NO_CAPTIONS, ERROR,
                                    f"clip {clip_id} has no caption file; run "
                                    f"`coprod transcribe {project.root} {clip_id}`"))
            continue
        try:
            cues = load_captions(path)
        except CaptionParseError as exc:
            # The position is a line of the file here, not a cue: say so in the message.
            findings.append(Finding(str(path), exc.line, UNREADABLE, ERROR,
                                    f"line {exc.line}: {exc.reason}; nothing was changed"))
            continue
        except CaptionError as exc:
            findings.append(Finding(str(path), 0, UNREADABLE, ERROR, str(exc)))
            continue
        findings += check(cues, rules, clip_duration_ms=project.probe(clip_id).duration_ms,
                          path=str(path))
    return findings


def diff_captions(project: Project, clip_id: str) -> str:
    """What the reviewer changed in CLIP.srt relative to Whisper's draft, readable by a person."""
    from captions.diff import diff_tracks, format_diff
    from pipeline.transcribe import machine_draft

    path = project.caption_path(clip_id)
    if not path.exists():
        raise PipelineError(f"{path}: no caption file; run `coprod transcribe` first")
    edited = load_captions(path)
    draft = machine_draft(project, clip_id)
    changes = diff_tracks(draft, edited)
    if not changes:
        return f"{path}: no changes from the machine draft"
    return format_diff(changes, draft_name=f"{clip_id} (machine draft)", edited_name=str(path))
