"""Caption segmentation: from recognised words to cues that follow a style's rules.

:func:`segment` is a chain of small steps, each a public function that can be tested alone::

    normalise_words        tidy Whisper's words (" Hello," -> "Hello,"), order and de-overlap them
    split_at_pauses        a new group at every silence of style.pause_split_ms or more
    split_at_sentence_ends a new group after every '.', '?' or '!'
    split_by_length        split groups too long for one cue (characters or max_duration_ms),
                           choosing clause boundaries and never a bad line end if avoidable
    merge_short            join a group too short to read to a neighbour, never across a pause
    to_cues                one cue per group, lines by break_lines; cue times are the words' times
    time_cues              minimum duration, lead and linger limits, and the gap rule
    allow_reading_time     a cue too fast to read stays up into the pause after it (about 1 s)

:func:`group_words` runs the steps up to ``merge_short``: which words go in which cue.

A "group" is a list of consecutive words that will become one cue. Line and cue breaks are both
scored by :func:`captions.language.break_cost`; cue splits are chosen by a small dynamic programme
and ties go to the earlier option, so the same words always give the same cues.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from captions.language import COST_BAD_END, break_cost, ends_sentence
from captions.model import Cue, Word
from captions.styles import CaptionStyle

Group = list[Word]

# A cue boundary inside a clause costs several times a line break at the same point: when the cue
# changes the viewer loses the earlier words, so a cue should end where a thought does. At clause
# punctuation the allowance makes a cue end cost about what a line end costs.
CUE_BREAK_FACTOR = 4
CUE_BREAK_ALLOWANCE = 30
# Each extra cue also costs a little, so of two equally good splits the one with fewer cues wins.
COST_PER_CUE = 10
# A piece of a split group that is shorter than the style's minimum duration is hard to read.
COST_SHORT_PIECE = 40
# A top line longer than the bottom one costs a little: a bottom-heavy pyramid reads best.
COST_TOP_HEAVY = 3
# A cue too fast to read may stay up this long after its speech (it still goes with the speech).
READING_LINGER_MS = 1000


def normalise_words(words: Sequence[Word]) -> list[Word]:
    """Whisper's words tidied: text stripped, punctuation-only tokens joined to the word before.

    Words are put in start order (stable, so equal starts keep their order). Where a word starts
    before the previous one ends, the previous one is cut back to meet it, so no two words overlap
    and every later step can treat the gap between words as silence.
    """
    ordered = sorted(words, key=lambda w: w.start)
    out: list[Word] = []
    for word in ordered:
        text = " ".join(word.text.split())
        if not text:
            continue
        start, end = word.start, max(word.end, word.start)
        if out and not any(ch.isalnum() for ch in text):
            # A lone "," or "?" belongs to the word it follows, not on a line of its own.
            prev = out[-1]
            out[-1] = replace(prev, text=prev.text + text, end=max(prev.end, end))
            continue
        if out and start < out[-1].end:
            prev = out[-1]
            out[-1] = replace(prev, end=max(prev.start, start))
            start = max(start, out[-1].end)
            end = max(end, start)
        out.append(Word(start=start, end=end, text=text, probability=word.probability))
    return out


def split_at_pauses(words: Sequence[Word], pause_ms: int) -> list[Group]:
    """Groups of words with no silence of ``pause_ms`` or more inside any group."""
    groups: list[Group] = []
    for word in words:
        if groups and word.start - groups[-1][-1].end < pause_ms:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def split_at_sentence_ends(groups: Sequence[Sequence[Word]]) -> list[Group]:
    """Each group cut after every word that ends a sentence."""
    out: list[Group] = []
    for group in groups:
        current: Group = []
        for word in group:
            current.append(word)
            if ends_sentence(word.text):
                out.append(current)
                current = []
        if current:
            out.append(current)
    return out


def _texts(words: Sequence[Word]) -> tuple[str, ...]:
    return tuple(w.text for w in words)


def lines_needed(texts: Sequence[str], max_chars: int) -> int:
    """The fewest lines of at most ``max_chars`` that hold ``texts``; 0 if a word is too long."""
    if any(len(t) > max_chars for t in texts):
        return 0
    lines, width = 0, 0
    for text in texts:
        if lines and width + 1 + len(text) <= max_chars:
            width += 1 + len(text)
        else:
            lines, width = lines + 1, len(text)
    return lines


def _greedy_lines(texts: Sequence[str], max_chars: int) -> tuple[str, ...]:
    lines: list[str] = []
    for text in texts:
        if lines and len(lines[-1]) + 1 + len(text) <= max_chars:
            lines[-1] += " " + text
        else:
            lines.append(text)
    return tuple(lines)


@lru_cache(maxsize=4096)
def _layout(texts: tuple[str, ...], max_chars: int, max_lines: int) -> tuple[int, tuple[str, ...]]:
    """The best layout of ``texts`` and its cost; cost is COST_BAD_END * 100 if none fits."""
    if not texts:
        return 0, ()
    needed = lines_needed(texts, max_chars)
    if needed == 0 or needed > max_lines:
        # Nothing fits: fill lines greedily so a word longer than a line at least stands alone.
        return COST_BAD_END * 100, _greedy_lines(texts, max_chars)
    if needed == 1:
        return 0, (" ".join(texts),)
    best: tuple[int, tuple[str, ...]] | None = None
    # Only layouts with the fewest lines are considered: a cue that fits on one line stays on one.
    for cuts in itertools.combinations(range(1, len(texts)), needed - 1):
        bounds = (0, *cuts, len(texts))
        lines = tuple(" ".join(texts[a:b]) for a, b in itertools.pairwise(bounds))
        if any(len(line) > max_chars for line in lines):
            continue
        cost = sum(break_cost(texts[:c], texts[c:]) for c in cuts)
        widths = [len(line) for line in lines]
        cost += max(widths) - min(widths)
        if widths[0] > widths[-1]:
            cost += COST_TOP_HEAVY
        if best is None or cost < best[0]:
            best = (cost, lines)
    assert best is not None  # lines_needed found a greedy layout, so one fits
    return best


def layout_cost(texts: Sequence[str], style: CaptionStyle) -> int:
    """The cost of the best line layout of ``texts`` (break quality plus imbalance)."""
    return _layout(tuple(texts), style.max_chars_per_line, style.max_lines)[0]


def break_lines(texts: Sequence[str], style: CaptionStyle) -> str:
    """The words laid out as a cue's text: as few lines as fit, balanced, breaks at good points.

    Never ends a line on an article, preposition, conjunction or subject pronoun when any layout
    within the style's limits avoids it. A single word longer than a line stands alone.
    """
    return "\n".join(_layout(tuple(texts), style.max_chars_per_line, style.max_lines)[1])


def fits_one_cue(words: Sequence[Word], style: CaptionStyle) -> bool:
    """True if the words fit one cue: lines, characters a line, and duration within the style."""
    if len(words) <= 1:
        return True  # a single word always gets a cue of its own, however long
    needed = lines_needed(_texts(words), style.max_chars_per_line)
    if needed == 0 or needed > style.max_lines:
        return False
    return words[-1].end - words[0].start <= style.max_duration_ms


def cue_break_cost(left: Sequence[str], right: Sequence[str]) -> int:
    """The cost of ending a cue after ``left`` with ``right`` starting the next one."""
    return max(0, CUE_BREAK_FACTOR * break_cost(left, right) - CUE_BREAK_ALLOWANCE)


def _piece_cost(words: Sequence[Word], style: CaptionStyle, whole: bool) -> int:
    """The cost of showing ``words`` as one cue cut from a longer group (``whole``: not cut)."""
    cost = COST_PER_CUE + layout_cost(_texts(words), style)
    if not whole and words[-1].end - words[0].start < style.min_duration_ms:
        cost += COST_SHORT_PIECE
    return cost


def _best_pieces(words: Sequence[Word], style: CaptionStyle) -> list[Group]:
    """The cheapest way to cut ``words`` into pieces that each fit one cue."""
    n = len(words)
    texts = _texts(words)
    best: list[int | None] = [0] + [None] * n
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(end - 1, -1, -1):
            piece = words[start:end]
            if not fits_one_cue(piece, style):
                break  # adding words to the front only makes a piece longer
            before = best[start]
            if before is None:
                continue
            cost = before + _piece_cost(piece, style, whole=start == 0 and end == n)
            if start > 0:
                cost += cue_break_cost(texts[max(0, start - 3) : start], texts[start : start + 2])
            current = best[end]
            if current is None or cost < current:
                best[end], back[end] = cost, start
    pieces: list[Group] = []
    end = n
    while end > 0:
        pieces.append(list(words[back[end] : end]))
        end = back[end]
    return pieces[::-1]


def split_by_length(groups: Sequence[Sequence[Word]], style: CaptionStyle) -> list[Group]:
    """Groups that do not fit one cue cut into pieces that do.

    A piece fits when its words fill at most ``max_lines`` lines of ``max_chars_per_line`` and last
    at most ``max_duration_ms``. Cuts go where :func:`captions.language.break_cost` is lowest
    (clause punctuation, then before "and"/"but"/"because"...), never after a function word when
    another cut works, and fewer, fuller cues are preferred to many small ones.
    """
    out: list[Group] = []
    for group in groups:
        if fits_one_cue(group, style) and layout_cost(_texts(group), style) < COST_BAD_END:
            out.append(list(group))
        else:
            out.extend(_best_pieces(group, style))
    return out


def _reachable_duration(groups: Sequence[Sequence[Word]], i: int, style: CaptionStyle) -> int:
    """How long group ``i`` could stay on screen by lingering and leading into the silences."""
    group = groups[i]
    start, end = group[0].start, group[-1].end
    latest = end + style.max_linger_ms
    if i + 1 < len(groups):
        latest = min(latest, groups[i + 1][0].start - style.min_gap_ms)
    earliest = max(0, start - style.max_lead_ms)
    if i > 0:
        earliest = max(earliest, groups[i - 1][-1].end + style.min_gap_ms)
    return max(end, latest) - min(start, earliest)


def merge_short(groups: Sequence[Sequence[Word]], style: CaptionStyle) -> list[Group]:
    """Groups too short to read joined to a neighbour, when the join fits one cue.

    A group is short when, even lingering into the silences around it, it cannot stay up for
    ``min_duration_ms``. It joins the neighbour it is closer to in time; never across a pause of
    ``pause_split_ms`` and never into a cue that would break the style's limits.
    """
    out: list[Group] = [list(g) for g in groups]
    i = 0
    while i < len(out):
        if _reachable_duration(out, i, style) >= style.min_duration_ms:
            i += 1
            continue
        options: list[tuple[int, int, int]] = []  # (gap, side, cost) with side -1 or +1
        for side in (1, -1):
            j = i + side
            if not 0 <= j < len(out):
                continue
            first, second = (out[i], out[j]) if side == 1 else (out[j], out[i])
            gap = second[0].start - first[-1].end
            joined = first + second
            if gap >= style.pause_split_ms or not fits_one_cue(joined, style):
                continue
            cost = layout_cost(_texts(joined), style)
            if cost >= COST_BAD_END:
                continue
            options.append((gap, side, cost))
        if not options:
            i += 1
            continue
        _, side, _ = min(options, key=lambda o: (o[0], o[2], -o[1]))
        j = i + side
        low = min(i, j)
        out[low : low + 2] = [out[low] + out[low + 1]]
        i = low  # the joined group may still be short; look at it again
    return out


def to_cues(groups: Sequence[Sequence[Word]], style: CaptionStyle) -> list[Cue]:
    """One cue per group, lines broken by :func:`break_lines`, timed exactly to its words."""
    return [
        Cue(start=g[0].start, end=g[-1].end, text=break_lines(_texts(g), style))
        for g in groups
        if g
    ]


def time_cues(cues: Sequence[Cue], style: CaptionStyle) -> list[Cue]:
    """Cues retimed for reading; input cues span exactly their words (as :func:`to_cues` makes).

    * A cue shorter than ``min_duration_ms`` lingers after its last word (at most
      ``max_linger_ms``), then, if still short, appears before its first word (at most
      ``max_lead_ms``); it never overlaps a neighbour and never fills a whole pause of
      ``pause_split_ms``, so a silence that long always shows no caption somewhere.
    * Between consecutive cues there is either no gap or at least ``min_gap_ms``: a smaller gap
      is closed by ending the earlier cue at the next one's start, or, if that would break the
      duration or linger limit, widened by ending the earlier cue sooner.
    * No cue is longer than ``max_duration_ms``; only a single word that long can make one, and
      it is cut at the limit.
    """
    min_gap = style.min_gap_ms
    spans = [(c.start, c.end) for c in cues]
    n = len(spans)
    starts = [s for s, _ in spans]
    ends = [min(e, s + style.max_duration_ms) for s, e in spans]

    def is_pause(i: int) -> bool:
        """True if the silence after cue ``i`` (in word times) is a pause."""
        return spans[i + 1][0] - spans[i][1] >= style.pause_split_ms

    for i in range(n):
        start, word_end = spans[i]
        if ends[i] - start >= style.min_duration_ms:
            continue
        target = min(start + style.min_duration_ms, word_end + style.max_linger_ms)
        if i + 1 < n:
            limit = spans[i + 1][0] - (min_gap if is_pause(i) else 0)
            target = min(target, limit)
        ends[i] = max(ends[i], target)

    for i in range(n):
        word_start = spans[i][0]
        if ends[i] - starts[i] >= style.min_duration_ms:
            continue
        floor = max(0, word_start - style.max_lead_ms)
        if i > 0:
            floor = max(floor, ends[i - 1] + (min_gap if is_pause(i - 1) else 0))
        target = max(ends[i] - style.min_duration_ms, floor)
        if i > 0 and 0 < target - ends[i - 1] < min_gap and not is_pause(i - 1):
            # Touching the previous cue is allowed; a sliver of gap is not.
            if word_start - ends[i - 1] <= style.max_lead_ms:
                target = ends[i - 1]
        starts[i] = min(starts[i], target)

    for i in range(n - 1):
        gap = starts[i + 1] - ends[i]
        if not 0 < gap < min_gap:
            continue
        closed = starts[i + 1]
        if (
            closed - starts[i] <= style.max_duration_ms
            and closed - spans[i][1] <= style.max_linger_ms
            and not is_pause(i)
        ):
            ends[i] = closed
        elif starts[i + 1] - min_gap > starts[i]:
            ends[i] = starts[i + 1] - min_gap
        else:
            starts[i + 1] = ends[i] + min_gap

    return [Cue(start=s, end=e, text=c.text) for s, e, c in zip(starts, ends, cues, strict=True)]


def reading_time_ms(text: str, style: CaptionStyle) -> int:
    """How long ``text`` must be on screen to be read at the style's rate(s), counting words and
    characters (without line breaks) as QC does."""
    by_words = len(text.split()) * 60_000 / style.max_wpm if style.max_wpm else 0
    by_chars = len(text.replace("\n", "")) * 1000 / style.max_cps if style.max_cps else 0
    return math.ceil(max(by_words, by_chars))


def allow_reading_time(cues: Sequence[Cue], groups: Sequence[Sequence[Word]],
                       style: CaptionStyle) -> list[Cue]:
    """Cues too fast to read kept on screen longer, into the pause after their speech.

    ``groups``: each cue's words (:func:`group_words`). A cue shown for less than its
    :func:`reading_time_ms` stays up until it can be read, but at most READING_LINGER_MS (or
    max_linger_ms, if less) after its last word, never within ``min_gap_ms`` of the next cue (the
    gap rule holds) and never beyond ``max_duration_ms``. Starts never move.
    """
    linger = min(READING_LINGER_MS, style.max_linger_ms)
    out = list(cues)
    for i, (cue, group) in enumerate(zip(cues, groups, strict=True)):
        latest = min(group[-1].end + linger, cue.start + style.max_duration_ms)
        if i + 1 < len(cues):
            latest = min(latest, cues[i + 1].start - style.min_gap_ms)
        end = min(cue.start + reading_time_ms(cue.text, style), latest)
        if end > cue.end:
            out[i] = Cue(start=cue.start, end=end, text=cue.text)
    return out


def group_words(words: Sequence[Word], style: CaptionStyle) -> list[Group]:
    """The words of each cue: the chain's steps from normalise_words to merge_short."""
    tidy = normalise_words(words)
    if not tidy:
        return []
    groups = split_at_pauses(tidy, style.pause_split_ms)
    groups = split_at_sentence_ends(groups)
    groups = split_by_length(groups, style)
    return merge_short(groups, style)


def segment(words: Sequence[Word], style: CaptionStyle) -> list[Cue]:
    """Cues for ``words`` following ``style``: the whole chain of steps in this module.

    Example::

        cues = segment(transcript_words, get_style("bbc"))
    """
    groups = group_words(words, style)
    return allow_reading_time(time_cues(to_cues(groups, style), style), groups, style)
