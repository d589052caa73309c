"""FCPXML's nested clips made flat: auditions, compound, sync and multicam clips, retimes.

coprod renders one picture track of footage, so a clip that holds other clips is replaced by
what it shows, each replacement said in a warning:

- an ``audition`` is its chosen take (FCPXML writes the pick first); the other takes are left out;
- a compound clip (``ref-clip`` to a ``media`` holding a sequence) and a ``sync-clip`` are
  flattened: the clips of their primary storyline that fall inside the used part, placed where
  they play (connected clips inside them are left out);
- a multicam clip (``mc-clip``) is the active video angle's clips over the used part;
- a time-remapped clip (``timeMap``) gets its in point from the map (source time, linear between
  the points); when the map changes speed the reader records a speed change, which the importer
  warns about (the clip then plays as shot from that in point).

Times stay exact Fractions of seconds; elements are copied, the parsed tree is never changed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from fractions import Fraction
from xml.etree import ElementTree as ET

NESTED = ("audition", "ref-clip", "sync-clip", "mc-clip")
_ITEMS = ("asset-clip", "clip", "ref-clip", "mc-clip", "sync-clip", "title", "video", "audio",
          "gap", "audition")
MAX_DEPTH = 16  # compound clips inside compound clips: a loop of references stops here

Timer = Callable[[str | None], Fraction]
Where = Callable[[Fraction], str]


def flatten(element: ET.Element, resources: dict[str | None, ET.Element], parse: Timer,
            where: Where, warnings: list[str], depth: int = 0) -> list[ET.Element]:
    """The spine items ``element`` stands for, in order: itself, or what it shows."""
    if element.tag not in NESTED:
        return [element]
    name = element.get("name") or element.tag
    at = where(parse(element.get("offset")))
    if depth >= MAX_DEPTH:
        warnings.append(f"{element.tag} {name!r} at {at} is nested more than {MAX_DEPTH} deep: "
                        "left out")
        return []
    inner, start, what = _inside(element, resources, parse, name)
    if inner is None:
        warnings.append(f"{element.tag} {name!r} at {at}: {what}; left out")
        return []
    if element.tag == "audition":
        pick = copy.deepcopy(inner[0])
        for key in ("offset", "lane"):
            if element.get(key) is not None:
                pick.set(key, str(element.get(key)))
        warnings.append(f"audition at {at}: its chosen take {pick.get('name', '')!r} is used "
                        f"({len(inner) - 1} other take(s) left out)")
        return flatten(pick, resources, parse, where, warnings, depth + 1)
    placed = _window(inner, start, parse(element.get("duration")), element, parse)
    warnings.append(f"{what} at {at} is flattened: {len(placed)} item(s) from inside it are "
                    "placed on the timeline")
    out: list[ET.Element] = []
    for item in placed:
        out += flatten(item, resources, parse, where, warnings, depth + 1)
    return out


def _inside(element: ET.Element, resources: dict[str | None, ET.Element], parse: Timer,
            name: str) -> tuple[list[ET.Element] | None, Fraction, str]:
    """The items inside ``element``, where the used part starts in their time, and a label."""
    start_attr = element.get("start")
    if element.tag == "audition":
        takes = [c for c in element if c.tag in _ITEMS]
        return (takes or None), Fraction(0), "it holds no take"
    if element.tag == "sync-clip":
        items = [c for c in element if c.tag in _ITEMS and c.get("lane") is None]
        spine = element.find("spine")
        if not items and spine is not None:
            items = [c for c in spine if c.tag in _ITEMS]
        return items, parse(start_attr), f"sync clip {name!r}"
    media = resources.get(element.get("ref"))
    if media is None or media.tag != "media":
        return None, Fraction(0), "its media is not in the file's resources"
    if element.tag == "ref-clip":
        sequence = media.find("sequence")
        spine = sequence.find("spine") if sequence is not None else None
        if sequence is None or spine is None:
            return None, Fraction(0), "its compound clip holds no sequence"
        start = parse(start_attr) if start_attr else parse(sequence.get("tcStart"))
        return [c for c in spine if c.tag in _ITEMS], start, f"compound clip {name!r}"
    multicam = media.find("multicam")
    if multicam is None:
        return None, Fraction(0), "its multicam clip holds no angles"
    sources = [s for s in element.findall("mc-source")
               if s.get("srcEnable", "all") in ("all", "video")]
    angles = {a.get("angleID"): a for a in multicam.findall("mc-angle")}
    angle = angles.get(sources[0].get("angleID")) if sources else None
    if angle is None:
        return None, Fraction(0), "no active video angle"
    start = parse(start_attr) if start_attr else parse(multicam.get("tcStart"))
    label = f"multicam clip {name!r} (active video angle {angle.get('name', '')!r})"
    return [c for c in angle if c.tag in _ITEMS], start, label


def _window(items: list[ET.Element], start: Fraction, duration: Fraction, outer: ET.Element,
            parse: Timer) -> list[ET.Element]:
    """Copies of the parts of ``items`` inside [start, start + duration) of their time, placed
    at ``outer``'s offset (and lane)."""
    base = parse(outer.get("offset"))
    end = start + duration
    out: list[ET.Element] = []
    for item in items:
        offset = parse(item.get("offset"))
        length = parse(item.get("duration"))
        begin, finish = max(offset, start), min(offset + length, end)
        if finish <= begin:
            continue
        piece = copy.deepcopy(item)
        piece.set("offset", _time(base + begin - start))
        piece.set("start", _time(parse(item.get("start")) + begin - offset))
        piece.set("duration", _time(finish - begin))
        if outer.get("lane") is not None:
            piece.set("lane", str(outer.get("lane")))
        elif piece.get("lane") is not None:
            del piece.attrib["lane"]
        out.append(piece)
    return out


def remapped(element: ET.Element, start: Fraction, duration: Fraction,
             parse: Timer) -> tuple[Fraction, Fraction] | None:
    """Source in point and speed of a clip with a ``timeMap`` (None without one)."""
    time_map = element.find("timeMap")
    if time_map is None:
        return None
    points = sorted((parse(p.get("time")), parse(p.get("value")))
                    for p in time_map.findall("timept"))
    if not points:
        return None
    source_in = _at(points, start)
    source_out = _at(points, start + duration)
    speed = (source_out - source_in) / duration if duration else Fraction(1)
    return source_in, speed


def _at(points: list[tuple[Fraction, Fraction]], time: Fraction) -> Fraction:
    """The source time at clip time ``time``: linear between points, held past the ends."""
    if len(points) == 1:
        return points[0][1] + (time - points[0][0])
    if time <= points[0][0]:
        return points[0][1]
    for (t0, v0), (t1, v1) in zip(points, points[1:], strict=False):
        if t0 <= time <= t1:
            return v0 if t1 == t0 else v0 + (v1 - v0) * (time - t0) / (t1 - t0)
    return points[-1][1]


def _time(seconds: Fraction) -> str:
    return f"{seconds.numerator}/{seconds.denominator}s"


__all__ = ["MAX_DEPTH", "NESTED", "flatten", "remapped"]
