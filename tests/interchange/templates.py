"""Hand-written edit files, one per format, filled in at 25, 29.97 and 24 fps.

Each file in fixtures/ was written by hand the way its editor lays the format out. Frame numbers
are the same at every rate; ``{{...}}`` marks what the rate changes:

- ``{{num}}``/``{{den}}``: the rate as a fraction; ``{{rate}}``: as OTIO writes it (a float);
- ``{{timebase}}``/``{{ntsc}}``: FCP 7 XML's nominal rate and NTSC flag;
- ``{{fd}}``: FCPXML's frameDuration; ``{{t:N}}``: N frames as FCPXML rational seconds;
- ``{{tc:N}}``: N frames as a non-drop timecode (EDL); ``{{clock:N}}``: as MLT's clock
  (HH:MM:SS.mmm, what Kdenlive writes).

Every fixture holds the same cut: clip-2 frames 10-110, a 10-frame dissolve, clip-1 frames
50-125, a 12-frame gap, clip-3 frames 0-48, plus what coprod warns about (another video track,
an effect or speed change, sound of its own).
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
RATES = {"25": Fraction(25), "29.97": Fraction(30000, 1001), "24": Fraction(24)}
# (clip id, first frame, frames) the importer must find, in order.
EXPECTED = [("clip-2", 10, 100), ("clip-1", 50, 75), ("clip-3", 0, 48)]


def _fcpxml_time(frames: int, rate: Fraction) -> str:
    seconds = Fraction(frames) / rate
    return f"{seconds.numerator}s" if seconds.denominator == 1 else \
        f"{seconds.numerator}/{seconds.denominator}s"


def _tc(frames: int, rate: Fraction) -> str:
    nominal = round(rate)
    seconds, ff = divmod(frames, nominal)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


def _clock(frames: int, rate: Fraction) -> str:
    ms = Fraction(frames) * 1000 / rate
    whole = int(ms)  # Kdenlive truncates to the millisecond
    seconds, milli = divmod(whole, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{milli:03d}"


def render(name: str, label: str) -> str:
    """The fixture ``name`` filled in at the rate called ``label``."""
    rate = RATES[label]
    text = (FIXTURES / name).read_text(encoding="utf-8")
    simple = {"num": str(rate.numerator), "den": str(rate.denominator), "rate": repr(float(rate)),
              "timebase": str(round(rate)), "ntsc": "TRUE" if rate.denominator != 1 else "FALSE",
              "fd": _fcpxml_time(1, rate)}

    def fill(match: re.Match[str]) -> str:
        key, _, arg = match.group(1).partition(":")
        if not arg:
            return simple[key]
        frames = int(arg)
        return {"t": _fcpxml_time, "tc": _tc, "clock": _clock}[key](frames, rate)

    return re.sub(r"\{\{([a-z]+(?::\d+)?)\}\}", fill, text)
