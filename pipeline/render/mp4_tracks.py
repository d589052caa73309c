"""Clearing an MP4 track's "enabled" flag, which players read as the default track.

ffmpeg 5.1's MP4 muxer marks the first track of each kind enabled whatever ``-disposition`` says
(movenc.c, ``enable_tracks``), so a film's only caption track would always be drawn by a player
that honours the flag. coprod clears the flag on the caption track of films that already show
captions in the picture (:mod:`pipeline.render.publish`). It is one bit in the track header
(``tkhd``) box, changed in place in the staged file before the film is checked: no other byte
moves. ffprobe reads the same bit back as the track's ``default`` disposition.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.exceptions import PipelineError

TKHD_ENABLED = 0x000001
SUBTITLE_HANDLERS = (b"sbtl", b"text", b"subt")


class Mp4LayoutError(PipelineError):
    """An MP4 file is not laid out as ffmpeg writes it."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _boxes(f: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box between ``start`` and ``end``."""
    at = start
    while at + 8 <= end:
        f.seek(at)
        size, kind = struct.unpack(">I4s", f.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", f.read(8))[0]
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise ValueError(f"box {kind!r} at {at} has a bad size {size}")
        yield kind, at + header, at + size
        at += size


def _child(f: BinaryIO, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    return next(((s, e) for k, s, e in _boxes(f, start, end) if k == kind), None)


def clear_subtitle_enabled(path: Path) -> int:
    """Clear the enabled flag of every subtitle track in ``path``; how many were changed.

    Raises:
        Mp4LayoutError: the file has no ``moov`` box or a box's size is wrong.
    """
    changed = 0
    with path.open("r+b") as f:
        f.seek(0, 2)
        size = f.tell()
        try:
            moov = _child(f, 0, size, b"moov")
            if moov is None:
                raise Mp4LayoutError(path, "has no moov box")
            for kind, start, end in list(_boxes(f, *moov)):
                if kind != b"trak":
                    continue
                tkhd = _child(f, start, end, b"tkhd")
                mdia = _child(f, start, end, b"mdia")
                hdlr = _child(f, *mdia, b"hdlr") if mdia else None
                if tkhd is None or hdlr is None:
                    continue
                f.seek(hdlr[0] + 8)  # version and flags, pre_defined, then handler_type
                if f.read(4) not in SUBTITLE_HANDLERS:
                    continue
                f.seek(tkhd[0])
                word = struct.unpack(">I", f.read(4))[0]
                if word & TKHD_ENABLED:
                    f.seek(tkhd[0])
                    f.write(struct.pack(">I", word & ~TKHD_ENABLED))
                    changed += 1
        except (ValueError, struct.error) as exc:
            raise Mp4LayoutError(path, f"cannot be read as MP4 ({exc})") from None
    return changed


__all__ = ["Mp4LayoutError", "clear_subtitle_enabled"]
