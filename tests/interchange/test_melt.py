"""A real consumer's check: Debian's melt renders the exported Kdenlive project to its length."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.interchange.formats import EditFormat
from pipeline.interchange.write import export_edit
from tests.pipeline.conftest import MakeFilm

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("melt") is None,
                    reason="melt is not installed (`make test` installs it)")
def test_melt_renders_the_export_to_the_film_s_length(make_film: MakeFilm,
                                                      tmp_path: Path) -> None:
    film = make_film(3, seconds=2.0, trims={"clip-2": (400, 1600)})
    project = film.project
    out = tmp_path / "film.kdenlive"
    export_edit(project, EditFormat.KDENLIVE, out)
    video = tmp_path / "melt.mp4"
    # Small and fast; melt 7.12 crashes (SIGSEGV) scaling to 160x90, 320x180 is fine.
    runner.run(["melt", "-quiet", str(out), "-consumer", f"avformat:{video}", "width=320",
                "height=180", "vcodec=libx264", "preset=ultrafast", "acodec=aac",
                "real_time=0"])
    probe = runner.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                        "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0",
                        str(video)]).stdout.decode().strip()
    # title card 3 s + 2 s + 1.2 s + 2 s + credits 5 s at 25 fps
    assert int(probe) == 75 + 50 + 30 + 50 + 125
    sound = runner.run(["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries",
                        "stream=codec_type", "-of", "csv=p=0", str(video)]).stdout.decode()
    assert "audio" in sound
