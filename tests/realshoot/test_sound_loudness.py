"""Issue 22 item 5: loudness never blocks a film for being real. One-sided, very quiet, clipped
and very dynamic speech reach the profile's target; a film that still cannot is published by
``web`` with the measured figures and a warning, and refused by ``broadcast`` naming the clip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.render import render_film
from pipeline.render.errors import LoudnessError
from tests.conftest import run_cli
from tests.pipeline.conftest import TODAY, tiny
from tests.realshoot.sound_fixtures import (  # noqa: F401 - the sound_shoot fixture
    MakeShoot,
    channel_levels,
    copy_in,
    shoot_project,
    sound_shoot_fixture,
)

TARGETS = {"web": (-16.0, -1.5), "broadcast": (-23.0, -1.0)}
# What no speech can reach: loudness 4 dB over its own true-peak limit.
IMPOSSIBLE = {"loudness_i": -5.0, "true_peak": -9.0}


def _measured(film: Path) -> dict[str, float]:
    """ebur128's integrated loudness and true peak of the film's first sound track."""
    log = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", f"file:{film}",
                      "-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-"]
                     ).stderr.decode()
    summary = log[log.rindex("Summary:"):]
    return {"i": float(re.search(r"I:\s*(-?[\d.]+) LUFS", summary)[1]),  # type: ignore[index]
            "tp": float(re.search(r"Peak:\s*(-?[\d.]+) dBFS", summary)[1])}  # type: ignore[index]


@pytest.mark.parametrize("profile", ["web", "broadcast"])
@pytest.mark.parametrize("kind", ["lav", "quiet", "clipped", "dynamic"])
def test_real_speech_reaches_the_target(tmp_path: Path, sound_shoot: MakeShoot, kind: str,
                                        profile: str) -> None:
    src = copy_in(sound_shoot(kind), tmp_path / "card", f"{kind}.mov")
    project = shoot_project(tmp_path / "film", [src])
    result = render_film(project, tiny(profile), today=TODAY)
    film = result.outputs["film.mp4"]
    target, limit = TARGETS[profile]
    got = _measured(film)
    assert abs(got["i"] - target) <= 1.0 and got["tp"] <= limit, got
    if kind == "lav":
        # The lavalier's speech is heard in both ears, at the same level.
        left, right = channel_levels(film)
        assert abs(left - right) < 0.5 and right > -40, (left, right)
    loud = result.manifest["loudness"]
    assert loud["after"]["i"] == pytest.approx(got["i"], abs=0.1)
    assert not loud.get("warning")


def test_web_publishes_off_target_with_the_measured_figures_and_a_warning(
        tmp_path: Path, sound_shoot: MakeShoot) -> None:
    project = shoot_project(tmp_path / "film",
                            [copy_in(sound_shoot("lav"), tmp_path / "card", "lav.mov")])
    result = render_film(project, tiny("web", **IMPOSSIBLE), today=TODAY)
    loud = result.manifest["loudness"]
    got = _measured(result.outputs["film.mp4"])
    assert loud["after"]["i"] == pytest.approx(got["i"], abs=0.1)
    assert loud["after"]["tp"] == pytest.approx(got["tp"], abs=0.1)
    assert loud["warning"].startswith(f"off target: {loud['after']['i']:.1f} LUFS (target -5.0")
    code, out = run_cli("access", str(project.root), "--profile", "web")
    line = next(x for x in out.splitlines() if x.startswith("loudness, programme"))
    assert f"{got['i']:.1f} LUFS integrated" in line
    assert f"WARNING: off target: {got['i']:.1f} LUFS" in line, out


def test_broadcast_refuses_off_target_naming_the_clip(tmp_path: Path,
                                                     sound_shoot: MakeShoot) -> None:
    room = tmp_path / "card" / "room.mov"
    room.parent.mkdir(parents=True)
    runner.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=3",
                   "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "3",
                   "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le",
                   f"file:{room}"])
    project = shoot_project(tmp_path / "film", [
        room, copy_in(sound_shoot("lav"), tmp_path / "card", "lav.mov")])
    with pytest.raises(LoudnessError) as refused:
        render_film(project, tiny("broadcast", **IMPOSSIBLE), today=TODAY)
    message = str(refused.value)
    assert "the broadcast profile refuses a film off target: clip lav (" in message
    assert "room" not in message
    assert not (project.build_dir / "broadcast" / "film.mp4").exists()


def test_profile_off_target_must_be_warn_or_refuse(tmp_path: Path) -> None:
    from pipeline.render_profiles import PROFILES_DIR, RenderProfileError, load_profile

    assert (load_profile("web").loudness_off_target,
            load_profile("broadcast").loudness_off_target) == ("warn", "refuse")
    bad = tmp_path / "odd.yaml"
    bad.write_text((PROFILES_DIR / "web.yaml").read_text().replace("off_target: warn",
                                                                  "off_target: maybe"))
    with pytest.raises(RenderProfileError, match=r"odd\.yaml.*off_target: must be warn or"):
        load_profile(bad)
