"""The hallucination guard, one rule at a time."""

from __future__ import annotations

import pytest

from captions.model import Word
from pipeline.transcribe.engines import Segment
from pipeline.transcribe.hallucinations import guard, repeated_ngram


def _seg(text: str, *, prob: float = 0.9, no_speech: float = 0.05, logprob: float = -0.3,
         ratio: float = 1.2, start: int = 0) -> Segment:
    words = [Word(start + 300 * i, start + 300 * i + 250, t, prob)
             for i, t in enumerate(text.split())]
    return Segment(start, start + 300 * len(words), text, words, logprob, no_speech, ratio)


def test_guard_keeps_ordinary_speech() -> None:
    segments = [_seg("And so my fellow Americans,"), _seg("ask not", start=2000)]
    kept, dropped = guard(segments)
    assert kept == segments and dropped == []


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        (_seg("You", no_speech=0.94, logprob=-1.2), "no-speech"),
        (_seg("You", prob=0.05, no_speech=0.94, logprob=-0.86), "low-confidence"),
        (_seg("Mm-hmm.", prob=0.40, no_speech=0.65, logprob=-0.88), "low-confidence"),
        (_seg("thank you " * 12, ratio=3.1), "compression-ratio"),
        (_seg("I will go there I will go there I will go there"), "repeated-phrase"),
        (_seg("no no no no"), "repeated-phrase"),
        (_seg("..."), "empty"),
    ],
)
def test_guard_drops_each_kind_of_hallucination(segment: Segment, reason: str) -> None:
    kept, dropped = guard([segment])
    assert kept == []
    assert len(dropped) == 1
    assert dropped[0].reason.startswith(reason), dropped[0].reason
    assert dropped[0].text == segment.text  # the text is kept, not lost


def test_guard_keeps_a_short_genuine_repeat() -> None:
    kept, _ = guard([_seg("no no no"), _seg("Yes."), _seg("Yes.", start=2000)])
    assert len(kept) == 3


def test_guard_drops_a_segment_repeating_the_previous_one() -> None:
    first = _seg("thanks for watching the film")
    again = _seg("Thanks for watching the film.", start=3000)
    kept, dropped = guard([first, again])
    assert kept == [first]
    assert dropped[0].reason.startswith("repeats-previous")
    assert dropped[0].start == 3000


def test_repeated_ngram() -> None:
    assert repeated_ngram("a b c a b c a b c".split()) == ("a b c", 3)
    assert repeated_ngram("we went and we went home".split()) is None
    assert repeated_ngram("so so so".split()) is None  # one word needs four in a row
