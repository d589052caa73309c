"""A frame maps to film.yaml milliseconds and back to the same frame, at every editing rate."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pipeline.interchange.timebase import (
    KNOWN_RATES,
    drop_frame_timecode,
    frame_of_ms,
    frames_of_timecode,
    ms_of_frame,
    rate_label,
    snap_rate,
    yaml_time,
)


@pytest.mark.parametrize("rate", KNOWN_RATES, ids=[rate_label(r) for r in KNOWN_RATES])
def test_every_frame_of_three_hours_comes_back(rate: Fraction) -> None:
    for frame in range(0, int(3 * 3600 * rate), 7):
        assert frame_of_ms(ms_of_frame(frame, rate), rate) == frame


def test_a_frame_is_the_millisecond_it_starts_in() -> None:
    ntsc = Fraction(30000, 1001)
    assert ms_of_frame(15, ntsc) == 500  # frame 15 starts at 500.5 ms
    assert frame_of_ms(500, ntsc) == 15
    assert frame_of_ms(501, ntsc) == 16  # 501 ms is after frame 15 started
    assert ms_of_frame(25, Fraction(25)) == 1000
    assert frame_of_ms(1500, Fraction(24)) == 36


def test_float_rates_snap_to_what_editors_offer() -> None:
    assert snap_rate(29.97002997002997) == Fraction(30000, 1001)
    assert snap_rate(29.97) == Fraction(30000, 1001)
    assert snap_rate(23.976) == Fraction(24000, 1001)
    assert snap_rate(25.0) == 25
    assert rate_label(Fraction(30000, 1001)) == "29.97"
    assert rate_label(Fraction(24000, 1001)) == "23.976"


def test_yaml_time() -> None:
    assert yaml_time(0) == "00:00:00.000"
    assert yaml_time(3_723_045) == "01:02:03.045"


@pytest.mark.parametrize(("text", "rate", "frame"), [
    ("01:00:00:00", Fraction(25), 90000),
    ("01:00:10:00", Fraction(25), 90250),
    ("01:00:00:00", Fraction(24000, 1001), 86400),
    ("01:00:00;00", Fraction(30000, 1001), 107892),
    ("00:01:00;02", Fraction(30000, 1001), 1800),
    ("00:10:00;00", Fraction(30000, 1001), 17982),
    ("00:37:23;21", Fraction(30000, 1001), 67243),
    ("01:00:00;00", Fraction(60000, 1001), 215784),
])
def test_timecodes_count_frames_drop_frame_included(text: str, rate: Fraction,
                                                    frame: int) -> None:
    assert frames_of_timecode(text, rate) == frame
    assert drop_frame_timecode(frame, rate) == text


def test_not_a_timecode_is_refused() -> None:
    with pytest.raises(ValueError, match="not a timecode"):
        frames_of_timecode("1:00:00", Fraction(25))
