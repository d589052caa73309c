"""``coprod describe check``: descriptions that overlap speech or do not fit their pause.

Speech is the transcript's word times, each start pulled back to where the VAD hears the speech
begin (:func:`pipeline.describe.pauses.speech_words`; Whisper's starts come late), so a cue that
ends after speech resumes overlaps it. A description is voiced (a recording, or the chosen
voice; cached, so checking again is cheap) and its measured length must end, from the cue's
start, before the next word, the cue's own end and the clip's end, and early enough before the
next word for the programme to come back up. Each finding names
``file:cue``; every one here is an error except a recording no cue uses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from captions.model import Word
from pipeline.describe import voice as voicing
from pipeline.describe.pauses import speech_words
from pipeline.describe.script import (
    PLACEHOLDER,
    Description,
    DescriptionError,
    descriptions_path,
    load_descriptions,
    recordings_dir,
)
from pipeline.describe.voice import VoicedDescription
from pipeline.exceptions import PipelineError
from pipeline.project import Project

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class DescriptionFinding:
    """One problem with one description: ``file:cue: message``.

    ``cue`` is the cue's number, or a line number when the file cannot be read at all (then
    ``message`` says so), or None for a problem with the whole file.
    """

    path: str
    cue: int | None
    message: str
    severity: str = ERROR
    over_speech: bool = False  # the cue, or its voice, overlaps speech (render refuses it)

    def __str__(self) -> str:
        where = f"{self.path}:{self.cue}" if self.cue is not None else self.path
        return f"{where}: {self.message}"


def _s(ms: int) -> str:
    return f"{ms / 1000:.1f} s"


def _overlap(description: Description, words: Sequence[Word]) -> list[Word]:
    return [w for w in words if w.start < description.end_ms and w.end > description.start_ms]


def _room_ms(description: Description, words: Sequence[Word], duration_ms: int) -> int:
    """How long the voice has from the cue's start: to the next word, the cue's end or the
    clip's end, whichever comes first."""
    following = [w.start for w in words if w.start >= description.start_ms]
    return min([description.end_ms, duration_ms, *following]) - description.start_ms


def _fit(voiced: VoicedDescription, words: Sequence[Word], duration_ms: int,
         path: str) -> DescriptionFinding | None:
    """A finding when the voice outlasts its pause; ``over_speech`` when it runs into a word."""
    description = voiced.description
    room = _room_ms(description, words, duration_ms)
    if voiced.duration_ms <= room:
        return None
    over = voiced.duration_ms - room
    count = len(description.text.split())
    cut = max(1, round(count * over / voiced.duration_ms))
    ends = description.start_ms + voiced.duration_ms
    into = [w for w in words if description.start_ms <= w.start < ends]
    return DescriptionFinding(
        path, description.cue,
        f"voiced it takes {_s(voiced.duration_ms)} ({voiced.voice}) but its pause is "
        f"{_s(room)} (to {_s(description.start_ms + room)}); cut about {cut} "
        f"word{'s' if cut != 1 else ''}, or record it faster", over_speech=bool(into))


def _ramp(voiced: VoicedDescription, words: Sequence[Word], path: str) -> \
        DescriptionFinding | None:
    """A finding when the voice ends too close to speech resuming for the programme, lowered
    under it, to come back up first (:data:`pipeline.render.description_track.RAMP_MS`)."""
    from pipeline.render.description_track import RAMP_MS

    d = voiced.description
    ends = d.start_ms + voiced.duration_ms
    resume = min((w.start for w in words if w.start >= d.start_ms), default=None)
    if resume is None or ends + RAMP_MS <= resume:
        return None
    return DescriptionFinding(
        path, d.cue, f"voiced it ends at {_s(ends)}, {resume - ends} ms before speech resumes "
        f"at {resume / 1000:.2f} s; the programme needs {RAMP_MS} ms to come back up, so "
        "shorten it or start it earlier", over_speech=True)


