"""The cue model: times are integer milliseconds, a track is a list of cues.

A cue's ``text`` is what a viewer reads, with lines separated by ``\\n`` and no markup in it.
Styling sits beside the text as spans: italics, bold and underline (captioning uses italics for
voices off screen, narration and song), and the voice a piece of text is spoken in (WebVTT's
``<v Amara>``). A span counts characters of ``text``, so everything that measures or compares
text (line lengths, reading rates, the diff, segmentation) sees the words alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing (ms) and the recogniser's confidence."""

    start: int
    end: int
    text: str
    probability: float = 1.0


class Style(StrEnum):
    """Inline styling a caption carries: the three that SRT, WebVTT, mov_text and ASS share."""

    BOLD = "b"
    ITALIC = "i"
    UNDERLINE = "u"
    VOICE = "v"  # who speaks: the span's ``voice``


# Nesting order when styling is written as tags: the voice outermost, then i, b, u.
TAG_ORDER: tuple[Style, ...] = (Style.ITALIC, Style.BOLD, Style.UNDERLINE)


@dataclass(frozen=True, order=True)
class Span:
    """Styling of ``text[start:end]`` of a cue; ``voice`` names the speaker of a VOICE span."""

    start: int
    end: int
    style: Style
    voice: str = ""


class Mark(NamedTuple):
    """The styling of one character: its styles (not VOICE) and its voice (``""``: none)."""

    styles: frozenset[Style] = frozenset()
    voice: str = ""


PLAIN = Mark()


def char_marks(text: str, spans: Iterable[Span]) -> list[Mark]:
    """The mark of every character of ``text`` under ``spans`` (a later voice wins)."""
    styles: list[set[Style]] = [set() for _ in text]
    voices = [""] * len(text)
    for span in spans:
        for k in range(max(0, span.start), min(len(text), span.end)):
            if span.style is Style.VOICE:
                voices[k] = span.voice
            else:
                styles[k].add(span.style)
    return [Mark(frozenset(s), v) for s, v in zip(styles, voices, strict=True)]


def spans_from_marks(text: str, marks: Sequence[Mark]) -> tuple[Span, ...]:
    """The canonical spans for per-character ``marks``.

    A newline carries what both of its neighbours carry, so one italic span may cover two lines
    while a newline between an italic line and an upright one belongs to neither; each span is
    then a longest run of one style (or one voice).
    """
    marks = list(marks)
    for k, char in enumerate(text):
        if char == "\n":
            before = next((marks[j] for j in range(k - 1, -1, -1) if text[j] != "\n"), PLAIN)
            after = next((marks[j] for j in range(k + 1, len(text)) if text[j] != "\n"), PLAIN)
            voice = before.voice if before.voice == after.voice else ""
            marks[k] = Mark(before.styles & after.styles, voice)
    spans: list[Span] = []
    for style in TAG_ORDER:
        spans += _runs(len(text), [style in m.styles for m in marks], style)
    voices = [m.voice for m in marks]
    start = 0
    for k in range(1, len(text) + 1):
        if k == len(text) or voices[k] != voices[start]:
            if voices[start]:
                spans.append(Span(start, k, Style.VOICE, voices[start]))
            start = k
    return tuple(sorted(spans))


def _runs(length: int, on: list[bool], style: Style) -> list[Span]:
    runs: list[Span] = []
    start: int | None = None
    for k in range(length + 1):
        if k < length and on[k]:
            start = k if start is None else start
        elif start is not None:
            runs.append(Span(start, k, style))
            start = None
    return runs


def normalise_spans(text: str, spans: Iterable[Span]) -> tuple[Span, ...]:
    """One canonical set of spans for the same styling: merged, clipped, in order."""
    return spans_from_marks(text, char_marks(text, spans))


@dataclass
class Cue:
    """One caption on screen: start/end in ms, text with lines separated by '\\n'.

    ``spans`` are kept in canonical form (see :func:`spans_from_marks`), so two cues that look
    the same compare equal however their styling was written.
    """

    start: int
    end: int
    text: str
    spans: tuple[Span, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.spans:
            self.spans = normalise_spans(self.text, self.spans)

    @property
    def lines(self) -> list[str]:
        """The cue's text lines."""
        return self.text.split("\n") if self.text else []

    @property
    def duration(self) -> int:
        """How long the cue is on screen, in ms."""
        return self.end - self.start

    @property
    def marks(self) -> list[Mark]:
        """The styling of each character of ``text``."""
        return char_marks(self.text, self.spans)

    @property
    def runs(self) -> list[tuple[str, Mark]]:
        """The text as stretches each in one styling, in order: ``[(text, mark), ...]``."""
        if not self.spans:
            return [(self.text, PLAIN)] if self.text else []
        pairs = zip(self.text, self.marks, strict=True)
        return [("".join(char for char, _ in group), mark)
                for mark, group in groupby(pairs, key=itemgetter(1))]

    @property
    def styled(self) -> bool:
        """True if any of the text is in italics, bold or underlined."""
        return any(span.style is not Style.VOICE for span in self.spans)

    @property
    def voices(self) -> list[str]:
        """The voices speaking in this cue, in order of first appearance."""
        found = dict.fromkeys(s.voice for s in sorted(self.spans) if s.style is Style.VOICE)
        return list(found)


__all__ = [
    "PLAIN",
    "TAG_ORDER",
    "Cue",
    "Mark",
    "Span",
    "Style",
    "Word",
    "char_marks",
    "normalise_spans",
    "spans_from_marks",
]
