"""What a reviewer changed relative to the machine draft."""

from __future__ import annotations

from pathlib import Path

from captions import diff
from captions.diff import Change, diff_tracks, format_diff
from captions.model import Cue

GOLDEN = Path(__file__).parent / "golden"

DRAFT = [
    Cue(1000, 2000, "Hello, I'm Sam."),
    Cue(2000, 4500, "We went to their house\nto make the film."),
    Cue(5000, 9000, "It was um really good and\nwe all learned a lot"),
    Cue(9500, 11000, "Thank you."),
    Cue(12000, 13000, "[laughs]\nBrilliant."),
]

EDITED = [
    Cue(0, 900, "♪ Music ♪"),
    Cue(1000, 2000, "Hello, I'm Sam."),
    Cue(1800, 4500, "We went to there house\nto make the film."),
    Cue(5000, 7000, "It was really good"),
    Cue(7000, 9000, "and we all\nlearned so much."),
    Cue(9500, 11000, "Thank you very much."),
]


def kinds(changes: list[Change]) -> list[tuple[str, int | None]]:
    return [(change.kind, change.cue) for change in changes]


def test_review_reads_like_the_golden_file() -> None:
    text = format_diff(
        diff_tracks(DRAFT, EDITED),
        draft_name="clip-01.whisper.srt",
        edited_name="clip-01.srt",
    )
    assert text == (GOLDEN / "diff.txt").read_text(encoding="utf-8")


def test_no_change_is_an_empty_list() -> None:
    assert diff_tracks(DRAFT, list(DRAFT)) == []
    assert format_diff([], draft_name="a.srt", edited_name="b.srt") == (
        "No changes: b.srt matches the machine draft a.srt.\n"
    )


def test_line_breaks_alone_are_not_word_changes() -> None:
    edited = [Cue(c.start, c.end, c.text.replace("\n", " ")) for c in DRAFT]
    assert diff_tracks(DRAFT, edited) == []


def test_word_replaced_is_reported_where_it_sits() -> None:
    draft = [Cue(0, 2000, "A first cue."), Cue(7200, 9000, "I saw their film.")]
    edited = [Cue(0, 2000, "A first cue."), Cue(7200, 9000, "I saw there film.")]
    changes = diff_tracks(draft, edited)
    assert [str(change) for change in changes] == ['cue 2 (00:00:07.200): "their" -> "there"']
    assert (changes[0].before, changes[0].after, changes[0].draft_cue) == ("their", "there", 2)


def test_inserted_and_deleted_words() -> None:
    draft = [Cue(0, 2000, "So um we made it")]
    edited = [Cue(0, 2000, "So we made it together")]
    assert [str(change) for change in diff_tracks(draft, edited)] == [
        'cue 1 (00:00:00.000): deleted "um"',
        'cue 1 (00:00:00.000): added "together"',
    ]


def test_start_and_end_moved() -> None:
    changes = diff_tracks([Cue(1000, 3000, "Hi.")], [Cue(1200, 2500, "Hi.")])
    assert kinds(changes) == [(diff.RETIMED, 1)]
    assert changes[0].detail == (
        "start 00:00:01.000 -> 00:00:01.200 (0.2 s later); "
        "end 00:00:03.000 -> 00:00:02.500 (0.5 s earlier)"
    )


def test_split() -> None:
    changes = diff_tracks(
        [Cue(0, 4000, "One two three four")],
        [Cue(0, 2000, "One two"), Cue(2000, 4000, "three four")],
    )
    assert kinds(changes) == [(diff.SPLIT, 1)]
    assert changes[0].detail == "draft cue 1 split into cues 1 and 2"


def test_merge() -> None:
    changes = diff_tracks(
        [Cue(0, 2000, "One two"), Cue(2000, 4000, "three four"), Cue(4000, 5000, "five")],
        [Cue(0, 5000, "One two three four five")],
    )
    assert kinds(changes) == [(diff.MERGED, 1)]
    assert changes[0].detail == "draft cues 1-3 merged into this cue"


def test_words_moved_between_cues() -> None:
    changes = diff_tracks(
        [Cue(0, 2000, "One two three"), Cue(2000, 4000, "four five")],
        [Cue(0, 1500, "One two"), Cue(1500, 4000, "three four five")],
    )
    assert [str(change) for change in changes] == [
        "cue 1 (00:00:00.000): words moved between cues 1 and 2",
        "cue 1 (00:00:00.000): end 00:00:02.000 -> 00:00:01.500 (0.5 s earlier)",
        "cue 2 (00:00:01.500): start 00:00:02.000 -> 00:00:01.500 (0.5 s earlier)",
    ]


def test_cue_added_and_removed_are_reported_whole() -> None:
    changes = diff_tracks(
        [Cue(0, 1000, "Keep."), Cue(5000, 6000, "Drop this one.")],
        [Cue(0, 1000, "Keep."), Cue(2000, 3000, "")],
    )
    assert [str(change) for change in changes] == [
        "cue 2 (00:00:02.000): new cue (until 00:00:03.000): (no text)",
        'draft cue 2 (00:00:05.000): cue removed (was until 00:00:06.000): "Drop this one."',
    ]


def test_rewritten_cue_is_still_the_same_cue() -> None:
    changes = diff_tracks(
        [Cue(0, 1000, "Keep."), Cue(1000, 2000, "mumble garble")],
        [Cue(0, 1000, "Keep."), Cue(1000, 2500, "Clear words")],
    )
    assert [change.kind for change in changes] == [diff.REPLACED, diff.RETIMED]


def test_everything_removed() -> None:
    changes = diff_tracks(DRAFT, [])
    assert [change.kind for change in changes] == [diff.REMOVED] * len(DRAFT)
    assert all(change.cue is None for change in changes)


def test_control_characters_in_changes_are_shown_escaped() -> None:
    edited = [Cue(0, 1000, "Hello \x1b[2Jthere\u202e.")]
    changes = diff_tracks([Cue(0, 1000, "Hello there.")], edited)
    text = format_diff(changes, draft_name="draft", edited_name="clip.srt")
    assert "\\x1b[2J" in text and "\\u202e" in text
    assert "\x1b" not in text and "\u202e" not in text
