"""A CMX 3600 EDL made readable for otio-cmx3600-adapter, with a warning for each change.

Real EDLs carry what the adapter refuses outright: it ignores ``FCM: DROP FRAME`` (so an event
crossing a minute at 29.97 DF has source and record durations that seem to differ), and it
refuses a whole file for one event whose source and record durations differ. Here, before the
adapter reads the text:

- in a ``FCM: DROP FRAME`` section, timecodes are written with ``;`` (how OTIO reads drop frame);
- a sound-only event whose durations differ is left out, with the cut a transition of it
  starts from (coprod plays each clip's own sound);
- a picture event that starts before the previous one ends cuts that one short there (the
  record timecode is what the editor saw; Avid writes such lists around a timewarp);
- a picture event whose durations differ and that has no ``M2`` line (a speed change the EDL
  does not mark, such as a 48 fps clip played at 24) keeps its record length: its source out is
  moved to in + record length, and the warning says the clip plays as shot from its in point.

Nothing else is changed: what the adapter reads well is left to it.
"""

from __future__ import annotations

import re
from fractions import Fraction

from pipeline.interchange.timebase import (
    NTSC_RATES,
    drop_frame_timecode,
    frames_of_timecode,
    timecode,
)

_TC = r"\d{2}:\d{2}:\d{2}[:;]\d{2}"
_EVENT_RE = re.compile(
    rf"^(?P<head>(?P<num>\d+)\s+(?P<reel>\S+)\s+(?P<channel>\S+)\s+(?P<kind>\S+)"
    rf"(?:\s+(?P<length>\d+))?\s+)(?P<src_in>{_TC})(?P<sep1>\s+)(?P<src_out>{_TC})"
    rf"(?P<sep2>\s+)(?P<rec_in>{_TC})(?P<sep3>\s+)(?P<rec_out>{_TC})(?P<tail>\s*)$")


def _drop(tc: str) -> str:
    return tc[:8] + ";" + tc[9:]


def _is_sound_only(channel: str) -> bool:
    return "V" not in channel.upper() and channel.upper() not in ("B", "NONE")


def prepare_edl(text: str, rate: Fraction) -> tuple[str, list[str]]:
    """``text`` with the changes above, and one warning for each."""
    lines = text.splitlines()
    out: list[str] = []
    warnings: list[str] = []
    drop_frame = False
    skipping = False
    last_picture: tuple[int, dict[str, str], bool] | None = None  # out index, parts, M2
    last_sound: tuple[int, str] | None = None  # out index and number of a sound-only event
    for index, line in enumerate(lines):
        stripped = line.strip()
        upper = stripped.upper()
        if upper.startswith("FCM:"):
            drop_frame = "NON" not in upper and "DROP" in upper and rate in NTSC_RATES
            skipping = False
            out.append(line)
            continue
        match = _EVENT_RE.match(stripped)
        if match is None:
            if not skipping:
                out.append(line)
            continue
        skipping = False
        parts = match.groupdict()
        if drop_frame:
            for key in ("src_in", "src_out", "rec_in", "rec_out"):
                parts[key] = _drop(parts[key])
        parts["drop"] = "1" if drop_frame else ""
        frames = {key: frames_of_timecode(parts[key], rate)
                  for key in ("src_in", "src_out", "rec_in", "rec_out")}
        source = frames["src_out"] - frames["src_in"]
        record = frames["rec_out"] - frames["rec_in"]
        event = f"event {parts['num']} (reel {parts['reel']})"
        has_speed = any(_is_m2(following) for following in _comments(lines, index))
        if source != record and not has_speed:
            if _is_sound_only(parts["channel"]):
                warnings.append(f"{event}: sound only ({parts['channel']}), its source "
                                f"({source} frames) and record ({record} frames) lengths "
                                "differ: left out; coprod plays each clip's own sound")
                if last_sound is not None and last_sound[1] == parts["num"]:
                    del out[last_sound[0]:]  # the cut this transition starts from goes too
                skipping = True
                continue
            warnings.append(f"{event}: its source runs {source} frames over {record} record "
                            "frames (a speed change the EDL does not mark): coprod plays "
                            f"{record} frames from its in point as shot")
            _set(parts, "src_out", frames["src_in"] + record, rate)
        last_sound = (len(out), parts["num"]) if _is_sound_only(parts["channel"]) else None
        if not _is_sound_only(parts["channel"]):
            if last_picture is not None:
                _cut_overlap(last_picture, parts, out, warnings, rate)
            last_picture = (len(out), parts, has_speed)
        out.append(_line(parts))
    return "\n".join(out) + "\n", warnings


def _line(parts: dict[str, str]) -> str:
    return (f"{parts['head']}{parts['src_in']}{parts['sep1']}{parts['src_out']}"
            f"{parts['sep2']}{parts['rec_in']}{parts['sep3']}{parts['rec_out']}")


def _set(parts: dict[str, str], key: str, frame: int, rate: Fraction) -> None:
    parts[key] = drop_frame_timecode(frame, rate) if parts["drop"] else timecode(frame, rate)


def _cut_overlap(last: tuple[int, dict[str, str], bool], parts: dict[str, str],
                 out: list[str], warnings: list[str], rate: Fraction) -> None:
    """An event that starts before the previous picture event ends cuts that one short."""
    at, before, speed = last
    rec_in = frames_of_timecode(parts["rec_in"], rate)
    before_out = frames_of_timecode(before["rec_out"], rate)
    before_in = frames_of_timecode(before["rec_in"], rate)
    over = before_out - rec_in
    if over <= 0 or rec_in <= before_in:
        return
    warnings.append(f"event {before['num']} (reel {before['reel']}) ends {over} frames after "
                    f"event {parts['num']} starts (record {before['rec_out']} > "
                    f"{parts['rec_in']}): it is cut at event {parts['num']}'s record in")
    _set(before, "rec_out", rec_in, rate)
    if not speed:
        _set(before, "src_out", frames_of_timecode(before["src_out"], rate) - over, rate)
    out[at] = _line(before)


def _comments(lines: list[str], index: int) -> list[str]:
    """The lines after event line ``index`` up to the next event."""
    found: list[str] = []
    for line in lines[index + 1:]:
        if _EVENT_RE.match(line.strip()):
            break
        found.append(line)
    return found


def _is_m2(line: str) -> bool:
    return line.strip().upper().startswith("M2 ")


def for_editors(text: str, rate: Fraction, start: int) -> str:
    """An EDL the adapter wrote as editors expect it: an ``FCM:`` line after the title (drop
    frame when its timecodes are), and record timecodes from frame ``start`` (01:00:00:00)."""
    lines = text.splitlines()
    drop = any(";" in line for line in lines if _EVENT_RE.match(line.strip()))
    out: list[str] = []
    for line in lines:
        match = _EVENT_RE.match(line.strip())
        if match is not None:
            parts = match.groupdict()
            parts["drop"] = "1" if drop else ""
            for key in ("rec_in", "rec_out"):
                _set(parts, key, frames_of_timecode(parts[key], rate) + start, rate)
            line = _line(parts)
        out.append(line)
        if line.upper().startswith("TITLE:"):
            out.append(f"FCM: {'DROP FRAME' if drop else 'NON-DROP FRAME'}")
    return "\n".join(out) + "\n"


__all__ = ["for_editors", "prepare_edl"]
