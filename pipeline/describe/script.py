"""Description scripts: ``descriptions/CLIP.vtt``, one WebVTT cue a description.

A description's times are relative to the clip, like its captions, so trimming or re-ordering
the film keeps them right. A cue's number (1-based, in file order) names it: ``describe check``
reports ``file:cue``, and a describer's recording of cue 3 is ``descriptions/CLIP/3.wav``.

The file is read by the caption library's strict WebVTT reader (:mod:`captions.formats.vtt`,
through :func:`captions.textio.read_caption_text`, which refuses non-files and files over 5 MB);
on top of that a description script must be in time order without overlaps, and every cue must
carry text. Title and credits cards get descriptions made from their own text
(:func:`card_descriptions`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from captions.controls import CONTROL_RE
from captions.exceptions import CaptionError, CaptionParseError
from captions.formats import vtt
from captions.formats._timing import is_timing_line
from captions.textio import read_caption_text
from pipeline.exceptions import PipelineError
from pipeline.film import is_id
from pipeline.project import Project

DESCRIPTIONS_DIR = "descriptions"
PLACEHOLDER = "DESCRIBE:"
"""How a cue ``coprod describe`` wrote starts until a person writes the description."""


class DescriptionError(PipelineError):
    """A description script or recording cannot be used; names the file, the line (or cue)
    and what to do."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Description:
    """One description of what is seen.

    Attributes:
        cue: its number in the file, from 1 (names its recording, ``descriptions/CLIP/CUE.wav``).
        start_ms: when it may start, in ms from the clip's first frame (like captions).
        end_ms: the end of the pause it is written for (the voice must finish by then).
        text: what the voice says: plain text, one line.
    """

    cue: int
    start_ms: int
    end_ms: int
    text: str


def descriptions_dir(project: Project) -> Path:
    """The project's ``descriptions/`` folder."""
    return project.root / DESCRIPTIONS_DIR


def descriptions_path(project: Project, clip_id: str) -> Path:
    """``descriptions/CLIP.vtt``: the clip's description script (it may not exist)."""
    _check_id(project, clip_id)
    return descriptions_dir(project) / f"{clip_id}.vtt"


def recordings_dir(project: Project, clip_id: str) -> Path:
    """``descriptions/CLIP/``: recordings a describer made, one ``CUE.wav`` a description."""
    _check_id(project, clip_id)
    return descriptions_dir(project) / clip_id


def recording_path(project: Project, clip_id: str, cue: int) -> Path:
    """``descriptions/CLIP/CUE.wav``: the recording of description ``cue`` (it may not exist)."""
    return recordings_dir(project, clip_id) / f"{int(cue)}.wav"


def _check_id(project: Project, clip_id: str) -> None:
    # Clip ids from film.yaml are already safe; one typed at the command line may not be.
    if not is_id(clip_id):
        raise DescriptionError(project.film_yaml, f"clip id {clip_id!r} must be lower-case "
                               "letters, digits, - or _")


def parse_descriptions(text: str, path: str | Path) -> list[Description]:
    """Descriptions from the text of a WebVTT file (LF line ends).

    Raises:
        DescriptionError: not WebVTT, a malformed cue, an empty one, more than one line of
            text, or a cue that starts before the one before it ends (``file:line``).
    """
    try:
        cues = vtt.loads(text, path)
    except CaptionParseError as exc:
        raise DescriptionError(path, f"{exc.reason} (fix the description script)",
                               exc.line) from None
    # The reader already refused text before a timing line and '-->' inside NOTE blocks, so
    # the n-th timing line is the n-th cue's.
    lines = [i + 1 for i, line in enumerate(text.split("\n")) if is_timing_line(line)]
    out: list[Description] = []
    for number, (cue, line) in enumerate(zip(cues, lines, strict=True), start=1):
        words = " ".join(CONTROL_RE.sub(" ", cue.text).split())
        if not words:
            raise DescriptionError(path, f"cue {number} has no text; write the description or "
                                   "delete the cue", line)
        if cue.end <= cue.start:
            raise DescriptionError(path, f"cue {number} ends before it starts", line)
        if out and cue.start < out[-1].end_ms:
            raise DescriptionError(path, f"cue {number} starts before cue {number - 1} ends; "
                                   "descriptions are in time order and never overlap", line)
        out.append(Description(number, cue.start, cue.end, words))
    return out


def load_descriptions(project: Project, clip_id: str) -> list[Description]:
    """The clip's descriptions in order; ``[]`` when it has no description script.

    Raises:
        DescriptionError: the file is unreadable or malformed (``file:line: reason``).
    """
    path = descriptions_path(project, clip_id)
    if not path.exists() and not path.is_symlink():
        return []
    try:
        text = read_caption_text(path)
    except CaptionParseError as exc:
        raise DescriptionError(path, exc.reason, exc.line) from None
    except CaptionError as exc:
        raise DescriptionError(path, _without_path(str(exc), path)) from None
    return parse_descriptions(text, path)


