"""The checks every output passes before it is cached or published, on small files made here.

Whole renders that meet broken files are in tests/adversarial/test_publish_verify.py.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from captions.model import Cue
from pipeline import runner
from pipeline.render.errors import OutputCheckError
from pipeline.render.verify import (
    FilmSpec,
    check_caption_file,
    check_film,
    check_segment_audio,
    check_segment_video,
    check_written,
    codec_name,
    shown_cue_count,
)
from tests.pipeline.conftest import tiny

CUES = [Cue(200, 900, "One."), Cue(1000, 1200, " \n "), Cue(1300, 1900, "Two\nlines.")]
SPEC = FilmSpec(width=320, height=180, fps=25, frames=50, video_codec="h264", audio_codec="aac",
                sample_rate=48000, language="eng", cues=2)


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s film as publish muxes one: H.264, AAC, a mov_text track, tagged English."""
    folder = tmp_path_factory.mktemp("verify")
    srt = folder / "film.srt"
    srt.write_text("1\n00:00:00,200 --> 00:00:00,900\nOne.\n\n"
                   "2\n00:00:01,000 --> 00:00:01,200\n\n\n"
                   "3\n00:00:01,300 --> 00:00:01,900\nTwo\nlines.\n")
    out = folder / "film.mp4"
    runner.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=2",
                   "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2",
                   "-f", "srt", "-i", f"file:{srt}", "-map", "0:v", "-map", "1:a", "-map", "2",
                   "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                   "-c:a", "aac", "-c:s", "mov_text", "-metadata:s:a:0", "language=eng",
                   "-metadata:s:s:0", "language=eng", "-movflags", "+faststart", "-t", "2",
                   "-f", "mp4", str(out)])
    return out


def test_codec_names_and_shown_cues() -> None:
    assert codec_name("libx264") == "h264" and codec_name("aac") == "aac"
    assert shown_cue_count(CUES) == 2  # a cue of blank lines puts nothing on screen
    spec = FilmSpec.for_film(tiny(), 50, "eng", CUES)
    assert spec == SPEC and spec.duration_ms == 2000


def test_a_film_as_planned_passes(film: Path) -> None:
    check_film(film, SPEC, "build/web/film.mp4")


@pytest.mark.parametrize(("change", "why"), [
    ({"frames": 51}, "has 50 frames, planned 51"),
    ({"cues": 3}, "its subtitle track shows 2 of the film's 3 cues"),
    ({"language": "fra"}, "tagged"),
    ({"width": 640}, "planned h264 640x180"),
    ({"sample_rate": 44100}, "planned aac at 44100 Hz"),
    ({"cues": 0}, "1 subtitle streams"),
])
def test_a_film_unlike_its_plan_fails_naming_the_file(film: Path, change: dict[str, object],
                                                      why: str) -> None:
    with pytest.raises(OutputCheckError, match=why) as info:
        check_film(film, replace(SPEC, **change), "build/web/film.mp4")  # type: ignore[arg-type]
    assert str(info.value).startswith("build/web/film.mp4: failed its check before publishing")


@pytest.mark.parametrize(("keep", "why"), [(0.7, "cut short"), (0.02, "ffprobe cannot read it")])
def test_a_cut_short_film_fails(film: Path, tmp_path: Path, keep: float, why: str) -> None:
    broken = tmp_path / "film.mp4"
    shutil.copyfile(film, broken)
    os.truncate(broken, int(broken.stat().st_size * keep))
    with pytest.raises(OutputCheckError, match=why):
        check_film(broken, SPEC, "build/web/film.mp4")


def test_segments(film: Path, tmp_path: Path) -> None:
    check_segment_video(film, 50, tiny(), "seg.mp4")
    with pytest.raises(OutputCheckError, match="has 50 frames, planned 49"):
        check_segment_video(film, 49, tiny(), "seg.mp4")
    wav = tmp_path / "seg.wav"
    runner.ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "1",
                   "-c:a", "pcm_f32le", str(wav)])
    check_segment_audio(wav, 48000, "seg.wav")
    good = wav.read_bytes()
    os.truncate(wav, wav.stat().st_size - 800)
    with pytest.raises(OutputCheckError, match="planned 48000 samples"):
        check_segment_audio(wav, 48000, "seg.wav")
    # ffmpeg writes the sizes in the header last: a failed trailer leaves them unset.
    at = good.index(b"data") + 4
    wav.write_bytes(good[:at] + bytes(4) + good[at + 4:])
    with pytest.raises(OutputCheckError, match="planned 48000 samples"):
        check_segment_audio(wav, 48000, "seg.wav")


def test_text_outputs_are_read_back(tmp_path: Path) -> None:
    path = tmp_path / "film.srt"
    path.write_bytes(b"1\n00:00:00,200 --> 00:00:00,900\nOne.\n")
    check_written(path, path.read_bytes(), "film.srt")
    with pytest.raises(OutputCheckError, match="reads back as 37 bytes, not the 38 written"):
        check_written(path, path.read_bytes() + b"\n", "film.srt")
    check_caption_file(path, "srt", CUES[:1], "film.srt")
    with pytest.raises(OutputCheckError, match="reads back as 1 cues, planned 3"):
        check_caption_file(path, "srt", CUES, "film.srt")
    path.write_text("not captions")
    with pytest.raises(OutputCheckError, match="cannot be read back as srt"):
        check_caption_file(path, "srt", CUES, "film.srt")
