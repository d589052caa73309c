"""A clip's speech decoded to words, chunk by chunk, with either engine, the same way.

:func:`transcribe_audio` takes the speech the VAD finds, cut into chunks of at most 30 s in its
pauses (:mod:`pipeline.transcribe.chunking`), decodes each chunk on its own and maps its word
times back to the clip; then the boundary guard decodes each suspect stretch again in a window
moved from its chunk (:func:`redecode_window`) and keeps the decoding with more confident
words, recording each re-decode (:class:`Redecode`). The engines themselves are
:mod:`pipeline.transcribe.engines`.

numpy is imported only when audio is decoded.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from captions.model import Word
from pipeline.transcribe.chunking import (
    MAX_CHUNK_MS,
    PAD_MS,
    PAUSE,
    Chunk,
    Decoded,
    Region,
    Suspect,
    chunk_of,
    find_suspects,
    plan_chunks,
    quietest_point,
    tidy_regions,
)
from pipeline.transcribe.engines.base import (
    SAMPLE_RATE,
    Engine,
    Segment,
    frame_energy,
    speech_regions,
)

if TYPE_CHECKING:
    import numpy as np

    from pipeline.transcribe.chunk_store import ChunkStore

log = logging.getLogger("coprod.engines")

# A word at least this probable counts when two decodings of a stretch are compared.
CONFIDENT_PROBABILITY = 0.5
# Context decoded around a suspect stretch, and the least of it on either side.
CONTEXT_MS = 5_000
MIN_CONTEXT_MS = 1_000
# A re-decode window starting this close to its chunk's start starts a pause earlier.
MIN_SHIFT_MS = 1_000


# --- re-decode windows --------------------------------------------------------------------------


def _cut_points(regions: Sequence[Region], duration_ms: int,
                pad_ms: int) -> tuple[list[int], list[int]]:
    """Where a window may start, and where it may end, without cutting speech."""
    if not regions:
        return [0], [duration_ms]
    starts = {0, max(0, regions[0].start - pad_ms)}
    ends = {duration_ms, min(duration_ms, regions[-1].end + pad_ms)}
    for a, b in itertools.pairwise(regions):
        middle = (a.end + b.start) // 2
        starts.add(max(b.start - pad_ms, middle))
        ends.add(min(a.end + pad_ms, middle))
    return sorted(starts), sorted(ends)


def window_of(regions: Sequence[Region], start: int, end: int, *,
              pad_ms: int = PAD_MS) -> Chunk:
    """The chunk of the clip between ``start`` and ``end``, speech cut to fit, pauses shortened."""
    inside = [Region(max(r.start, start), min(r.end, end)) for r in regions
              if r.end > start and r.start < end]
    if not inside:
        return Chunk((Region(start, end),), PAUSE, PAUSE)
    chunk = chunk_of(inside, start, end, pad_ms=pad_ms, before=PAUSE, after=PAUSE)
    # A window cut inside speech starts or ends exactly there.
    pieces = list(chunk.pieces)
    if inside[0].start == start:
        pieces[0] = Region(start, pieces[0].end)
    if inside[-1].end == end:
        pieces[-1] = Region(pieces[-1].start, end)
    return Chunk(tuple(pieces), chunk.cut_before, chunk.cut_after)


def redecode_window(
    suspect: Suspect,
    chunk: Chunk,
    speech: Sequence[Region],
    energy: Sequence[float],
    duration_ms: int,
    *,
    max_ms: int = MAX_CHUNK_MS,
    pad_ms: int = PAD_MS,
) -> Chunk | None:
    """The audio to decode again for a suspect stretch: a window moved from its chunk.

    The window starts in the pause just before the suspect words, where Whisper hears speech
    most reliably (or one pause earlier when that is where the chunk started, or at the quietest
    point before them when there is no pause), and runs on to cover the stretch after them, where
    lost words would be, with CONTEXT_MS to spare if at most ``max_ms`` of audio allows. Its end
    is in a pause too (else at the quietest point). None if no window differs from the chunk.
    """
    regions = tidy_regions(speech, duration_ms)
    focus = suspect.focus
    all_starts, all_ends = _cut_points(regions, duration_ms, pad_ms)

    def length(start: int, end: int) -> int:
        return window_of(regions, start, end, pad_ms=pad_ms).duration

    before = [s for s in all_starts if s <= focus.start]
    near = [s for s in before if s >= focus.start - CONTEXT_MS]
    if near:
        start = near[-1]
        if abs(start - chunk.start) < MIN_SHIFT_MS:
            earlier = [s for s in before if s < start and length(s, focus.end) <= max_ms]
            start = earlier[-1] if earlier else start
    else:
        start = quietest_point(energy, max(0, focus.start - CONTEXT_MS),
                               max(0, focus.start - MIN_CONTEXT_MS))

    want_end = min(duration_ms, max(focus.end + CONTEXT_MS, suspect.hi + MIN_CONTEXT_MS))
    ends = [e for e in all_ends if e >= focus.end and length(start, e) <= max_ms]
    if ends:
        end = min(ends, key=lambda e: (abs(e - want_end), -e))
    else:
        end = quietest_point(energy, min(duration_ms, focus.end + MIN_CONTEXT_MS),
                             min(duration_ms, focus.end + CONTEXT_MS, start + max_ms))
    end = max(end, focus.end)
    window = window_of(regions, start, end, pad_ms=pad_ms)
    if window.pieces != chunk.pieces:
        return window
    # The chunk itself again (speech alone between long silences, or a whole short clip): give
    # it more silence around it, or else start or end it a little closer to the stretch, so the
    # words fall elsewhere in Whisper's window. Decoding the same audio again would change nothing.
    for moved in (
        window_of(regions, max(0, start - MIN_SHIFT_MS), min(duration_ms, end + MIN_SHIFT_MS),
                  pad_ms=pad_ms + MIN_SHIFT_MS),
        window_of(regions, min(start + MIN_SHIFT_MS, focus.start), end, pad_ms=pad_ms),
        window_of(regions, start, max(end - MIN_SHIFT_MS, focus.end), pad_ms=pad_ms),
    ):
        if moved.pieces != chunk.pieces and moved.duration <= max_ms:
            return moved
    return None


def confidence(words: Sequence[Word]) -> tuple[int, float]:
    """How much a decoding of a stretch heard: (confident words, their total probability)."""
    sure = [w.probability for w in words if w.probability >= CONFIDENT_PROBABILITY]
    return len(sure), round(sum(sure), 4)


@dataclass(frozen=True)
class Redecode:
    """One suspect stretch decoded again: why, where, what each decoding heard, which was kept.

    Kept in the transcript under "redecoded" and logged, like the segments the hallucination
    guard drops.
    """

    start: int
    end: int
    window: Chunk
    reasons: tuple[str, ...]
    before: str
    after: str
    before_score: tuple[int, float]
    after_score: tuple[int, float]
    kept_redecode: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict."""
        return {
            "start": self.start,
            "end": self.end,
            "window": [[p.start, p.end] for p in self.window.pieces],
            "reasons": list(self.reasons),
            "before": self.before,
            "after": self.after,
            "before_confident_words": self.before_score[0],
            "after_confident_words": self.after_score[0],
            "kept": "re-decode" if self.kept_redecode else "original",
        }


