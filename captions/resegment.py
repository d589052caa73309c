"""Cues made again for a narrower line: the signed film's captions, kept clear of the signer.

A reviewed cue keeps its words and its place in time; only how it is laid out changes. Each cue
is cut by :func:`captions.segment.split_by_length` (the same choice of cue breaks every caption
gets: clause boundaries first, never after a function word when another cut works) into pieces
that fit the narrower style's lines, and each piece's lines are broken by
:func:`captions.segment.break_lines` (BBC line breaks, at most ``max_lines``). A cue never
merges with its neighbours. The words' times inside a cue are not known, so each word is given
a share of the cue's time in proportion to its length; a piece runs from its first word to the
next piece's first word, the last to the cue's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from captions.model import Cue, Word
from captions.segment import break_lines, split_by_length
from captions.styles import CaptionStyle
from captions.styling import restyle


def narrower(style: CaptionStyle, fraction: float) -> CaptionStyle:
    """``style`` with lines ``fraction`` as long (at least 10 characters)."""
    return replace(style, max_chars_per_line=max(10, int(style.max_chars_per_line * fraction)))


def _words(cue: Cue) -> list[Word]:
    """The cue's words, its time shared out in proportion to their lengths (spaces counted)."""
    texts = cue.text.split()
    total = sum(len(t) + 1 for t in texts)
    words: list[Word] = []
    at = 0
    for text in texts:
        start = cue.start + (cue.end - cue.start) * at // total
        at += len(text) + 1
        words.append(Word(start, cue.start + (cue.end - cue.start) * at // total, text))
    return words


def resegment(cues: Sequence[Cue], style: CaptionStyle) -> list[Cue]:
    """``cues`` laid out for ``style``: each split into as few cues as fit its lines, its
    lines broken again, its styling (italics, voices) kept on the characters that carry it."""
    out: list[Cue] = []
    for cue in cues:
        words = _words(cue)
        if not words:
            continue
        pieces = split_by_length([words], style)
        for i, piece in enumerate(pieces):
            start = cue.start if i == 0 else piece[0].start
            end = pieces[i + 1][0].start if i + 1 < len(pieces) else cue.end
            text = break_lines([w.text for w in piece], style)
            # The piece's characters keep the styling they had in the whole cue.
            out.append(Cue(start, end, text, restyle(cue, text)))
    return out


__all__ = ["narrower", "resegment"]
