"""Markup that is markup, text that is text, and styling kept as spans of a cue's text."""

from __future__ import annotations

import pytest

from captions import qc
from captions.diff import RESTYLED, diff_tracks, format_diff
from captions.formats import dumps, loads
from captions.model import Cue, Span, Style
from captions.styles import get_style
from captions.styling import keep_styling, restyle, voice_parts, with_text, without_voices

ITALIC, BOLD, UNDERLINE, VOICE = Style.ITALIC, Style.BOLD, Style.UNDERLINE, Style.VOICE


def srt(body: str) -> Cue:
    return loads(f"1\n00:00:01,000 --> 00:00:02,000\n{body}\n", "srt")[0]


def vtt(body: str) -> Cue:
    return loads(f"WEBVTT\n\n00:01.000 --> 00:02.000\n{body}\n", "vtt")[0]


def italic(cue: Cue) -> list[str]:
    return [cue.text[s.start:s.end] for s in cue.spans if s.style is ITALIC]


# --- SRT: only the tags players know are markup ---------------------------------------------


@pytest.mark.parametrize("text", [
    "I was <so angry> at them",
    "love you <3 ... see you > soon",
    "<laughs>",
    "<laughs> and <sighs>",
    "2<3,5>1,4<6",
    "<invalid_tag>shown with its tags</invalid_tag>",
    "a <b and c",
    "<br> is not SRT",
    "x = {1, 2}",
    "&amp; stays as written",
])
def test_srt_text_that_is_not_markup_stays_exactly_as_written(text: str) -> None:
    assert srt(text) == Cue(1000, 2000, text)
    assert dumps([srt(text)], "srt").splitlines()[2] == text


def test_the_words_the_issue_lost_are_all_there() -> None:
    cue = srt("I was <so angry> at them\nlove you <3 ... see you > soon <laughs>")
    assert cue.text.split() == ("I was <so angry> at them love you <3 ... see you > soon "
                                "<laughs>").split()


def test_srt_known_tags_are_styling_in_any_case() -> None:
    cue = srt("<i>Sung:</i> <B>la</B> <u>la</u> <I>la</i>")
    assert cue.text == "Sung: la la la"
    assert cue.spans == (Span(0, 5, ITALIC), Span(6, 8, BOLD), Span(9, 11, UNDERLINE),
                         Span(12, 14, ITALIC))


def test_srt_font_and_strike_tags_and_override_blocks_go_their_text_stays() -> None:
    cue = srt('{\\an8}<font color="#ff0000" size=9>red</font> <s>gone?</s> {\\pos(1,2)}no')
    assert cue == Cue(1000, 2000, "red gone? no")


def test_srt_ass_italic_overrides_are_styling() -> None:
    cue = srt("{\\an8\\i1}over{\\i0} under {\\b1}bold{\\r} plain {\\bord2}x")
    assert cue.text == "over under bold plain x"
    assert cue.spans == (Span(0, 4, ITALIC), Span(11, 15, BOLD))


def test_an_unclosed_tag_styles_the_rest_and_swallows_nothing() -> None:
    cue = srt("<i>never closed\nsecond line")
    assert cue.text == "never closed\nsecond line"
    assert italic(cue) == ["never closed\nsecond line"]
    assert srt("</i>closed before opened").text == "closed before opened"
    assert srt("<unclosed tag\nand more").text == "<unclosed tag\nand more"


def test_srt_styling_across_lines_and_nested() -> None:
    cue = srt("<i>one\n<b>two</b></i>\nthree")
    assert cue.text == "one\ntwo\nthree"
    assert cue.spans == (Span(0, 7, ITALIC), Span(4, 7, BOLD))
    assert dumps([cue], "srt").splitlines()[2:] == ["<i>one", "<b>two</b></i>", "three"]


def test_srt_styled_line_ends_are_trimmed_like_plain_ones() -> None:
    cue = srt("  <i> Hello </i>  \n<i>   </i>\nthere")
    assert cue == Cue(1000, 2000, "Hello\nthere", (Span(0, 5, ITALIC),))


# --- WebVTT: its own spans are markup, anything else is text --------------------------------


def test_vtt_spans_read_as_styling_voices_or_removed() -> None:
    cue = vtt("<v.loud Amara Okafor><i.x>Hi</i> <c.yellow>there</c> <lang en>you</lang>"
              "<00:01.500> <b>&amp;</b> <u>me</u>")
    assert cue.text == "Hi there you & me"
    assert cue.spans == (Span(0, 2, ITALIC), Span(0, 17, VOICE, "Amara Okafor"), Span(13, 14, BOLD),
                         Span(15, 17, UNDERLINE))
    assert cue.voices == ["Amara Okafor"]


def test_vtt_unknown_tags_and_stray_brackets_are_text() -> None:
    assert vtt("<laughs> I was <so angry> at them").text == "<laughs> I was <so angry> at them"
    assert vtt("love you <3 ... see you > soon").text == "love you <3 ... see you > soon"
    assert vtt("<I>upper case is not WebVTT</I>").text == "<I>upper case is not WebVTT</I>"


def test_vtt_ruby_text_goes_only_when_it_closes() -> None:
    assert vtt("<ruby>漢<rt>kan</rt>字<rt>ji</ruby>").text == "漢字"
    assert vtt("<ruby>漢<rt>kan never closed").text == "漢kan never closed"


def test_vtt_voices_several_in_one_cue_and_unclosed() -> None:
    # As in WebVTT's own parser, closing Ben's span goes back to Amara's, never closed.
    cue = vtt("<v Amara>Hi!\n<v Ben>Hello.</v> Who?")
    assert voice_parts(cue) == [("Amara", "Hi!"), ("Ben", "Hello."), ("Amara", "Who?")]
    assert dumps([cue], "vtt").splitlines()[3:] == ["<v Amara>Hi!</v>",
                                                   "<v Ben>Hello.</v><v Amara> Who?</v>"]
    assert vtt("<v Amara>Hi</v> <v Ben>Yo</v> x").voices == ["Amara", "Ben"]


