"""Caption edits from the review page: the track as a form, saved only onto the version seen.

The page names the version of ``captions/CLIP.srt`` it was made from (the sha256 of its bytes).
A save is written only when the file is still that version; otherwise it is refused and the
contributor is shown both. Writes go through the captions library (its SRT and WebVTT
writers and ``captions.textio.atomic_write_text``, as ``captions.formats.save`` does: a temp
file, fsync, rename) into ``CLIP.srt`` and then its ``.vtt`` twin. They are not entered in
coprod's record of files it wrote (``pipeline.caption_store``), so they count as a person's
edit: ``coprod transcribe`` puts any new draft beside them instead of over them.

The page's text boxes hold plain text. A save keeps the styling of the file it replaces
(italics, bold, underline, and the voices its .vtt twin names) on every character the
contributor did not change: a caption they did not touch is written back exactly as it was,
and a word corrected inside an italic caption stays italic (``captions.styling``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from captions.exceptions import CaptionError
from captions.formats import dumps
from captions.model import Cue
from captions.qc import check
from captions.styles import get_style
from captions.styling import keep_styling
from captions.textio import atomic_write_text
from pipeline.caption_store import load_captions
from pipeline.exceptions import PipelineError
from pipeline.fsutil import sha256_bytes, sha256_file
from pipeline.project import Project
from pipeline.review import merge

NO_FILE = "none"
MAX_CUES = 3000
MAX_TEXT = 1000  # characters a caption; house rules allow about 80
MAX_MS = 24 * 3600 * 1000
NUDGE_MS = 250
MIN_CUE_MS = 100
_NUDGE = re.compile(r"(\d{1,5}):(start|end):(earlier|later)")
# Bidi overrides and isolates can make text read differently from what is stored.
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


class FormError(ValueError):
    """The submitted form is not a caption track this page could have sent."""


class SaveStatus(StrEnum):
    """What became of one save."""

    SAVED = "saved"
    MERGED = "merged"  # saved together with another tab's edits to other captions
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Track:
    """A clip's captions as a version of its caption file."""

    version: str
    cues: list[Cue]


@dataclass(frozen=True)
class SaveResult:
    """The outcome of a save; on a conflict, ``theirs`` is the file as it is now, ``clashes``
    the captions both changed (None: the tracks could not be paired, so all of them), and
    ``by`` the contributor whose save from the page made it (None: someone else)."""

    status: SaveStatus
    version: str
    theirs: Track | None = None
    cues: list[Cue] = field(default_factory=list)
    clashes: tuple[int, ...] | None = None
    by: str | None = None


def version_of(project: Project, clip_id: str) -> str:
    """The version of the clip's caption file: sha256 of its bytes, or ``none``."""
    path = project.caption_path(clip_id)
    return sha256_file(path) if path.is_file() else NO_FILE


def read_track(project: Project, clip_id: str) -> Track:
    """The clip's captions now.

    Raises:
        captions.exceptions.CaptionError: the file is malformed.
    """
    path = project.caption_path(clip_id)
    for _ in range(5):
        if not path.is_file():
            return Track(NO_FILE, [])
        version = sha256_file(path)
        cues = load_captions(path)
        # The version must be that of the bytes parsed: a save may land in between.
        if sha256_file(path) == version:
            break
    return Track(version, cues)


