"""Sidecars: credits and card text, whole-film cues, the transcript as HTML and text.

No ffmpeg runs here: the film is a hand-made plan of parts over a project from make_film.
"""

from __future__ import annotations

from html.parser import HTMLParser

from captions.model import Cue, Span, Style
from pipeline.project import Project
from pipeline.render.plan import Part, PartKind
from pipeline.render.sidecars import (
    Credits,
    TranscriptSection,
    film_cues,
    title_card_lines,
    transcript_html,
    transcript_sections,
    transcript_text,
)
from tests.pipeline.conftest import MakeFilm

FPS = 25


def _film(project: Project) -> list[Part]:
    """A 1 s title card, clip-1 (2 s, amara), clip-2 (3 s, ben), a 1 s credits card."""
    return [
        Part("title", PartKind.CARD, 0, 25, lines=(("Our <Film>", 0.075), ("", 0.04))),
        Part("clip-1", PartKind.CLIP, 25, 50, clip_id="clip-1",
             cues=(Cue(200, 900, "Hello &\nwelcome."), Cue(1000, 2500, "Cut at the end."))),
        Part("clip-2", PartKind.CLIP, 75, 75, clip_id="clip-2",
             cues=(Cue(0, 500, "First."), Cue(600, 900, "Same paragraph."),
                   Cue(2900, 3000, "After a pause."))),
        Part("credits", PartKind.CARD, 150, 25, lines=(("Co-produced by", 0.06),
                                                       ("Amara Okafor", 0.05))),
    ]


# --- credits ------------------------------------------------------------------------------------


def test_credits_name_only_contributors_whose_consent_allows_it(make_film: MakeFilm) -> None:
    project = make_film(3).project
    credits = Credits.for_film(project, ["clip-1", "clip-2", "clip-3"],
                               {"amara": True, "ben": False})
    assert credits.order == ("amara", "ben", "chloe")
    assert dict(credits.named) == {"amara": "Amara Okafor"}
    assert credits.unnamed == ["ben", "chloe"]
    assert [credits.label(cid) for cid in credits.order] == \
        ["Amara Okafor", "Contributor 2", "Contributor 3"]
    assert credits.text_lines() == ["Co-produced by", "Amara Okafor", "and 2 more contributors"]


def test_credits_only_for_clips_in_the_film(make_film: MakeFilm) -> None:
    project = make_film(3).project
    credits = Credits.for_film(project, ["clip-2"], {"amara": True, "ben": True})
    assert credits.order == ("ben",)
    assert credits.text_lines() == ["Co-produced by", "Ben Smith"]


def test_credits_wording_when_nobody_or_nobody_named() -> None:
    assert Credits((), {}).text_lines() == ["Thank you for watching"]
    assert Credits(("ben",), {}).text_lines() == ["Co-produced by", "1 contributor"]
    assert Credits(("ben", "chloe"), {}).text_lines() == ["Co-produced by", "2 contributors"]
    assert Credits(("amara", "ben"), {"amara": "A"}).text_lines()[-1] == \
        "and 1 more contributor"


def test_credits_card_shrinks_with_many_names() -> None:
    few = Credits(("a",), {"a": "Ann"}).card_lines()
    many_ids = tuple(f"p{i}" for i in range(20))
    many = Credits(many_ids, {cid: cid.upper() for cid in many_ids}).card_lines()
    assert few[0] == ("Co-produced by", 0.06) and few[1] == ("Ann", 0.05)
    assert len(many) == 21 and many[1][1] < few[1][1]
    # Every line with its spacing fits in the picture.
    assert sum(size * 1.45 for _, size in many) <= 1.0


def test_title_card_wraps_the_title(make_film: MakeFilm) -> None:
    project = make_film(1, title="A rather long title that needs two lines").project
    lines = title_card_lines(project)
    texts = [text for text, _ in lines]
    assert texts == ["A rather long title that needs", "two lines", "", "A co-produced film"]
    assert all(len(text) <= 30 for text in texts)


# --- whole-film cues -----------------------------------------------------------------------------


def test_film_cues_move_each_clip_to_its_place_and_stop_at_its_end(make_film: MakeFilm) -> None:
    parts = _film(make_film(2).project)
    cues = [(c.start, c.end, c.text) for c in film_cues(parts, FPS)]
    assert cues == [
        (1200, 1900, "Hello &\nwelcome."),
        (2000, 3000, "Cut at the end."),  # 1000-2500 in a 2 s clip: cut at 2000
        (3000, 3500, "First."),
        (3600, 3900, "Same paragraph."),
        (5900, 6000, "After a pause."),
    ]


# --- the transcript ------------------------------------------------------------------------------


def test_transcript_sections_name_speakers_and_split_paragraphs_at_pauses(
        make_film: MakeFilm) -> None:
    project = make_film(2).project
    credits = Credits(("amara", "ben"), {"amara": "Amara Okafor"})
    sections = transcript_sections(project, _film(project), FPS, credits)
    assert [(s.heading, s.starts_ms, s.speakers) for s in sections] == [
        ("Title", 0, ""), ("Part 1", 1000, "Speaker: Amara Okafor"),
        ("Part 2", 3000, "Speaker: Contributor 2"), ("Credits", 6000, ""),
    ]
    assert sections[0].lines == ("Our <Film>",)  # blank card lines left out
    assert sections[1].paragraphs == ((1200, "Hello & welcome. Cut at the end."),)
    # A pause of 2 s or more (900 -> 2900 ms) starts a new paragraph.
    assert sections[2].paragraphs == ((3000, "First. Same paragraph."), (5900, "After a pause."))


