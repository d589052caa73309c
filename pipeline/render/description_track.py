"""Where each description sits in the film, and how far the programme sound is lowered under it.

Nothing here runs ffmpeg: :mod:`pipeline.render.described` builds the mix from these numbers,
and ``bench/render.py`` builds its hand-written ffmpeg command from the same ones
(:data:`DUCK_DB`, :data:`RAMP_MS`, :func:`duck_expression`).

Description times are relative to the clip, like captions, so trims and re-ordering keep them
right. A description is placed at ``part start + (description start - clip in point)``. One that
is not wholly inside a trimmed clip's in/out is **left out** (and reported), not clipped: half a
sentence tells a listener less than nothing, and moving it could put it over speech.

The depth: :data:`DUCK_DB` = 10 dB. The ITC's Guidance on Standards for Audio Description (May
2000) gives the programme's level a step of its own (step 5, "Adjusting the programme sound
level"); the Description Key's technical notes ask for the programme's and the description's
levels to be adjusted passage by passage so that they match; the Irish National IT Accessibility
Guidelines put description only in the gaps and never over important sounds; and in broadcast
receiver-mixed description the description stream carries signals that lower the main programme
while it speaks. None of them gives a figure. coprod has one depth for the whole film, so it is
coprod's choice, not a quoted standard: each voice is first matched to the programme's own
integrated loudness, so 10 dB down leaves the voice about 10 dB over whatever it is heard
against (clear speech over a bed), while music and ambience stay audible and a sound a
description names (a door, a kettle) can still be heard. The ramps, :data:`RAMP_MS` = 250 ms,
are linear in dB and finish before the description starts, so its first word is never under a
fading bed; the ramp back up finishes before speech resumes (:func:`ramp_up_from`, from the
word times corrected by the VAD), so the next line is never heard lowered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.render.plan import Part, PartKind, part_duration_ms, part_start_ms

DUCK_DB = 10.0
RAMP_MS = 250
# A voice may run this much past its cue's end and still count as fitting its pause.
FIT_TOLERANCE_MS = 100


class DescriptionLike(Protocol):
    """What placement reads of a description (``pipeline.describe.script.Description``)."""

    @property
    def cue(self) -> int: ...
    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class PlacedDescription:
    """One description at its place in the film (film times, ms)."""

    part: str  # the part's name: a clip id, "title" or "credits"
    clip_id: str | None  # None for a card
    cue: int
    text: str
    start_ms: int
    end_ms: int  # the end of its cue (the pause it was written for)
    source: Any = field(default=None, compare=False, repr=False)  # the Description itself


@dataclass(frozen=True)
class LeftOut:
    """A description the film does not carry, and why."""

    part: str
    cue: int
    reason: str

    def __str__(self) -> str:
        return f"{self.part}:{self.cue}: {self.reason}"


@dataclass(frozen=True)
class Placement:
    """Every description placed in film order, and those left out."""

    placed: tuple[PlacedDescription, ...]
    left_out: tuple[LeftOut, ...]

    def by_part(self) -> dict[str, list[PlacedDescription]]:
        """The placed descriptions of each part, by part name."""
        out: dict[str, list[PlacedDescription]] = {}
        for d in self.placed:
            out.setdefault(d.part, []).append(d)
        return out


def place_descriptions(parts: Sequence[Part], fps: int,
                       descriptions: Mapping[str, Sequence[DescriptionLike]]) -> Placement:
    """Place each part's descriptions (``descriptions`` by part name) in the film.

    A clip's descriptions are in the clip's time; a card's in the card's (0 = its first frame).
    """
    placed: list[PlacedDescription] = []
    left: list[LeftOut] = []
    for part in parts:
        start = part_start_ms(part, fps)
        length = part_duration_ms(part, fps)
        in_ms, out_ms = (part.in_ms, part.in_ms + length) if part.kind == PartKind.CLIP \
            else (0, length)
        for d in descriptions.get(part.name, ()):
            if d.start_ms < in_ms or d.end_ms > out_ms:
                left.append(LeftOut(part.name, d.cue, (
                    f"runs {d.start_ms}-{d.end_ms} ms, outside the part of the clip the film "
                    f"uses ({in_ms}-{out_ms} ms); left out rather than cut")))
                continue
            placed.append(PlacedDescription(
                part.name, part.clip_id, d.cue, d.text,
                start + d.start_ms - in_ms, start + d.end_ms - in_ms, d))
    placed.sort(key=lambda d: (d.start_ms, d.end_ms))
    return Placement(tuple(placed), tuple(left))


@dataclass(frozen=True)
class Voiced:
    """A placed description with its voice: what the mix plays, and for how long."""

    placed: PlacedDescription
    wav: Path
    voice_ms: int
    voice: str
    gain_db: float = 0.0  # brings the voice to the programme's loudness

    @property
    def sounds_until_ms(self) -> int:
        """When the voice stops (it may run past its cue)."""
        return self.placed.start_ms + self.voice_ms

    @property
    def fits(self) -> bool:
        """True when the voice ends within its cue (its pause), give or take 100 ms."""
        return self.sounds_until_ms <= self.placed.end_ms + FIT_TOLERANCE_MS


def ramp_up_from(voiced: Voiced, speech_starts: Sequence[int], ramp_ms: int = RAMP_MS) -> int:
    """When the programme starts coming back up after ``voiced``: at its cue's end (or its
    voice's, if later), but early enough that the ramp ends before speech resumes, never before
    the voice stops (`describe check` flags a voice that leaves too little room)."""
    stops = voiced.sounds_until_ms
    resume = next((t for t in speech_starts if t >= voiced.placed.start_ms), None)
    latest = max(voiced.placed.end_ms, stops)
    return latest if resume is None else max(stops, min(latest, resume - ramp_ms))


def duck_windows(spans: Sequence[tuple[int, int]], film_ms: int,
                 ramp_ms: int = RAMP_MS) -> list[tuple[int, int]]:
    """Stretches (ms) over which the programme is fully lowered: each description's span within
    the film, merged where two ramps would meet (the bed stays down between close descriptions).
    """
    windows: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(film_ms, e)) for s, e in spans):
        if end <= start:
            continue
        if windows and start - windows[-1][1] < 2 * ramp_ms:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _s(ms: float) -> str:
    return f"{ms / 1000:.3f}"


def duck_expression(windows: Sequence[tuple[int, int]], duck_db: float = DUCK_DB,
                    ramp_ms: int = RAMP_MS) -> str:
    """The programme's gain as an ffmpeg ``volume`` expression in ``t`` (evaluated per frame).

    Each window contributes a trapezium (0 outside, 1 inside, linear ramps of ``ramp_ms``
    ending at its start and starting at its end); windows do not overlap (see
    :func:`duck_windows`), so their sum is at most 1 and the gain is ``-duck_db`` dB at most.
    """
    if not windows:
        return "1"
    r = _s(ramp_ms)
    terms = [f"min(clip((t-{_s(s - ramp_ms)})/{r},0,1),clip(({_s(e + ramp_ms)}-t)/{r},0,1))"
             for s, e in windows]
    return f"pow(10,{-duck_db / 20:.6f}*({'+'.join(terms)}))"


def duck_filter(windows: Sequence[tuple[int, int]], duck_db: float = DUCK_DB,
                ramp_ms: int = RAMP_MS) -> str:
    """The same ducking as a filtergraph fragment for a hand-written ffmpeg command."""
    # Quoted, the expression's commas do not split the filter chain.
    return f"volume='{duck_expression(windows, duck_db, ramp_ms)}':eval=frame"


__all__ = [
    "DUCK_DB",
    "FIT_TOLERANCE_MS",
    "RAMP_MS",
    "DescriptionLike",
    "LeftOut",
    "PlacedDescription",
    "Placement",
    "Voiced",
    "duck_expression",
    "duck_filter",
    "duck_windows",
    "place_descriptions",
    "ramp_up_from",
]