def check_clip(project: Project, clip_id: str) -> list[DescriptionFinding]:
    """Every finding for one clip's description script (``[]`` when it has none).

    Raises:
        PipelineError: the clip has descriptions but no transcript, or no voice can read them.
    """
    path = descriptions_path(project, clip_id)
    try:
        descriptions = load_descriptions(project, clip_id)
    except DescriptionError as exc:
        return [DescriptionFinding(exc.path, exc.line, exc.reason)]
    name = str(path)
    findings: list[DescriptionFinding] = []
    duration = project.probe(clip_id).duration_ms
    words = speech_words(project, clip_id) if descriptions else []
    ready: list[Description] = []
    for d in descriptions:
        if d.text.startswith(PLACEHOLDER):
            findings.append(DescriptionFinding(name, d.cue, "still has the starting text; write "
                                               "what is seen, or delete the cue"))
        elif d.start_ms >= duration:
            findings.append(DescriptionFinding(name, d.cue, f"starts at {_s(d.start_ms)}, after "
                                               f"the clip's end ({_s(duration)})"))
        elif clash := _overlap(d, words):
            said = " ".join(w.text.strip() for w in clash[:6]) + (" ..." if len(clash) > 6 else "")
            findings.append(DescriptionFinding(
                name, d.cue, f"overlaps speech at {clash[0].start / 1000:.1f}-{_s(clash[-1].end)} "
                f"({said!r}); move it into a pause (`coprod describe` lists them)",
                over_speech=True))
        else:
            ready.append(d)
    try:
        # Through the module, so what voices a render (and a test's stand-in) voices this too.
        voiced = voicing.voice_descriptions(project, clip_id, ready)
    except DescriptionError as exc:
        return [*findings, DescriptionFinding(exc.path, exc.line, exc.reason)]
    for one in voiced:
        problem = _fit(one, words, duration, name) or _ramp(one, words, name)
        if problem is not None:
            findings.append(problem)
    findings += _trimmed_away(project, clip_id, descriptions, duration)
    cues = {d.cue for d in descriptions}
    for stray in _recordings(recordings_dir(project, clip_id)):
        number = int(stray.stem)
        if number not in cues:
            findings.append(DescriptionFinding(
                str(stray), None, f"{path.name} has no cue {number}, so this recording is not "
                "used (cues are numbered from 1 in file order)", WARNING))
    return sorted(findings, key=lambda f: (f.path != name, f.cue or 0))


def _trimmed_away(project: Project, clip_id: str, descriptions: Sequence[Description],
                  duration_ms: int) -> list[DescriptionFinding]:
    """A warning for each description outside every part of the clip the film uses (its
    in/out points in the sequence; a clip may be used more than once): the render leaves it
    out rather than cut it."""
    parts = [(i.in_ms or 0, min(i.out_ms if i.out_ms is not None else duration_ms, duration_ms))
             for i in project.film.sequence if i.clip_id == clip_id]
    if not parts:
        return []
    shown = ", ".join(f"{_s(in_ms)}-{_s(out_ms)}" for in_ms, out_ms in parts)
    what = "the part" if len(parts) == 1 else "every part"
    name = str(descriptions_path(project, clip_id))
    return [DescriptionFinding(name, d.cue, f"is outside {what} of the clip the film uses "
                               f"({shown}), so it is not heard", WARNING)
            for d in descriptions
            if not any(in_ms <= d.start_ms and d.end_ms <= out_ms for in_ms, out_ms in parts)]


def _recordings(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if re.fullmatch(r"[1-9][0-9]{0,5}\.wav", p.name)),
                  key=lambda p: int(p.stem))


def check_descriptions(project: Project, clip_ids: Sequence[str] = ()) -> \
        list[DescriptionFinding]:
    """Findings for the listed clips, or for every clip with a description script.

    A clip that cannot be checked (no transcript, no voice) is one finding; the others are
    still checked.

    Raises:
        ProjectError: a listed clip is unknown.
    """
    if clip_ids:
        for clip_id in clip_ids:
            project.clip(clip_id)
        wanted = list(dict.fromkeys(clip_ids))
    else:
        wanted = [c for c in project.film.clips if descriptions_path(project, c).exists()]
    findings: list[DescriptionFinding] = []
    for clip_id in wanted:
        try:
            findings += check_clip(project, clip_id)
        except PipelineError as exc:
            findings.append(DescriptionFinding(str(descriptions_path(project, clip_id)), None,
                                               str(exc)))
    return findings


def speech_overlaps(project: Project, clip_ids: Sequence[str]) -> \
        tuple[list[DescriptionFinding], list[str]]:
    """The findings :func:`check_clip` gives for descriptions that overlap speech, cue or
    voice, in the listed clips that have a description script; and the clips whose speech is
    unknown (no transcript), which cannot be checked.

    Raises:
        PipelineError: no voice can read a description.
    """
    found: list[DescriptionFinding] = []
    unknown: list[str] = []
    for clip_id in dict.fromkeys(clip_ids):
        if not descriptions_path(project, clip_id).exists():
            continue
        if not project.transcript_path(clip_id).exists():
            unknown.append(clip_id)
            continue
        found += [f for f in check_clip(project, clip_id) if f.over_speech]
    return found, unknown


def has_errors(findings: Sequence[DescriptionFinding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity == ERROR for f in findings)


__all__ = [
    "DescriptionFinding",
    "check_clip",
    "check_descriptions",
    "has_errors",
    "speech_overlaps",
]
