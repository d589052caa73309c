"""The hallucination guard: what Whisper "hears" in silence, music or noise is dropped, with why.

The guard is a chain of small checks, each naming the reason it drops a segment:

    empty             no words at all
    no-speech         the no-speech probability is high and the decoding is unsure (Whisper's rule)
    low-confidence    the words' mean probability is very low
    compression-ratio the text compresses too well (a loop such as "the the the ...")
    repeated-phrase   the same n-gram repeats back to back within a segment
    repeats-previous  the segment repeats the previous one word for word (unless it lies over
                      speech the VAD heard that the previous one does not: said again)

What is dropped is kept in the transcript with its reason, never silently lost.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.transcribe.engines.base import Segment

# Bump when the guard's rules change, so up-to-date transcripts are made again.
GUARD_VERSION = 2

# Whisper's own rule (both engines' defaults): a window is silence when the no-speech token is
# likely AND the decoding is unsure.
NO_SPEECH_PROB = 0.6
NO_SPEECH_LOGPROB = -1.0
# Real speech, even mumbled meeting speech, gave mean word probabilities of 0.8 and above with
# tiny.en on the corpus; what it "heard" in music and noise was 0.02-0.42.
MIN_MEAN_WORD_PROBABILITY = 0.45
# Whisper's own threshold for a decoding that has fallen into a loop.
MAX_COMPRESSION_RATIO = 2.4
# A phrase of 2+ words repeated this many times back to back, or one word this many + 1 times.
REPEATS = 3
MAX_NGRAM = 6
# A whole segment repeating the previous one is a loop only if it is this long; "Yes. Yes." is not.
MIN_REPEAT_WORDS = 4


@dataclass(frozen=True)
class Dropped:
    """A segment the guard removed, kept in the transcript under "dropped" with its reason."""

    start: int
    end: int
    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"start": self.start, "end": self.end, "text": self.text, "reason": self.reason}


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def compression_ratio(text: str) -> float:
    """Whisper's measure: how much smaller zlib makes the text (loops compress very well)."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def check_empty(seg: Segment) -> str | None:
    """A segment with no words."""
    return "empty: no words" if not seg.words or not _norm_words(seg.text) else None


def check_no_speech(seg: Segment) -> str | None:
    """Whisper's silence rule."""
    if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < NO_SPEECH_LOGPROB:
        return (f"no-speech: no-speech probability {seg.no_speech_prob:.2f} with average "
                f"log-probability {seg.avg_logprob:.2f}")
    return None


def check_low_confidence(seg: Segment) -> str | None:
    """Words the model itself hardly believes."""
    if not seg.words:
        return None
    mean = sum(w.probability for w in seg.words) / len(seg.words)
    if mean < MIN_MEAN_WORD_PROBABILITY:
        return f"low-confidence: mean word probability {mean:.2f}"
    return None


def check_compression_ratio(seg: Segment) -> str | None:
    """Text that compresses like a loop."""
    ratio = max(seg.compression_ratio, compression_ratio(seg.text))
    if ratio > MAX_COMPRESSION_RATIO:
        return f"compression-ratio: {ratio:.2f} (a repeating loop)"
    return None


def repeated_ngram(words: Sequence[str]) -> tuple[str, int] | None:
    """The first n-gram repeated back to back enough times to be a loop, and its count."""
    for n in range(1, MAX_NGRAM + 1):
        needed = REPEATS + 1 if n == 1 else REPEATS
        for start in range(len(words) - n * needed + 1):
            gram = list(words[start : start + n])
            count = 1
            while words[start + count * n : start + (count + 1) * n] == gram:
                count += 1
            if count >= needed:
                return " ".join(gram), count
    return None


def check_repeated_phrase(seg: Segment) -> str | None:
    """The same phrase over and over within one segment."""
    found = repeated_ngram(_norm_words(seg.text))
    if found:
        return f"repeated-phrase: {found[0]!r} {found[1]} times in a row"
    return None


SEGMENT_CHECKS: tuple[Callable[[Segment], str | None], ...] = (
    check_empty,
    check_no_speech,
    check_low_confidence,
    check_compression_ratio,
    check_repeated_phrase,
)


def said_again(seg: Segment, previous: Segment, speech: Sequence[tuple[int, int]]) -> bool:
    """True if at least half of ``seg`` lies over speech regions ``previous`` does not touch."""
    def overlap(a: Segment, region: tuple[int, int]) -> int:
        return max(0, min(a.end, region[1]) - max(a.start, region[0]))

    new_speech = sum(overlap(seg, r) for r in speech if overlap(previous, r) == 0)
    return new_speech * 2 >= max(1, seg.end - seg.start)


def guard(segments: Sequence[Segment],
          speech: Sequence[tuple[int, int]] = ()) -> tuple[list[Segment], list[Dropped]]:
    """Split ``segments`` into those kept and those dropped as likely hallucinations.

    ``speech``: the VAD's speech regions (ms), if known. A loop repeats the previous segment
    over silence or music; the same words over new speech are a contributor saying them again.
    """
    kept: list[Segment] = []
    dropped: list[Dropped] = []
    for seg in segments:
        reason = next((r for check in SEGMENT_CHECKS if (r := check(seg))), None)
        if reason is None and kept:
            words = _norm_words(seg.text)
            if (len(words) >= MIN_REPEAT_WORDS and words == _norm_words(kept[-1].text)
                    and not said_again(seg, kept[-1], speech)):
                reason = "repeats-previous: same words as the segment before"
        if reason is None:
            kept.append(seg)
        else:
            dropped.append(Dropped(seg.start, seg.end, seg.text, reason))
    return kept, dropped
