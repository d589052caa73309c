"""Long description text: refused before voicing when it cannot fit its pause, voiced in
bounded pieces otherwise, shown shortened by `status` (issue 21, item 5).

The reproduction: 2,000 words of description text took 6.4 GB and 149 s to voice; 4.5 MB (under
the 5 MB cap) grew to 23.5 GB and was killed by the kernel; `status` printed the whole text.
The voice here is a stand-in that records what it is given (its memory is what grows with the
text), so the test measures how much text reaches it at once, not a machine's speed.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from pipeline.describe import voice as voicing
from pipeline.describe.script import Description, DescriptionError, descriptions_path
from pipeline.describe.voices import Voice
from tests.adversarial.conftest import one_line_error
from tests.conftest import run_cli
from tests.pipeline.conftest import MakeFilm

RATE = 16000


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the voice is asked to say; each is said as 10 ms of sound a word."""
    said: list[str] = []

    def say(text: str, out: Path) -> None:
        said.append(text)
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(b"\1\0" * (RATE // 100) * len(text.split()))

    monkeypatch.setattr(voicing, "_voice_now", lambda: Voice("stand-in", "stand-in 1", say))
    monkeypatch.setattr(voicing, "voice_name", lambda: "stand-in 1")
    return said


def _script(path: Path, cues: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("WEBVTT\n" + "".join(f"\n{a} --> {b}\n{t}\n" for a, b, t in cues),
                    encoding="utf-8")


def test_text_that_cannot_fit_its_pause_is_refused_before_voicing(
        make_film: MakeFilm, heard: list[str]) -> None:
    project = make_film(1, seconds=4.0).project
    long = " ".join(["word"] * 2000)
    for text in (long, "x" * 4_500_000):
        with pytest.raises(DescriptionError) as caught:
            voicing.voice_descriptions(project, "clip-1", [Description(1, 1000, 3000, text)])
        message = str(caught.value)
        assert message.startswith(f"{descriptions_path(project, 'clip-1')}: cue 1: ")
        assert "cannot be said in its 2.0 s pause" in message and len(message) < 300
    assert heard == []  # nothing reached the voice


def test_long_text_that_fits_is_voiced_in_bounded_pieces(
        make_film: MakeFilm, heard: list[str]) -> None:
    project = make_film(1, seconds=4.0).project
    sentence = "A woman in a red coat crosses the square, stops, and looks back at the camera."
    text = " ".join([sentence] * 12)  # 192 words, said in 60 s of pause
    (voiced,) = voicing.voice_descriptions(project, "clip-1",
                                           [Description(1, 0, 60_000, text)])
    assert len(heard) > 1 and all(len(piece.split()) <= voicing.PIECE_WORDS for piece in heard)
    assert " ".join(heard).split() == text.split()  # every word, once, in order
    # The joined sound is every piece's sound, measured from the file.
    assert voiced.duration_ms == 10 * len(text.split())
    short = "A door opens."
    heard.clear()
    voicing.voice_descriptions(project, "clip-1", [Description(1, 0, 3000, short)])
    assert heard == [short]  # short text is read in one go, as before


def test_status_shows_a_long_description_shortened(make_film: MakeFilm) -> None:
    film = make_film(1, seconds=4.0)
    project = film.project
    text = "The garden. " + " ".join(["leaf"] * 20000)
    _script(descriptions_path(project, "clip-1"), [("00:00:01.000", "00:00:03.000", text)])
    film.sign_off()  # the descriptions are part of what the contributor signs off
    code, out = run_cli("status", str(project.root))
    assert code == 0, out
    (line,) = [x for x in out.splitlines() if x.strip().startswith("1 at 1.0-3.0 s:")]
    assert line.strip().startswith("1 at 1.0-3.0 s: The garden. leaf")
    assert f"... ({len(text):,} characters)" in line and len(line) < 250
    assert len(out) < 5000
    code, out = run_cli("render", str(project.root), "--profile", "web")
    assert code == 1 and "cannot be said in its 2.0 s pause" in one_line_error(out)
