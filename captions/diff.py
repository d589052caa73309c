"""What a reviewer changed in a caption track, relative to the machine draft.

Words are compared over the whole track at once (difflib over the words of every cue), so a
word moved into the next cue is not a change, and each change is reported against the cue where
it sits in the edited file. Cues are then matched through the words they share: one draft cue
to one edited cue (start or end may have moved), one to several (split), several to one
(merged), several to several (re-cut); a cue with no words in common with any other is matched
by time if it can be, and otherwise reported as added or removed. A word kept but put into
italics, bold or underline (or taken out of them) is a styling change.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from captions.controls import escape_controls
from captions.formats._timing import format_timestamp
from captions.model import Cue
from captions.styling import restyled_runs

# Kinds of change.
REPLACED = "replaced"
INSERTED = "inserted"
DELETED = "deleted"
RETIMED = "retimed"
SPLIT = "split"
MERGED = "merged"
RECUT = "recut"
ADDED = "added"
REMOVED = "removed"
RESTYLED = "restyled"

WORD_KINDS = frozenset({REPLACED, INSERTED, DELETED})


@dataclass(frozen=True)
class Change:
    """One change: where it is, what it was and what it is now.

    ``cue`` and ``draft_cue`` are 1-based cue numbers in the edited track and in the draft;
    either may be None (a removed cue has no edited number, an added one no draft number).
    ``at_ms`` is the start of the cue the change is reported against.
    """

    kind: str
    at_ms: int
    cue: int | None
    draft_cue: int | None
    before: str = ""
    after: str = ""
    detail: str = ""

    def __str__(self) -> str:
        # Caption text is quoted here: a control character in it is shown, never obeyed.
        return escape_controls(self._text())

    def _text(self) -> str:
        where = _where(self)
        if self.kind == REPLACED:
            return f'{where}: "{self.before}" -> "{self.after}"'
        if self.kind == INSERTED:
            return f'{where}: added "{self.after}"'
        if self.kind == DELETED:
            return f'{where}: deleted "{self.before}"'
        return f"{where}: {self.detail}"


def _stamp(ms: int) -> str:
    return format_timestamp(ms, ".")


def _where(change: Change) -> str:
    if change.cue is not None:
        return f"cue {change.cue} ({_stamp(change.at_ms)})"
    return f"draft cue {change.draft_cue} ({_stamp(change.at_ms)})"


def _numbers(cues: Sequence[int]) -> str:
    """'3', '3 and 4' or '3-5' for 0-based indexes, shown 1-based."""
    shown = sorted(index + 1 for index in cues)
    if len(shown) == 1:
        return str(shown[0])
    if len(shown) == 2:
        return f"{shown[0]} and {shown[1]}"
    if shown == list(range(shown[0], shown[-1] + 1)):
        return f"{shown[0]}-{shown[-1]}"
    return ", ".join(str(n) for n in shown)


def _quoted(cue: Cue) -> str:
    """A cue's text on one line, lines joined by ' / '."""
    return f'"{" / ".join(cue.lines)}"' if cue.text.strip() else "(no text)"


def _moved(before: int, after: int) -> str:
    """'00:00:07.200 -> 00:00:07.000 (0.2 s earlier)'."""
    shift = after - before
    direction = "later" if shift > 0 else "earlier"
    return f"{_stamp(before)} -> {_stamp(after)} ({abs(shift) / 1000:g} s {direction})"


def _words(cues: Sequence[Cue]) -> tuple[list[str], list[int]]:
    """Every word of the track in order, and the index of the cue each one sits in."""
    words: list[str] = []
    owners: list[int] = []
    for index, cue in enumerate(cues):
        for word in cue.text.split():
            words.append(word)
            owners.append(index)
    return words, owners


