"""Fixtures for the interchange tests: the render tests' small films, and footage at any rate."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.project import Project
from tests.pipeline.conftest import (  # noqa: F401 - fixtures shared with the render tests
    footage_dir,
    make_film,
    make_footage,
)

MakeRateFilm = Callable[..., Project]


@pytest.fixture(scope="session")
def rate_footage(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, float], Path]:
    """A tiny picture-and-tone clip at ``rate`` ("25", "30000/1001", "24"), made once."""
    folder = tmp_path_factory.mktemp("rates")

    def make(rate: str, seconds: float = 12.0) -> Path:
        out = folder / f"clip-{rate.replace('/', '_')}-{seconds}.mp4"
        if not out.exists():
            runner.ffmpeg(["-f", "lavfi", "-i", f"color=c=gray:s=64x36:r={rate}:d={seconds}",
                           "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                           "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset",
                           "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t",
                           str(seconds), str(out)])
        return out

    return make


@pytest.fixture
def rate_film(tmp_path: Path, rate_footage: Callable[[str, float], Path]) -> MakeRateFilm:
    """A film of ``n`` ingested 12-second clips at ``rate`` (clip-1, clip-2, ...), no captions."""

    def make(rate: str = "25", n: int = 3, folder: str = "film") -> Project:
        project = Project.create(tmp_path / folder, "Rates")
        project.add_contributor("amara", "Amara Okafor")
        for i in range(n):
            clip_id = f"clip-{i + 1}"
            dst = project.footage_dir / f"{clip_id}.mp4"
            shutil.copyfile(rate_footage(rate, 12.0), dst)
            project.add_clip(clip_id, f"footage/{clip_id}.mp4", project.file_sha256(dst),
                             ["amara"])
        project.save()
        return project

    return make
