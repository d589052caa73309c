"""The plan: frame arithmetic, trimming cues, and the film as parts (no ffmpeg but ffprobe)."""

from __future__ import annotations

import pytest

from captions.model import Cue
from pipeline.render.errors import CaptionsMissingError, RenderError
from pipeline.render.plan import (
    Part,
    PartKind,
    film_duration_ms,
    frames_ms,
    part_duration_ms,
    part_start_ms,
    plan_film,
    trim_cues,
)
from tests.pipeline.conftest import MakeFilm, tiny

TITLE = [("Our Film", 0.075)]
CREDITS = [("Co-produced by", 0.06)]


def test_frame_times_add_up_exactly_at_awkward_rates() -> None:
    # 30 fps frames are 33.33 ms: each part's duration is measured between frame boundaries,
    # so the parts of a film add up to the film, with no drift.
    parts = [Part(f"p{i}", PartKind.CARD, start, n)
             for i, (start, n) in enumerate([(0, 7), (7, 13), (20, 11)])]
    assert [part_start_ms(p, 30) for p in parts] == [0, 233, 667]
    assert sum(part_duration_ms(p, 30) for p in parts) == film_duration_ms(parts, 30) == 1033
    assert frames_ms(31, 30) == 1033


def test_trim_cues_cuts_to_the_in_out_points_and_moves_them() -> None:
    cues = [Cue(0, 400, "before"), Cue(300, 900, "across in"), Cue(1000, 1200, "inside"),
            Cue(1400, 2000, "across out"), Cue(2000, 2100, "after")]
    assert [(c.start, c.end, c.text) for c in trim_cues(cues, 500, 1500)] == [
        (0, 400, "across in"), (500, 700, "inside"), (900, 1000, "across out")]
    assert [(c.start, c.end) for c in trim_cues(cues, 500, 1500, offset_ms=3000)][0] == \
        (3000, 3400)


def test_plan_has_cards_and_clips_frame_true(make_film: MakeFilm) -> None:
    film = make_film(2, trims={"clip-2": (500, 1700)})
    parts = plan_film(film.project, tiny(), ["clip-1", "clip-2"], TITLE, CREDITS)
    assert [(p.name, p.kind, p.start_frame, p.frames) for p in parts] == [
        ("title", PartKind.CARD, 0, 25), ("clip-1", PartKind.CLIP, 25, 50),
        ("clip-2", PartKind.CLIP, 75, 30), ("credits", PartKind.CARD, 105, 25)]
    clip2 = parts[2]
    assert (clip2.in_ms, clip2.out_ms, clip2.has_audio, clip2.has_video) == \
        (500, 1700, True, True)
    assert clip2.footage_sha256 == film.project.footage_sha256("clip-2")
    # Cues are local to the part: "Hello" at 200-900 ms of the footage is cut to 500-900.
    assert [(c.start, c.end) for c in clip2.cues] == [(0, 400), (800, 1200)]
    assert parts[0].lines == tuple(TITLE)


def test_plan_leaves_out_clips_not_allowed_and_cards_of_no_length(make_film: MakeFilm) -> None:
    film = make_film(3)
    parts = plan_film(film.project, tiny(title_card_ms=0), ["clip-3", "clip-1"], TITLE, CREDITS)
    # Sequence order, not the order asked in.
    assert [p.name for p in parts] == ["clip-1", "clip-3", "credits"]


def test_plan_refuses_clips_without_captions_naming_all(make_film: MakeFilm) -> None:
    film = make_film(3)
    for cid in ("clip-1", "clip-3"):
        film.project.caption_path(cid).unlink()
    with pytest.raises(CaptionsMissingError, match="2 clip.*: clip-1, clip-3") as info:
        plan_film(film.project, tiny(), film.clip_ids, TITLE, CREDITS)
    assert info.value.clip_ids == ["clip-1", "clip-3"]


def test_plan_refuses_an_in_point_past_the_footage(make_film: MakeFilm) -> None:
    film = make_film(1, trims={"clip-1": (2500, None)})
    with pytest.raises(RenderError, match="clip clip-1: in point 2500 ms is not before"):
        plan_film(film.project, tiny(), ["clip-1"], TITLE, CREDITS)
