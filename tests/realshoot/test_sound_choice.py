"""Issue 22 item 1: each channel and track measured at ingest, film.yaml's ``audio:`` chosen
from the measurement (and changeable), Whisper given the speech, viewers hearing it in both
ears, and the choice bound into the clip's content key and its sound segment's cache key."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.clearance import clip_key
from pipeline.exceptions import ProjectError
from pipeline.ingest import ingest
from pipeline.project import Project
from pipeline.render import GateRefusedError, render_film
from pipeline.render.plan import Part, plan_film
from pipeline.render.segments import segment_files
from pipeline.render_profiles import RenderProfile
from tests.pipeline.conftest import TODAY, tiny
from tests.realshoot.sound_fixtures import (  # noqa: F401 - the sound_shoot fixture
    MakeShoot,
    channel_levels,
    copy_in,
    shoot_project,
    sound_shoot_fixture,
    speech_onsets,
)

INF = math.inf


def _set_audio(project: Project, clip_id: str, choice: str) -> Project:
    project.doc["clips"][clip_id]["audio"] = choice
    project.save()
    return project.reload()


def _clip_part(project: Project, profile: RenderProfile) -> Part:
    return next(p for p in plan_film(project, profile, ["lav"], [], []) if p.clip_id == "lav")


def test_choice_follows_the_levels() -> None:
    from pipeline.sound import SoundLevels, choose, parse_choice

    assert choose(SoundLevels(((-30.0, -75.0),)))[0] == "left"
    assert choose(SoundLevels(((-62.0, -31.0),)))[0] == "right"
    assert choose(SoundLevels(((-30.0, -45.0),)))[0] == "stereo"  # 15 dB: a stereo picture
    assert choose(SoundLevels(((-30.0,), (-33.0,))))[0] == "mix"
    assert choose(SoundLevels(((-INF,), (-33.0,))))[0] == "track 2"
    assert choose(SoundLevels(((-30.0,),)))[0] == "stereo"
    assert parse_choice(" Track  2 ") == "track 2"
    with pytest.raises(ValueError):
        parse_choice("track 0")


def test_lavalier_on_the_left_is_chosen_given_to_whisper_and_heard_in_both_ears(
        tmp_path: Path, sound_shoot: MakeShoot) -> None:
    src = copy_in(sound_shoot("lav"), tmp_path / "card", "lav.mov")
    left, right = channel_levels(src)
    assert right < left - 40 and len(channel_levels(src)) == 2  # the fixture is one-sided
    said: list[str] = []
    project = Project.create(tmp_path / "film", "Lav")
    project.add_contributor("amara", "Amara")
    project.save()
    ingest(project, [src], contributors=["amara"], say=said.append)
    project = project.reload()
    assert project.film.clips["lav"].audio == "left"
    assert any(line.startswith("lav: audio: left (speech on the left channel only")
               for line in said), said
    from pipeline.sound import SoundLevels

    record = json.loads(project.probe_path("lav").read_text())
    recorded = SoundLevels.from_json(record["sound"]["levels"])
    assert recorded.tracks[0][0] == pytest.approx(left, abs=0.1)
    # Whisper hears the left channel at its own level, not halved by a downmix with silence.
    assert channel_levels(project.audio_path("lav"))[0] == pytest.approx(left, abs=1.0)
    # The review proxy has the speech in both ears.
    proxy = channel_levels(project.proxy_path("lav"))
    assert len(proxy) == 2 and abs(proxy[0] - proxy[1]) < 0.5 and proxy[1] > left - 3


def test_two_lavaliers_on_two_tracks_are_mixed_for_whisper(
        tmp_path: Path, sound_shoot: MakeShoot) -> None:
    src = copy_in(sound_shoot("two-lavs"), tmp_path / "card", "two.mov")
    assert len(runner.ffprobe_json(src)["streams"]) == 3  # picture and two mono tracks
    project = shoot_project(tmp_path / "film", [src], signed=False)
    assert project.film.clips["two"].audio == "mix"
    onsets = speech_onsets(project.audio_path("two"))
    # Each speaker where their own track has them (the second one's only on track 2).
    for track in ("a:0", "a:1"):
        own = speech_onsets(src, stream=track)[0]
        assert any(abs(t - own) < 0.05 for t in onsets), (track, own, onsets)
    assert speech_onsets(src, stream="a:1")[0] > 4


def test_changing_the_choice_unbinds_the_sign_off_and_renders_new_sound(
        tmp_path: Path, sound_shoot: MakeShoot) -> None:
    from pipeline.clip_sound import refresh_sound

    src = copy_in(sound_shoot("lav"), tmp_path / "card", "lav.mov")
    project = shoot_project(tmp_path / "film", [src])
    left_key = clip_key(project, "lav")
    profile = tiny("web")
    before = segment_files(_clip_part(project, profile), profile, tmp_path)
    whisper_left = channel_levels(project.audio_path("lav"))[0]
    project = _set_audio(project, "lav", "stereo")
    assert clip_key(project, "lav") != left_key  # the old sign-off is no longer current
    after = segment_files(_clip_part(project, profile), profile, tmp_path)
    assert after.audio_key != before.audio_key and after.video_key == before.video_key
    # Whisper's WAV and the review proxy are made again from the new choice: the WAV's
    # downmix with the silent right channel is 6 dB lower, the proxy is one-sided again.
    assert refresh_sound(project, "lav") == ["lav.wav", "lav.mp4"]
    assert channel_levels(project.audio_path("lav"))[0] == pytest.approx(whisper_left - 6, abs=1)
    left, right = channel_levels(project.proxy_path("lav"))
    assert left - right > 20
    assert refresh_sound(project, "lav") == []  # up to date now
    with pytest.raises(GateRefusedError, match="sign"):
        render_film(project, profile, today=TODAY)


def test_a_choice_the_footage_cannot_give_names_film_yaml_and_the_line(
        tmp_path: Path, sound_shoot: MakeShoot) -> None:
    from pipeline.clip_sound import clip_plan

    src = copy_in(sound_shoot("lav"), tmp_path / "card", "lav.mov")
    project = shoot_project(tmp_path / "film", [src], signed=False)
    text = project.film_yaml.read_text()
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "audio: left" in t)
    project.film_yaml.write_text(text.replace("audio: left", "audio: loudest"))
    with pytest.raises(ProjectError) as bad:
        Project.open(project.root)
    assert "film.yaml" in str(bad.value) and f":{line}" in str(bad.value)
    assert "left, right, mix, stereo or track N" in str(bad.value)
    project.film_yaml.write_text(text.replace("audio: left", "audio: track 2"))
    with pytest.raises(ProjectError, match=r"film\.yaml.*lav: audio: track 2: the footage has 1"):
        clip_plan(Project.open(project.root), "lav")


def test_prores_with_24_bit_pcm_ingests_and_renders(tmp_path: Path,
                                                   sound_shoot: MakeShoot) -> None:
    src = copy_in(sound_shoot("prores"), tmp_path / "card", "prores.mov")
    codecs = [(s["codec_name"], s.get("bits_per_raw_sample"))
              for s in runner.ffprobe_json(src)["streams"]]
    assert codecs == [("prores", "10"), ("pcm_s24le", "24")]
    project = shoot_project(tmp_path / "film", [src])
    assert project.film.clips["prores"].audio == "stereo"
    assert speech_onsets(project.audio_path("prores"))[0] == pytest.approx(1.0, abs=0.1)
    result = render_film(project, tiny("web"), today=TODAY)
    film = result.outputs["film.mp4"]
    streams = {s["codec_type"]: s["codec_name"] for s in runner.ffprobe_json(film)["streams"]}
    assert streams["video"] == "h264" and streams["audio"] == "aac"
    levels = channel_levels(film)
    assert len(levels) == 2 and min(levels) > -40
