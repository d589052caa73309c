"""Issue 22, done when: one film mixing real-shoot footage, built with `coprod build`.

A clip whose sound starts 0.5 s after its picture, a lavalier on the left channel only, a 1080i25
top-field-first clip, an HLG phone clip and a ProRes clip with 24-bit PCM and camera timecode
10:00:00:00. The film is measured, not trusted: captions within a frame of the speech, the
lavalier heard in both ears, no combed frame by idet, the HLG pattern at its SDR levels, the
loudness on the web profile's target by ebur128, and the EDL exported from it carrying the
camera's timecode as source timecode.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from captions.formats import load as load_captions
from captions.formats import save as save_captions
from captions.model import Cue
from pipeline import runner
from pipeline.render.loudness import LOUDNESS_TOLERANCE_LU
from pipeline.render.loudness_measure import verify_loudness
from pipeline.render.plan import PartKind, plan_film
from pipeline.render_profiles import load_profile
from tests.conftest import run_cli
from tests.pipeline.conftest import record_signoffs
from tests.realshoot.picture_fixtures import (
    PATCHES,
    PATTERN_SIZE,
    hdr_clip,
    idet_multi,
    interlaced_clip,
    pixel,
    rgb_frame,
    sdr_pattern,
)
from tests.realshoot.sound_fixtures import (  # noqa: F401 - the sound_shoot fixture
    FRAME_S,
    MakeShoot,
    copy_in,
    shoot_project,
    sound_shoot_fixture,
    speech_onsets,
)
from tests.realshoot.test_timecode_exports import _edl_sources


def _levels(film: Path, start_s: float, seconds: float) -> list[float]:
    """RMS level (dBFS) of each channel of the film's sound from ``start_s``."""
    log = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-ss", f"{start_s:.3f}",
                      "-t", f"{seconds:.3f}", "-i", f"file:{film}", "-map", "0:a:0", "-af",
                      "astats=measure_overall=none:measure_perchannel=RMS_level",
                      "-f", "null", "-"]).stderr.decode()
    return [float(v) for v in re.findall(r"RMS level dB: (\S+)", log)]


@pytest.mark.slow
def test_a_film_of_real_shoot_footage_builds_and_measures_right(
        tmp_path: Path, sound_shoot: MakeShoot) -> None:
    card = tmp_path / "card"
    late = copy_in(sound_shoot("late"), card, "late.mov")
    lav = copy_in(sound_shoot("lav"), card, "lav.mov")
    interlaced = interlaced_clip(card / "camcorder.mts", flagged=True)
    sdr = sdr_pattern(tmp_path / "pattern.mp4")
    hlg = hdr_clip(card / "phone.mov", sdr, "arib-std-b67")
    prores = card / "prores.mov"
    runner.ffmpeg(["-i", f"file:{sound_shoot('prores')}", "-map", "0", "-c", "copy",
                   "-timecode", "10:00:00:00", f"file:{prores}"])
    project = shoot_project(tmp_path / "film", [late, lav, interlaced, hlg, prores],
                            signed=False)
    assert project.film.clips["lav"].audio == "left"
    assert project.film.clips["prores"].timecode == "10:00:00:00"
    # The late clip's caption is timed where Whisper's WAV has the speech (as Whisper times it).
    heard_ms = round(speech_onsets(project.audio_path("late"))[0] * 1000)
    save_captions([Cue(heard_ms, heard_ms + 1500, "The birch canoe slid.")],
                  project.caption_path("late"))
    record_signoffs(project.reload())

    code, out = run_cli("build", str(project.root), "--profile", "web")
    assert code == 0, out
    project = project.reload()
    web = load_profile("web")
    parts = {p.clip_id: p for p in plan_film(project, web, list(project.film.clips), [], [])
             if p.kind == PartKind.CLIP}
    start = {clip: p.start_frame / web.fps for clip, p in parts.items()}
    film = project.build_dir / "web" / "film.mp4"

    # Captions within a frame of the speech.
    cue = next(c for c in load_captions(project.build_dir / "web" / "film.srt")
               if c.text.startswith("The birch canoe"))
    spoken = [t for t in speech_onsets(film) if start["late"] <= t < start["lav"]]
    assert spoken, "no speech found in the late clip's place"
    assert cue.start / 1000 == pytest.approx(spoken[0], abs=FRAME_S)
    # The lavalier in both ears, at one level.
    left, right = _levels(film, start["lav"], parts["lav"].frames / web.fps)
    assert left > -40 and abs(left - right) < 1.0, (left, right)
    # No combing anywhere in the film.
    counts = idet_multi(film)
    assert counts["tff"] + counts["bff"] == 0, counts
    # The HLG pattern at its SDR levels (the 320x180 pattern fills the 1920x1080 film).
    scale = web.width // PATTERN_SIZE[0]
    shown = rgb_frame(film, start["phone"] + 0.5)
    truth = rgb_frame(sdr, 0.5)
    for x, y in PATCHES.values():
        got, want = pixel(shown, scale * x, scale * y), pixel(truth, x, y)
        assert all(abs(g - w) <= 8 for g, w in zip(got, want, strict=True)), (got, want)
    # On the web profile's loudness target, measured on the published film.
    measured = verify_loudness(film)
    assert abs(measured["i"] - web.loudness_i) <= LOUDNESS_TOLERANCE_LU, measured
    assert measured["tp"] <= web.true_peak + 0.1, measured
    # The exported edit names the camera's timecode as the ProRes clip's source in.
    edl = tmp_path / "cut.edl"
    code, out = run_cli("export-edit", str(project.root), "--format", "edl", "-o", str(edl))
    assert code == 0, out
    sources = _edl_sources(edl.read_text(encoding="utf-8"))
    assert sources["prores"] == "10:00:00:00", sources
    assert sources["late"] == "00:00:00:00", sources


def test_the_mixed_film_uses_the_fixtures_it_names(tmp_path: Path) -> None:
    """The interlaced and HLG fixtures are what the film test relies on them being."""
    camcorder = interlaced_clip(tmp_path / "camcorder.mts", flagged=True)
    assert runner.ffprobe_json(f"file:{camcorder}")["streams"][0]["field_order"] == "tt"
    phone = hdr_clip(tmp_path / "phone.mov", sdr_pattern(tmp_path / "pattern.mp4"),
                     "arib-std-b67")
    assert runner.ffprobe_json(f"file:{phone}")["streams"][0]["color_transfer"] == \
        "arib-std-b67"
