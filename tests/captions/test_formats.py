"""SRT and WebVTT reading and writing, text decoding and atomic writes."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest

from captions import formats
from captions.exceptions import CaptionError, CaptionParseError
from captions.formats import dumps, format_for_path, get_format, load, loads, save
from captions.model import Cue, Span, Style
from captions.textio import atomic_write_text, decode_caption_bytes

GOLDEN = Path(__file__).parent / "golden"

SAMPLE = [
    Cue(0, 0, "A zero-length cue"),
    Cue(1000, 3500, "Two lines of text,\nas a reviewer saves them"),
    Cue(4000, 6000, ""),
    Cue(6000, 9000, "Fish & chips: 2 < 3 > 1"),
    Cue(3_723_004, 3_725_000, "An hour in, café –\nnon-ASCII kept"),
    Cue(360_000_000, 360_001_500, "A hundred hours in"),
]


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


# --- writing: golden files -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_dumps_matches_golden_file(fmt: str) -> None:
    assert dumps(SAMPLE, fmt) == golden(f"sample.{fmt}")


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_golden_file_reads_back_as_the_same_cues(fmt: str) -> None:
    assert loads(golden(f"sample.{fmt}"), fmt) == SAMPLE


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_round_trip_is_stable(fmt: str) -> None:
    once = dumps(loads(golden(f"sample.{fmt}"), fmt), fmt)
    assert dumps(loads(once, fmt), fmt) == once == golden(f"sample.{fmt}")


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_save_writes_utf8_without_bom_and_lf(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"clip-01.{fmt}"
    save(SAMPLE, target)
    data = target.read_bytes()
    assert not data.startswith(codecs.BOM_UTF8)
    assert b"\r" not in data
    assert data.decode("utf-8") == golden(f"sample.{fmt}")
    assert load(target) == SAMPLE


def test_save_with_explicit_format_ignores_extension(tmp_path: Path) -> None:
    target = tmp_path / "draft.txt"
    save(SAMPLE, target, fmt="vtt")
    assert target.read_text(encoding="utf-8").startswith("WEBVTT\n")
    assert load(target, fmt="vtt") == SAMPLE


def test_srt_numbers_cues_from_one_whatever_was_read() -> None:
    cues = loads(
        "7\n00:00:01,000 --> 00:00:02,000\nA\n\n9\n00:00:03,000 --> 00:00:04,000\nB\n", "srt"
    )
    assert dumps(cues, "srt").splitlines()[0::4] == ["1", "2"]


def test_srt_writer_keeps_cue_text_from_ending_the_cue() -> None:
    text = dumps([Cue(0, 1000, "first\n\nsecond"), Cue(1000, 2000, "a --> b")], "srt")
    assert text == (
        "1\n00:00:00,000 --> 00:00:01,000\nfirst\nsecond\n\n"
        "2\n00:00:01,000 --> 00:00:02,000\na -> b\n"
    )
    assert [cue.text for cue in loads(text, "srt")] == ["first\nsecond", "a -> b"]


def test_vtt_writer_escapes_markup_characters() -> None:
    text = dumps([Cue(0, 1000, "<b> & --> x")], "vtt")
    assert "&lt;b&gt; &amp; --&gt; x" in text
    assert loads(text, "vtt")[0].text == "<b> & --> x"


def test_empty_track() -> None:
    assert dumps([], "vtt") == "WEBVTT\n"
    assert loads("WEBVTT\n", "vtt") == []
    assert dumps([], "srt") == ""


def test_negative_time_cannot_be_written() -> None:
    with pytest.raises(CaptionError, match="negative"):
        dumps([Cue(-5, 100, "x")], "srt")


# --- reading what editors save: golden files -------------------------------------------------

MESSY_SRT = (
    "\ufeff3\r\n"
    "00:00:01,000 --> 00:00:02,500  X1:100 X2:200 Y1:050 Y2:100\r\n"
    "  <i>Hello</i> there  \r\n"
    '{\\an8}<font color="#ff0000">red</font> text\r\n'
    "\r\n"
    "00:00:02,500 --> 00:00:04,000\r\n"
    "One\\NTwo\r\n"
    "7\r\n"
    "00:00:05,000 --> 00:00:05,000\r\n"
    "Zero length\r\n"
    "\r\n"
    "\r\n"
    "9\r\n"
    "00:00:06,000 --> 00:00:07,000\r\n"
    "\r\n"
    "\r\n"
    "10\r\n"
    "00:00:08,000 --> 00:00:09,000\r\n"
    "<b>2<3, but 5>1</b>\r\n"
)

MESSY_VTT = """WEBVTT - a title
Kind: captions
X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000