def clean_text(text: str) -> str:
    """Caption text as typed, less what a caption cannot hold: control and bidi characters.

    Lines are trimmed of spaces and tabs and empty ones dropped, as the caption readers do, so
    text the contributor did not touch comes back as it was (hard spaces included).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if all(line.isprintable() for line in lines):  # the usual case, decided in C
        return "\n".join(line.strip() for line in lines if line.strip())
    kept = "".join(ch for ch in text if ch in "\n\t" or (
        unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI))
    cleaned = [line.strip(" \t") for line in kept.split("\n")]
    return "\n".join(line for line in cleaned if line)


def _ms(form: Mapping[str, str], name: str) -> int:
    value = form.get(name, "")
    if not value.isdigit() or len(value) > 9 or int(value) > MAX_MS:
        raise FormError(f"{name} is not a time in milliseconds")
    return int(value)


def parse_track(form: Mapping[str, str]) -> list[Cue]:
    """The caption track a page's form describes (``count``, ``text-N``, ``start-N``, ``end-N``).

    Raises:
        FormError: a field is missing, too long or not a time.
    """
    count = form.get("count", "")
    if not count.isdigit() or int(count) > MAX_CUES:
        raise FormError("count is not a number of captions")
    cues: list[Cue] = []
    for n in range(1, int(count) + 1):
        text = form.get(f"text-{n}")
        if text is None or len(text) > MAX_TEXT:
            raise FormError(f"text-{n} is missing or too long")
        start, end = _ms(form, f"start-{n}"), _ms(form, f"end-{n}")
        if end < start:
            raise FormError(f"caption {n} ends before it starts")
        cues.append(Cue(start, end, clean_text(text)))
    return cues


def parse_json_track(data: object) -> list[Cue]:
    """The caption track the page's script sends: ``[[start, end, text], ...]``.

    Raises:
        FormError: it is not a list of captions with whole-millisecond times.
    """
    if not isinstance(data, list) or len(data) > MAX_CUES:
        raise FormError("cues is not a list of captions")
    cues: list[Cue] = []
    for n, item in enumerate(data, start=1):
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)
                and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_MS
                        for v in item[:2])):
            raise FormError(f"caption {n} is not [start, end, text]")
        start, end, text = item
        if end < start or len(text) > MAX_TEXT:
            raise FormError(f"caption {n} ends before it starts or is too long")
        cues.append(Cue(start, end, clean_text(text)))
    return cues


def nudge(cues: list[Cue], request: str, duration_ms: int | None) -> int:
    """Move one caption's start or end by :data:`NUDGE_MS`; return the caption's number.

    ``request`` is ``N:start|end:earlier|later``. A caption never starts before 0, never ends
    after the clip, and stays on screen at least :data:`MIN_CUE_MS`.

    Raises:
        FormError: ``request`` is malformed or names no caption.
    """
    found = _NUDGE.fullmatch(request)
    if found is None or not 1 <= int(found[1]) <= len(cues):
        raise FormError("nudge names no caption")
    n = int(found[1])
    cue = cues[n - 1]
    step = -NUDGE_MS if found[3] == "earlier" else NUDGE_MS
    limit = duration_ms if duration_ms is not None else MAX_MS
    if found[2] == "start":
        cue.start = max(0, min(cue.start + step, cue.end - MIN_CUE_MS))
    else:
        cue.end = max(min(limit, cue.end + step), cue.start + MIN_CUE_MS)
    return n


def srt_bytes(cues: Sequence[Cue]) -> bytes:
    """The bytes ``captions.formats.save`` writes for ``cues`` as SRT."""
    return dumps(cues, "srt").encode("utf-8")


def _write(project: Project, clip_id: str, cues: Sequence[Cue], srt_text: str) -> None:
    # What captions.formats.save does for each file, with the SRT text already made once.
    atomic_write_text(project.caption_path(clip_id), srt_text)
    atomic_write_text(project.caption_path(clip_id, "vtt"), dumps(cues, "vtt"))


def save_track(project: Project, clip_id: str, base: str, cues: list[Cue],
               who: str | None = None) -> SaveResult:
    """Write ``cues`` as the clip's captions if the file is still version ``base``, or merge
    them with what it says now when only other captions changed (:mod:`.merge`).

    Saving what the file already says is never a conflict. The check and the write hold the
    clip's caption lock, which every save and decision from the page takes. The styling of
    the file as it is now is kept on whatever the save did not change. ``who`` is the
    contributor saving (kept with the version written, so a clash can name them).
    """
    path = project.caption_path(clip_id)
    with project.lock(f"review-{clip_id}"):
        current = version_of(project, clip_id)
        now = _cues_now(project, clip_id, current)
        styled = keep_styling(now, cues)
        text = dumps(styled, "srt")
        data = text.encode("utf-8")
        if current != NO_FILE and path.read_bytes() == data:
            return SaveResult(SaveStatus.UNCHANGED, current, cues=styled)
        status = SaveStatus.SAVED
        if current != base:
            earlier = merge.recall(project, base)
            merged = merge.three_way(earlier, cues, now) if earlier is not None else None
            if merged is None or merged.clashes:
                return SaveResult(SaveStatus.CONFLICT, current, read_track(project, clip_id),
                                  cues, merged.clashes if merged else None,
                                  merge.saved_by(project, current))
            styled, status = keep_styling(now, merged.cues), SaveStatus.MERGED
            text = dumps(styled, "srt")
            data = text.encode("utf-8")
        cues = styled
        # The .srt is what the film shows and what a sign-off binds to: it goes first.
        _write(project, clip_id, cues, text)
        return SaveResult(status, merge.remember(project, data, who), cues=cues)


def remember_shown(project: Project, clip_id: str, version: str) -> None:
    """Keep the caption file's version a page was made from, for merging its saves later."""
    try:
        data = project.caption_path(clip_id).read_bytes()
    except OSError:
        return
    if sha256_bytes(data) == version:
        merge.remember(project, data)


def _cues_now(project: Project, clip_id: str, version: str) -> list[Cue]:
    """The clip's cues as the file has them now; none when there is no file or it is broken."""
    if version == NO_FILE:
        return []
    try:
        return read_track(project, clip_id).cues
    except CaptionError:
        return []


def problems(project: Project, clip_id: str, cues: Sequence[Cue]) -> dict[int, list[str]]:
    """House-rule findings per caption number (1-based), as QC rule names, never blocking."""
    duration = duration_of(project, clip_id)
    found: dict[int, list[str]] = {}
    for finding in check(cues, get_style(project.film.caption_style), clip_duration_ms=duration):
        rules = found.setdefault(finding.cue, [])
        if finding.rule not in rules:
            rules.append(finding.rule)
    return found


def duration_of(project: Project, clip_id: str) -> int | None:
    """The clip's length in ms from its ingest record, or None when it cannot be read."""
    try:
        return project.probe(clip_id).duration_ms
    except (PipelineError, OSError):
        return None  # nudges then stop at 24 hours, and QC cannot check the clip's end


__all__ = ["MAX_CUES", "NO_FILE", "NUDGE_MS", "FormError", "SaveResult", "SaveStatus", "Track",
           "clean_text", "duration_of", "nudge", "parse_json_track", "parse_track", "problems",
           "read_track", "remember_shown", "save_track", "srt_bytes", "version_of"]
