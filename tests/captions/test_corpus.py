"""Every caption file in ../shared/corpus/subs, read as a contributor's edited file would be.

The expectations come from the corpus README (what each upstream project's tests assert). A
file added to the corpus is picked up by the glob and fails until it is given an expectation.
Without the corpus every test here skips, naming where it looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pysrt  # type: ignore[import-untyped]
import pytest

from captions.exceptions import CaptionError, CaptionParseError
from captions.formats import dumps, load, loads, save
from captions.model import Cue, Span, Style
from captions.styling import without_voices
from tests.conftest import CORPUS

SUBS = CORPUS / "subs"

pytestmark = pytest.mark.usefixtures("corpus")


@dataclass(frozen=True)
class Loads:
    """The file loads with this many cues."""

    cues: int


@dataclass(frozen=True)
class Fails:
    """The file is refused with a CaptionParseError on this line, the reason containing this."""

    line: int
    reason: str


@dataclass(frozen=True)
class Refused:
    """Not SRT or WebVTT: refused with a CaptionError naming the format."""

    format_name: str


EXPECTED: dict[str, Loads | Fails | Refused] = {
    "pysrt/bom-utf-8.srt": Loads(7),
    "pysrt/bom-utf-16-le.srt": Loads(7),
    "pysrt/bom-utf-16-be.srt": Loads(7),
    "pysrt/bom-utf-32-le.srt": Loads(7),
    "pysrt/bom-utf-32-be.srt": Loads(7),
    "pysrt/capability_tester.srt": Loads(37),
    "pysrt/empty.srt": Loads(7),
    "pysrt/invalid.srt": Fails(2, "bad start time '00:00:01'"),
    "pysrt/no-indexes.srt": Loads(7),
    "pysrt/utf-8.srt": Loads(1332),
    "pysrt/windows-1252.srt": Loads(1332),
    "srt/ascii.srt": Loads(3),
    "srt/gb2312.srt": Fails(3, "not UTF-8 and does not look like Windows-1252"),
    "webvtt-py/captions_with_bom.vtt": Loads(4),
    "webvtt-py/comments.vtt": Loads(3),
    "webvtt-py/cue_tags.vtt": Loads(3),
    "webvtt-py/empty.vtt": Fails(1, "empty file"),
    "webvtt-py/no_captions.vtt": Loads(0),
    "webvtt-py/invalid.vtt": Fails(1, "the first line must be 'WEBVTT'"),
    "webvtt-py/invalid_timeframe.vtt": Fails(6, "bad end time '00:00:1d.890'"),
    # Lenient on purpose: a '.' for ',' in an SRT time is unambiguous (README: may accept).
    "webvtt-py/invalid_timeframe.srt": Loads(5),
    "webvtt-py/invalid_timeframe_in_cue_text.vtt": Loads(4),
    "webvtt-py/invalid_format4.srt": Fails(1, "text before the first timing line"),
    "webvtt-py/missing_caption_text.vtt": Loads(5),
    # webvtt-py drops the empty cue (4); coprod keeps empty cues so QC can report them.
    "webvtt-py/missing_caption_text.srt": Loads(5),
    "webvtt-py/missing_timeframe.vtt": Fails(6, "no timing line"),
    "webvtt-py/missing_timeframe.srt": Fails(6, "expected the timing line of cue 2"),
    "webvtt-py/metadata_headers_multiline.vtt": Loads(2),
    "webvtt-py/using_identifiers.vtt": Loads(6),
    "webvtt-py/styles.vtt": Loads(1),
    "webvtt-py/youtube_dl.vtt": Loads(4),
    "webvtt-py/netflix_chicas_del_cable.vtt": Loads(865),
    "webvtt-py/teams_timeframe.vtt": Loads(2),
    "webvtt-py/styles2.vtt": Loads(6),
    "webvtt-py/styles2.srt": Loads(6),
    "webvtt-py/sample_hls.vtt": Loads(16),
    "pysubs2/vtt_example.vtt": Loads(11),
    "pysubs2/ttml_example2.ttml": Refused("TTML"),
    "pysubs2/ttml_example_apple.ttml": Refused("TTML"),
    "pysubs2/subtitle_with_attached_images_aegisub.ass": Refused("ASS/SSA"),
    "pysubs2/subtitle_with_attached_fonts_no_events.ass": Refused("ASS/SSA"),
}


def corpus_file(name: str) -> Path:
    return SUBS / name


def test_every_corpus_file_has_an_expectation() -> None:
    files = [p.relative_to(SUBS).as_posix() for p in sorted(SUBS.glob("**/*"))
             if p.is_file() and p.suffix != ".md"]
    new = [name for name in files if name not in EXPECTED]
    assert new == [], f"new corpus files {new}: add their expected outcomes to EXPECTED"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_corpus_file(name: str) -> None:
    path = corpus_file(name)
    expected = EXPECTED[name]
    if isinstance(expected, Loads):
        cues = load(path)
        assert len(cues) == expected.cues
        # Whatever was read writes out and reads back unchanged, styling included, in both
        # formats (SRT has no voices: they are the one thing it cannot carry).
        for fmt in ("srt", "vtt"):
            if cues or fmt == "vtt":
                text = dumps(cues, fmt)
                kept = cues if fmt == "vtt" else [without_voices(cue) for cue in cues]
                assert loads(text, fmt) == kept
                assert dumps(loads(text, fmt), fmt) == text
    elif isinstance(expected, Fails):
        with pytest.raises(CaptionParseError) as caught:
            load(path)
        assert caught.value.line == expected.line
        assert expected.reason in caught.value.reason
        assert str(caught.value).startswith(f"{path}:{expected.line}: ")
    else:
        with pytest.raises(CaptionError) as refused:
            load(path)
        assert not isinstance(refused.value, CaptionParseError)
        assert expected.format_name in str(refused.value)
        assert "SubRip (.srt) and WebVTT (.vtt)" in str(refused.value)


def test_expectations_name_only_existing_files() -> None:
    missing = [name for name in EXPECTED if not corpus_file(name).is_file()]
    assert missing == []


# --- pysrt's files ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_bom_variants_read_like_utf8(variant: str) -> None:
    assert load(corpus_file(f"pysrt/bom-{variant}.srt")) == load(corpus_file("pysrt/bom-utf-8.srt"))


def test_bom_does_not_stick_to_the_first_cue() -> None:
    first = load(corpus_file("pysrt/bom-utf-8.srt"))[0]
    assert first == Cue(
        6500, 9000, "About 2 months ago I found myself on\nthe comment section of YouTube"
    )


def test_no_indexes_reads_like_the_indexed_file() -> None:
    assert load(corpus_file("pysrt/no-indexes.srt")) == load(corpus_file("pysrt/bom-utf-8.srt"))


def test_empty_cue_bodies_are_kept_not_merged() -> None:
    cues = load(corpus_file("pysrt/empty.srt"))
    assert [cue.text for cue in cues[2:4]] == ["", ""]
    assert [(cue.start, cue.end) for cue in cues[2:5]] == [
        (19000, 24000),
        (25000, 31000),
        (31000, 36000),
    ]


def test_capability_tester_specifics() -> None:
    cues = load(corpus_file("pysrt/capability_tester.srt"))
    by_number = {number: cue for number, cue in enumerate(cues, start=1)}
    assert (by_number[1].start, by_number[1].end) == (0, 0)  # zero-length kept
    assert (by_number[3].start, by_number[3].end) == (4500, 4500)
    assert by_number[2].lines[1].startswith("Use VLC 1.1")  # <b><i> removed
    assert by_number[2].lines[2] == "This text should be blue"  # <font color> removed
    assert by_number[5].lines[:2] == ["This should be an E with an accent: È", "日本語"]
    assert "2<3,5>1,4<6" in by_number[8].text  # stray '<' and '>' are text
    assert by_number[10] == Cue(21501, 22500, "This text should NOT be in the normal position")
    assert by_number[11].lines[1] == "This text should be at the"  # {\an8} removed
    assert by_number[15].lines[1] == "middle and horizontally at the left"
    assert by_number[29].lines[0] == "Hide these tags:"
    assert by_number[33].lines[-1] == "^--Forced line break"  # \N
    assert by_number[31].lines[0] == "\u00a0" * 5 + "A (05 hard spaces followed by a letter)"
    assert by_number[31].lines[1] == "A (Normal  spaces followed by a letter)"  # trimmed
    # Same times and overlaps are kept as they are; QC reports them.
    assert by_number[11].start == by_number[12].start == by_number[13].start
    assert by_number[22].start < by_number[21].end


def test_utf8_and_windows_1252_give_identical_texts(tmp_path: Path) -> None:
    utf8 = load(corpus_file("pysrt/utf-8.srt"))
    cp1252 = load(corpus_file("pysrt/windows-1252.srt"))
    assert cp1252 == utf8
    assert utf8[1].lines == ["CE FILM RELATE DES ÉVÉNEMENTS", "QUI ONT EXISTÉ."]
    # Re-saved as UTF-8 with LF, the Windows-1252 file is the same as the re-saved UTF-8 one.
    save(cp1252, tmp_path / "a.srt")
    save(utf8, tmp_path / "b.srt")
    assert (tmp_path / "a.srt").read_bytes() == (tmp_path / "b.srt").read_bytes()
    assert b"\r" not in (tmp_path / "a.srt").read_bytes()


def test_utf8_file_agrees_with_pysrt() -> None:
    # pysrt, the project's SRT library, read independently: same times and text, cue by cue.
    ours = load(corpus_file("pysrt/utf-8.srt"))
    theirs = pysrt.open(str(corpus_file("pysrt/utf-8.srt")), encoding="utf-8")
    assert [(c.start, c.end, c.text) for c in ours] == [
        (item.start.ordinal, item.end.ordinal, item.text) for item in theirs
    ]
    assert sum(cue.end < 3_723_004 for cue in ours) == 872  # pysrt's slicing test


def test_utf8_file_read_as_ascii_fails() -> None:
    with pytest.raises(CaptionParseError, match="not valid ascii"):
        load(corpus_file("pysrt/utf-8.srt"), encoding="ascii")


def test_windows_1252_file_read_as_utf8_fails() -> None:
    with pytest.raises(CaptionParseError) as caught:
        load(corpus_file("pysrt/windows-1252.srt"), encoding="utf-8")
    assert caught.value.line == 7  # 'ÉVÉNEMENTS' in the first real cue


# --- cdown/srt's files -----------------------------------------------------------------------


def test_index_gaps() -> None:
    cues = load(corpus_file("srt/ascii.srt"))
    assert cues == [
        Cue(27000, 30730, "ascii"),
        Cue(31500, 34100, "oh look"),
        Cue(34100, 36570, "ascii everywhere"),
    ]


def test_gb2312_with_its_encoding_given() -> None:
    path = corpus_file("srt/gb2312.srt")
    cues = load(path, encoding="gb2312")
    raw_lines = path.read_bytes().decode("gb2312").split("\n")
    assert [cue.text for cue in cues] == [raw_lines[2], raw_lines[6], raw_lines[10]]
    assert [cue.start for cue in cues] == [27000, 31500, 34100]


# --- webvtt-py's files -----------------------------------------------------------------------


def test_comments_vtt() -> None:
    cues = load(corpus_file("webvtt-py/comments.vtt"))
    assert cues[0].lines == ["- Ta en kopp varmt te.", "- Det är inte varmt."]
    assert cues[1].lines[1] == "- Det smakar som te."  # trailing spaces trimmed
    assert cues[2].text == "- Ta en kopp"


def test_cue_tags_vtt() -> None:
    cues = load(corpus_file("webvtt-py/cue_tags.vtt"))
    assert cues[0] == Cue(16500, 18500, "When the moon hits your eye")
    assert cues[1].text == "Like a big-a pizza pie"
    assert cues[2].text == "That's amore"


def test_duplicated_timing_line_starts_an_empty_cue() -> None:
    cues = load(corpus_file("webvtt-py/invalid_timeframe_in_cue_text.vtt"))
    assert cues[1] == Cue(7000, 10890, "")
    assert cues[2] == Cue(7000, 10890, "Caption text #2")


def test_missing_caption_text_keeps_the_empty_cue() -> None:
    for name in ("missing_caption_text.vtt", "missing_caption_text.srt"):
        cues = load(corpus_file(f"webvtt-py/{name}"))
        assert cues[1] == Cue(7000, 11890, "")


def test_srt_with_dot_decimal_sign() -> None:
    assert load(corpus_file("webvtt-py/invalid_timeframe.srt"))[1].end == 11890


def test_metadata_header_is_not_a_cue() -> None:
    cues = load(corpus_file("webvtt-py/metadata_headers_multiline.vtt"))
    assert [cue.text for cue in cues] == ["Caption text #1", "Caption text #2"]


def test_identifiers_dropped_from_text() -> None:
    cues = load(corpus_file("webvtt-py/using_identifiers.vtt"))
    assert [cue.text for cue in cues] == [f"Caption text #{n}" for n in range(1, 7)]


def test_styles_vtt() -> None:
    assert load(corpus_file("webvtt-py/styles.vtt")) == [
        Cue(0, 10000, "- Hello world.", (Span(8, 13, Style.BOLD),))
    ]


def test_youtube_dl_vtt() -> None:
    cues = load(corpus_file("webvtt-py/youtube_dl.vtt"))
    assert cues[1].lines == ["yeah", "what"]
    assert cues[2].text == "this will happen is I'm telling"
    assert cues[3].text == "this will happen is I'm telling"  # the ' </c>' line is gone


def test_netflix_vtt() -> None:
    cues = load(corpus_file("webvtt-py/netflix_chicas_del_cable.vtt"))
    assert cues[0] == Cue(7960, 9480, "[Alba] En 1928,", (Span(7, 15, Style.ITALIC),))
    assert cues[-2].text == "Diez años no son suficientes\npara olvidarte..."


def test_teams_vtt_one_digit_times_and_voice_spans() -> None:
    cues = load(corpus_file("webvtt-py/teams_timeframe.vtt"))
    assert [(cue.start, cue.end, cue.text, cue.voices) for cue in cues] == [
        (0, 570, "There you go.", ["Yuri Bakulin"]),
        (210, 1130, "Why hello there, Yuri.", ["Adrian Petrescu"]),
    ]


def test_styles2_vtt_and_its_srt_agree() -> None:
    from_vtt = load(corpus_file("webvtt-py/styles2.vtt"))
    from_srt = load(corpus_file("webvtt-py/styles2.srt"))
    assert from_vtt == from_srt
    assert from_vtt[2].text == "Some italic and normal coloured text. By the way, 2 < 3 !"
    assert from_vtt[4].text == "-Stéphane ? Où on se gare ?"


def test_hls_hours_and_timestamp_map() -> None:
    cues = load(corpus_file("webvtt-py/sample_hls.vtt"))
    assert cues[0] == Cue(
        (1088 * 3600 + 42 * 60) * 1000 + 500, (1088 * 3600 + 42 * 60 + 7) * 1000, "Caption text #1"
    )
    assert (
        dumps(cues[:1], "vtt") == "WEBVTT\n\n1088:42:00.500 --> 1088:42:07.000\nCaption text #1\n"
    )


# --- pysubs2's WebVTT sampler ----------------------------------------------------------------


def test_vtt_feature_sampler() -> None:
    cues = load(corpus_file("pysubs2/vtt_example.vtt"))
    texts = [cue.text for cue in cues]
    assert texts[0] == "Cyan!"  # <lang> removed, after NOTE, STYLE and REGION blocks
    assert texts[1] == "I like lime."
    assert texts[3] == "This is the first subtitle.\nYellow!\nYellow!"  # <rt> text dropped
    assert texts[5] == ""  # the empty cue
    assert cues[6] == Cue(37159, 38743, "This is the third")  # settings ignored
    assert texts[8] == "Would you like to get a coffee?"
    assert texts[9] == "Sure! I\u2019ve only had one today."
