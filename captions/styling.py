"""Inline styling of caption text: built up by the readers, written back as each format's tags.

The readers feed a :class:`StyledTextBuilder` the text between tags and the tags they know; it
gives a :class:`~captions.model.Cue` whose spans hold the styling. The writers take the cue's
runs (stretches of one styling) and turn them into properly nested tags with
:func:`nested_tags`. :func:`restyle` keeps a cue's styling on the characters a person did not
change when they edit its plain text, and :func:`voice_parts` splits a cue by speaker.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from captions.model import PLAIN, TAG_ORDER, Cue, Mark, Span, Style, spans_from_marks

# A tag to open or close: a style, or the voice with its name.
Tag = tuple[Style, str]
Run = tuple[str, Mark]


@dataclass
class StyledTextBuilder:
    """Text and styling as a reader meets them, one piece or tag at a time.

    Opening a style twice needs two closes; a close with nothing open is ignored; a style never
    closed lasts to the end of the cue (as players show it) and swallows no text.
    """

    chars: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    depth: dict[Style, int] = field(default_factory=dict)
    voices: list[str] = field(default_factory=list)

    @property
    def mark(self) -> Mark:
        """The styling of the next character."""
        styles = frozenset(style for style, n in self.depth.items() if n > 0)
        return Mark(styles, self.voices[-1] if self.voices else "")

    @property
    def position(self) -> int:
        """How many characters so far."""
        return len(self.chars)

    def text(self, piece: str) -> None:
        """Add ``piece`` in the current styling."""
        mark = self.mark
        self.chars.extend(piece)
        self.marks.extend([mark] * len(piece))

    def open(self, style: Style) -> None:
        """``<i>``: one level more of ``style``."""
        self.depth[style] = self.depth.get(style, 0) + 1

    def close(self, style: Style) -> None:
        """``</i>``: one level less of ``style``."""
        self.depth[style] = max(0, self.depth.get(style, 0) - 1)

    def switch(self, style: Style, on: bool) -> None:
        """``{\\i1}``/``{\\i0}``: turn ``style`` on or off whatever was opened before."""
        self.depth[style] = max(1, self.depth.get(style, 0)) if on else 0

    def reset(self) -> None:
        """``{\\r}``: back to no styling (the voice stays)."""
        self.depth.clear()

    def open_voice(self, name: str) -> None:
        """``<v Name>``: the text from here is spoken by ``name``."""
        self.voices.append(name)

    def close_voice(self) -> None:
        """``</v>``: back to the voice before, if any."""
        if self.voices:
            self.voices.pop()

    def truncate(self, position: int) -> None:
        """Drop everything after ``position`` (WebVTT ruby text, once it is known to close)."""
        del self.chars[position:], self.marks[position:]

    def cue(self, start: int, end: int) -> Cue:
        """The cue: each line trimmed of spaces and tabs, lines left empty dropped."""
        return cue_from_runs(start, end, _char_runs(self.chars, self.marks), strip=True)


def _char_runs(chars: Sequence[str], marks: Sequence[Mark]) -> list[Run]:
    return [(c, m) for c, m in zip(chars, marks, strict=True)]


def _lines(pieces: Sequence[Run]) -> list[list[tuple[str, Mark]]]:
    """Characters with their marks, one list per line (newlines left out)."""
    lines: list[list[tuple[str, Mark]]] = [[]]
    for text, mark in pieces:
        for char in text:
            if char == "\n":
                lines.append([])
            else:
                lines[-1].append((char, mark))
    return lines


def cue_from_runs(start: int, end: int, pieces: Sequence[Run], *, strip: bool) -> Cue:
    """A cue from styled pieces, blank lines dropped; ``strip`` also trims each line's ends.

    Only spaces and tabs are trimmed or make a line blank: a hard space (U+00A0) is text.
    """
    chars: list[str] = []
    marks: list[Mark] = []
    for line in _lines(pieces):
        if "".join(c for c, _ in line).strip(" \t") == "":
            continue
        if strip:
            while line and line[0][0] in " \t":
                line.pop(0)
            while line and line[-1][0] in " \t":
                line.pop()
        if chars:
            chars.append("\n")
            marks.append(PLAIN)
        chars.extend(c for c, _ in line)
        marks.extend(m for _, m in line)
    text = "".join(chars)
    styled = any(mark != PLAIN for mark in marks)
    return Cue(start, end, text, spans_from_marks(text, marks) if styled else ())


def tidy_text(text: str) -> str:
    """Unstyled text as the readers keep it: each line trimmed of spaces and tabs, lines left
    empty dropped (a hard space, U+00A0, is text)."""
    lines = (line.strip(" \t") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def writable(cue: Cue) -> Cue:
    """The cue as the writers put it out: lines of only spaces and tabs (which would end the
    cue early) left out, its styling kept on the rest."""
    return cue_from_runs(cue.start, cue.end, cue.runs, strip=False)


def _wanted(mark: Mark, voices: bool) -> list[Tag]:
    tags: list[Tag] = [(Style.VOICE, mark.voice)] if voices and mark.voice else []
    return tags + [(style, "") for style in TAG_ORDER if style in mark.styles]


def nested_tags(pieces: Sequence[Run], *, opener: Callable[[Tag], str],
                closer: Callable[[Tag], str], escape: Callable[[str], str],
                voices: bool) -> str:
    """The pieces as text with properly nested tags (voice outermost, then i, b, u).

    Between two pieces, the tags the next piece does not share with the open ones are closed
    (innermost first) and its own are opened.
    """
    out: list[str] = []
    stack: list[Tag] = []
    for text, mark in pieces:
        wanted = _wanted(mark, voices)
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep] == wanted[keep]:
            keep += 1
        out += [closer(tag) for tag in reversed(stack[keep:])]
        out += [opener(tag) for tag in wanted[keep:]]
        stack = wanted
        out.append(escape(text))
    out += [closer(tag) for tag in reversed(stack)]
    return "".join(out)


def restyle(old: Cue, text: str) -> tuple[Span, ...]:
    """Spans for ``text``, an edit of ``old``'s text, keeping ``old``'s styling where it can.

    Characters the edit kept keep their styling. Characters that replace others take the
    styling all of those had; characters inserted between two take what both neighbours had
    (one neighbour, at either end). Correcting a word in an italic caption leaves it italic.
    """
    if not old.spans:
        return ()
    if text == old.text:
        return old.spans
    before = old.marks
    marks: list[Mark] = []
    matcher = difflib.SequenceMatcher(None, old.text, text, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            marks += before[i1:i2]
            continue
        if j1 == j2:
            continue
        around = before[i1:i2] if i2 > i1 else before[max(0, i1 - 1): i1 + 1]
        marks += [_common(around)] * (j2 - j1)
    return spans_from_marks(text, marks)


def with_text(cue: Cue, text: str) -> Cue:
    """``cue`` with its text edited to ``text``, its styling kept as :func:`restyle` keeps it."""
    return cue if text == cue.text else Cue(cue.start, cue.end, text, restyle(cue, text))


def keep_styling(before: Sequence[Cue], after: Sequence[Cue]) -> list[Cue]:
    """``after``, a plain-text edit of the track ``before``, with ``before``'s styling kept.

    Cues are paired by position when the track kept its length (an editor that edits text and
    times), otherwise by their text; each paired cue keeps its styling as :func:`restyle` does,
    and a cue with no partner has what ``after`` gave it.
    """
    if not any(cue.spans for cue in before):
        return list(after)
    pairs: dict[int, int] = {}
    if len(before) == len(after):
        pairs = {j: j for j in range(len(after))}
    else:
        matcher = difflib.SequenceMatcher(
            None, [c.text for c in before], [c.text for c in after], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("equal", "replace"):
                pairs.update({j1 + k: i1 + k for k in range(min(i2 - i1, j2 - j1))})
    out = list(after)
    for j, i in pairs.items():
        cue, old = after[j], before[i]
        if old.spans and not cue.spans:
            out[j] = Cue(cue.start, cue.end, cue.text, restyle(old, cue.text))
    return out


def _common(marks: Sequence[Mark]) -> Mark:
    if not marks:
        return PLAIN
    styles = frozenset.intersection(*(m.styles for m in marks))
    voice = marks[0].voice if all(m.voice == marks[0].voice for m in marks) else ""
    return Mark(styles, voice)


def voice_parts(cue: Cue) -> list[tuple[str, str]]:
    """The cue's text split where the voice changes: ``(voice, text)``, lines joined by spaces.

    A cue without voices is one part with voice ``""``.
    """
    pieces: list[tuple[str, str]] = []
    for text, mark in cue.runs:
        if pieces and pieces[-1][0] == mark.voice:
            pieces[-1] = (mark.voice, pieces[-1][1] + text)
        else:
            pieces.append((mark.voice, text))
    parts: list[tuple[str, str]] = []
    for voice, text in pieces:
        joined = " ".join(line.strip() for line in text.split("\n") if line.strip())
        if not joined:
            continue  # spaces between two voices belong to neither
        if parts and parts[-1][0] == voice:
            parts[-1] = (voice, f"{parts[-1][1]} {joined}")
        else:
            parts.append((voice, joined))
    return parts


def without_voices(cue: Cue) -> Cue:
    """The cue with its italics, bold and underline, and no voices."""
    spans = tuple(span for span in cue.spans if span.style is not Style.VOICE)
    return cue if spans == cue.spans else Cue(cue.start, cue.end, cue.text, spans)


# A word's styling: the styles of each of its characters, () when it has none (voices are not
# styling).
WordStyle = tuple[frozenset[Style], ...]
_STYLE_WORDS = {Style.ITALIC: "in italics", Style.BOLD: "bold", Style.UNDERLINE: "underlined"}


def word_styles(cues: Sequence[Cue]) -> list[WordStyle]:
    """The styling of every word (as ``str.split`` finds them) of every cue, in order."""
    styles: list[WordStyle] = []
    for cue in cues:
        marks = cue.marks if cue.styled else None
        start = 0
        for word in cue.text.split():
            start = cue.text.index(word, start)
            end = start + len(word)
            found = tuple(m.styles for m in marks[start:end]) if marks else ()
            styles.append(found if any(found) else ())
            start = end
    return styles


def whole_word_styles(style: WordStyle) -> frozenset[Style]:
    """The styles every character of a word has."""
    return frozenset.intersection(*style) if style else frozenset()


def restyled_runs(before: Sequence[Cue], after: Sequence[Cue],
                  kept: Iterable[tuple[int, int]], owners: Sequence[int]
                  ) -> list[tuple[list[int], int, str]]:
    """Kept words whose styling changed, in runs that changed alike within one cue.

    Args:
        before, after: the two tracks.
        kept: pairs of word positions (in ``before``'s words, in ``after``'s) of words kept.
        owners: the cue of each of ``after``'s words.

    Returns:
        For each run: its words' positions in ``after``, the position in ``before`` of its
        first word, and how its styling changed in words.
    """
    styles_before, styles_after = word_styles(before), word_styles(after)
    found: list[tuple[list[int], int, str]] = []
    for i, j in kept:
        if styles_before[i] == styles_after[j]:
            continue
        how = restyle_words(whole_word_styles(styles_before[i]),
                            whole_word_styles(styles_after[j]))
        last = found[-1] if found else None
        if last and last[0][-1] == j - 1 and owners[j - 1] == owners[j] and last[2] == how:
            last[0].append(j)
        else:
            found.append(([j], i, how))
    return found


def restyle_words(before: frozenset[Style], after: frozenset[Style]) -> str:
    """How styling changed, in words: 'now in italics and bold, no longer underlined'."""
    said = []
    for prefix, styles in (("now", after - before), ("no longer", before - after)):
        if styles:
            said.append(f"{prefix} " + " and ".join(
                _STYLE_WORDS[s] for s in TAG_ORDER if s in styles))
    return ", ".join(said) if said else "styled differently"


__all__ = [
    "Run",
    "StyledTextBuilder",
    "Tag",
    "WordStyle",
    "cue_from_runs",
    "keep_styling",
    "nested_tags",
    "restyle",
    "tidy_text",
    "voice_parts",
    "restyle_words",
    "restyled_runs",
    "whole_word_styles",
    "with_text",
    "without_voices",
    "word_styles",
    "writable",
]
