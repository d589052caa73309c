"""Joining segments: the ffconcat lists that name them, read by the loudness pass and the mux.

The film's picture is the concatenation of segments, copied rather than encoded again; its sound
is joined the same way before loudness normalisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from pipeline.fsutil import atomic_write_bytes
from pipeline.media import ffmpeg_input_name
from pipeline.render.plan import Part
from pipeline.render.segments import RenderedSegments
from pipeline.render_profiles import RenderProfile


def write_concat_list(path: Path, files: Sequence[Path], durations_s: Sequence[float]) -> None:
    """An ffconcat list naming each segment, with its exact duration.

    Entries are absolute ``file:`` paths in single quotes: ffmpeg resolves a relative entry
    against the list's address, where a '#' or '?' in the project's path would be read as URL
    syntax.
    """
    lines = ["ffconcat version 1.0"]
    for file, seconds in zip(files, durations_s, strict=True):
        quoted = ("file:" + str(file.resolve())).replace("'", "'\\''")
        lines += [f"file '{quoted}'", f"duration {seconds:.6f}"]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))


@dataclass(frozen=True)
class ConcatLists:
    """The film's ffconcat lists: clean picture, sound, and the open-captions picture if made."""

    video: Path
    audio: Path
    captioned: Path | None


def write_film_lists(parts: Sequence[Part], segments: RenderedSegments, profile: RenderProfile,
                     segments_dir: Path, *, open_captions: bool) -> ConcatLists:
    """Write the lists that join the film's segments, named after the profile."""
    files = segments.files
    durations = [p.frames / profile.fps for p in parts]
    video = segments_dir / f"{profile.name}.video.ffconcat"
    audio = segments_dir / f"{profile.name}.audio.ffconcat"
    write_concat_list(video, [files[p.name].video for p in parts], durations)
    write_concat_list(audio, [files[p.name].audio for p in parts], durations)
    captioned = None
    if open_captions:
        captioned = segments_dir / f"{profile.name}.captioned.ffconcat"
        write_concat_list(captioned, [
            files[p.name].captioned if p.cues else files[p.name].video for p in parts
        ], durations)
    return ConcatLists(video, audio, captioned)


def concat_input(list_path: Path) -> Any:
    """The segments named in an ffconcat list, as one ffmpeg-python input."""
    return ffmpeg_python.input(ffmpeg_input_name(list_path), f="concat", safe=0)



__all__ = ["ConcatLists", "concat_input", "write_concat_list", "write_film_lists"]