def _style_changes(
    matched: Sequence[tuple[int, int]], draft: Sequence[Cue], edited: Sequence[Cue]
) -> list[Change]:
    """A change for each run of kept words, in one edited cue, whose styling changed alike."""
    draft_owner, (edited_words, edited_owner) = _words(draft)[1], _words(edited)
    return [Change(RESTYLED, edited[edited_owner[js[0]]].start, edited_owner[js[0]] + 1,
                   draft_owner[i] + 1, detail=f'"{" ".join(edited_words[k] for k in js)}" {how}')
            for js, i, how in restyled_runs(draft, edited, matched, edited_owner)]


class _Groups:
    """Union-find over draft cues ('d', i) and edited cues ('e', j) linked by shared words."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(self, node: tuple[str, int]) -> tuple[str, int]:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def link(self, draft_index: int, edited_index: int) -> None:
        root_a, root_b = self.find(("d", draft_index)), self.find(("e", edited_index))
        if root_a != root_b:
            self.parent[root_a] = root_b

    def components(self) -> list[tuple[list[int], list[int]]]:
        grouped: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
        for node in list(self.parent):
            draft, edited = grouped.setdefault(self.find(node), ([], []))
            (draft if node[0] == "d" else edited).append(node[1])
        return [(sorted(d), sorted(e)) for d, e in grouped.values()]


def _overlap(a: Cue, b: Cue) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _structure_changes(
    draft: Sequence[Cue], edited: Sequence[Cue], groups: _Groups
) -> tuple[list[Change], set[int], set[int]]:
    """Timing, split, merge, added and removed changes; also the added and removed cues."""
    changes: list[Change] = []
    pairs: list[tuple[int, int]] = []
    for draft_group, edited_group in groups.components():
        if len(draft_group) == 1 and len(edited_group) == 1:
            pairs.append((draft_group[0], edited_group[0]))
            continue
        first_edited = edited_group[0]
        at = edited[first_edited].start
        if len(draft_group) == 1:
            kind = SPLIT
            detail = f"draft cue {draft_group[0] + 1} split into cues {_numbers(edited_group)}"
        elif len(edited_group) == 1:
            kind = MERGED
            detail = f"draft cues {_numbers(draft_group)} merged into this cue"
        elif len(draft_group) == len(edited_group):
            # Same number of cues, words moved across their boundaries: compare them in order.
            kind = RECUT
            detail = f"words moved between cues {_numbers(edited_group)}"
            pairs.extend(zip(draft_group, edited_group, strict=True))
            changes.append(Change(kind, at, first_edited + 1, draft_group[0] + 1, detail=detail))
            continue
        else:
            kind = RECUT
            detail = f"draft cues {_numbers(draft_group)} re-cut as cues {_numbers(edited_group)}"
        span_before = f"{_stamp(draft[draft_group[0]].start)}-{_stamp(draft[draft_group[-1]].end)}"
        span_after = (
            f"{_stamp(edited[edited_group[0]].start)}-{_stamp(edited[edited_group[-1]].end)}"
        )
        if span_before != span_after:
            detail += f" (was {span_before}, now {span_after})"
        changes.append(Change(kind, at, first_edited + 1, draft_group[0] + 1, detail=detail))

    # Cues sharing no word with the other track (rewritten or empty): pair them by time overlap.
    linked_draft = {node[1] for node in groups.parent if node[0] == "d"}
    linked_edited = {node[1] for node in groups.parent if node[0] == "e"}
    lone_draft = [i for i in range(len(draft)) if i not in linked_draft]
    lone_edited = [j for j in range(len(edited)) if j not in linked_edited]
    candidates = sorted(
        (
            (-_overlap(draft[i], edited[j]), i, j)
            for i in lone_draft
            for j in lone_edited
            if _overlap(draft[i], edited[j]) > 0
            or (draft[i].start == edited[j].start and draft[i].end == edited[j].end)
        ),
    )
    paired_draft: set[int] = set()
    paired_edited: set[int] = set()
    for _, i, j in candidates:
        if i not in paired_draft and j not in paired_edited:
            paired_draft.add(i)
            paired_edited.add(j)
            pairs.append((i, j))

    for i, j in pairs:
        before, after = draft[i], edited[j]
        moves = []
        if before.start != after.start:
            moves.append(f"start {_moved(before.start, after.start)}")
        if before.end != after.end:
            moves.append(f"end {_moved(before.end, after.end)}")
        if moves:
            changes.append(Change(RETIMED, after.start, j + 1, i + 1, detail="; ".join(moves)))

    added = {j for j in lone_edited if j not in paired_edited}
    removed = {i for i in lone_draft if i not in paired_draft}
    for j in sorted(added):
        cue = edited[j]
        detail = f"new cue (until {_stamp(cue.end)}): {_quoted(cue)}"
        changes.append(Change(ADDED, cue.start, j + 1, None, after=cue.text, detail=detail))
    for i in sorted(removed):
        cue = draft[i]
        detail = f"cue removed (was until {_stamp(cue.end)}): {_quoted(cue)}"
        changes.append(Change(REMOVED, cue.start, None, i + 1, before=cue.text, detail=detail))
    return changes, added, removed


def diff_tracks(draft: Sequence[Cue], edited: Sequence[Cue]) -> list[Change]:
    """What changed from ``draft`` (the machine's) to ``edited`` (the reviewer's), in time order.

    Returns:
        Word changes (replaced, inserted, deleted), styling changes of kept words (restyled)
        and cue changes (retimed, split, merged, re-cut, added, removed); an empty list when
        the tracks are the same.
    """
    draft_words, draft_owner = _words(draft)
    edited_words, edited_owner = _words(edited)
    matcher = difflib.SequenceMatcher(None, draft_words, edited_words, autojunk=False)
    pieces: list[_Piece] = []
    groups = _Groups()
    matched: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                groups.link(draft_owner[i1 + offset], edited_owner[j1 + offset])
                matched.append((i1 + offset, j1 + offset))
            continue
        for piece in _pieces(range(i1, i2), range(j1, j2), draft_owner, edited_owner):
            # Replaced words tie their cues together too, so that a cue whose words were all
            # rewritten is still seen as the same cue.
            if piece.draft and piece.edited:
                groups.link(draft_owner[piece.draft[0]], edited_owner[piece.edited[0]])
            pieces.append(piece)

    changes, added, removed = _structure_changes(draft, edited, groups)
    for piece in pieces:
        change = _word_change(
            piece, draft, edited, (draft_words, draft_owner), (edited_words, edited_owner), groups
        )
        if change.kind == INSERTED and change.cue is not None and change.cue - 1 in added:
            continue  # the whole cue is reported as added
        if (
            change.kind == DELETED
            and change.draft_cue is not None
            and change.draft_cue - 1 in removed
        ):
            continue  # the whole cue is reported as removed
        changes.append(change)
    if any(cue.spans for cue in draft) or any(cue.spans for cue in edited):
        changes += _style_changes(matched, draft, edited)
    order = {REPLACED: 0, DELETED: 1, INSERTED: 2, RESTYLED: 3}
    changes.sort(key=lambda c: (c.at_ms, c.cue or 0, order.get(c.kind, 3)))
    return changes


@dataclass(frozen=True)
class _Piece:
    """Changed words within one cue on each side: draft positions, edited positions, and where
    in the edited words a deletion falls."""

    draft: list[int]
    edited: list[int]
    edited_position: int


def _split_by_cue(positions: range, owners: list[int]) -> list[list[int]]:
    """Split word positions into runs that sit in the same cue."""
    runs: list[list[int]] = []
    for position in positions:
        if runs and owners[runs[-1][0]] == owners[position]:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


def _pieces(
    draft_positions: range,
    edited_positions: range,
    draft_owner: list[int],
    edited_owner: list[int],
) -> list[_Piece]:
    """Cut one difflib change into pieces that each sit in one draft and/or one edited cue.

    The n-th cue's worth of draft words is paired with the n-th cue's worth of edited words;
    what is left over on the longer side is a plain deletion or insertion.
    """
    draft_runs = _split_by_cue(draft_positions, draft_owner)
    edited_runs = _split_by_cue(edited_positions, edited_owner)
    pieces: list[_Piece] = []
    for index in range(max(len(draft_runs), len(edited_runs))):
        draft_run = draft_runs[index] if index < len(draft_runs) else []
        edited_run = edited_runs[index] if index < len(edited_runs) else []
        pieces.append(
            _Piece(draft_run, edited_run, edited_run[0] if edited_run else edited_positions.stop)
        )
    return pieces


def _word_change(
    piece: _Piece,
    draft: Sequence[Cue],
    edited: Sequence[Cue],
    draft_track: tuple[list[str], list[int]],
    edited_track: tuple[list[str], list[int]],
    groups: _Groups,
) -> Change:
    """The change one piece stands for, reported against the edited cue where it sits."""
    draft_words, draft_owner = draft_track
    edited_words, edited_owner = edited_track
    before = " ".join(draft_words[k] for k in piece.draft)
    after = " ".join(edited_words[k] for k in piece.edited)
    draft_cue = draft_owner[piece.draft[0]] if piece.draft else None
    if piece.edited:
        cue = edited_owner[piece.edited[0]]
        kind = REPLACED if piece.draft else INSERTED
        return Change(kind, edited[cue].start, cue + 1, _plus_one(draft_cue), before, after)
    assert draft_cue is not None  # a piece has words on at least one side
    target = _edited_home(draft_cue, piece.edited_position, edited_owner, groups)
    at = edited[target].start if target is not None else draft[draft_cue].start
    return Change(DELETED, at, _plus_one(target), draft_cue + 1, before, after)


def _plus_one(index: int | None) -> int | None:
    return index + 1 if index is not None else None


def _edited_home(
    draft_cue: int, position: int, edited_owner: list[int], groups: _Groups
) -> int | None:
    """The edited cue where words deleted from ``draft_cue`` would have been.

    The edited cue the draft cue became, if any; otherwise the cue of the word just before the
    deletion (or just after it, at the very start); None when the edited track has no words.
    """
    if ("d", draft_cue) in groups.parent:
        root = groups.find(("d", draft_cue))
        partners = [
            node[1] for node in groups.parent if node[0] == "e" and groups.find(node) == root
        ]
        if partners:
            return min(partners)
    if position > 0:
        return edited_owner[position - 1]
    if edited_owner:
        return edited_owner[0]
    return None


def format_diff(changes: Sequence[Change], *, draft_name: str, edited_name: str) -> str:
    """The changes as text a producer can read, one change a line, with a summary line.

    Example::

        Changes in clip-01.srt since the machine draft clip-01.whisper.srt:
        cue 3 (00:00:07.200): "their" -> "there"
        cue 4 (00:00:09.000): start 00:00:09.000 -> 00:00:08.800 (0.2 s earlier)
        2 changes: 1 to words, 1 to cues and timing.
    """
    if not changes:
        return f"No changes: {edited_name} matches the machine draft {draft_name}.\n"
    word_count = sum(1 for change in changes if change.kind in WORD_KINDS)
    style_count = sum(1 for change in changes if change.kind == RESTYLED)
    timing_count = len(changes) - word_count - style_count
    lines = [f"Changes in {edited_name} since the machine draft {draft_name}:"]
    lines.extend(str(change) for change in changes)
    noun = "change" if len(changes) == 1 else "changes"
    styling = f", {style_count} to styling" if style_count else ""
    lines.append(f"{len(changes)} {noun}: {word_count} to words{styling}, "
                 f"{timing_count} to cues and timing.")
    return "\n".join(lines) + "\n"
