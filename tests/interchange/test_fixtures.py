"""Hand-written edits from each editor's format, at 25, 29.97 and 24 fps, import as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.timebase import frame_of_ms
from tests.interchange.conftest import MakeRateFilm
from tests.interchange.templates import EXPECTED, RATES, render

RATE_ARG = {"25": "25", "29.97": "30000/1001", "24": "24"}
FILES = ["cut.otio", "cut.xml", "cut.fcpxml", "cut.edl", "cut.kdenlive"]
# What each file holds besides the cut, and so must be warned about.
EXTRA = {
    "cut.otio": ["video track V2", "a speed change (200%)", "audio track A2"],
    "cut.xml": ["video track", "Gaussian Blur"],
    "cut.fcpxml": ["video track lane 1", "adjust-volume"],
    "cut.edl": ["audio track"],
    "cut.kdenlive": ["video track V2", "brightness"],
}


def write_fixture(name: str, label: str, folder: Path) -> Path:
    path = folder / name
    path.write_text(render(name, label), encoding="utf-8")
    return path


@pytest.mark.parametrize("label", list(RATES))
@pytest.mark.parametrize("name", FILES)
def test_fixture_imports_to_the_frame(name: str, label: str, rate_film: MakeRateFilm,
                                      tmp_path: Path) -> None:
    project = rate_film(RATE_ARG[label])
    edit = write_fixture(name, label, tmp_path)
    result = import_edit(project, edit, close_gaps=True)
    assert result.written
    rate = RATES[label]
    film = project.reload().film
    got = []
    for item in film.sequence:
        first = frame_of_ms(item.in_ms or 0, rate)
        end = frame_of_ms(item.out_ms, rate) if item.out_ms is not None else None
        got.append((item.clip_id, first, (end - first) if end is not None else None))
    assert got == EXPECTED
    warnings = "\n".join(result.warnings)
    assert "transition" in warnings and "coprod cuts at the edit point" in warnings
    assert "gap of 12 frames" in warnings and "between clips" in warnings
    assert "is closed (--close-gaps)" in warnings
    for expected in EXTRA[name]:
        assert expected in warnings, (expected, warnings)
    assert len(result.warnings) == 2 + len(EXTRA[name]), warnings
    assert "re-ordered: clip-2" in result.plan.changes[-1] or any(
        c.startswith("re-ordered") for c in result.plan.changes)