def _without_path(message: str, path: Path) -> str:
    prefix = f"{path}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def descriptions_sha256(project: Project, clip_id: str) -> str | None:
    """sha256 of the clip's description script as it is now, or None when it has none."""
    path = descriptions_path(project, clip_id)
    return project.file_sha256(path) if path.exists() else None


def recorded_sha256s(project: Project, clip_id: str) -> list[tuple[int, str]]:
    """(cue, sha256) of each recording in ``descriptions/CLIP/``, by cue number.

    Only files named ``CUE.wav`` count; anything else there is not a recording.
    """
    folder = recordings_dir(project, clip_id)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = re.fullmatch(r"([1-9][0-9]{0,5})\.wav", path.name)
        if match is not None:
            found.append((int(match[1]), project.file_sha256(path)))
    return sorted(found)


def description_hashes(project: Project, clip_id: str) -> list[str]:
    """What a sign-off binds of how the clip is described, for :func:`consent.content_key`.

    The script's sha256, then one sha256 over the recordings (``CUE sha256`` lines, so which
    recording reads which cue counts too); ``[]`` for a clip without descriptions.
    """
    script = descriptions_sha256(project, clip_id)
    recorded = recorded_sha256s(project, clip_id)
    out = [script] if script is not None else []
    if recorded:
        lines = "".join(f"{cue} {digest}\n" for cue, digest in recorded)
        out.append(hashlib.sha256(lines.encode("ascii")).hexdigest())
    return out


# At 160 words a minute (2.7 a second, the pace of broadcast description) plus a breath.
_WORDS_PER_S = 2.7
_BREATH_MS = 400


def descriptions_version(project: Project, clip_id: str) -> str:
    """One sha256 for how the clip is described now (script and recordings), or ``none``:
    the review page names the version a contributor saw, and a sign-off must match it."""
    found = description_hashes(project, clip_id)
    return hashlib.sha256("\n".join(found).encode("ascii")).hexdigest() if found else "none"


def description_lines(descriptions: Sequence[Description], *,
                      shorten: int | None = None) -> list[str]:
    """One line a description for people to read (status, sign-off, the review page):
    ``1 at 5.8-8.1 s: text``, control characters shown as escapes; with ``shorten``, a text
    longer than that many characters is cut there and says how long it is."""
    from captions.controls import escape_controls

    def text(d: Description) -> str:
        if shorten is None or len(d.text) <= shorten:
            return d.text
        return f"{d.text[:shorten].rstrip()}... ({len(d.text):,} characters)"

    return [f"{d.cue} at {d.start_ms / 1000:.1f}-{d.end_ms / 1000:.1f} s: "
            f"{escape_controls(text(d))}" for d in descriptions]


_LEADS_ON = frozenset({"by", "to", "with", "from", "of", "for", "and", "featuring"})


def _sentence(parts: list[str]) -> str:
    """A heading and the lines under it as one sentence: ``Co-produced by A, B and 2 more.``"""
    head, items = parts[0], parts[1:]
    text = head
    for i, item in enumerate(items):
        sep = " " if i == 0 or item.startswith("and ") else ", "
        text += sep + item
    return text if text[-1] in ".!?" else f"{text.rstrip(':')}."


def card_descriptions(project: Project, lines: Sequence[str | tuple[str, float]]) -> \
        list[Description]:
    """The description of a title or credits card, made from the card's own text.

    Args:
        project: the film (its title is never added: a title card already shows it).
        lines: the card's lines, as text or as the render plan's ``(text, size)`` pairs.

    Returns:
        One description (cue 1) starting at the card's first frame, ending after the time it
        takes to say it at 160 words a minute; ``[]`` for a card with no text. Whoever places
        it keeps it inside the card (the measured voice decides).
    """
    sentences: list[list[str]] = []
    open_ = False  # the last line leads into the next ("Co-produced by" and the names)
    for line in lines:
        words = " ".join(CONTROL_RE.sub(" ", line if isinstance(line, str) else line[0]).split())
        if not words:
            open_ = False
            continue
        if open_ and sentences:
            sentences[-1].append(words)
        else:
            sentences.append([words])
            open_ = words.endswith(":") or words.split()[-1].lower() in _LEADS_ON
    if not sentences:
        return []
    text = " ".join(_sentence(parts) for parts in sentences)
    end = round(len(text.split()) / _WORDS_PER_S * 1000) + _BREATH_MS
    return [Description(1, 0, end, text)]


__all__ = [
    "DESCRIPTIONS_DIR",
    "PLACEHOLDER",
    "Description",
    "DescriptionError",
    "card_descriptions",
    "description_hashes",
    "description_lines",
    "descriptions_dir",
    "descriptions_path",
    "descriptions_sha256",
    "descriptions_version",
    "load_descriptions",
    "parse_descriptions",
    "recorded_sha256s",
    "recording_path",
    "recordings_dir",
]
