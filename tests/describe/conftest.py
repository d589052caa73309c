"""Fixtures for the audio-description tests: a small film with a transcript and a describer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.project import Project
from tests.pipeline.conftest import MakeFilm, footage_dir, make_film, make_footage  # noqa: F401

WordTimes = Sequence[tuple[int, int, str]]


def write_transcript(project: Project, clip_id: str, words: WordTimes) -> None:
    """A transcript as `coprod transcribe` writes it, with only what describe reads."""
    path = project.transcript_path(clip_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"clip": clip_id, "words": [
        {"start": s, "end": e, "text": t, "probability": 0.9} for s, e, t in words]}
    path.write_text(json.dumps(body), encoding="utf-8")


def write_script(project: Project, clip_id: str, text: str) -> Path:
    path = project.root / "descriptions" / f"{clip_id}.vtt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_wav(path: Path, seconds: float, *, channels: int = 1) -> Path:
    """A tone of ``seconds`` as a 16-bit WAV (a describer's recording)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    runner.ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=300:duration={seconds}",
                   "-ac", str(channels), "-c:a", "pcm_s16le", str(path)])
    return path


# Two seconds of footage: speech 0.2-0.9 s, silence to the end (a 1.1 s pause after guards
# would be too short for the default; tests pass min_ms where they need it).
SPEECH: WordTimes = [(200, 500, "Hello"), (550, 900, "there.")]


@pytest.fixture
def described_film(make_film: MakeFilm) -> Project:  # noqa: F811
    """One 4 s clip (clip-1, contributor amara) with speech at 0.2-0.9 s and 3.0-3.5 s."""
    project = make_film(1, seconds=4.0).project
    write_transcript(project, "clip-1", [*SPEECH, (3000, 3500, "Goodbye.")])
    return project
