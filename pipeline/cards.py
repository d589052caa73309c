"""Camera cards: the footage on a card folder, sidecars skipped, AVCHD spanned takes joined.

``coprod ingest PROJECT CARD/`` hands a folder here. :func:`walk_card` looks at every file on
the card (DCIM from phones and cameras, Sony XAVC's PRIVATE/M4ROOT/CLIP, AVCHD's
PRIVATE/AVCHD/BDMV/STREAM, or anything else), keeps the footage, counts what it skips by kind,
and refuses the whole card (nothing written) when any of it is unsafe to read: a symbolic link
(a loop, or a file elsewhere dressed as footage), a FIFO or device, a name with control
characters, a folder or footage file that cannot be read, or no footage at all.

An AVCHD camera splits one long take into several .MTS files (a FAT32 card holds files of at
most 4 GB). They are one MPEG transport stream cut in pieces, so a take is found as
consecutive files with the same streams whose video timestamps run on: the next file's first
picture comes one frame after the previous file's last (give or take the few pictures an encoder
reorders across the cut). :func:`joined` puts the pieces back
together byte for byte (no re-encoding, the timestamps already continuous) for ingest to copy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline import runner
from pipeline.exceptions import MediaToolError, PipelineError
from pipeline.fsutil import NotAFileError, file_kind, open_regular, os_error_advice

FOOTAGE = {".mp4", ".mov", ".mts", ".m2ts", ".mxf", ".m4v", ".avi", ".3gp", ".mkv", ".mpg"}
TRANSPORT_STREAMS = {".mts", ".m2ts"}
# What cameras write beside the footage, by extension: skipped and counted.
SIDECARS = {
    ".thm": "thumbnails", ".jpg": "photos and thumbnails", ".jpeg": "photos and thumbnails",
    ".heic": "photos", ".dng": "photos", ".xml": "metadata sidecars",
    ".bin": "camera data files", ".cpi": "AVCHD clip information files",
    ".mpl": "AVCHD playlists", ".bdm": "AVCHD index files", ".bdmv": "AVCHD index files",
    ".smi": "metadata sidecars", ".bim": "camera data files", ".lrv": "low-resolution copies",
    ".lrf": "low-resolution copies", ".aae": "photo edit sidecars", ".dat": "camera data files",
    ".ind": "camera index files", ".ctg": "camera index files", ".wav": "separate sound files",
}
# Folders a computer puts on a card, never the camera (checked in any case).
SYSTEM_FOLDERS = {"System Volume Information", "$RECYCLE.BIN", "LOST.DIR"}
# A card is a few folders deep; deeper than this is not a card.
MAX_DEPTH = 12
# Seconds before its end where a piece's last picture is looked for.
TAIL_S = 3.0
# How far pictures are reordered across a cut (an encoder's B-frame depth); measured on x264
# with 3 B-frames cut at every eighth of a file: -4 to +3 frames.
REORDER_FRAMES = 4


class CardError(PipelineError):
    """A card folder that cannot be ingested; names the file or folder and what to do."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{shown(self.path)}: {reason}")


def shown(path: str | Path) -> str:
    """``path`` on one line: control characters in a hostile name are escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))


@dataclass(frozen=True)
class Take:
    """One recording on the card: one file, or an AVCHD take spanned over several."""

    parts: tuple[Path, ...]

    @property
    def first(self) -> Path:
        """The file the take starts in (its name names the clip)."""
        return self.parts[0]


@dataclass
class Card:
    """What a card holds: its takes in order, and the files skipped, counted by kind."""

    root: Path
    takes: list[Take] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skipped_lines(self) -> list[str]:
        """One line per kind of file skipped, with its count."""
        return [f"skipped {n} {kind}" for kind, n in sorted(self.skipped.items())]


def _check_entry(path: Path, st: os.stat_result) -> None:
    name = path.name
    if any(not c.isprintable() for c in name):
        raise CardError(path, "has control characters in its name; rename it on a computer "
                              "before ingesting the card")
    if stat.S_ISLNK(st.st_mode):
        raise CardError(path, "is a symbolic link; a camera card has none: copy the card's "
                              "files themselves")
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        raise CardError(path, f"is {file_kind(st.st_mode)}, not a file; a camera card has "
                              "only files and folders")


def _skip(card: Card, kind: str) -> None:
    card.skipped[kind] = card.skipped.get(kind, 0) + 1


def _files(root: Path, card: Card) -> list[Path]:
    """Every regular file under ``root`` in name order, refusing anything unsafe; hidden and
    system folders (a computer's, not the camera's) are skipped unread and counted."""
    found: list[Path] = []

    def visit(folder: Path, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise CardError(folder, f"is more than {MAX_DEPTH} folders deep; is this a card?")
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            raise CardError(folder, f"cannot be read: {os_error_advice(exc)}") from None
        for name in names:
            path = folder / name
            try:
                st = os.lstat(path)
            except OSError as exc:
                raise CardError(path, os_error_advice(exc)) from None
            _check_entry(path, st)
            if stat.S_ISDIR(st.st_mode) and (name.startswith(".") or name in SYSTEM_FOLDERS):
                # .Trashes holds deleted footage; .Spotlight-V100 is often unreadable.
                _skip(card, "hidden and system folders")
            elif stat.S_ISDIR(st.st_mode):
                visit(path, depth + 1)
            else:
                found.append(path)

    visit(root, 0)
    return found


def _readable(path: Path) -> None:
    try:
        with open_regular(path):
            pass
    except NotAFileError as exc:
        raise CardError(path, f"is {exc.kind}, not a file") from None
    except OSError as exc:
        raise CardError(path, f"cannot be read: {os_error_advice(exc)}; nothing was "
                              "ingested from the card") from None


def _kind(path: Path) -> str | None:
    """None for footage; else the kind of file skipped."""
    if path.name.startswith("."):
        return "hidden files"  # ._ AppleDouble files, .DS_Store, .Trashes
    ext = path.suffix.lower()
    if ext in FOOTAGE:
        return None
    return SIDECARS.get(ext, f"other files ({ext or 'no extension'})")


# --- AVCHD spanning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    layout: tuple[tuple[Any, ...], ...]
    first_pts: float
    last_pts: float
    frame_s: float


def _layout(streams: list[dict[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple((s.get("codec_type"), s.get("codec_name"), s.get("width"), s.get("height"),
                  s.get("r_frame_rate"), s.get("sample_rate"), s.get("channels"))
                 for s in streams if s.get("codec_type") in ("video", "audio"))


def _piece(path: Path) -> _Piece | None:
    """A transport stream's layout and its first and last picture times; None if unreadable."""
    name = "file:" + str(path)
    try:
        data = runner.ffprobe_json(name)
        video = next(s for s in data.get("streams") or [] if s.get("codec_type") == "video")
        first = float(video["start_time"])
        frame = float(1 / Fraction(video["r_frame_rate"]))
        end = first + float((data.get("format") or {})["duration"])
        proc = runner.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                           "-read_intervals", f"{max(first, end - TAIL_S):.3f}%",
                           "-show_entries", "packet=pts_time", "-of", "csv=p=0", name])
        # One "pts_time," line a packet (ffprobe's csv ends each with a separator).
        cells = (line.strip().rstrip(",") for line in proc.stdout.decode().splitlines())
        times = [float(t) for t in cells if t not in ("", "N/A")]
    except (MediaToolError, StopIteration, KeyError, ValueError, ZeroDivisionError):
        return None
    if not times:
        return None
    return _Piece(_layout(data["streams"]), first, max(times), frame)


