"""Where to cut a clip's audio for Whisper, and which decoded stretches may hide lost words.

Whisper reads 30 s at a time. Decoding a clip in consecutive 30 s windows puts window edges
inside phrases, where Whisper loses words. So the speech the VAD finds is cut into chunks of at
most 30 s, each cut inside a pause (speech with no pause at all is cut at its quietest point), and
each chunk is decoded on its own: its speech padded a little, long pauses shortened, word times
mapped back to the clip. The boundary guard's checks then mark suspect stretches: a segment ending
on its chunk's edge, a word given almost no probability, a word repeated across a join, speech
the VAD heard that no word covers. :mod:`pipeline.transcribe.engines` decodes those again.

Pure: integer milliseconds and numbers in, no model, each step testable alone::

    quietest_point                  where to cut speech that has no pause
    split_long_speech               speech longer than a chunk, cut at its quietest points
    plan_chunks                     VAD speech regions -> chunks of at most 30 s cut in pauses
    chunk_of, Chunk.words_to_clip   a chunk's pieces of the clip; its words back on the clip
    find_suspects                   the boundary checks (find_unheard: speech with no words)
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from captions.model import Word

# Energy comes in frames of this length (pipeline.transcribe.engines.base.frame_energy).
FRAME_MS = 10
# Whisper's window.
MAX_CHUNK_MS = 30_000
# Audio kept around speech so that quiet onsets and endings are decoded (as faster-whisper pads).
PAD_MS = 400
# Mapping words over a join between pieces: punctuation that ends a phrase, and how far past the
# join a word must reach to belong after it when punctuation does not say (less than PAD_MS).
BREAKS = (".", ",", "?", "!", ";", ":")
JOIN_MS = 300
# Energy is averaged over this long, so one quiet frame between syllables is not a pause.
QUIET_WINDOW_MS = 200
# A cut inside speech leaves at least this much on each side.
MIN_PIECE_MS = 2_000

# How a chunk's start or end was chosen.
CLIP = "clip"  # the clip's own start or end
PAUSE = "pause"  # inside a pause between speech regions
QUIET = "quiet"  # inside speech with no pause, at its quietest point

# A segment whose last word ends this close to its chunk's end ran into the edge. After a cut in
# a pause (400 ms after the VAD's end of speech) Whisper's last word ended 200-600 ms before the
# chunk's end on the long-form bench.
EDGE_MS = 150
# A word Whisper did not really hear (real words, even misheard, were 0.1 and up with tiny.en).
ZERO_PROBABILITY = 0.02
# Speech the VAD found, this long or longer, with no word in it is a suspect stretch too.
MIN_UNHEARD_MS = 500
# The words of one suspect stretch span at most this, leaving context room in a 30 s window.
MAX_FOCUS_MS = 20_000


@dataclass(frozen=True)
class Region:
    """A stretch of the clip, [start, end) in milliseconds."""

    start: int
    end: int

    @property
    def duration(self) -> int:
        """Length in ms."""
        return self.end - self.start


@dataclass(frozen=True)
class Chunk:
    """Stretches of the clip (``pieces``) decoded as one run of audio, and how its start and end
    were cut. Between pieces, pause that is left out: Whisper hears speech, not silence or music."""

    pieces: tuple[Region, ...]
    cut_before: str = CLIP
    cut_after: str = CLIP

    @property
    def start(self) -> int:
        """Where the chunk starts on the clip (ms)."""
        return self.pieces[0].start

    @property
    def end(self) -> int:
        """Where the chunk ends on the clip (ms)."""
        return self.pieces[-1].end

    @property
    def duration(self) -> int:
        """Length of the audio decoded (ms): the pieces without the silence between them."""
        return sum(p.duration for p in self.pieces)

    def _piece_at(self, at: int) -> int:
        """Index of the piece holding time ``at`` of the decoded audio (the last, past the end)."""
        ends = itertools.accumulate(p.duration for p in self.pieces)
        return next((i for i, end in enumerate(ends) if at < end), len(self.pieces) - 1)

    def _place(self, at: int, index: int) -> int:
        """Time ``at`` of the decoded audio on the clip's clock, kept inside piece ``index``."""
        offset = sum(p.duration for p in self.pieces[:index])
        piece = self.pieces[index]
        return piece.start + min(max(at - offset, 0), piece.duration)

    def to_clip(self, at: int) -> int:
        """A time in the decoded audio (ms from its start) on the clip's clock."""
        return self._place(at, self._piece_at(at))

    def words_to_clip(self, words: Sequence[Word]) -> list[Word]:
        """One segment's words, timed in the decoded audio, on the clip's clock, each kept inside
        one piece. Whisper stretches words over the silence at a join; one that straddles it
        belongs after it if a phrase ends before it (punctuation, or it starts the segment),
        before it if it ends one; else after it only if it reaches JOIN_MS past the join."""
        out: list[Word] = []
        for k, word in enumerate(words):
            first = self._piece_at(word.start)
            index = self._piece_at(max(word.start, word.end - 1))
            if index != first:
                opens = k == 0 or words[k - 1].text.rstrip().endswith(BREAKS)
                closes = k == len(words) - 1 or word.text.rstrip().endswith(BREAKS)
                if closes and not opens:
                    index = first
                elif opens == closes:
                    index = self._piece_at(max(word.start, word.end - JOIN_MS))
            start = self._place(word.start, index)
            out.append(Word(start, max(start, self._place(word.end, index)), word.text,
                            word.probability))
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict."""
        return {"start": self.start, "end": self.end, "cut_before": self.cut_before,
                "cut_after": self.cut_after, "pieces": [[p.start, p.end] for p in self.pieces]}


# --- cutting -------------------------------------------------------------------------------------


def quietest_point(energy: Sequence[float], lo: int, hi: int) -> int:
    """The time (ms) in [lo, hi] where energy averaged over QUIET_WINDOW_MS is lowest (ties, or
    no energy: the middle of the range)."""
    if hi <= lo:
        return lo
    half = QUIET_WINDOW_MS // FRAME_MS // 2
    first, last = lo // FRAME_MS, min(hi // FRAME_MS, len(energy) - 1)
    if last < first:
        return (lo + hi) // 2
    # Running sums over the frames in reach make the moving average O(n) whatever the window.
    base = max(0, first - half)
    prefix = [0.0, *itertools.accumulate(energy[base : last + half + 1])]
    middle = (lo + hi) / 2
    best: tuple[float, float, int] | None = None
    for frame in range(first, last + 1):
        a, b = max(0, frame - half), min(len(energy), frame + half + 1)
        mean = (prefix[b - base] - prefix[a - base]) / (b - a)
        at = min(max(frame * FRAME_MS + FRAME_MS // 2, lo), hi)
        key = (mean, abs(at - middle), at)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2]


# --- chunk planning ----------------------------------------------------------------------------


def tidy_regions(speech: Sequence[Region], duration_ms: int) -> list[Region]:
    """Speech regions inside the clip, in order, with overlapping or touching ones joined."""
    out: list[Region] = []
    for region in sorted(speech, key=lambda s: s.start):
        start, end = max(0, region.start), min(duration_ms, region.end)
        if end <= start:
            continue
        if out and start <= out[-1].end:
            out[-1] = Region(out[-1].start, max(out[-1].end, end))
        else:
            out.append(Region(start, end))
    return out


def chunk_of(regions: Sequence[Region], lo: int, hi: int, *, pad_ms: int = PAD_MS,
             before: str = CLIP, after: str = CLIP) -> Chunk:
    """The chunk holding consecutive speech ``regions`` within the clip's [lo, hi]: speech padded
    by ``pad_ms`` (not beyond lo and hi), pauses longer than two paddings shortened to that."""
    pieces: list[Region] = []
    start = max(lo, regions[0].start - pad_ms)
    for a, b in itertools.pairwise(regions):
        if b.start - a.end > 2 * pad_ms:
            pieces.append(Region(start, a.end + pad_ms))
            start = b.start - pad_ms
    pieces.append(Region(start, max(start, min(hi, regions[-1].end + pad_ms))))
    return Chunk(tuple(pieces), before, after)


def split_long_speech(regions: Sequence[Region], energy: Sequence[float], *,
                      max_ms: int = MAX_CHUNK_MS, pad_ms: int = PAD_MS) -> list[Region]:
    """Regions too long for one chunk (with padding) cut at their quietest points; the pieces
    touch. One that fits twice is cut once, where both fit; a longer one loses half a chunk or
    more at a time."""
    room = max_ms - 2 * pad_ms
    out: list[Region] = []
    for region in regions:
        start = region.start
        while region.end - start > room:
            if region.end - start <= 2 * room:
                first, last = region.end - room, start + room
            else:
                first, last = start + room // 2, start + room
            first, last = max(first, start + MIN_PIECE_MS), min(last, region.end - MIN_PIECE_MS)
            cut = quietest_point(energy, first, last) if first < last \
                else (start + region.end) // 2
            out.append(Region(start, cut))
            start = cut
        out.append(Region(start, region.end))
    return out


def _plan_cuts(units: Sequence[Region], lo: Sequence[int], hi: Sequence[int], max_ms: int,
               pad_ms: int) -> list[int]:
    """Where to cut (after unit k): the fewest chunks; then the longest shortest cut pause;
    then the longest cut pauses in total. A dynamic programme over the units."""
    gaps = [b.start - a.end for a, b in itertools.pairwise(units)]
    speech, kept = [0], [0]  # running sums: speech, and pauses as kept (at most two paddings)
    for unit in units:
        speech.append(speech[-1] + unit.duration)
    for gap in gaps:
        kept.append(kept[-1] + min(gap, 2 * pad_ms))

    def length(i: int, j: int) -> int:  # decoded length of a chunk holding units i..j
        start = max(lo[i], units[i].start - pad_ms)
        end = min(hi[j], units[j].end + pad_ms)
        return (units[i].start - start) + speech[j + 1] - speech[i] + kept[j] - kept[i] + \
            (end - units[j].end)

    never = (len(units) + 1, 0, 0)
    # score[j]: the best plan for units[:j] as (chunks, -shortest cut pause, -cut pauses).
    score: list[tuple[int, int, int]] = [(0, -(1 << 40), 0)] + [never] * len(units)
    back = [0] * (len(units) + 1)
    for j in range(1, len(units) + 1):
        for i in range(j - 1, -1, -1):
            if length(i, j - 1) > max_ms:
                break  # adding units to the front only makes a chunk longer
            count, shortest, total = score[i]
            gap = gaps[i - 1] if i else 0
            option = (count + 1, max(shortest, -gap) if i else shortest, total - gap)
            if option < score[j]:
                score[j], back[j] = option, i
    cuts: list[int] = []
    j = len(units)
    while (j := back[j]) > 0:
        cuts.append(j - 1)
    return cuts[::-1]


def plan_chunks(speech: Sequence[Region], energy: Sequence[float], duration_ms: int, *,
                max_ms: int = MAX_CHUNK_MS, pad_ms: int = PAD_MS) -> list[Chunk]:
    """Chunks of at most ``max_ms`` of audio covering every speech region, cut inside pauses.

    ``speech``: the VAD's regions, unpadded, in any order; ``energy``: frame energies of the clip
    (only to cut speech with no pause). A chunk's audio is its speech padded by ``pad_ms`` (less
    where a pause is shorter than two paddings: chunks meet in its middle), with pauses longer
    than two paddings shortened to that. The plan has the fewest chunks that fit; among those,
    its shortest cut is in the longest pause possible, then its cuts are in the longest pauses in
    total. Speech with no pause longer than a chunk is cut where it is quietest.
    """
    regions = tidy_regions(speech, duration_ms)
    if not regions:
        return []
    units = split_long_speech(regions, energy, max_ms=max_ms, pad_ms=pad_ms)
    # A chunk may start and end in the middle of the pause before and after it.
    lo = [0] + [(a.end + b.start) // 2 for a, b in itertools.pairwise(units)]
    hi = lo[1:] + [duration_ms]
    kinds = [PAUSE if a.end < b.start else QUIET for a, b in itertools.pairwise(units)]
    bounds = [-1, *_plan_cuts(units, lo, hi, max_ms, pad_ms), len(units) - 1]
    chunks: list[Chunk] = []
    for a, b in itertools.pairwise(bounds):
        i, j = a + 1, b
        chunks.append(chunk_of(units[i : j + 1], lo[i], hi[j], pad_ms=pad_ms,
                               before=kinds[i - 1] if i else CLIP,
                               after=kinds[j] if j < len(units) - 1 else CLIP))
    # Silence before the first speech or after the last is a pause too, not the clip's edge.
    if chunks[0].start > 0:
        chunks[0] = replace(chunks[0], cut_before=PAUSE)
    if chunks[-1].end < duration_ms:
        chunks[-1] = replace(chunks[-1], cut_after=PAUSE)
    return chunks


# --- the boundary guard's checks -----------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """One decoded segment as the boundary guard sees it: its words and the chunk it came from."""

    words: Sequence[Word]
    chunk: Chunk


@dataclass(frozen=True)
class Suspect:
    """Segments first..last (none if last < first) that may hide lost or wrong words: ``focus``
    spans their words (or the unheard speech); a re-decode may replace words between ``lo`` and
    ``hi``, the end of the word before and the start of the word after."""

    first: int
    last: int
    focus: Region
    lo: int
    hi: int
    reasons: tuple[str, ...]


def _norm(text: str) -> str:
    return "".join(re.findall(r"[a-z0-9']+", text.lower()))


def check_chunk_edge(seg: Decoded) -> str | None:
    """The segment runs into its chunk's end (or starts on a cut made inside speech)."""
    words, chunk = seg.words, seg.chunk
    if words and chunk.cut_after != CLIP and words[-1].end >= chunk.end - EDGE_MS:
        return f"chunk-edge: ends at {words[-1].end / 1000:.2f} s, on its chunk's end"
    if words and chunk.cut_before == QUIET and words[0].start <= chunk.start + EDGE_MS:
        return f"chunk-edge: starts at {words[0].start / 1000:.2f} s, on a cut inside speech"
    return None


