"""A re-cut imported into the demo's film renders only the segments of the clips it changed."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.formats import FORMATS, EditFormat
from pipeline.interchange.write import export_edit
from pipeline.render import render_film
from tests.pipeline.conftest import TODAY, MakeFilm, tiny

# The demo film's clips (projects/demo/run_demo.py), on the render tests' small footage.
DEMO_CLIPS = ["amara-interview", "ben-interview", "chloe-interview"]

pytestmark = pytest.mark.slow


def parts(names: list[str]) -> set[str]:
    return {name.split(":")[0] for name in names} - {"film"}


@pytest.mark.parametrize("fmt", list(EditFormat))
def test_the_demo_sequence_comes_back_unchanged(fmt: EditFormat, make_film: MakeFilm,
                                                tmp_path: Path) -> None:
    film = make_film(3, clip_ids=DEMO_CLIPS, seconds=3.0,
                     trims={"ben-interview": (480, 2520)})
    before = film.project.film_yaml.read_bytes()
    out = tmp_path / f"demo{FORMATS[fmt].suffix}"
    export_edit(film.project, fmt, out)
    result = import_edit(film.project, out)
    assert result.plan.changes == [] and result.warnings == []
    assert film.project.film_yaml.read_bytes() == before


def test_a_re_cut_renders_only_the_changed_segment(make_film: MakeFilm, tmp_path: Path) -> None:
    film = make_film(3, clip_ids=DEMO_CLIPS, seconds=3.0)
    first = render_film(film.project, tiny(), today=TODAY)
    assert parts(first.segments_rendered) == {"title", "credits", *DEMO_CLIPS}
    cut = tmp_path / "recut.otio"
    export_edit(film.project, EditFormat.OTIO, cut)
    # The editor swaps Ben and Chloe and trims 10 frames off the head of Ben's clip.
    timeline = otio.adapters.read_from_file(str(cut))
    track = timeline.video_tracks()[0]
    ben = next(c for c in track if c.name == "ben-interview")
    chloe = next(c for c in track if c.name == "chloe-interview")
    track.remove(chloe)
    track.insert(track.index(ben), chloe)
    start, length = ben.source_range.start_time, ben.source_range.duration
    ben.source_range = otio.opentime.TimeRange(
        start + otio.opentime.RationalTime(10, start.rate),
        length - otio.opentime.RationalTime(10, start.rate))
    otio.adapters.write_to_file(timeline, str(cut))
    result = import_edit(film.project, cut)
    assert result.plan.changes == ["re-trimmed: ben-interview (00:00:00.000-end -> "
                                   "00:00:00.400-end)",
                                   "re-ordered: ben-interview (now number 3)"]
    project = film.reload()
    assert [i.clip_id for i in project.film.sequence] == [
        "amara-interview", "chloe-interview", "ben-interview"]
    film.sign_off(["ben-interview"])  # re-trimming made Ben's sign-off stale, as it should
    second = render_film(film.reload(), tiny(), today=TODAY)
    assert parts(second.segments_rendered) == {"ben-interview"}
    assert parts(second.segments_reused) >= {"title", "credits", "amara-interview",
                                             "chloe-interview"}