def test_several_speakers_are_listed_in_one_line() -> None:
    section = TranscriptSection("Part 1", 0, "Speakers: A, B and C", ())
    assert "Speakers: A, B and C" in transcript_text("T", 1000, [section])


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_transcript_html_escapes_text_and_is_outlined_for_screen_readers(
        make_film: MakeFilm) -> None:
    project = make_film(2).project
    credits = Credits(("amara", "ben"), {"amara": "Amara <Okafor>"})
    page = transcript_html('Our <Film> & "us"', "cs", 6000,
                           transcript_sections(project, _film(project), FPS, credits))
    assert "<Film>" not in page and "&lt;Film&gt;" in page
    assert "Amara &lt;Okafor&gt;" in page and "Hello &amp; welcome." in page
    parsed = _Page()
    parsed.feed(page)
    tags = [tag for tag, _ in parsed.tags]
    assert ("html", {"lang": "cs"}) in parsed.tags
    assert tags.count("h1") == 1 and tags.count("h2") == 4 and tags.count("section") == 4
    headings = [attrs["id"] for tag, attrs in parsed.tags if tag == "h2"]
    sections = [attrs["aria-labelledby"] for tag, attrs in parsed.tags if tag == "section"]
    assert headings == sections == ["section-1", "section-2", "section-3", "section-4"]
    assert ("time", {"datetime": "PT5.9S"}) in parsed.tags
    text = "".join(parsed.text)
    assert 'Our <Film> & "us"' in text and "Speaker: Amara <Okafor>" in text
    assert "Transcript of the film (6 seconds)." in text
    assert "Ben" not in text


def test_transcript_marks_a_part_without_speech() -> None:
    silent = TranscriptSection("Part 1", 61_000, "", ())
    assert "<p>(no speech)</p>" in transcript_html("T", "en", 125_000, [silent])
    text = transcript_text("T", 125_000, [silent])
    assert text.splitlines()[:4] == ["T", "=", "", "Transcript of the film (2 minutes 5 seconds)."]
    assert "Part 1 (1:01)\n-------------\n(no speech)" in text


def test_transcript_text_lists_cards_and_timed_paragraphs(make_film: MakeFilm) -> None:
    project = make_film(2).project
    credits = Credits(("amara", "ben"), {})
    text = transcript_text("Our film", 6000,
                           transcript_sections(project, _film(project), FPS, credits))
    assert "Title (0:00)\n------------\nOur <Film>" in text
    assert "[0:05] After a pause." in text
    assert "Speaker: Contributor 1" in text and "Speaker: Amara" not in text


# --- styling and voices ----------------------------------------------------------------------


def test_film_cues_keep_italics_and_leave_voices_to_the_transcript(make_film: MakeFilm) -> None:
    cue = Cue(200, 900, "Sung:\nla la", (Span(0, 12, Style.VOICE, "Amara"),
                                         Span(6, 11, Style.ITALIC)))
    parts = [Part("clip-1", PartKind.CLIP, 25, 50, clip_id="clip-1", cues=(cue,))]
    assert film_cues(parts, FPS) == [Cue(1200, 1900, "Sung:\nla la", (Span(6, 11, Style.ITALIC),))]


def _voiced_film() -> list[Part]:
    """clip-1 (amara and ben) has voiced cues; clip-2 (ben) none."""
    voiced = (
        Cue(0, 400, "Hi, I'm Amara.", (Span(0, 14, Style.VOICE, "amara"),)),
        Cue(500, 900, "And I'm Ben.", (Span(0, 12, Style.VOICE, "Ben"),)),
        Cue(1000, 1400, "Me again!\nAnd the narrator.", (
            Span(0, 9, Style.VOICE, "Amara Okafor"), Span(10, 27, Style.VOICE, "Narrator"))),
        Cue(1500, 1900, "Nobody said who."),
    )
    return [Part("clip-1", PartKind.CLIP, 0, 50, clip_id="clip-1", cues=voiced)]


def test_transcript_names_a_voice_only_where_consent_allows(make_film: MakeFilm) -> None:
    project = make_film(2).project
    credits = Credits(("amara", "ben"), {"amara": "Amara Okafor"},
                      {"amara": "Amara Okafor", "ben": "Ben Smith"})
    section = transcript_sections(project, _voiced_film(), FPS, credits)[0]
    # amara has name consent: named, whether the voice says her id, full name or first name;
    # ben has not: "Contributor 2"; a voice that is nobody in the film is not shown as written.
    assert section.paragraphs == (
        (0, "Amara Okafor: Hi, I'm Amara."),
        (500, "Contributor 2: And I'm Ben."),
        (1000, "Amara Okafor: Me again!"),
        (1000, "Another speaker: And the narrator."),
        (1500, "Nobody said who."),
    )
    assert "Ben Smith" not in transcript_text("T", 2000, [section])


def test_a_voice_matching_two_first_names_names_nobody() -> None:
    credits = Credits(("a", "b"), {"a": "Sam One", "b": "Sam Two"},
                      {"a": "Sam One", "b": "Sam Two"})
    assert credits.voice_label("Sam") == "Another speaker"
    assert credits.voice_label("sam two") == "Sam Two"