def check_zero_probability(seg: Decoded) -> str | None:
    """A word the model gave (almost) no probability: it did not hear it."""
    word = next((w for w in seg.words if w.probability < ZERO_PROBABILITY), None)
    if word is None:
        return None
    return (f"zero-probability: {word.text!r} at {word.start / 1000:.2f} s "
            f"(probability {word.probability:.3f})")


def check_repeated_join(before: Decoded, after: Decoded) -> str | None:
    """The last word of one segment is the first word of the next ("might be | be")."""
    last = _norm(before.words[-1].text) if before.words else ""
    if last and after.words and last == _norm(after.words[0].text):
        return f"repeated-join: {last!r} ends a segment and starts the next at " \
               f"{after.words[0].start / 1000:.2f} s"
    return None


SEGMENT_CHECKS: tuple[Callable[[Decoded], str | None], ...] = (check_chunk_edge,
                                                               check_zero_probability)


def _bounds(segments: Sequence[Decoded], first: int, last: int,
            duration_ms: int) -> tuple[int, int]:
    lo = max((s.words[-1].end for s in segments[:first] if s.words), default=0)
    hi = min((s.words[0].start for s in segments[last + 1 :] if s.words), default=duration_ms)
    return lo, hi


def find_unheard(speech: Sequence[Region], segments: Sequence[Decoded],
                 min_ms: int = MIN_UNHEARD_MS) -> list[tuple[int, Region]]:
    """Speech regions of ``min_ms`` or more that no word overlaps, each with the index of the
    first segment after it. (Whisper may end a window early and never come back for speech after
    a pause; the VAD still heard it.)"""
    words = sorted((w for s in segments for w in s.words), key=lambda w: w.start)
    starts = [w.start for w in words]
    latest_end = list(itertools.accumulate((w.end for w in words), max))
    out: list[tuple[int, Region]] = []
    for region in speech:
        before = bisect.bisect_left(starts, region.end)  # words starting before the region ends
        if region.duration < min_ms or (before and latest_end[before - 1] > region.start):
            continue
        after = next((i for i, s in enumerate(segments)
                      if s.words and s.words[0].start >= region.end), len(segments))
        out.append((after, region))
    return out


