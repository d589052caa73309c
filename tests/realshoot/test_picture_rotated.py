"""Portrait phone footage (rotated HEVC, variable frame rate) keeps working (issue 22)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import runner
from pipeline.media import probe
from tests.pipeline.conftest import tiny
from tests.realshoot.picture_fixtures import film_of, pixel, render, rgb_frame, rotated_vfr_clip

W, H = 320, 180
SECONDS = 3.0


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rotated_vfr_clip(tmp_path_factory.mktemp("rotated") / "portrait.mp4", SECONDS)


def test_the_fixture_is_rotated_vfr_hevc(clip: Path) -> None:
    info = probe(clip)
    assert (info.video_codec, info.width, info.height, info.rotation) == ("hevc", 320, 180, 270)
    times = runner.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "packet=pts_time", "-of", "csv=p=0", f"file:{clip}"]).stdout.split()
    pts = sorted(float(t) for t in times)
    gaps = {round(b - a, 3) for a, b in zip(pts, pts[1:], strict=False)}
    assert {0.033, 0.067} <= gaps  # 30 fps, then 15 fps


@pytest.mark.slow
def test_portrait_footage_is_upright_pillarboxed_and_as_long(clip: Path, tmp_path: Path) -> None:
    project = film_of(tmp_path / "film", clip)
    film = render(project, tiny(width=W, height=H))
    # 1 s title card, the clip, 1 s credits card.
    duration = float(runner.ffprobe_json(f"file:{film}")["format"]["duration"])
    assert abs(duration - (1 + SECONDS + 1)) < 0.1
    frame = rgb_frame(film, 2.5)
    # Upright, 180x320 scaled to 101x180 in the middle: white above, dark grey below.
    top, bottom = pixel(frame, W // 2, 20), pixel(frame, W // 2, H - 20)
    assert min(top) > 220 and max(bottom) < 70, (top, bottom)
    # Black sides (pillarbox) left and right of the picture.
    for x in (10, 100, W - 100, W - 10):
        for y in (20, H - 20):
            assert max(pixel(frame, x, y)) < 20, (x, y, pixel(frame, x, y))
