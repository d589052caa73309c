"""Frames, rates and film.yaml milliseconds, exactly: rates are Fractions, never float sums.

A frame maps to the millisecond in which it starts: ``ms = floor(frame * 1000 / rate)``; a time
in milliseconds maps to the first frame that starts at or after it: ``frame = ceil(ms * rate /
1000)``. At any rate under 1000 fps a frame lasts more than a millisecond, so frame -> ms ->
frame gives back the same frame (29.97 fps frame 15 starts at 500.5 ms: 500 ms, then frame 15).
"""

from __future__ import annotations

import math
from fractions import Fraction

# The rates editors offer; a rate read as a float (29.97002997...) snaps to the nearest of these.
KNOWN_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001),
               Fraction(30), Fraction(48), Fraction(50), Fraction(60000, 1001), Fraction(60))
NTSC_RATES = frozenset({Fraction(24000, 1001), Fraction(30000, 1001), Fraction(60000, 1001)})


def snap_rate(rate: float | Fraction) -> Fraction:
    """``rate`` as an exact Fraction: a known editing rate when it is within 0.01 fps of one."""
    value = Fraction(rate)
    for known in KNOWN_RATES:
        if abs(value - known) < Fraction(1, 100):
            return known
    return value.limit_denominator(1001)


def rate_label(rate: Fraction) -> str:
    """``25``, ``29.97``, ``23.976``: how editors name a rate."""
    if rate.denominator == 1:
        return str(rate.numerator)
    text = f"{float(rate):.3f}".rstrip("0")
    return text if not text.endswith(".") else text[:-1]


def ms_of_frame(frame: int, rate: Fraction) -> int:
    """The millisecond in which ``frame`` starts (frame 0 at 0 ms)."""
    return math.floor(Fraction(frame) * 1000 / rate)


def frame_of_ms(ms: int, rate: Fraction) -> int:
    """The first frame that starts at or after ``ms``."""
    return math.ceil(Fraction(ms) * rate / 1000)


def drop_frame_timecode(frame: int, rate: Fraction) -> str:
    """``frame`` as drop-frame ``HH:MM:SS;FF`` (29.97 and 59.94 skip frame numbers 0 and 1, or
    0-3, each minute except every tenth); :func:`timecode` at any other rate."""
    if rate not in NTSC_RATES or round(rate) == 24:
        return timecode(frame, rate)
    nominal = round(rate)
    dropped = nominal // 15
    per_ten = nominal * 600 - dropped * 9
    tens, rest = divmod(frame, per_ten)
    frame += dropped * 9 * tens
    if rest > dropped:
        frame += dropped * ((rest - dropped) // (nominal * 60 - dropped))
    text = timecode(frame, rate)
    return text[:8] + ";" + text[9:]


def timecode(frame: int, rate: Fraction) -> str:
    """``HH:MM:SS:FF`` counted in whole frames at the nominal rate (non-drop), for messages."""
    per_second = round(rate)
    seconds, ff = divmod(frame, per_second)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


def frames_of_timecode(text: str, rate: Fraction) -> int:
    """Frames from 00:00:00:00 to the timecode ``text`` at ``rate``.

    ``HH:MM:SS:FF`` is non-drop; a ``;`` (or ``.``) before the frames is drop-frame, which skips
    frame numbers 0 and 1 (0-3 at 59.94) each minute except every tenth at NTSC rates.

    Raises:
        ValueError: ``text`` is not a timecode.
    """
    parts = text.strip().replace(";", ":").replace(".", ":").split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a timecode: {text!r}")
    hours, minutes, seconds, frames = (int(p) for p in parts)
    nominal = round(rate)
    total = ((hours * 60 + minutes) * 60 + seconds) * nominal + frames
    drop = (";" in text or "." in text) and rate in NTSC_RATES
    if drop:
        all_minutes = hours * 60 + minutes
        total -= (nominal // 15) * (all_minutes - all_minutes // 10)
    return total


def camera_start_frame(camera_tc: str | None, rate: Fraction) -> int:
    """The frame a clip's first frame is in the camera's timecode (0 when it has none).

    An edit's source in and out count from here: 10:00:05:00 on footage that starts at
    10:00:00:00 is 5 s in.
    """
    if not camera_tc:
        return 0
    try:
        return frames_of_timecode(camera_tc, rate)
    except ValueError:
        return 0


def yaml_time(ms: int) -> str:
    """film.yaml's ``HH:MM:SS.mmm`` for ``ms``."""
    seconds, milli = divmod(ms, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{milli:03d}"


__all__ = ["KNOWN_RATES", "NTSC_RATES", "camera_start_frame", "drop_frame_timecode", "frame_of_ms",
           "frames_of_timecode", "ms_of_frame",
           "rate_label", "snap_rate", "timecode", "yaml_time"]