# --- decoding a clip in chunks, and the boundary guard -----------------------------------------


@dataclass
class Transcription:
    """What the engine made of one clip, before the hallucination guard (and the speech the VAD
    found, which that guard also uses)."""

    segments: list[Segment]
    chunks: list[Chunk]
    redecoded: list[Redecode]
    speech: list[Region]


def _chunk_audio(samples: np.ndarray, chunk: Chunk) -> np.ndarray:
    import numpy as np

    rate = SAMPLE_RATE // 1000
    return np.concatenate([samples[p.start * rate : p.end * rate] for p in chunk.pieces])


def decode_chunk(engine: Engine, samples: np.ndarray, chunk: Chunk,
                 language: str | None) -> list[Segment]:
    """The engine's segments for one chunk of a clip, timed on the clip's clock."""
    out: list[Segment] = []
    for seg in engine.decode(_chunk_audio(samples, chunk), language):
        words = chunk.words_to_clip(seg.words)
        start = words[0].start if words else chunk.to_clip(seg.start)
        end = words[-1].end if words else max(start, chunk.to_clip(seg.end))
        out.append(Segment(start, end, seg.text, words, seg.avg_logprob, seg.no_speech_prob,
                           seg.compression_ratio))
    return out


def _inside(seg: Segment, lo: int, hi: int) -> Segment | None:
    """The part of a segment whose words' middles lie strictly between lo and hi."""
    words = [w for w in seg.words if lo < (w.start + w.end) / 2 < hi]
    if not words:
        return None
    if len(words) == len(seg.words):
        return seg
    return Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), words,
                   seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio)


