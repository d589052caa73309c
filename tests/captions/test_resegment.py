"""Reviewed cues made again for a narrower line: same words, same span of time, at most the
style's lines, its line and cue breaks, styling kept."""

from __future__ import annotations

from captions.formats import loads
from captions.model import Cue, Style
from captions.resegment import narrower, resegment
from captions.segment import lines_needed
from captions.styles import get_style

TEXT = "When we started this film, I did not think anyone would listen to me."


def test_a_cue_too_long_for_the_narrow_lines_becomes_cues_of_two_lines_each() -> None:
    style = narrower(get_style("bbc"), 0.6)
    assert style.max_chars_per_line == 22 and style.max_lines == 2
    got = resegment([Cue(1000, 5000, TEXT)], style)
    assert [c.text for c in got] == ["When we started\nthis film,",
                                     "I did not think anyone\nwould listen to me."]
    assert (got[0].start, got[-1].end) == (1000, 5000) and got[0].end == got[1].start
    assert all(lines_needed(c.text.split(), 22) <= 2 for c in got)


def test_a_cue_that_fits_keeps_its_time_and_its_italics_survive_a_split() -> None:
    style = narrower(get_style("bbc"), 0.6)
    assert resegment([Cue(0, 900, "Short one.")], style) == [Cue(0, 900, "Short one.")]
    cue = loads("1\n00:00:01,000 --> 00:00:05,000\n<i>When we started this film,</i> I did not "
                "think anyone would listen to me.\n", "srt")[0]
    first, second = resegment([cue], style)
    assert [first.text[s.start:s.end] for s in first.spans if s.style is Style.ITALIC] == \
        ["When we started\nthis film,"]
    assert not second.styled
