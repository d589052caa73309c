"""Bounds on film.yaml, so a hostile or broken file costs one line, not minutes or gigabytes.

* :func:`check_nesting`: refuse text nested deeper than any film.yaml needs before the YAML
  parser (which recurses once a level) sees it.
* :func:`shown`: a value as an error message shows it, a few dozen characters at most; an alias
  bomb (a list of aliases of lists of aliases...) is small in memory but astronomically long
  when printed whole.
* :data:`MAX_TIME_S`: the longest time film.yaml may give (``in``/``out``), so 1e308 is an error
  rather than an infinity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 64
"""Nesting deeper than this is refused (film.yaml itself needs five levels)."""
MAX_TIME_S = 100 * 3600
"""No clip is longer than 100 hours; a time past it is a mistake."""
_SHOWN_CHARS = 60


def shown(value: Any) -> str:
    """``value`` for an error message: a short repr of a scalar, a word for a collection."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set):
        return "a list"
    if isinstance(value, int) and value.bit_length() > 200:  # repr refuses past 4300 digits
        return "a number far too large"
    text = repr(value) if isinstance(value, str | int | float | bool) or value is None \
        else f"a {type(value).__name__}"
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS - 3] + "..."


def nesting_depth(text: str, stop: int = MAX_DEPTH) -> int:
    """An upper bound of how deeply ``text``'s YAML nests (flow brackets, and the indentation
    and ``- `` indicators of block lines), counted no further than just past ``stop``."""
    deepest = flow = 0
    for line in text.splitlines():
        body = line.lstrip(" ")
        if body.startswith("#"):
            continue
        indent = len(line) - len(body)
        dashes = 0
        while body.startswith(("- ", "? ")) or body in ("-", "?"):
            dashes += 1
            body = body[2:].lstrip(" ")
        deepest = max(deepest, indent + dashes)
        for char in body:
            if char in "[{":
                flow += 1
                deepest = max(deepest, indent + dashes + flow)
                if deepest > stop:
                    return deepest
            elif char in "]}":
                flow = max(0, flow - 1)
        if deepest > stop:
            break
    return deepest


def check_nesting(text: str) -> str | None:
    """Why ``text`` is too deeply nested to be a film.yaml, or None when it is not."""
    if nesting_depth(text) > MAX_DEPTH:
        return (f"nested more than {MAX_DEPTH} levels deep (indentation or brackets): this is "
                "not a film.yaml coprod wrote; restore it from a backup")
    return None


__all__ = ["MAX_DEPTH", "MAX_TIME_S", "check_nesting", "nesting_depth", "shown"]