def find_suspects(segments: Sequence[Decoded], speech: Sequence[Region], duration_ms: int,
                  max_focus_ms: int = MAX_FOCUS_MS) -> list[Suspect]:
    """The stretches the checks flag, in clip order, never sharing a segment.

    Flagged segments next to each other (a repeated word flags both sides of the join) and
    unheard speech next to them make one suspect, while its words span at most ``max_focus_ms``.
    """
    found: list[tuple[int, int, Region, list[str]]] = []  # (first, last, focus, reasons)
    for i, seg in enumerate(segments):
        reasons = [r for check in SEGMENT_CHECKS if (r := check(seg)) is not None]
        if i and (r := check_repeated_join(segments[i - 1], seg)) is not None:
            reasons.append(r)
            prev = segments[i - 1].words
            found.append((i - 1, i - 1, Region(prev[0].start, prev[-1].end), [r]))
        if reasons and seg.words:
            found.append((i, i, Region(seg.words[0].start, seg.words[-1].end), reasons))
    for after, region in find_unheard(speech, segments):
        found.append((after, after - 1, region, [f"unheard-speech: {region.start / 1000:.2f}-"
                                                 f"{region.end / 1000:.2f} s has no words"]))
    merged: list[tuple[int, int, Region, list[str]]] = []
    for first, last, focus, reasons in sorted(found, key=lambda f: (f[2].start, f[0])):
        if merged:
            m_first, m_last, m_focus, m_reasons = merged[-1]
            touches = first <= m_last + 1 and \
                focus.start <= _bounds(segments, m_first, m_last, duration_ms)[1]
            if touches and max(focus.end, m_focus.end) - m_focus.start <= max_focus_ms:
                merged[-1] = (m_first, max(m_last, last),
                              Region(m_focus.start, max(m_focus.end, focus.end)),
                              m_reasons + [r for r in reasons if r not in m_reasons])
                continue
            if first <= m_last:  # shares a segment but too long to join: left for another time
                continue
        merged.append((first, last, focus, reasons))
    out = []
    for first, last, focus, reasons in merged:
        lo, hi = _bounds(segments, first, last, duration_ms)
        out.append(Suspect(first, last, focus, min(lo, focus.start), max(hi, focus.end),
                           tuple(reasons)))
    return out
