"""The film's new sequence from an edit's placements, and what changed.

An entry whose clip plays the same frames as before is kept as it was written (its comments, its
``in: 1.5``), so its render segment's cache key does not change; only added and re-trimmed clips
get new ``in``/``out`` values, written as ``HH:MM:SS.mmm`` (the frame's first millisecond, see
:mod:`.timebase`). ``in`` is left out at the footage's first frame and ``out`` at its end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pipeline.film import SequenceItem
from pipeline.interchange.read import Placement, footage_frames
from pipeline.interchange.timebase import frame_of_ms, ms_of_frame, yaml_time
from pipeline.project import Project


@dataclass(frozen=True)
class Entry:
    """One entry of the new sequence; ``kept`` when the old entry stays exactly as written.

    ``source`` is the index of the old entry this one is (kept or re-trimmed), None when new.
    """

    clip_id: str
    in_ms: int | None
    out_ms: int | None
    kept: bool
    source: int | None = None


@dataclass
class SequencePlan:
    """The new sequence and the lines saying how it differs from film.yaml's."""

    entries: list[Entry] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True when film.yaml's sequence would be written."""
        return bool(self.changes)


def _span(item: SequenceItem, total: int, rate: Fraction) -> tuple[int, int]:
    """The frames [first, end) an existing entry plays at ``rate``."""
    first = frame_of_ms(item.in_ms or 0, rate)
    end = frame_of_ms(item.out_ms, rate) if item.out_ms is not None else total
    return first, min(end, total)


def _shown(in_ms: int | None, out_ms: int | None) -> str:
    return f"{yaml_time(in_ms or 0)}-{yaml_time(out_ms) if out_ms is not None else 'end'}"


def _moved(old: list[int], new: list[int]) -> list[int]:
    """Items of ``new`` outside the longest run kept in the same order as in ``old``."""
    n, m = len(old), len(new)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if old[i] == new[j]
                           else max(table[i + 1][j], table[i][j + 1]))
    stay: set[int] = set()
    i = j = 0
    while i < n and j < m:
        if old[i] == new[j]:
            stay.add(old[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return [k for k in new if k not in stay]


def _pair(project: Project, placements: list[Placement]) -> dict[int, int]:
    """Placement index -> the old entry it is: the same clip playing the same frames first,
    then the first unused entry of the same clip (a re-trim). A clip may be used many times."""
    old = project.film.sequence
    taken: set[int] = set()
    pairs: dict[int, int] = {}
    totals: dict[tuple[str, Fraction], int] = {}
    for exact in (True, False):
        for i, place in enumerate(placements):
            if i in pairs:
                continue
            key = (place.clip_id, place.rate)
            if key not in totals:
                totals[key] = footage_frames(project, place.clip_id, place.rate)
            for j, item in enumerate(old):
                if j in taken or item.clip_id != place.clip_id:
                    continue
                if exact and _span(item, totals[key], place.rate) != (place.first, place.end):
                    continue
                pairs[i] = j
                taken.add(j)
                break
    return pairs


def plan_sequence(project: Project, placements: list[Placement]) -> SequencePlan:
    """The sequence ``placements`` make, compared with film.yaml's."""
    plan = SequencePlan()
    old = project.film.sequence
    pairs = _pair(project, placements)
    counts = Counter(item.clip_id for item in old)
    for i, place in enumerate(placements):
        total = footage_frames(project, place.clip_id, place.rate)
        before = old[pairs[i]] if i in pairs else None
        if before is not None and _span(before, total, place.rate) == (place.first, place.end):
            plan.entries.append(Entry(place.clip_id, before.in_ms, before.out_ms, kept=True,
                                      source=pairs[i]))
            plan.unchanged += 1
            continue
        in_ms = ms_of_frame(place.first, place.rate) if place.first else None
        out_ms = ms_of_frame(place.end, place.rate) if place.end < total else None
        plan.entries.append(Entry(place.clip_id, in_ms, out_ms, kept=False,
                                  source=pairs.get(i)))
        if before is None:
            plan.changes.append(f"added: {place.clip_id} ({_shown(in_ms, out_ms)})")
        else:
            was = _shown(before.in_ms, before.out_ms)
            plan.changes.append(f"re-trimmed: {place.clip_id} ({was} -> {_shown(in_ms, out_ms)})")
    used = set(pairs.values())
    for j, item in enumerate(old):
        if j not in used:
            shown = f" ({_shown(item.in_ms, item.out_ms)})" if counts[item.clip_id] > 1 else ""
            plan.changes.append(f"removed: {item.clip_id}{shown}")
    new_order = [e.source for e in plan.entries if e.source is not None]
    for j in _moved(sorted(new_order), new_order):
        position = [e.source for e in plan.entries].index(j) + 1
        plan.changes.append(f"re-ordered: {old[j].clip_id} (now number {position})")
    return plan


def write_sequence(doc: Any, plan: SequencePlan) -> None:
    """Put the planned sequence into film.yaml's round-trip document (not saved).

    Entries kept or re-trimmed are the same mapping objects, so their comments move with them.
    """
    seq = doc.get("sequence")
    if not isinstance(seq, list):
        seq = CommentedSeq()
        doc["sequence"] = seq
    old_nodes = list(seq)
    nodes: list[Any] = []
    for entry in plan.entries:
        node = old_nodes[entry.source] if entry.source is not None else None
        if entry.kept and node is not None:
            nodes.append(node)
            continue
        if not isinstance(node, CommentedMap):
            node = CommentedMap()
            node["clip"] = entry.clip_id
        space = _take_trailing_space(node)
        for key, value in (("in", entry.in_ms), ("out", entry.out_ms)):
            if value is None:
                node.pop(key, None)
            elif key == "in" and key not in node:
                node.insert(1, key, yaml_time(value))  # clip, in, out: the order people write
            else:
                node[key] = yaml_time(value)
        if space is not None:
            node.ca.items[list(node)[-1]] = space
        nodes.append(node)
    trailing = _take_trailing_space(seq[-1]) if len(seq) else None
    del seq[:]
    seq.extend(nodes)
    if trailing is not None and nodes and isinstance(nodes[-1], CommentedMap):
        nodes[-1].ca.items[list(nodes[-1])[-1]] = trailing


def _take_trailing_space(node: Any) -> Any:
    """The blank lines after the sequence's last entry (ruamel keeps them on its last key).

    They belong after whichever entry ends the sequence now; a real comment stays put.
    """
    if not isinstance(node, CommentedMap) or not len(node):
        return None
    last = list(node)[-1]
    item = node.ca.items.get(last)
    token = item[2] if item and len(item) > 2 else None
    if token is None or getattr(token, "value", "x").strip():
        return None
    return node.ca.items.pop(last)


__all__ = ["Entry", "SequencePlan", "plan_sequence", "write_sequence"]
