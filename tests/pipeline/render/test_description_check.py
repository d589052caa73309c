"""A description over dialogue is refused by `render` and `build` for web and broadcast, with the
findings `coprod describe check` gives, before anything is made; a description whose voice runs
past its cue into silence is not over speech and renders.

Speech is the transcript's word times (written here); voices are the 300 ms stub tone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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


# --- speech resuming (issue 23, item 3) ---------------------------------------------------


def test_word_starts_are_pulled_back_to_where_the_vad_hears_them_begin() -> None:
    from captions.model import Word
    from pipeline.describe.pauses import heard_from

    words = [Word(1000, 1400, "late"), Word(3000, 3300, "far"), Word(5000, 5200, "alone")]
    regions = [(780, 1500), (2000, 2400), (4990, 5300)]
    got = heard_from(words, regions)
    # 220 ms early: pulled back; a region ending before the word (music, say) moves nothing.
    assert [w.start for w in got] == [780, 3000, 4990]
    assert [w.end for w in got] == [1400, 3300, 5200]


def test_the_ramp_back_up_ends_before_speech_resumes() -> None:
    from pipeline.render.description_track import (
        RAMP_MS,
        PlacedDescription,
        Voiced,
        ramp_up_from,
    )

    def voiced(start: int, end: int, voice_ms: int) -> Voiced:
        return Voiced(PlacedDescription("clip-1", "clip-1", 1, "x", start, end), Path("v.wav"),
                      voice_ms, "stub")

    # The cue ends 150 ms before the next word: the ramp starts 100 ms before the cue's end.
    assert ramp_up_from(voiced(1500, 2100, 300), [900, 2250]) == 2250 - RAMP_MS
    # Plenty of room, or no speech after it: at the cue's end, as before.
    assert ramp_up_from(voiced(1500, 2100, 300), [3000]) == 2100
    assert ramp_up_from(voiced(1500, 2100, 300), []) == 2100
    # Never before the voice stops (describe check flags a voice leaving too little room).
    assert ramp_up_from(voiced(1500, 2100, 550), [2250]) == 2050


@pytest.mark.slow
def test_describe_check_flags_a_cue_ending_after_speech_resumes_by_the_vad(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:  # noqa: F811
    from pipeline import runner
    from tests.pipeline.render.test_access_facts import speaking_clip

    clip, spans = speaking_clip(tmp_path / "speech")
    film = make_film(1, signed=False)
    project = film.project
    dst = project.footage_dir / "clip-1.mp4"
    shutil.copyfile(clip, dst)
    project.doc["clips"]["clip-1"]["sha256"] = project.file_sha256(dst, fresh=True)
    project.save()
    project = film.reload()
    audio = project.audio_path("clip-1")
    audio.parent.mkdir(parents=True, exist_ok=True)
    runner.ffmpeg(["-i", str(dst), "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
                   str(audio)])
    # Whisper's word starts come late: each written 300 ms after the sentence really starts.
    path = project.transcript_path("clip-1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"words": [{"start": s + 300, "end": e, "text": "word"}
                                          for s, e in spans]}))
    second = spans[1][0]
    # In the pause before the second sentence, ending 150 ms after it really starts (the VAD
    # hears it within about 50 ms), and 150 ms before the transcript says it does.
    _describe(film, "clip-1", [(second - 550, second + 150, "A hand.")])
    found = check_clip(project, "clip-1")
    assert [(f.cue, f.over_speech) for f in found] == [(1, True)], found
    assert "overlaps speech at" in found[0].message
    # Without the clip's WAV only the late word times are known, and nothing was found.
    audio.unlink()
    assert check_clip(project, "clip-1") == []


@pytest.mark.slow
def test_the_described_track_is_back_up_when_speech_resumes(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:  # noqa: F811
    from tests.pipeline.render.test_described import _mean_db, _render, _steady_film

    film = _steady_film(make_film, tmp_path, n=1)  # a steady tone: its level is comparable
    path = film.project.transcript_path("clip-1")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"words": [{"start": 1250, "end": 1600, "text": "Hello"}]}))
    # The cue ends 150 ms before the word; the 300 ms voice ends at 800 ms.
    _describe(film, "clip-1", [(500, 1100, "A hand.")])
    result = _render(film)
    described = result.outputs["film.described.mp4"]
    # Clip 1 starts after the 1 s title card: speech resumes at 2250 ms in the film. Ramping
    # up from the cue's end (2100 ms) would leave the programme lowered until 2350 ms.
    resumed = _mean_db(described, "0:a:0", 2250, 2350)
    undisturbed = _mean_db(described, "0:a:0", 3200, 3800)
    assert resumed == pytest.approx(undisturbed, abs=0.5)
    windows = json.loads(result.outputs["manifest.json"].read_text())["described"]["windows_ms"]
    assert [1500, 2000] in windows