NOTE a comment
with two lines

STYLE
::cue { color: yellow }

REGION
id:fred
width:40%

intro
00:01.000 --> 00:02.500 align:start position:10% region:fred
<v Sam>Hello</v> <c.yellow>there</c>
<00:02.000>you &amp; me &lt;3

2
00:00:02.500 --> 00:00:04.000 line:-1
<i>One</i>
00:00:04.000 --> 00:00:05.000
No blank line before me
"""


def test_messy_srt_from_an_editor(tmp_path: Path) -> None:
    source = tmp_path / "edited.srt"
    source.write_bytes(MESSY_SRT.encode("utf-8"))
    cues = load(source)
    assert dumps(cues, "srt") == golden("messy.expected.srt")


def test_messy_vtt(tmp_path: Path) -> None:
    source = tmp_path / "edited.vtt"
    source.write_text(MESSY_VTT, encoding="utf-8")
    assert dumps(load(source), "vtt") == golden("messy.expected.vtt")


# --- SRT reading, one thing at a time --------------------------------------------------------


def srt(text: str) -> list[Cue]:
    return loads(text, "srt", path="clip.srt")


def test_srt_missing_indexes_and_gaps() -> None:
    cues = srt("00:00:01,000 --> 00:00:02,000\nA\n\n5\n00:00:03,000 --> 00:00:04,000\nB\n")
    assert cues == [Cue(1000, 2000, "A"), Cue(3000, 4000, "B")]


def test_srt_tags_removed_line_breaks_kept() -> None:
    cues = srt(
        "1\n00:00:01,000 --> 00:00:02,000\n"
        '<b><i>bold</i></b> and\n<font face="x" size=3>font</font>\n'
    )
    assert cues[0].text == "bold and\nfont"


def test_srt_ass_overrides_and_escapes() -> None:
    cues = srt("1\n00:00:01,000 --> 00:00:02,000\n{\\an8}top\\Nnext {\\i1}line{\\i0}\nA\\hB\n")
    assert cues[0].text == "top\nnext line\nA\u00a0B"


def test_srt_spaces_trimmed_but_hard_spaces_kept() -> None:
    cues = srt("1\n00:00:01,000 --> 00:00:02,000\n   padded   \n\\h\\hindented\n")
    assert cues[0].text == "padded\n\u00a0\u00a0indented"


def test_srt_zero_length_and_empty_cues_kept() -> None:
    cues = srt(
        "1\n00:00:01,000 --> 00:00:01,000\nflash\n\n2\n00:00:02,000 --> 00:00:03,000\n\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\nlast\n"
    )
    assert cues == [Cue(1000, 1000, "flash"), Cue(2000, 3000, ""), Cue(4000, 5000, "last")]


def test_srt_dot_as_decimal_sign_is_accepted() -> None:
    assert srt("1\n00:00:01.500 --> 00:00:02,000\nA\n") == [Cue(1500, 2000, "A")]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("1\n00:00:01,000 --> 00:00:1d,890\nA\n", 2, "bad end time '00:00:1d,890'"),
        ("1\n00:00:01 --> 00:00:10\nA\n", 2, "bad start time '00:00:01'"),
        ("some text\n00:00:00,500 --> 00:00:07,000", 1, "text before the first timing line"),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\nno timing\n\n"
            "3\n00:00:05,000 --> 00:00:06,000\nC\n",
            6,
            "expected the timing line of cue 2",
        ),
        ("1\n00:00:01,000 --> 00:00:02,000\nA\n\nstray text\n", 5, "no cue number or timing"),
        ("1\n00:00:05,000 --> 00:00:02,000\nA\n", 2, "before it starts"),
        ("1\n00:00:01,000 --> \nA\n", 2, "no end time"),
        ("1\n00:60:01,000 --> 00:61:00,000\nA\n", 2, "bad start time"),
        ("1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n", 5, "has no timing line"),
        ("", 1, "empty file"),
        ("\n\n  \n", 1, "empty file"),
    ],
)
def test_srt_malformed_gives_file_line_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(CaptionParseError) as caught:
        srt(text)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"clip.srt:{line}: ")


# --- WebVTT reading --------------------------------------------------------------------------


def vtt(text: str) -> list[Cue]:
    return loads(text, "vtt", path="clip.vtt")


def test_vtt_header_required() -> None:
    with pytest.raises(CaptionParseError) as caught:
        vtt("00:00:01.000 --> 00:00:02.000\nA\n")
    assert caught.value.line == 1
    assert "WEBVTT" in caught.value.reason


def test_vtt_header_must_be_the_whole_word() -> None:
    with pytest.raises(CaptionParseError):
        vtt("WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nA\n")


def test_vtt_short_and_long_hours() -> None:
    cues = vtt("WEBVTT\n\n00:01.250 --> 00:02.000\nA\n\n1088:42:00.500 --> 1088:42:07.000\nB\n")
    assert cues[0] == Cue(1250, 2000, "A")
    assert cues[1].start == ((1088 * 60 + 42) * 60) * 1000 + 500


def test_vtt_one_digit_fields_as_ms_teams_writes_them() -> None:
    cues = vtt("WEBVTT\n\n0:0:0.0 --> 0:0:0.570\n<v Yuri>There you go.</v>\n")
    assert cues == [Cue(0, 570, "There you go.", (Span(0, 13, Style.VOICE, "Yuri"),))]


def test_vtt_entities_decoded() -> None:
    cues = vtt("WEBVTT\n\n00:01.000 --> 00:02.000\n&lt;b&gt; &amp; a&nbsp;b &#233;&#x41;\n")
    assert cues[0].text == "<b> & a\u00a0b éA"


def test_vtt_inline_timestamps_classes_and_ruby() -> None:
    cues = vtt(
        "WEBVTT\n\n00:01.000 --> 00:02.000\n"
        "Like a <00:01.500>big-a <c.colorE5E5E5>pizza</c> <ruby>pie<rt>paɪ</rt></ruby>\n"
    )
    assert cues[0].text == "Like a big-a pizza pie"


def test_vtt_blocks_skipped_and_ids_dropped() -> None:
    cues = vtt(
        "WEBVTT\n\nNOTE one\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r\n\n"
        "an id\n00:01.000 --> 00:02.000 region:r\nText\n"
    )
    assert cues == [Cue(1000, 2000, "Text")]


def test_vtt_whitespace_only_lines_separate_cues() -> None:
    cues = vtt("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n    \n00:03.000 --> 00:04.000\nB\n")
    assert [cue.text for cue in cues] == ["A", "B"]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("WEBVTT\n\n00:00:01.000 --> 00:00:1d.890\nA\n", 3, "bad end time '00:00:1d.890'"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n\nlost text\n", 6, "no timing line"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n\nid\nlost text\n", 6, "no timing line"),
        ("", 1, "empty file"),
    ],
)
def test_vtt_malformed_gives_file_line_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(CaptionParseError) as caught:
        vtt(text)
    assert (caught.value.line, caught.value.path) == (line, "clip.vtt")
    assert reason in caught.value.reason


# --- the registry ----------------------------------------------------------------------------


def test_format_from_extension_any_case() -> None:
    assert format_for_path("A/B/clip.SRT") == "srt"
    assert format_for_path("clip.vtt") == "vtt"
    assert set(formats.FORMATS) == {"srt", "vtt"}


@pytest.mark.parametrize(("name", "words"), [("x.ass", "ASS/SSA"), ("x.ttml", "TTML")])
def test_other_caption_formats_are_named_in_the_refusal(name: str, words: str) -> None:
    with pytest.raises(CaptionError, match=words):
        format_for_path(name)


def test_unknown_extension_and_format() -> None:
    with pytest.raises(CaptionError, match="cannot tell the caption format"):
        format_for_path("notes.txt")
    with pytest.raises(CaptionError, match="unknown caption format"):
        get_format("sbv")


def test_load_zero_byte_file(tmp_path: Path) -> None:
    for name in ("empty.srt", "empty.vtt"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(CaptionParseError) as caught:
            load(tmp_path / name)
        assert (caught.value.line, caught.value.reason) == (1, "empty file")


def test_load_missing_file_is_a_caption_error(tmp_path: Path) -> None:
    with pytest.raises(CaptionError, match="cannot read caption file"):
        load(tmp_path / "nope.srt")


@pytest.mark.parametrize(("kind", "words"), [("fifo", "is a FIFO (named pipe)"),
                                             ("folder", "is a folder")])
def test_load_refuses_what_is_not_a_regular_file_without_waiting(tmp_path: Path, kind: str,
                                                                  words: str) -> None:
    path = tmp_path / "clip.srt"
    if kind == "fifo":
        os.mkfifo(path)  # nobody writes to it: a plain open() would wait for ever
    else:
        path.mkdir()
    with pytest.raises(CaptionError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: {words}, not a caption file; put the file itself there"


def test_load_refuses_a_file_over_the_size_limit_unread(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from captions import textio

    path = tmp_path / "huge.srt"
    path.write_bytes(b"1\n00:00:00,000 --> 00:00:01,000\nx\n\n" * 100)
    monkeypatch.setattr(textio, "MAX_CAPTION_BYTES", 1000)
    with pytest.raises(CaptionError, match=r"huge.srt: is 0.0 MB; coprod reads caption files"):
        load(path)
    monkeypatch.setattr(textio, "MAX_CAPTION_BYTES", 5_000_000)
    assert len(load(path)) == 100


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_writers_refuse_a_control_character(tmp_path: Path, fmt: str) -> None:
    cues = [Cue(0, 1000, "One."), Cue(1000, 2000, "Two\x00.")]
    with pytest.raises(CaptionError, match=r"cue 2 has NUL \(\\x00\) at line 1, column 4; a "
                                           "caption file carries text only"):
        dumps(cues, fmt)
    with pytest.raises(CaptionError):
        save(cues, tmp_path / f"clip.{fmt}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_readers_keep_a_control_character_for_qc_to_find(fmt: str) -> None:
    text = ("WEBVTT\n\n" if fmt == "vtt" else "1\n") + \
        f"00:00:01{',' if fmt == 'srt' else '.'}000 --> 00:00:02{',' if fmt == 'srt' else '.'}000" \
        "\nA\x00B \u202eC\n"
    assert loads(text, fmt)[0].text == "A\x00B \u202eC"


# --- decoding --------------------------------------------------------------------------------

TEXT = "1\n00:00:01,000 --> 00:00:02,000\nCafé déjà vu\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]
)
def test_bom_sniffing(encoding: str) -> None:
    bom = {
        "utf-8-sig": b"",
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }[encoding]
    data = bom + TEXT.encode(encoding)
    assert decode_caption_bytes(data) == TEXT


def test_utf8_without_bom_and_line_ends() -> None:
    crlf = TEXT.replace("\n", "\r\n").encode("utf-8")
    cr = TEXT.replace("\n", "\r").encode("utf-8")
    assert decode_caption_bytes(crlf) == decode_caption_bytes(cr) == TEXT


def test_cp1252_fallback() -> None:
    data = "“Café” – déjà vu…\n".encode("cp1252")
    assert decode_caption_bytes(data) == "“Café” – déjà vu…\n"


def test_byte_undefined_in_cp1252_is_an_error_not_mojibake() -> None:
    data = b"1\n00:00:01,000 --> 00:00:02,000\nbad \x81 byte\n"
    with pytest.raises(CaptionParseError) as caught:
        decode_caption_bytes(data, path="clip.srt")
    assert caught.value.line == 3
    assert "81" in caught.value.reason


def test_double_byte_text_is_refused_rather_than_guessed() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\n宇宙守护神\n".encode("gb2312")
    with pytest.raises(CaptionParseError) as caught:
        decode_caption_bytes(data, path="clip.srt")
    assert caught.value.line == 3
    assert "encoding" in caught.value.reason


def test_utf8_mixed_with_cp1252_is_refused_rather_than_garbled() -> None:
    data = "Café\n".encode() + b"\n" + "déjà\n".encode("cp1252")
    with pytest.raises(CaptionParseError) as caught:
        decode_caption_bytes(data, path="clip.srt")
    assert caught.value.line == 3
    assert "mixes UTF-8" in caught.value.reason


def test_explicit_encoding() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\n宇宙守护神\n".encode("gb2312")
    assert decode_caption_bytes(data, encoding="gb2312").endswith("宇宙守护神\n")
    assert decode_caption_bytes(codecs.BOM_UTF8 + b"x", encoding="utf-8") == "x"


def test_explicit_encoding_that_does_not_fit_names_the_line() -> None:
    with pytest.raises(CaptionParseError) as caught:
        decode_caption_bytes("a\r\nb\r\nCafé\r\n".encode("cp1252"), encoding="utf-8")
    assert caught.value.line == 3


def test_unknown_encoding() -> None:
    with pytest.raises(CaptionError, match="unknown text encoding"):
        decode_caption_bytes(b"x", encoding="no-such-codec")


# --- atomic writes ---------------------------------------------------------------------------


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "clip.srt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.srt"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "clip.srt"
    target.write_text("contributor's edit", encoding="utf-8")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(CaptionError, match="cannot write caption file"):
        atomic_write_text(target, "machine draft")
    assert target.read_text(encoding="utf-8") == "contributor's edit"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.srt"]