def _text(segments: Sequence[Segment]) -> str:
    return " ".join(w.text for seg in segments for w in seg.words)


def boundary_guard(engine: Engine, samples: np.ndarray, language: str | None,
                   segments: list[Segment], owners: list[Chunk], chunks: Sequence[Chunk],
                   speech: Sequence[Region], energy: Sequence[float]) -> list[Redecode]:
    """Decode each suspect stretch again in a moved window; keep the decoding that heard more.

    ``segments`` (and ``owners``, the chunk each came from) are updated in place. A re-decode
    replaces the suspect words only when it has more words of probability >= 0.5 (then a
    higher total of their probabilities); either way it is recorded.
    """
    duration = len(samples) * 1000 // SAMPLE_RATE
    found = find_suspects([Decoded(s.words, c) for s, c in zip(segments, owners, strict=True)],
                          speech, duration)
    records: list[Redecode] = []
    for suspect in reversed(found):  # from the end, so earlier indices stay valid
        middle = (suspect.focus.start + suspect.focus.end) // 2
        chunk = min(chunks, key=lambda c: 0 if c.start <= middle < c.end
                    else min(abs(c.start - middle), abs(c.end - middle)))
        window = redecode_window(suspect, chunk, speech, energy, duration)
        if window is None:
            log.debug("no other window for %.2f-%.2f s (%s)", suspect.focus.start / 1000,
                      suspect.focus.end / 1000, "; ".join(suspect.reasons))
            continue
        # The words after the stretch may have been decoded again already: stop before them.
        next_start = next((s.words[0].start for s in segments[suspect.last + 1 :] if s.words),
                          suspect.hi)
        lo, hi = max(suspect.lo, window.start), min(suspect.hi, next_start, window.end)
        fresh = [part for seg in decode_chunk(engine, samples, window, language)
                 if (part := _inside(seg, lo, hi)) is not None]
        old = segments[suspect.first : suspect.last + 1]
        before = confidence([w for s in old for w in s.words])
        after = confidence([w for s in fresh for w in s.words])
        better = after > before
        records.append(Redecode(suspect.focus.start, suspect.focus.end, window, suspect.reasons,
                                _text(old), _text(fresh), before, after, better))
        if better:
            segments[suspect.first : suspect.last + 1] = fresh
            owners[suspect.first : suspect.last + 1] = [window] * len(fresh)
    return records[::-1]


def transcribe_audio(engine: Engine, samples: np.ndarray, language: str | None, *,
                     vad: bool = True, store: ChunkStore | None = None) -> Transcription:
    """A clip's 16 kHz mono samples decoded chunk by chunk, with the boundary guard.

    With ``vad`` the chunks hold the speech the Silero VAD finds, cut in its pauses; without,
    the whole clip, cut at its quietest points. Every chunk is at most 30 s, so no phrase runs
    over the edge of Whisper's window. Both engines get the same chunks. With ``store``, a
    chunk an earlier run finished is read back instead of decoded, and each one decoded is kept.

    Example::

        engine = load_engine("faster-whisper")
        result = transcribe_audio(engine, read_wav(path), "en")
        kept, dropped = guard(result.segments, [(s.start, s.end) for s in result.speech])
    """
    duration = len(samples) * 1000 // SAMPLE_RATE
    energy = frame_energy(samples)
    speech = [Region(a, b) for a, b in speech_regions(samples)] if vad else []
    chunks = plan_chunks(speech if vad else [Region(0, duration)], energy, duration)
    segments: list[Segment] = []
    owners: list[Chunk] = []
    if store is not None:
        store.begin(chunks)
    for index, chunk in enumerate(chunks):
        decoded = store.get(index, chunk) if store is not None else None
        if decoded is None:
            decoded = decode_chunk(engine, samples, chunk, language)
            if store is not None:
                store.put(index, chunk, decoded)
        segments += decoded
        owners += [chunk] * len(decoded)
    redecoded = boundary_guard(engine, samples, language, segments, owners, chunks, speech,
                               energy)
    return Transcription(segments, chunks, redecoded, speech)


__all__ = [
    "CONFIDENT_PROBABILITY",
    "CONTEXT_MS",
    "MIN_CONTEXT_MS",
    "MIN_SHIFT_MS",
    "Redecode",
    "Transcription",
    "boundary_guard",
    "confidence",
    "decode_chunk",
    "redecode_window",
    "transcribe_audio",
    "window_of",
]
