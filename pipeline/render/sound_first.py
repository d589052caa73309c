"""The film's sound made while its pictures encode (issue 28).

Each part's sound is its own cheap ffmpeg run, made before any picture
(:func:`pipeline.render.segments.render_segments`); once they are all there the film's loudness
(:func:`pipeline.render.loudness.film_sound`: measure, normalise, encode, verify, all on one
core) is a job queued ahead of the picture segments on the same job runner, so with two jobs at
once one thread does the loudness while the other encodes, and nothing waits after the last
picture segment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.render.jobs import Job
from pipeline.render.join import ConcatLists, write_film_lists
from pipeline.render.loudness import FilmSound, film_sound
from pipeline.render.plan import Part, Progress
from pipeline.render.segments import RenderedSegments
from pipeline.render_profiles import RenderProfile


class FilmSoundJob:
    """The film's loudness as a render job: made ready (its concat lists written) once every
    part's sound is there, run beside the picture segments, its result read afterwards.

    It runs here only: a dispatcher is never handed it (its sound segments and cache are
    this machine's files).
    """

    name = "film sound"

    def __init__(self, parts: Sequence[Part], profile: RenderProfile, segments_dir: Path, *,
                 open_captions: bool, progress: Progress | None = None) -> None:
        self._parts = tuple(parts)
        self._profile = profile
        self._dir = segments_dir
        self._open_captions = open_captions
        self._progress = progress
        self._segments: RenderedSegments | None = None
        self._lists: ConcatLists | None = None
        self._sound: FilmSound | None = None

    def ready(self, segments: RenderedSegments) -> FilmSoundJob:
        """Write the film's concat lists (every segment's name is known now); this job."""
        self._segments = segments
        self._lists = write_film_lists(self._parts, segments, self._profile, self._dir,
                                       open_captions=self._open_captions)
        return self

    def run(self, progress: Progress | None = None) -> None:
        """Measure and normalise the film's sound (:func:`film_sound`), or re-use it."""
        assert self._segments is not None and self._lists is not None, "ready() first"
        self._sound = film_sound(self._parts, self._segments, self._lists.audio,
                                 self._profile, self._dir, progress or self._progress)

    def on_worker(self, to: Callable[[Path], Path]) -> Job:
        """Never dispatched (see the class docstring): this job as it is."""
        return self

    @property
    def lists(self) -> ConcatLists:
        """The film's concat lists (after :meth:`ready`)."""
        assert self._lists is not None, "ready() first"
        return self._lists

    @property
    def sound(self) -> FilmSound:
        """The film's normalised sound (after :meth:`run`)."""
        assert self._sound is not None, "run() first"
        return self._sound


__all__ = ["FilmSoundJob"]
