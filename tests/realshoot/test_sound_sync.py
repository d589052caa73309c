"""Issue 22 item 2: sound on the clip's timeline in the Whisper WAV, the review proxy and the
render, for camera clips whose sound starts 0.5 s after or 0.3 s before the picture."""

from __future__ import annotations

from pathlib import Path

import pytest

from captions.formats import load as load_captions
from captions.formats import save as save_captions
from captions.model import Cue
from pipeline import runner
from pipeline.render import render_film
from tests.pipeline.conftest import TODAY, record_signoffs, tiny
from tests.realshoot.sound_fixtures import (  # noqa: F401 - the sound_shoot fixture
    FRAME_S,
    MakeShoot,
    copy_in,
    shoot_project,
    sound_shoot_fixture,
    speech_onsets,
    start_times,
)

OFFSETS = [("late", 0.5), ("early", -0.3)]


def _speech_on_picture_timeline(path: Path, stream: str = "a:0") -> float:
    """Where the speech starts, in seconds from the picture's first frame."""
    return speech_onsets(path, stream=stream)[0] - start_times(path)["video"][0]


@pytest.mark.parametrize(("kind", "offset"), OFFSETS)
def test_fixture_really_has_the_offset(sound_shoot: MakeShoot, kind: str, offset: float) -> None:
    starts = start_times(sound_shoot(kind))
    assert starts["audio"][0] - starts["video"][0] == pytest.approx(offset, abs=0.001)


@pytest.mark.parametrize(("kind", "offset"), OFFSETS)
def test_captions_land_within_a_frame_of_the_speech(tmp_path: Path, sound_shoot: MakeShoot,
                                                      kind: str, offset: float) -> None:
    src = sound_shoot(kind)
    truth = _speech_on_picture_timeline(src)
    project = shoot_project(tmp_path / "film", [copy_in(src, tmp_path / "card", "take.mov")],
                            signed=False)
    # Whisper's WAV starts at the picture's first frame: its speech is where the picture's is.
    heard = speech_onsets(project.audio_path("take"))[0]
    assert heard == pytest.approx(truth, abs=FRAME_S), "Whisper's WAV is off the timeline"
    # So is the review proxy's sound (the page plays captions over the proxy).
    assert _speech_on_picture_timeline(project.proxy_path("take")) == pytest.approx(
        truth, abs=FRAME_S), "the review proxy's sound is off the timeline"
    # A caption timed on the WAV (as Whisper times it) lands on the speech in the film.
    start = round(heard * 1000)
    save_captions([Cue(start, start + 1500, "The birch canoe slid on the smooth planks.")],
                  project.caption_path("take"))
    record_signoffs(project.reload())
    result = render_film(project.reload(), tiny("web"), today=TODAY)
    cue = load_captions(result.out_dir / "film.srt")[0]
    in_film = [t for t in speech_onsets(result.outputs["film.mp4"]) if t > 0.5]
    assert in_film, "no speech found in the film"
    assert cue.start / 1000 == pytest.approx(in_film[0], abs=FRAME_S)
    # The clip lasts from the picture's first frame to the end of its picture or sound:
    # sound recorded before the picture is left out, not shown over a held first frame.
    clip_s = (5.0 + offset) if offset > 0 else 5.0
    film_s = float(runner.ffprobe_json(result.outputs["film.mp4"])["format"]["duration"])
    assert film_s == pytest.approx(2.0 + clip_s, abs=2 * FRAME_S)