def test_vtt_voice_names_are_decoded_and_cleaned() -> None:
    assert vtt("<v Tom &amp;\tJerry\x07>x").voices == ["Tom & Jerry"]
    assert vtt("<v>no name</v>").voices == []


def test_vtt_bad_numeric_entity_is_a_replacement_character() -> None:
    assert vtt("a&#xD800;b&#99999999;c").text == "a\ufffdb\ufffdc"


# --- the model ----------------------------------------------------------------------------


def test_spans_are_kept_in_one_canonical_form() -> None:
    one = Cue(0, 1, "ab\ncd", (Span(0, 2, ITALIC), Span(3, 5, ITALIC)))
    other = Cue(0, 1, "ab\ncd", (Span(3, 9, ITALIC), Span(0, 1, ITALIC), Span(1, 2, ITALIC),
                                  Span(4, 4, BOLD)))
    assert one == other
    assert one.spans == (Span(0, 5, ITALIC),)  # the newline between two italic lines is italic
    assert Cue(0, 1, "ab\ncd", (Span(0, 3, ITALIC),)).spans == (Span(0, 2, ITALIC),)


def test_plain_cues_are_what_they_always_were() -> None:
    assert Cue(0, 1, "x") == Cue(0, 1, "x", ())
    assert not Cue(0, 1, "x").styled and Cue(0, 1, "x").runs == [("x", Cue(0, 1, "x").marks[0])]


def test_without_voices_keeps_the_rest() -> None:
    cue = Cue(0, 1, "ab", (Span(0, 2, VOICE, "A"), Span(0, 1, ITALIC)))
    assert without_voices(cue) == Cue(0, 1, "ab", (Span(0, 1, ITALIC),))


def test_writers_refuse_a_voice_name_with_a_control_character() -> None:
    from captions.exceptions import CaptionError

    with pytest.raises(CaptionError, match="voice name"):
        dumps([Cue(0, 1, "a", (Span(0, 1, VOICE, "A\x1b[31m"),))], "vtt")


# --- keeping styling through a plain-text edit ---------------------------------------------


def test_a_corrected_word_in_an_italic_cue_stays_italic() -> None:
    old = Cue(0, 1000, "We went to their house", (Span(0, 22, ITALIC),))
    assert restyle(old, "We went to there house") == (Span(0, 22, ITALIC),)
    assert restyle(old, "We all went to their house!") == (Span(0, 27, ITALIC),)


def test_an_edit_keeps_styling_where_it_was() -> None:
    old = Cue(0, 1000, "Hello world", (Span(0, 5, ITALIC),))
    assert with_text(old, "Hi world").spans == (Span(0, 2, ITALIC),)  # replaced inside: italic
    assert with_text(old, "Hello big world").spans == (Span(0, 5, ITALIC),)  # inserted outside
    assert with_text(old, "Hello world") is old


def test_keep_styling_pairs_by_position_or_by_text() -> None:
    before = [Cue(0, 1, "one", (Span(0, 3, ITALIC),)), Cue(1, 2, "two"), Cue(2, 3, "three",
                                                                       (Span(0, 5, BOLD),))]
    edited = [Cue(0, 1, "one!"), Cue(1, 2, "two"), Cue(2, 3, "three")]
    assert [c.spans for c in keep_styling(before, edited)] == [
        (Span(0, 4, ITALIC),), (), (Span(0, 5, BOLD),)]
    fewer = [Cue(0, 1, "one"), Cue(2, 3, "three")]
    assert [c.spans for c in keep_styling(before, fewer)] == [
        (Span(0, 3, ITALIC),), (Span(0, 5, BOLD),)]


# --- QC counts what a viewer sees; the diff sees styling ------------------------------------


def test_line_length_counts_visible_characters_only() -> None:
    bbc = get_style("bbc")
    line = "x" * bbc.max_chars_per_line
    styled = srt(f"<i>{line}</i>\n<b>{line[:-4]}</b> and")
    assert [f.rule for f in qc.check([styled], bbc) if f.severity == qc.ERROR] == []
    decomposed = "e\u0301" * bbc.max_chars_per_line  # é as e + combining accent
    assert qc.visible_length(decomposed) == bbc.max_chars_per_line
    assert qc.visible_length("\u200eabc\u200f") == 3
    too_long = Cue(0, 5000, line + "x")
    assert any(f.rule == qc.LINE_TOO_LONG for f in qc.check([too_long], bbc))


def test_diff_reports_words_put_into_or_taken_out_of_italics() -> None:
    draft = [Cue(0, 1000, "It was a song"), Cue(1000, 2000, "we all knew")]
    edited = [Cue(0, 1000, "It was a song", (Span(7, 13, ITALIC),)),
              Cue(1000, 2000, "we all knew", (Span(0, 11, BOLD),))]
    changes = diff_tracks(draft, edited)
    assert [(c.kind, str(c)) for c in changes] == [
        (RESTYLED, 'cue 1 (00:00:00.000): "a song" now in italics'),
        (RESTYLED, 'cue 2 (00:00:01.000): "we all knew" now bold'),
    ]
    assert format_diff(changes, draft_name="d", edited_name="e").splitlines()[-1] == \
        "2 changes: 0 to words, 2 to styling, 0 to cues and timing."
    back = diff_tracks(edited, draft)
    assert str(back[0]).endswith('"a song" no longer in italics')
    assert diff_tracks(edited, edited) == []