def _same_streams(a: tuple[tuple[Any, ...], ...], b: tuple[tuple[Any, ...], ...]) -> bool:
    """The same streams, a value one piece's probe could not read (a piece cut before its
    first keyframe has no picture size yet) matching any."""
    unknown = (None, 0, "0/0")
    return len(a) == len(b) and all(
        x[:2] == y[:2] and all(u == v or u in unknown or v in unknown
                               for u, v in zip(x[2:], y[2:], strict=True))
        for x, y in zip(a, b, strict=True))


def continues(before: _Piece, after: _Piece) -> bool:
    """True when ``after`` is the rest of ``before``'s take: the same streams, and its first
    picture one frame after ``before``'s last. A camera cuts its files at any packet, so the
    pictures either side of the cut may be reordered (B-frames): up to REORDER_FRAMES off."""
    frame = before.frame_s
    gap = after.first_pts - (before.last_pts + frame)
    return (_same_streams(before.layout, after.layout)
            and abs(gap) <= (REORDER_FRAMES + 0.5) * frame
            and after.last_pts > before.last_pts)


def _spans(files: Sequence[Path]) -> list[Take]:
    """``files`` (one folder's transport streams, in name order) grouped into takes."""
    takes: list[Take] = []
    previous: _Piece | None = None
    for path in files:
        piece = _piece(path)
        if takes and previous is not None and piece is not None and continues(previous, piece):
            takes[-1] = Take((*takes[-1].parts, path))
        else:
            takes.append(Take((path,)))
        previous = piece
    return takes


def walk_card(root: Path) -> Card:
    """The footage on the card folder ``root``; CardError (nothing done) for anything unsafe."""
    try:
        root = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        reason = os_error_advice(exc) if isinstance(exc, OSError) else "a symbolic link loop"
        raise CardError(root, reason) from None
    card = Card(root)
    footage: dict[Path, list[Path]] = {}
    for path in _files(root, card):
        kind = _kind(path)
        if kind is None:
            _readable(path)
            footage.setdefault(path.parent, []).append(path)
        else:
            _skip(card, kind)
    if not footage:
        raise CardError(root, "is a folder with no footage (looked for " + ", ".join(
            sorted(e.upper() for e in FOOTAGE)) + " files); give a camera card's top folder "
                              "or the footage files")
    for folder in sorted(footage):
        files = footage[folder]
        streams = [p for p in files if p.suffix.lower() in TRANSPORT_STREAMS]
        card.takes += [Take((p,)) for p in files if p not in streams] + _spans(streams)
    card.takes.sort(key=lambda t: t.first)
    return card


def expand(paths: Sequence[Path], say: Callable[[str], None]) -> list[Take]:
    """Each path as a take; a folder as the takes on its card (saying what it skipped)."""
    takes: list[Take] = []
    for path in paths:
        if path.is_dir():
            card = walk_card(path)
            for line in card.skipped_lines():
                say(f"{shown(card.root)}: {line}")
            takes += card.takes
        else:
            takes.append(Take((path,)))
    return takes


@contextlib.contextmanager
def joined(take: Take, scratch: Path) -> Iterator[Path]:
    """The take as one file: its own file, or its pieces joined byte for byte into a temporary
    file in ``scratch`` named like the first piece (removed afterwards)."""
    if len(take.parts) == 1:
        yield take.first
        return
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".join-", dir=scratch))
    try:
        target = folder / take.first.name
        with open(target, "wb") as out:
            for part in take.parts:
                with open_regular(part) as inp:
                    shutil.copyfileobj(inp, out, 1 << 20)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def joined_note(take: Take) -> str | None:
    """What ingest tells the producer about a spanned take, or None for a single file."""
    if len(take.parts) == 1:
        return None
    names = ", ".join(p.name for p in take.parts)
    return f"one take spanned over {len(take.parts)} files, joined: {names}"


__all__ = ["Card", "CardError", "Take", "continues", "expand", "joined", "joined_note",
           "walk_card"]
