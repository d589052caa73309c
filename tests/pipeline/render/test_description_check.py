"""A description over dialogue is refused by `render` and `build` for web and broadcast, with the
findings `coprod describe check` gives, before anything is made; a description whose voice runs
past its cue into silence is not over speech and renders.

Speech is the transcript's word times (written here); voices are the 300 ms stub tone.
"""

from __future__ import annotations

import json

import pytest

from pipeline.describe.check import check_clip
from tests.conftest import run_cli
from tests.pipeline.conftest import FilmFixture, MakeFilm
from tests.pipeline.render.test_described import (  # noqa: F401 (stub_voice is a fixture)
    _describe,
    stub_voice,
)

WORDS = [(200, 600, "Hello"), (650, 900, "there."), (1300, 1600, "We"), (1650, 1900, "made")]


def _transcribed(film: FilmFixture, clip_id: str) -> None:
    path = film.project.transcript_path(clip_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"words": [{"start": s, "end": e, "text": t}
                                          for s, e, t in WORDS]}))


@pytest.fixture
def over_speech(make_film: MakeFilm, stub_voice: list[str]) -> FilmFixture:  # noqa: F811
    """clip-1: cue 1 sits across "Hello there." (the cue overlaps speech); cue 2 sits in the pause
    but its 300 ms voice runs into "We" at 1.3 s. clip-2 has no transcript."""
    film = make_film(signed=False)
    _transcribed(film, "clip-1")
    _describe(film, "clip-1", [(550, 700, "A hand."), (1100, 1200, "A smile.")])
    _describe(film, "clip-2", [(1000, 1200, "A door.")])
    film.sign_off()
    film.reload()
    return film


def test_check_marks_the_cue_and_the_voice_that_overlap_speech(over_speech: FilmFixture
                                                              ) -> None:
    found = check_clip(over_speech.project, "clip-1")
    assert [(f.cue, f.over_speech) for f in found] == [(1, True), (2, True)]
    assert "overlaps speech at 0.2-0.9 s" in found[0].message
    assert "voiced it takes 0.3 s" in found[1].message


@pytest.mark.parametrize("command", [["render", "--profile", "web"],
                                     ["render", "--profile", "broadcast"],
                                     ["build", "--profile", "web"]])
def test_render_and_build_refuse_descriptions_over_speech_with_describe_checks_findings(
        over_speech: FilmFixture, command: list[str]) -> None:
    root = str(over_speech.project.root)
    code, checked = run_cli("describe", "check", root, "clip-1")
    assert code == 1
    findings = [line for line in checked.splitlines() if ".vtt:" in line]
    assert len(findings) == 2
    code, output = run_cli(command[0], root, *command[1:])
    assert code == 1, output
    assert "2 description(s) over speech to fix first" in output
    for line in findings:
        assert f"  {line}" in output
    assert "Traceback" not in output
    assert not (over_speech.project.build_dir / command[-1] / "film.mp4").exists()


@pytest.mark.slow
def test_a_voice_running_into_silence_is_not_over_speech_and_renders(
        make_film: MakeFilm, stub_voice: list[str]) -> None:  # noqa: F811
    from pipeline.render import render_film
    from tests.pipeline.conftest import TODAY, tiny

    film = make_film(1, signed=False)
    _transcribed(film, "clip-1")
    # After the last word: the 300 ms voice outlasts its 70 ms cue, but nobody speaks there.
    _describe(film, "clip-1", [(1920, 1990, "Grey.")])
    film.sign_off()
    [finding] = check_clip(film.reload(), "clip-1")
    assert "voiced it takes 0.3 s" in finding.message and not finding.over_speech
    result = render_film(film.project, tiny(), today=TODAY)
    assert result.outputs["film.mp4"].exists()
