"""Caption segmentation: each step alone, each rule alone, each style, and golden files.

Golden files are in tests/captions/golden/segment/. After a deliberate change to segmentation,
regenerate them with ``COPROD_REGEN_GOLDEN=1 pytest tests/captions/test_segment.py`` and read
every changed cue against the style's rules before keeping them.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from captions.language import is_bad_end
from captions.model import Cue, Word
from captions.segment import (
    READING_LINGER_MS,
    allow_reading_time,
    break_lines,
    fits_one_cue,
    group_words,
    merge_short,
    normalise_words,
    reading_time_ms,
    segment,
    split_at_pauses,
    split_at_sentence_ends,
    split_by_length,
    time_cues,
    to_cues,
)
from captions.styles import STYLES, CaptionStyle, get_style

GOLDEN = Path(__file__).parent / "golden" / "segment"
BBC = get_style("bbc")
NETFLIX = get_style("netflix")
EASY_READ = get_style("easy-read")

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis"  # 45 letters, longer than any line

# JFK, inaugural address: the corpus sentence with plausible word timings (ms), Whisper-style
# leading spaces and punctuation attached. Pauses of about a second after each comma.
JFK = [
    (" And", 320, 520), (" so", 520, 780), (" my", 1100, 1260), (" fellow", 1260, 1600),
    (" Americans,", 1600, 2280), (" ask", 3300, 3700), (" not", 3760, 4300),
    (" what", 5000, 5260), (" your", 5260, 5480), (" country", 5480, 5900),
    (" can", 5900, 6080), (" do", 6080, 6260), (" for", 6260, 6440), (" you,", 6440, 7000),
    (" ask", 7900, 8240), (" what", 8300, 8520), (" you", 8520, 8680), (" can", 8680, 8860),
    (" do", 8860, 9060), (" for", 9060, 9260), (" your", 9260, 9500),
    (" country.", 9500, 10300),
]  # fmt: skip

# The words faster-whisper tiny.en gives for ../shared/corpus audio/whisper.cpp/jfk.wav: no
# commas, and words stretched over the pauses, as Whisper's real output is.
JFK_WHISPER_TINY = [
    (" And", 0, 740), (" so,", 740, 1060), (" my", 1380, 1420), (" fellow", 1420, 1760),
    (" Americans", 1760, 2260), (" ask", 2260, 3880), (" not", 3880, 4560),
    (" what", 4560, 5700), (" your", 5700, 6020), (" country", 6020, 6360),
    (" can", 6360, 6760), (" do", 6760, 7020), (" for", 7020, 7260), (" you", 7260, 8020),
    (" ask", 8020, 8660), (" what", 8660, 8940), (" you", 8940, 9280), (" can", 9280, 9500),
    (" do", 9500, 9720), (" for", 9720, 9920), (" your", 9920, 10220),
    (" country.", 10220, 10480),
]  # fmt: skip

# About 70 words from a contributor, with a 4-second pause ("||") in the middle.
PARAGRAPH = (
    "When I first came to the day centre, I didn't talk to anyone for weeks. The staff were "
    "patient with me, and they never pushed. Now I help run the Tuesday cooking group with two "
    "of the volunteers. || Making this film was the first time anyone asked me what I thought "
    "about the service. I want other people to know that it gets better, but only if someone "
    "listens."
)


def words_of(spec: Sequence[tuple[str, int, int]]) -> list[Word]:
    return [Word(start=s, end=e, text=t) for t, s, e in spec]


def spoken(text: str, start: int = 400) -> list[Word]:
    """Words with plausible timings: longer words take longer, commas and full stops pause."""
    words: list[Word] = []
    t = start
    for token in text.split():
        if token == "||":
            t += 4000
            continue
        duration = 90 + 55 * sum(ch.isalpha() for ch in token)
        words.append(Word(start=t, end=t + duration, text=" " + token))
        t += duration
        t += 700 if token[-1] in ".?!" else 250 if token[-1] == "," else 40
    return words


def evenly(text: str, start: int = 0, each: int = 300, gap: int = 0) -> list[Word]:
    """Words of ``each`` ms, ``gap`` ms apart."""
    out = []
    t = start
    for token in text.split():
        out.append(Word(start=t, end=t + each, text=token))
        t += each + gap
    return out


def render(cues: Sequence[Cue]) -> str:
    """Cues as SRT-like text with times in ms, independent of the caption formats module."""
    blocks = [f"{i}\n{c.start} --> {c.end}\n{c.text}\n" for i, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def check_golden(name: str, cues: Sequence[Cue]) -> None:
    path = GOLDEN / f"{name}.txt"
    text = render(cues)
    if os.environ.get("COPROD_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".txt.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    assert path.exists(), f"no golden file {path}; run with COPROD_REGEN_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


def texts(groups: Sequence[Sequence[Word]]) -> list[str]:
    return [" ".join(w.text for w in g) for g in groups]


def cue_words(cues: Sequence[Cue]) -> list[str]:
    return [word for c in cues for word in c.text.split()]


# ---------------------------------------------------------------------------------------------
# Hard rules, checked on every output (used by the rule tests and the random property test).


def assert_hard_rules(words: Sequence[Word], cues: Sequence[Cue], style: CaptionStyle) -> None:
    tidy = normalise_words(words)
    assert cue_words(cues) == [w for t in tidy for w in t.text.split()], "words lost or reordered"
    gap_ms = style.min_gap_ms
    pos = 0
    for i, cue in enumerate(cues):
        n = len(cue.text.split())
        first, last = tidy[pos], tidy[pos + n - 1]
        pos += n
        assert 1 <= len(cue.lines) <= style.max_lines, cue
        if n > 1:
            assert all(len(line) <= style.max_chars_per_line for line in cue.lines), cue
        assert cue.end > cue.start, cue
        assert cue.duration <= style.max_duration_ms, cue
        assert cue.start >= first.start - style.max_lead_ms, cue
        assert cue.end <= last.end + style.max_linger_ms, cue
        # The gap rule may move an edge by less than one gap, never more; a single word longer
        # than max_duration_ms is cut at the limit.
        spoken_end = min(last.end, first.start + style.max_duration_ms)
        assert cue.start <= first.start + gap_ms and cue.end >= spoken_end - gap_ms, cue
        if i + 1 < len(cues):
            gap = cues[i + 1].start - cue.end
            assert gap == 0 or gap >= gap_ms, (cue, cues[i + 1])
    for before, after in itertools.pairwise(tidy):
        if after.start - before.end >= style.pause_split_ms:
            for cue in cues:
                assert not (cue.start <= before.end and cue.end >= after.start), (
                    f"{cue} covers the pause {before.end}-{after.start}"
                )


# ---------------------------------------------------------------------------------------------
# Step: normalise_words


def test_normalise_strips_whisper_spaces_and_keeps_punctuation() -> None:
    out = normalise_words(words_of([(" Hello,", 0, 300), ("  world. ", 300, 600)]))
    assert [w.text for w in out] == ["Hello,", "world."]


def test_normalise_joins_punctuation_tokens_and_drops_empty_words() -> None:
    out = normalise_words(words_of([(" Hello", 0, 300), (" ,", 300, 310), (" ", 310, 320)]))
    assert [(w.text, w.start, w.end) for w in out] == [("Hello,", 0, 310)]


def test_normalise_orders_words_and_removes_overlap() -> None:
    out = normalise_words(words_of([(" two", 500, 900), (" one", 0, 700)]))
    assert [(w.text, w.start, w.end) for w in out] == [("one", 0, 500), ("two", 500, 900)]


def test_normalise_keeps_probability() -> None:
    assert normalise_words([Word(0, 100, " hi", 0.25)])[0].probability == 0.25


# ---------------------------------------------------------------------------------------------
# Step: split_at_pauses


def test_split_at_pauses_splits_at_exactly_the_pause_length() -> None:
    words = words_of([("a", 0, 100), ("b", 1600, 1700), ("c", 3199, 3300)])
    groups = split_at_pauses(words, 1500)
    assert texts(groups) == ["a", "b c"]  # 1500 ms splits, 1499 ms does not


def test_split_at_pauses_of_nothing_is_nothing() -> None:
    assert split_at_pauses([], 1500) == []


# ---------------------------------------------------------------------------------------------
# Step: split_at_sentence_ends


def test_split_at_sentence_ends() -> None:
    words = evenly("Is it? Yes! It is. Ask Mr. Smith, e.g. today... then go")
    assert texts(split_at_sentence_ends([words])) == [
        "Is it?",
        "Yes!",
        "It is.",
        "Ask Mr. Smith, e.g. today... then go",
    ]


# ---------------------------------------------------------------------------------------------
# Step: split_by_length


def test_split_by_length_leaves_a_fitting_group_alone() -> None:
    group = evenly("This fits on one line")
    assert split_by_length([group], BBC) == [group]


def test_split_by_length_cuts_at_the_comma() -> None:
    # 86 characters: too many for two 37-character lines. The comma is the clause boundary.
    text = "Everyone who came to the meeting last week, said the new rota was fairer for families"
    groups = split_by_length([evenly(text, each=200)], BBC)
    assert texts(groups) == [
        "Everyone who came to the meeting last week,",
        "said the new rota was fairer for families",
    ]


def test_split_by_length_cuts_before_a_conjunction_without_punctuation() -> None:
    text = "We cooked a big pot of soup for everyone in the hall and then we all sat down to eat"
    groups = split_by_length([evenly(text, each=200)], BBC)
    assert texts(groups)[1].startswith("and ")


def test_split_by_length_never_ends_a_cue_on_a_function_word() -> None:
    text = "I would like to thank all of the people at the centre for the help with the film today"
    groups = split_by_length([evenly(text, each=200)], BBC)
    assert len(groups) > 1
    for group, following in itertools.pairwise(groups):
        assert not is_bad_end([w.text for w in group], following[0].text), texts(groups)


def test_split_by_length_splits_a_group_longer_than_max_duration() -> None:
    # Few characters, but 10 s of slow speech: the 7 s limit forces a cut.
    group = evenly("I was, I was not sure", each=1000, gap=900)
    pieces = split_by_length([group], BBC)
    assert len(pieces) == 2
    assert all(p[-1].end - p[0].start <= BBC.max_duration_ms for p in pieces)
    assert texts(pieces) == ["I was,", "I was not sure"]


def test_split_by_length_puts_a_word_longer_than_a_line_alone() -> None:
    pieces = split_by_length([evenly(f"They called it {LONG_WORD} at school")], BBC)
    assert texts(pieces) == ["They called it", LONG_WORD, "at school"]
    assert all(fits_one_cue(p, BBC) for p in pieces)


# ---------------------------------------------------------------------------------------------
# Step: merge_short


def test_merge_short_joins_a_short_cue_to_its_closer_neighbour() -> None:
    yes = evenly("Yes.", start=0, each=300)
    rest = evenly("I think it went really well", start=400, each=250)
    merged = merge_short([yes, rest], BBC)
    assert texts(merged) == ["Yes. I think it went really well"]


def test_merge_short_prefers_the_neighbour_closer_in_time() -> None:
    before = evenly("We started at nine.", start=0, each=250)  # ends 1000
    ok = evenly("OK.", start=1200, each=200)  # 200 ms after "nine.", 60 ms before "And"
    after = evenly("And then we ate lunch", start=1460, each=250)
    merged = merge_short([before, ok, after], BBC)
    assert texts(merged) == ["We started at nine.", "OK. And then we ate lunch"]


def test_merge_short_leaves_a_cue_that_can_linger_into_silence() -> None:
    yes = evenly("Yes.", start=0, each=300)
    rest = evenly("I think so", start=1400, each=300)  # 1.1 s of silence: room to linger
    assert texts(merge_short([yes, rest], BBC)) == ["Yes.", "I think so"]


def test_merge_short_never_joins_across_a_pause() -> None:
    yes = evenly("Yes.", start=0, each=300)
    rest = evenly("I think so", start=300 + BBC.pause_split_ms, each=300)
    # Even for a style whose linger could not bridge the silence, the pause stays a boundary.
    strict = replace(BBC, max_linger_ms=100, max_lead_ms=100)
    assert texts(merge_short([yes, rest], strict)) == ["Yes.", "I think so"]


def test_merge_short_never_makes_a_cue_too_long() -> None:
    yes = evenly("Yes.", start=0, each=300)
    full = evenly(
        "and that is what we told them about the new rota on the Monday morning", start=310
    )
    assert texts(merge_short([yes, full], BBC)) == [
        "Yes.",
        "and that is what we told them about the new rota on the Monday morning",
    ]


# ---------------------------------------------------------------------------------------------
# Step: break_lines


def test_break_lines_keeps_a_short_cue_on_one_line() -> None:
    assert break_lines("Thank you for coming".split(), BBC) == "Thank you for coming"


def test_break_lines_balances_two_lines() -> None:
    text = break_lines("and they never pushed me to do anything I did not want".split(), BBC)
    top, bottom = text.split("\n")
    assert abs(len(top) - len(bottom)) <= 12, text


def test_break_lines_prefers_punctuation() -> None:
    text = break_lines("The staff were patient with me, and they never pushed.".split(), BBC)
    assert text == "The staff were patient with me,\nand they never pushed."


def test_break_lines_never_ends_a_line_on_a_function_word_when_it_can_avoid_it() -> None:
    # The most balanced break is after "the"; it must not be chosen.
    text = break_lines("We all went down to the big old market in the town".split(), BBC)
    first = text.split("\n")[0].split()
    assert not is_bad_end(first), text


def test_break_lines_uses_a_bad_end_only_when_nothing_else_fits() -> None:
    # "the" fits after the 30-letter word but not before the 34-letter one: the only layout
    # within 37 characters ends a line on "the".
    first, second = "A" * 30, "B" * 34
    assert break_lines([first, "the", second], BBC) == f"{first} the\n{second}"


def test_break_lines_differs_by_profile() -> None:
    words = "I want other people to know that it gets better, but only if someone listens".split()
    layouts = {name: break_lines(words, p) for name, p in STYLES.items()}
    for name, layout in layouts.items():
        assert all(len(line) <= STYLES[name].max_chars_per_line for line in layout.split("\n"))
    assert len(set(layouts.values())) == 3, layouts


def test_break_lines_puts_a_long_word_alone() -> None:
    assert break_lines(["See", LONG_WORD, "now"], BBC) == f"See\n{LONG_WORD}\nnow"
    assert break_lines([LONG_WORD], BBC) == LONG_WORD


def _valid_layouts(words: Sequence[str], style: CaptionStyle) -> list[list[list[str]]]:
    """Every layout with the fewest lines that fits (brute force, for checking break_lines)."""
    for lines in range(1, style.max_lines + 1):
        found = []
        for cuts in itertools.combinations(range(1, len(words)), lines - 1):
            bounds = (0, *cuts, len(words))
            layout = [list(words[a:b]) for a, b in itertools.pairwise(bounds)]
            if all(len(" ".join(line)) <= style.max_chars_per_line for line in layout):
                found.append(layout)
        if found:
            return found
    return []


def _bad_ends(layout: Sequence[Sequence[str]]) -> int:
    return sum(is_bad_end(line, nxt[0]) for line, nxt in itertools.pairwise(layout))


VOCAB = (
    "the a an of to in for with and but because I we they you it my your "
    "film centre staff people cooking group Tuesday service better listens talk weeks "
    "patient volunteers asked thought everyone community transport afternoon"
).split()


@pytest.mark.parametrize("seed", range(60))
def test_break_lines_avoids_bad_ends_whenever_a_layout_does(seed: int) -> None:
    rng = random.Random(seed)
    style = [BBC, NETFLIX, EASY_READ][seed % 3]
    words = [rng.choice(VOCAB) for _ in range(rng.randint(4, 12))]
    layouts = _valid_layouts(words, style)
    if not layouts:
        return
    chosen = [line.split() for line in break_lines(words, style).split("\n")]
    assert chosen in layouts
    assert _bad_ends(chosen) == min(_bad_ends(layout) for layout in layouts), chosen


# ---------------------------------------------------------------------------------------------
# Step: to_cues and time_cues


def test_to_cues_times_each_cue_to_its_words() -> None:
    groups = [evenly("Hello there.", start=100), evenly("Bye.", start=2000)]
    assert to_cues(groups, BBC) == [Cue(100, 700, "Hello there."), Cue(2000, 2300, "Bye.")]


def test_time_cues_extends_a_short_cue_to_min_duration_by_lingering() -> None:
    cues = time_cues([Cue(1000, 1300, "Yes."), Cue(5000, 6000, "Later.")], BBC)
    assert cues[0] == Cue(1000, 1000 + BBC.min_duration_ms, "Yes.")
    assert cues[1] == Cue(5000, 6000, "Later.")


def test_time_cues_linger_stops_at_the_next_cue() -> None:
    cues = time_cues([Cue(1000, 1300, "Yes."), Cue(1500, 3000, "Go on.")], BBC)
    assert cues[0].end == 1500  # touching: no gap, which is allowed
    assert cues[1].start == 1500


def test_time_cues_never_lingers_beyond_max_linger() -> None:
    style = replace(EASY_READ, max_linger_ms=500, max_lead_ms=0)
    cues = time_cues([Cue(1000, 1100, "Oh.")], style)
    assert cues[0].end == 1100 + 500


def test_time_cues_leads_when_it_cannot_linger() -> None:
    cues = time_cues(
        [Cue(0, 2000, "Before."), Cue(3000, 3300, "Yes."), Cue(3300, 5000, "Go.")], BBC
    )
    assert cues[1].end == 3300
    assert cues[1].start == 3300 - BBC.min_duration_ms
    assert cues[1].start >= 3000 - BBC.max_lead_ms


def test_time_cues_never_leads_beyond_max_lead() -> None:
    style = replace(BBC, max_lead_ms=200)
    cues = time_cues([Cue(3000, 3300, "Yes."), Cue(3300, 5000, "Go.")], style)
    assert cues[0].start == 2800


def test_time_cues_closes_a_gap_smaller_than_min_gap() -> None:
    assert BBC.min_gap_ms == 80
    cues = time_cues([Cue(0, 2000, "One."), Cue(2050, 4000, "Two.")], BBC)
    assert cues[0].end == 2050  # touching


def test_time_cues_keeps_a_gap_of_min_gap_or_more() -> None:
    cues = time_cues([Cue(0, 2000, "One."), Cue(2080, 4000, "Two.")], BBC)
    assert cues[0].end == 2000


def test_time_cues_pulls_apart_when_closing_would_exceed_max_duration() -> None:
    cues = time_cues([Cue(0, 7000, "Long."), Cue(7030, 9000, "Next.")], BBC)
    assert cues[0].end == 7030 - BBC.min_gap_ms
    assert cues[1].start == 7030


def test_time_cues_never_fills_a_whole_pause() -> None:
    # Lingering 1.5 s after "Oh." would reach "Well." across a 1.5 s pause and touch it; a
    # silence that long must show no caption for at least a moment.
    style = replace(EASY_READ, min_duration_ms=2500)
    cues = time_cues([Cue(0, 100, "Oh."), Cue(1600, 3000, "Well.")], style)
    assert cues[0].end == 1600 - style.min_gap_ms
    assert cues[1].start == 1600


def test_time_cues_cuts_a_single_overlong_word_at_max_duration() -> None:
    cues = time_cues([Cue(0, 9000, "Sooo.")], BBC)
    assert cues == [Cue(0, BBC.max_duration_ms, "Sooo.")]


def test_time_cues_never_starts_before_zero() -> None:
    assert time_cues([Cue(100, 200, "Hi.")], BBC)[0].start >= 0


# Step: allow_reading_time

FAST = "ask what you can do for your country."  # 8 words: 2667 ms at 180 wpm


def test_reading_time_follows_the_styles_rate() -> None:
    assert reading_time_ms(FAST, BBC) == 2667
    assert reading_time_ms("one\ntwo", NETFLIX) == 300  # 6 characters (QC's count) at 20/s
    assert reading_time_ms(FAST, EASY_READ) == 3693  # 130 wpm


def test_allow_reading_time_lets_a_fast_cue_stay_up_into_the_pause() -> None:
    words = evenly(FAST, start=1000, each=200)  # spoken in 1.6 s: 300 wpm
    cues = time_cues(to_cues([words], BBC), BBC)
    assert cues == [Cue(1000, 2600, FAST)]
    out = allow_reading_time(cues, [words], BBC)
    assert out == [Cue(1000, 2600 + READING_LINGER_MS, FAST)]  # about a second, no more


def test_allow_reading_time_stops_when_the_cue_can_be_read() -> None:
    words = evenly(FAST, start=0, each=280)  # 2240 ms: needs 427 ms more
    out = allow_reading_time(time_cues(to_cues([words], BBC), BBC), [words], BBC)
    assert out[0].end == reading_time_ms(FAST, BBC)


def test_allow_reading_time_never_reaches_the_next_speech() -> None:
    first = evenly(FAST, start=0, each=200)
    second = evenly("Then we left.", start=1900, each=400)
    cues = time_cues(to_cues([first, second], BBC), BBC)
    out = allow_reading_time(cues, [first, second], BBC)
    assert out[0].end == second[0].start - BBC.min_gap_ms  # the gap rule still holds
    assert out[1] == cues[1]


def test_allow_reading_time_leaves_a_cue_touching_the_next_alone() -> None:
    first = evenly(FAST, start=0, each=200)
    second = evenly("Then we left.", start=1600, each=400)
    cues = time_cues(to_cues([first, second], BBC), BBC)
    assert allow_reading_time(cues, [first, second], BBC) == cues


def test_allow_reading_time_leaves_readable_cues_and_starts_alone() -> None:
    words = evenly("Slowly now.", start=500, each=600)
    cues = time_cues(to_cues([words], BBC), BBC)
    assert allow_reading_time(cues, [words], BBC) == cues
    fast = evenly(FAST, start=500, each=200)
    assert allow_reading_time([Cue(300, 2100, FAST)], [fast], BBC)[0].start == 300


def test_allow_reading_time_keeps_max_duration_and_the_styles_linger() -> None:
    style = replace(BBC, max_duration_ms=2000, max_linger_ms=300)
    words = evenly(FAST, start=0, each=200)
    out = allow_reading_time([Cue(0, 1600, FAST)], [words], style)
    assert out[0].end == 1600 + 300
    style = replace(BBC, max_duration_ms=1800)
    assert allow_reading_time([Cue(0, 1600, FAST)], [words], style)[0].end == 1800


def test_segment_gives_fast_speech_time_to_read_where_a_pause_follows() -> None:
    fast = evenly("so we went down to the river and sat there.", start=0, each=150)
    later = evenly("Later we walked home.", start=fast[-1].end + 3000, each=300)
    cues = segment(fast + later, BBC)
    assert cues[0].end > fast[-1].end  # stays up into the pause
    assert cues[0].end <= fast[-1].end + READING_LINGER_MS
    assert_hard_rules(fast + later, cues, BBC)
    assert [c.text for c in cues] == [c.text for c in
                                      time_cues(to_cues(group_words(fast + later, BBC), BBC),
                                                BBC)]


# ---------------------------------------------------------------------------------------------
# The whole chain: one rule at a time.


def test_segment_of_nothing_is_nothing() -> None:
    assert segment([], BBC) == []
    assert segment(words_of([(" ", 0, 100)]), BBC) == []


def test_segment_starts_a_new_cue_at_every_pause() -> None:
    words = evenly("we waited", start=0) + evenly("and waited", start=600 + BBC.pause_split_ms)
    cues = segment(words, BBC)
    assert [c.text for c in cues] == ["we waited", "and waited"]
    assert_hard_rules(words, cues, BBC)
    check_golden("pause_split_bbc", cues)


def test_segment_prefers_sentence_ends() -> None:
    # Both sentences would fit one two-line cue; each gets its own.
    words = spoken("We made the film together. Everyone had a say in the edit.")
    cues = segment(words, BBC)
    assert [c.text for c in cues] == [
        "We made the film together.",
        "Everyone had a say in the edit.",
    ]


def test_segment_merges_a_short_sentence_into_the_next() -> None:
    words = evenly("Yes.", start=0, each=300) + evenly("I think it went well.", start=350)
    cues = segment(words, BBC)
    assert [c.text for c in cues] == ["Yes. I think it went well."]


def test_segment_line_length_per_profile() -> None:
    words = spoken(PARAGRAPH)
    for style in STYLES.values():
        cues = segment(words, style)
        assert max(len(line) for c in cues for line in c.lines) <= style.max_chars_per_line
        assert max(len(c.lines) for c in cues) <= style.max_lines


def test_segment_profiles_break_the_same_words_differently() -> None:
    words = spoken(PARAGRAPH)
    renders = {name: render(segment(words, p)) for name, p in STYLES.items()}
    assert len(set(renders.values())) == 3


def test_segment_has_no_bad_line_ends_on_real_speech() -> None:
    for spec in (words_of(JFK), words_of(JFK_WHISPER_TINY), spoken(PARAGRAPH)):
        for style in STYLES.values():
            cues = segment(spec, style)
            for cue in cues:
                for line, nxt in itertools.pairwise(cue.lines):
                    assert not is_bad_end(line.split(), nxt.split()[0]), cue


def test_segment_meets_min_duration_where_there_is_room() -> None:
    words = evenly("Yes.", start=1000, each=200) + evenly("Right then.", start=4000)
    cues = segment(words, EASY_READ)
    assert cues[0].duration == EASY_READ.min_duration_ms


def test_segment_splits_by_max_duration() -> None:
    words = evenly("one two three four five six seven eight nine ten", each=600, gap=300)
    cues = segment(words, BBC)
    assert len(cues) == 2
    assert all(c.duration <= BBC.max_duration_ms for c in cues)
    assert_hard_rules(words, cues, BBC)


def test_segment_gap_rule() -> None:
    # 40 ms between sentences: closed (touching); 300 ms: kept.
    words = (
        evenly("We started.", start=0, each=500)
        + evenly("Then stopped.", start=1040, each=500)
        + evenly("And went home.", start=2340, each=500)
    )
    cues = segment(words, BBC)
    assert [(c.start, c.end) for c in cues] == [(0, 1040), (1040, 2040), (2340, 3840)]
    assert_hard_rules(words, cues, BBC)


def test_segment_lead_and_linger_limits() -> None:
    words = evenly("Oh.", start=5000, each=100)
    cues = segment(words, replace(EASY_READ, max_linger_ms=400, max_lead_ms=300))
    assert cues == [Cue(4700, 5500, "Oh.")]


def test_segment_long_word_stands_alone() -> None:
    words = spoken(f"They called it {LONG_WORD} at school.")
    cues = segment(words, BBC)
    assert any(c.text == LONG_WORD for c in cues)
    assert_hard_rules(words, cues, BBC)
    check_golden("long_word_bbc", cues)


def test_segment_is_deterministic() -> None:
    words = spoken(PARAGRAPH)
    assert segment(words, BBC) == segment(list(words), BBC)


# ---------------------------------------------------------------------------------------------
# Realistic speech against golden files.


@pytest.mark.parametrize("name", sorted(STYLES))
def test_golden_jfk(name: str) -> None:
    words = words_of(JFK)
    cues = segment(words, STYLES[name])
    assert_hard_rules(words, cues, STYLES[name])
    check_golden(f"jfk_{name}", cues)


def test_golden_jfk_whisper_tiny_bbc() -> None:
    words = words_of(JFK_WHISPER_TINY)
    cues = segment(words, BBC)
    assert_hard_rules(words, cues, BBC)
    check_golden("jfk_whisper_tiny_bbc", cues)


@pytest.mark.parametrize("name", sorted(STYLES))
def test_golden_paragraph_with_pause(name: str) -> None:
    words = spoken(PARAGRAPH)
    assert len(words) >= 60
    cues = segment(words, STYLES[name])
    assert_hard_rules(words, cues, STYLES[name])
    # The 4-second pause falls between "volunteers." and "Making": a cue ends on one side.
    assert any(c.text.endswith("volunteers.") for c in cues)
    assert any(c.text.startswith("Making") for c in cues)
    check_golden(f"paragraph_{name}", cues)


# ---------------------------------------------------------------------------------------------
# Property: random words always give cues within the hard rules.

RANDOM_VOCAB = VOCAB + ["it's", "don't", "Mr.", "OK", "yes", "no", "well", "so", "that"]


def random_words(rng: random.Random) -> list[Word]:
    words: list[Word] = []
    t = rng.randint(0, 3000)
    for _ in range(rng.randint(1, 80)):
        text = rng.choice(RANDOM_VOCAB)
        roll = rng.random()
        if roll < 0.02:
            text = LONG_WORD
        elif roll < 0.12:
            text += ","
        elif roll < 0.2:
            text += rng.choice(".?!")
        duration = rng.randint(30, 900) if rng.random() > 0.01 else rng.randint(7000, 9000)
        words.append(Word(start=t, end=t + duration, text=" " + text))
        t += duration
        kind = rng.random()
        if kind < 0.15:
            t += 0
        elif kind < 0.8:
            t += rng.randint(1, 300)
        elif kind < 0.9:
            t += rng.randint(300, 1499)
        elif kind < 0.95:
            t += 1500
        else:
            t += rng.randint(1500, 6000)
    return words


@pytest.mark.parametrize("seed", range(150))
def test_random_words_always_meet_the_hard_rules(seed: int) -> None:
    rng = random.Random(seed)
    style = list(STYLES.values())[seed % 3]
    words = random_words(rng)
    cues = segment(words, style)
    assert_hard_rules(words, cues, style)
    # Time to read never keeps a cue up more than about a second after its speech, and only
    # ever lengthens a cue.
    groups = group_words(words, style)
    timed = time_cues(to_cues(groups, style), style)
    for cue, before, group in zip(cues, timed, groups, strict=True):
        assert cue.start == before.start and cue.end >= before.end
        if cue.end > before.end:
            assert cue.end - group[-1].end <= READING_LINGER_MS, (cue, group[-1])
