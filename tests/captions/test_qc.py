"""Caption QC: each rule alone, triggered and not, and what counts as an error."""

from __future__ import annotations

import pytest

from captions import qc
from captions.model import Cue
from captions.styles import CaptionStyle, get_style

BBC = get_style("bbc")  # 37 chars, 2 lines, 0.833-7 s, gap 0 or >= 80 ms, 180 wpm
NETFLIX = get_style("netflix")  # 42 chars, 20 cps


def rules(
    cues: list[Cue], style: CaptionStyle = BBC, clip_duration_ms: int | None = None
) -> list[tuple[int, str]]:
    found = qc.check(cues, style, clip_duration_ms=clip_duration_ms)
    return [(finding.cue, finding.rule) for finding in found]


def test_clean_track_has_no_findings() -> None:
    cues = [
        Cue(0, 2000, "We made this film\ntogether."),
        Cue(2000, 4000, "It took a year."),
        Cue(4200, 6000, "Everyone had a say."),
    ]
    assert qc.check(cues, BBC, clip_duration_ms=6000) == []


def test_overlap() -> None:
    assert rules([Cue(0, 2000, "One two."), Cue(1500, 3500, "Three four.")]) == [(2, qc.OVERLAP)]
    assert rules([Cue(0, 2000, "One two."), Cue(2000, 4000, "Three four.")]) == []


def test_overlap_with_an_earlier_longer_cue() -> None:
    cues = [Cue(0, 10000, "A long one."), Cue(3000, 5000, "Inside it."), Cue(6000, 8000, "Also.")]
    found = qc.check(cues, BBC)
    assert [(f.cue, f.rule) for f in found if f.rule == qc.OVERLAP] == [
        (2, qc.OVERLAP),
        (3, qc.OVERLAP),
    ]
    assert "cue 1 is still on screen" in next(f.message for f in found if f.cue == 3)


def test_same_times_are_an_overlap() -> None:
    assert rules([Cue(0, 2000, "Top."), Cue(0, 2000, "Bottom.")]) == [(2, qc.OVERLAP)]


def test_out_of_order() -> None:
    assert rules([Cue(5000, 7000, "Later."), Cue(1000, 3000, "Earlier.")]) == [(2, qc.OUT_OF_ORDER)]
    assert rules([Cue(1000, 3000, "Earlier."), Cue(5000, 7000, "Later.")]) == []


def test_too_many_lines() -> None:
    assert rules([Cue(0, 3000, "One.\nTwo.\nThree.")]) == [(1, qc.TOO_MANY_LINES)]
    assert rules([Cue(0, 3000, "One.\nTwo.")]) == []


def test_line_too_long() -> None:
    assert rules([Cue(0, 3000, "x" * 38)]) == [(1, qc.LINE_TOO_LONG)]
    assert rules([Cue(0, 3000, "x" * 37)]) == []
    assert rules([Cue(0, 3000, "x" * 42)], style=NETFLIX) == []


def test_line_too_long_names_each_line() -> None:
    found = qc.check([Cue(0, 5000, "y" * 40 + "\n" + "z" * 39)], BBC)
    assert [f.message.split(" has")[0] for f in found] == ["line 1", "line 2"]


def test_beyond_clip_end() -> None:
    cues = [Cue(8000, 10001, "The end.")]
    assert rules(cues, clip_duration_ms=10000) == [(1, qc.BEYOND_CLIP_END)]
    assert rules(cues, clip_duration_ms=10001) == []
    assert rules(cues) == []  # no clip length, no check


def test_empty_cue() -> None:
    assert rules([Cue(0, 2000, "")]) == [(1, qc.EMPTY_CUE)]
    assert rules([Cue(0, 2000, "  ")]) == [(1, qc.EMPTY_CUE)]
    assert rules([Cue(0, 2000, "Words.")]) == []


def test_words_per_minute() -> None:
    assert qc.words_per_minute(Cue(0, 2000, "one two\nthree four")) == 120.0
    assert qc.words_per_minute(Cue(0, 0, "one")) == float("inf")
    assert qc.words_per_minute(Cue(0, 1000, "")) == 0.0


def test_reading_rate_words_per_minute() -> None:
    # 7 words in 2 s is 210 wpm; 6 is exactly 180, which is allowed.
    assert rules([Cue(0, 2000, "one two three four five six seven")]) == [(1, qc.READING_RATE)]
    assert rules([Cue(0, 2000, "one two three four five six")]) == []


def test_reading_rate_easy_read_is_slower() -> None:
    cues = [Cue(0, 2000, "one two three four five")]  # 150 wpm
    assert rules(cues) == []
    assert rules(cues, style=get_style("easy-read")) == [(1, qc.READING_RATE)]


def test_reading_rate_characters_per_second() -> None:
    # Netflix: 41 characters in 2 s is 20.5 cps; 40 is exactly 20. Line breaks do not count.
    assert rules([Cue(0, 2000, "a" * 20 + "\n" + "b" * 21)], style=NETFLIX) == [
        (1, qc.READING_RATE)
    ]
    assert rules([Cue(0, 2000, "a" * 20 + "\n" + "b" * 20)], style=NETFLIX) == []


def test_short_gap() -> None:
    assert rules([Cue(0, 2000, "One."), Cue(2040, 4000, "Two.")]) == [(2, qc.SHORT_GAP)]
    assert rules([Cue(0, 2000, "One."), Cue(2080, 4000, "Two.")]) == []
    assert rules([Cue(0, 2000, "One."), Cue(2000, 4000, "Two.")]) == []


