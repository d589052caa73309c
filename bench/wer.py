"""Word error rate, for the benchmarks and the tests that measure recognition against a reference.

Not part of coprod itself: a producer never needs it, so it lives with the benchmarks. Tests
import it as ``bench.wer`` (pyproject puts the repository root on pytest's path).
"""

from __future__ import annotations

import re

_SPELLED = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}


def normalise_for_wer(text: str) -> list[str]:
    """Lower-case words without punctuation (``Americans,`` = ``americans``; ``Mr.`` = mister)."""
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))
    return [_SPELLED.get(w, w) for w in words]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after normalising both."""
    ref, hyp = normalise_for_wer(reference), normalise_for_wer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)