def test_too_short() -> None:
    assert rules([Cue(0, 800, "Hi.")]) == [(1, qc.TOO_SHORT)]
    assert rules([Cue(0, 833, "Hi.")]) == []


def test_zero_length_cue_is_too_short_without_a_reading_rate() -> None:
    assert rules([Cue(1000, 1000, "Flash.")]) == [(1, qc.TOO_SHORT)]


def test_too_long() -> None:
    assert rules([Cue(0, 7001, "Slow words.")]) == [(1, qc.TOO_LONG)]
    assert rules([Cue(0, 7000, "Slow words.")]) == []


def test_bad_line_break() -> None:
    assert rules([Cue(0, 3000, "We went to see the\nfilm together.")]) == [(1, qc.BAD_LINE_BREAK)]
    assert rules([Cue(0, 3000, "We went to see\nthe film together.")]) == []


def test_last_line_of_a_cue_is_not_a_line_break() -> None:
    assert rules([Cue(0, 3000, "We went to see the")]) == []


def test_finding_format_and_severity() -> None:
    found = qc.check([Cue(0, 2000, "One."), Cue(1000, 3000, "Two.")], BBC, path="captions/c1.srt")
    assert len(found) == 1
    assert str(found[0]) == (
        "captions/c1.srt:2:overlap: starts at 1.000 s while cue 1 is still on screen "
        "(until 2.000 s)"
    )
    assert found[0].severity == qc.ERROR


@pytest.mark.parametrize(
    ("rule", "severity"),
    [
        (qc.OVERLAP, "error"),
        (qc.OUT_OF_ORDER, "error"),
        (qc.TOO_MANY_LINES, "error"),
        (qc.LINE_TOO_LONG, "error"),
        (qc.BEYOND_CLIP_END, "error"),
        (qc.EMPTY_CUE, "error"),
        (qc.READING_RATE, "warning"),
        (qc.SHORT_GAP, "warning"),
        (qc.TOO_SHORT, "warning"),
        (qc.TOO_LONG, "warning"),
        (qc.BAD_LINE_BREAK, "warning"),
    ],
)
def test_rule_severity(rule: str, severity: str) -> None:
    assert qc.RULES[rule] == severity


def test_exit_semantics_errors_versus_warnings() -> None:
    warnings_only = qc.check([Cue(0, 500, "Hi."), Cue(540, 2000, "There.")], BBC)
    assert {f.rule for f in warnings_only} == {qc.TOO_SHORT, qc.SHORT_GAP}
    assert not qc.has_errors(warnings_only)  # the check command exits 0

    with_error = qc.check([Cue(0, 500, "Hi."), Cue(400, 2000, "")], BBC)
    assert qc.has_errors(with_error)  # the check command exits 1
    assert qc.has_errors(with_error) == any(f.severity == "error" for f in with_error)


def test_findings_come_in_cue_order_errors_first() -> None:
    cues = [Cue(0, 500, "x" * 40), Cue(100, 600, "")]
    found = qc.check(cues, BBC, clip_duration_ms=550)
    assert [(f.cue, f.severity) for f in found] == [
        (1, "error"),
        (1, "warning"),
        (2, "error"),
        (2, "error"),
        (2, "error"),
        (2, "warning"),
    ]


# --- control characters and negative durations (structural errors) ---------------------------


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\u202e", "\u2067"])
def test_a_control_character_is_an_error_naming_where_it_is(char: str) -> None:
    cues = [Cue(0, 2000, "Fine."), Cue(2000, 4000, f"Not\nfi{char}ne.")]
    found = qc.check(cues, BBC, path="clip.srt")
    assert [(f.cue, f.rule, f.severity) for f in found] == [(2, qc.CONTROL_CHARACTER, qc.ERROR)]
    assert "at line 2, column 3: a caption carries text only; remove it" in found[0].message
    assert char not in str(found[0]) and str(found[0]).startswith("clip.srt:2:control-character: ")


def test_every_control_character_in_a_cue_is_reported() -> None:
    found = qc.check([Cue(0, 2000, "\x00a\x00")], BBC)
    assert [(f.rule, f.message.split(":")[0]) for f in found] == [
        (qc.CONTROL_CHARACTER, "NUL (\\x00) at line 1, column 1"),
        (qc.CONTROL_CHARACTER, "NUL (\\x00) at line 1, column 3")]


def test_a_cue_ending_before_it_starts_is_an_error_not_too_short() -> None:
    found = qc.check([Cue(3000, 2000, "Backwards.")], BBC)
    assert [(f.rule, f.severity) for f in found] == [(qc.NEGATIVE_DURATION, qc.ERROR)]
    assert found[0].message == "ends at 2.000 s, before it starts (3.000 s)"


def test_structural_rules_are_errors() -> None:
    assert qc.STRUCTURAL_RULES == {qc.OVERLAP, qc.NEGATIVE_DURATION, qc.BEYOND_CLIP_END,
                                   qc.CONTROL_CHARACTER}
    assert all(qc.RULES[rule] == qc.ERROR for rule in qc.STRUCTURAL_RULES)


def test_a_finding_never_prints_a_control_character() -> None:
    finding = qc.Finding("clip.srt", 1, qc.LINE_TOO_LONG, qc.ERROR, "raw \x1b[2J text")
    assert str(finding) == "clip.srt:1:line-too-long: raw \\x1b[2J text"
