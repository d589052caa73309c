"""The described sound: placement and trims, ducking measured on the rendered track, loudness,
the films' streams (ffprobe), the sidecar and transcript, and a description-only edit that
encodes no picture.

The programme sound here is a steady 440 Hz tone, so its level inside a description's window
and outside can be compared directly. Voices are stubbed with short 1 kHz tones (the offline
voice is A1's and tested there) except in the one test that voices with the real one.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from captions.formats import load as load_captions
from pipeline import runner
from pipeline.describe import voice as voicing
from pipeline.describe.script import Description, descriptions_path
from pipeline.render import render_film
from pipeline.render.description_track import (
    DUCK_DB,
    RAMP_MS,
    duck_expression,
    duck_filter,
    duck_windows,
    place_descriptions,
)
from pipeline.render.loudness import verify_loudness
from pipeline.render.options import RenderOptions
from pipeline.render.plan import Part, PartKind
from tests.pipeline.conftest import TODAY, FilmFixture, MakeFilm, tiny

W, H = 320, 180
VOICE_MS = 300


def _tone(path: Path, seconds: float, freq: int, *, video: bool) -> None:
    args = []
    if video:
        args += ["-f", "lavfi", "-i", f"color=c=gray:s={W}x{H}:r=25:d={seconds}"]
    args += ["-f", "lavfi", "-i", f"sine=f={freq}:sample_rate=48000:d={seconds}"]
    codecs = (["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
              if video else ["-c:a", "pcm_s16le"])
    runner.ffmpeg([*args, *codecs, "-t", str(seconds), str(path)])


@pytest.fixture
def stub_voice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Every description voiced as a 300 ms 1 kHz tone; returns the texts voiced, in order."""
    voiced: list[str] = []
    wav = tmp_path / "voice.wav"
    _tone(wav, VOICE_MS / 1000, 1000, video=False)

    def one(d: Description) -> voicing.VoicedDescription:
        voiced.append(d.text)
        # One file a text, so an edited description is a new sound (as the real cache is).
        own = tmp_path / f"voice-{abs(hash(d.text))}.wav"
        if not own.exists():
            shutil.copyfile(wav, own)
        return voicing.VoicedDescription(d, own, VOICE_MS, "stub tone")

    monkeypatch.setattr(voicing, "voice_descriptions",
                        lambda project, clip_id, ds: [one(d) for d in ds])
    monkeypatch.setattr(voicing, "voice_card_descriptions",
                        lambda project, ds: [one(d) for d in ds])
    return voiced


def _steady_film(make_film: MakeFilm, tmp_path: Path, **kw: Any) -> FilmFixture:
    """A film whose clips' sound is a steady 440 Hz tone (signed off after describing)."""
    film = make_film(signed=False, seconds=3.0, **kw)
    project = film.project
    tone = tmp_path / "steady.mp4"
    if not tone.exists():
        _tone(tone, 3.0, 440, video=True)
    for clip_id in film.clip_ids:
        dst = project.footage_dir / f"{clip_id}.mp4"
        shutil.copyfile(tone, dst)
        project.doc["clips"][clip_id]["sha256"] = project.file_sha256(dst, fresh=True)
    project.save()
    film.reload()
    return film


def _describe(film: FilmFixture, clip_id: str, cues: list[tuple[int, int, str]]) -> None:
    path = descriptions_path(film.project, clip_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"\n{_t(a)} --> {_t(b)}\n{text}\n" for a, b, text in cues)
    path.write_text("WEBVTT\n" + body, encoding="utf-8")


def _t(ms: int) -> str:
    return f"00:{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _render(film: FilmFixture, **kw: Any) -> Any:
    film.sign_off()
    return render_film(film.reload(), tiny(), today=TODAY, **kw)


def _mean_db(media: Path, stream: str, start_ms: int, end_ms: int) -> float:
    proc = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", str(media),
                       "-map", stream, "-af",
                       f"atrim={start_ms / 1000}:{end_ms / 1000},volumedetect",
                       "-f", "null", "-"])
    found = re.search(r"mean_volume:\s*(-?[\d.]+) dB", proc.stderr.decode())
    assert found, proc.stderr.decode()[-500:]
    return float(found[1])


def _streams(media: Path) -> list[dict[str, Any]]:
    return [s for s in runner.ffprobe_json(media)["streams"] if s["codec_type"] == "audio"]


# --- placement (no ffmpeg) -----------------------------------------------------------------


def _clip(name: str, start_frame: int, frames: int, in_ms: int) -> Part:
    return Part(name, PartKind.CLIP, start_frame, frames, clip_id=name, in_ms=in_ms,
                out_ms=in_ms + frames * 40)


def test_descriptions_are_placed_at_part_start_plus_clip_time_and_trims_leave_out_partial_ones(
        ) -> None:
    parts = [Part("title", PartKind.CARD, 0, 25), _clip("a", 25, 50, in_ms=500)]
    found = place_descriptions(parts, 25, {"a": [
        Description(1, 0, 400, "before the in point"),
        Description(2, 600, 1400, "inside"),
        Description(3, 2000, 2600, "past the out point"),
    ]})
    assert [(d.cue, d.start_ms, d.end_ms) for d in found.placed] == [(2, 1100, 1900)]
    assert [(x.part, x.cue) for x in found.left_out] == [("a", 1), ("a", 3)]
    assert "left out rather than cut" in str(found.left_out[0])


def test_close_windows_merge_so_the_programme_stays_down_between_them() -> None:
    assert duck_windows([(1000, 2000), (2300, 3000), (5000, 6000)], 10_000) == \
        [(1000, 3000), (5000, 6000)]
    assert duck_windows([(9500, 12_000)], 10_000) == [(9500, 10_000)]


def test_duck_expression_is_unity_outside_and_minus_duck_db_inside() -> None:
    expr = duck_expression([(2000, 3000)])
    # ffmpeg's expression language reads like Python's for these functions.
    names = {"pow": pow, "min": min, "clip": lambda x, lo, hi: max(lo, min(hi, x))}
    gain = lambda t: eval(expr, names, {"t": t})  # noqa: E731
    assert gain(1.0) == pytest.approx(1.0)
    assert gain(2.5) == pytest.approx(10 ** (-DUCK_DB / 20))
    assert gain(2.0 - RAMP_MS / 2000) == pytest.approx(10 ** (-DUCK_DB / 40))
    assert duck_filter([]) == "volume='1':eval=frame"


def test_two_descriptions_voiced_by_one_file_share_one_input(tmp_path: Path) -> None:
    """Same words, same cached voice file: ffmpeg-python would merge the two chains into one
    node and refuse the graph; the file is read once and split instead."""
    import ffmpeg as ffmpeg_python

    from pipeline.render.described import mix_graph
    from pipeline.render.description_track import PlacedDescription, Voiced

    wav = tmp_path / "same.wav"
    voiced = [Voiced(PlacedDescription("a", "a", 1, "Same.", start, start + 900), wav, 500,
                     "v", 2.0) for start in (1000, 4000)]
    argv = ffmpeg_python.compile(mix_graph(tmp_path / "list.ffconcat", voiced,
                                           [(1000, 1900), (4000, 4900)], tiny())
                                 .output("-", f="null"))
    graph = argv[argv.index("-filter_complex") + 1]
    assert argv.count("file:" + str(wav)) == 1
    assert "asplit=2" in graph and "delays=1000" in graph and "delays=4000" in graph


# --- rendered -------------------------------------------------------------------------------



@pytest.mark.slow
def test_described_track_ducks_the_programme_under_each_description(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:
    film = _steady_film(make_film, tmp_path, n=1)
    _describe(film, "clip-1", [(800, 2200, "A grey room.")])
    result = _render(film)
    described = result.outputs["film.described.mp4"]
    # Clip 1 starts after the 1 s title card; the window is 1800-3200 ms in the film. The
    # stub voice sounds for its first 300 ms, so the programme alone is measured after it.
    # Outside: after the title card's description has ramped back up (1000 + 250 ms) and
    # before the clip's ramps down (1800 - 250 ms).
    inside = _mean_db(described, "0:a:0", 2300, 3100)
    outside = _mean_db(described, "0:a:0", 1300, 1500)
    assert inside - outside == pytest.approx(-DUCK_DB, abs=1.0)
    manifest = json.loads(result.outputs["manifest.json"].read_text())
    assert manifest["described"]["loudness"]["normalization"] == "linear"
    # The programme track itself is not lowered.
    plain = result.outputs["film.mp4"]
    assert _mean_db(plain, "0:a:0", 2300, 3100) == pytest.approx(
        _mean_db(plain, "0:a:0", 1300, 1500), abs=0.5)


@pytest.mark.slow
def test_peaks_over_the_limit_are_limited_not_ridden_so_the_dip_stays(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:
    """A voice peaking near full scale: one gain to the target would pass the true-peak limit.
    loudnorm's dynamic mode would ride the level and fill the dip; the gain is kept and only
    the peaks are limited, so the programme is still 10 dB down under the description."""
    loud = tmp_path / "loud.wav"
    # 1 s of 4 ms bursts near full scale every 200 ms: about 20 dB from peak to loudness,
    # like speech, and long enough for its loudness to be measured.
    runner.ffmpeg(["-f", "lavfi", "-i",
                   "aevalsrc=0.95*sin(2*PI*1000*t)*lt(mod(t\\,0.2)\\,0.004):s=48000:d=1",
                   "-c:a", "pcm_s16le", str(loud)])
    for wav in tmp_path.glob("voice-*.wav"):
        wav.unlink()
    shutil.copyfile(loud, tmp_path / "voice.wav")
    film = _steady_film(make_film, tmp_path, n=1)
    _describe(film, "clip-1", [(800, 2200, "A grey room.")])
    result = _render(film)
    described = result.outputs["film.described.mp4"]
    loudness = json.loads(result.outputs["manifest.json"].read_text())["described"]["loudness"]
    assert loudness["normalization"] == "linear, peaks limited", loudness
    # The voice sounds from 1800 to 2800 ms; the dip lasts to 3200 ms.
    inside = _mean_db(described, "0:a:0", 2850, 3150)
    outside = _mean_db(described, "0:a:0", 1300, 1500)
    assert inside - outside == pytest.approx(-DUCK_DB, abs=1.0)
    measured = verify_loudness(described)
    # What the limiter took was made up, judged on the encoded track: within 0.2 LU (+ rounding).
    assert "made up" in loudness["note"] and "+0.0 dB made up" not in loudness["note"], loudness
    assert measured["i"] == pytest.approx(tiny().loudness_i, abs=0.25)
    assert measured["tp"] <= tiny().true_peak


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["web", "broadcast"])
def test_films_carry_the_described_track_tagged_titled_and_marked(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str], profile: str) -> None:
    film = _steady_film(make_film, tmp_path, n=2)
    _describe(film, "clip-2", [(500, 1500, "Two people laugh.")])
    film.sign_off()
    result = render_film(film.reload(), tiny(profile), today=TODAY)
    main = _streams(result.outputs["film.mp4"])
    assert [s["tags"]["language"] for s in main] == ["eng", "eng"]
    assert main[0]["disposition"]["default"] == 1 and not main[0]["disposition"][
        "visual_impaired"]
    assert main[1]["disposition"]["visual_impaired"] == 1 and not main[1]["disposition"][
        "default"]
    assert main[1]["tags"]["handler_name"] == "English, audio described"
    only = _streams(result.outputs["film.described.mp4"])
    assert len(only) == 1 and only[0]["disposition"]["visual_impaired"] == 1
    assert only[0]["tags"]["language"] == "eng"
    # Loudness of the described track within 1 LU of the profile's target.
    measured = verify_loudness(result.outputs["film.described.mp4"])
    assert measured["i"] == pytest.approx(tiny(profile).loudness_i, abs=1.0)
    assert measured["tp"] <= tiny(profile).true_peak
    manifest = json.loads(result.outputs["manifest.json"].read_text())
    assert manifest["described"]["voices"] == ["stub tone"]
    assert manifest["described"]["loudness"]["after"]["i"] == pytest.approx(
        measured["i"], abs=0.1)


@pytest.mark.slow
def test_descriptions_sidecar_and_transcript_in_film_time(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:
    film = _steady_film(make_film, tmp_path, n=2, trims={"clip-2": (1000, None)})
    _describe(film, "clip-1", [(100, 900, "A grey room."), (1500, 2500, "Amara waves.")])
    _describe(film, "clip-2", [(200, 800, "Trimmed away."), (1200, 2000, "A door opens.")])
    result = _render(film)
    cues = load_captions(result.outputs["film.descriptions.vtt"])
    # Title 1 s; clip-1 3 s; clip-2 from its 1 s point, so its cue at 1.2 s is at 4.2 s.
    texts = [(c.start, c.end, c.text) for c in cues if c.text != "Our Film."]
    assert (1100, 1900, "A grey room.") in texts
    assert (2500, 3500, "Amara waves.") in texts
    assert (4200, 5000, "A door opens.") in texts
    assert all(t != "Trimmed away." for _, _, t in texts)
    assert any("clip-2:1" in n and "left out" in n for n in result.notes)
    html = result.outputs["transcript.html"].read_text()
    assert '<p class="description"><time datetime="PT2.5S">0:02</time> ' \
           "<strong>Description:</strong> Amara waves.</p>" in html
    text = result.outputs["transcript.txt"].read_text()
    assert text.index("Description: A grey room.") < text.index("Hello from clip 1.") < \
        text.index("Description: Amara waves.")


@pytest.mark.slow
def test_a_film_without_descriptions_is_made_as_before(make_film: MakeFilm) -> None:
    film = make_film(1)
    result = render_film(film.project, tiny(), today=TODAY)
    assert "film.described.mp4" not in result.outputs
    assert "film.descriptions.vtt" not in result.outputs
    assert len(_streams(result.outputs["film.mp4"])) == 1
    assert "described" not in json.loads(result.outputs["manifest.json"].read_text())


@pytest.mark.slow
def test_a_description_only_edit_re_mixes_sound_and_encodes_no_picture(
        make_film: MakeFilm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the real offline voice: the edited description is voiced again, the others come
    from its cache, the described sound is mixed again and no ffmpeg call encodes video."""
    film = _steady_film(make_film, tmp_path, n=2)
    _describe(film, "clip-1", [(100, 2500, "A grey room.")])
    _describe(film, "clip-2", [(100, 2500, "A grey garden.")])
    first = _render(film)
    calls: list[list[str]] = []
    real = runner.run

    def spy(argv: Any, **kw: Any) -> Any:
        calls.append([str(a) for a in argv])
        return real(argv, **kw)

    real_ffmpeg = runner.ffmpeg

    def spy_ffmpeg(args: Any, **kw: Any) -> Any:
        calls.append(["ffmpeg", *(str(a) for a in args)])
        return real_ffmpeg(args, **kw)

    monkeypatch.setattr(runner, "run", spy)
    monkeypatch.setattr(runner, "ffmpeg", spy_ffmpeg)
    _describe(film, "clip-2", [(100, 2500, "A grey garden at dusk.")])
    second = _render(film)
    encodes = [c for c in calls if "libx264" in c]
    assert encodes == []
    assert "film:described" in second.segments_rendered
    assert "film:loudness" in second.segments_reused
    assert not any(name.endswith(":video") for name in second.segments_rendered)
    assert first.outputs["film.mp4"].read_bytes() != b""
    vtt = second.outputs["film.descriptions.vtt"].read_text()
    assert "A grey garden at dusk." in vtt and "A grey room." in vtt


@pytest.fixture
def malformed_film(make_film: MakeFilm) -> FilmFixture:
    """A one-clip film whose description script has a cue that ends before it starts."""
    film = make_film(1)
    _describe(film, "clip-1", [(2000, 1000, "Ends before it starts.")])
    return film


@pytest.mark.slow
def test_a_malformed_description_script_is_one_line_naming_it_and_nothing_is_made(
        malformed_film: FilmFixture) -> None:
    from tests.conftest import run_cli

    film = malformed_film
    film.sign_off()  # signed off as it is: the render itself must refuse the script
    code, out = run_cli("render", str(film.project.root))
    assert code == 1, out
    assert "descriptions/clip-1.vtt" in out and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1
    assert not (film.project.build_dir / "web" / "film.mp4").exists()
    assert not list((film.project.build_dir / "segments").glob("*.mp4")) \
        if (film.project.build_dir / "segments").exists() else True


@pytest.mark.slow
def test_the_review_profile_makes_no_described_track_and_the_report_says_so(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:
    film = _steady_film(make_film, tmp_path, n=1)
    _describe(film, "clip-1", [(500, 1500, "A grey room.")])
    film.sign_off()
    result = render_film(film.reload(), tiny("review"), today=TODAY,
                         options=RenderOptions(draft=True))
    assert "film.described.mp4" not in result.outputs and stub_voice == []
    assert len(_streams(result.outputs["film.mp4"])) == 1
    access = json.loads(result.outputs["manifest.json"].read_text())["access"]
    why = {c["number"]: c["why"] for c in access["criteria"]}
    assert why["1.2.5"] == "the review profile makes no described sound track"


@pytest.mark.slow
def test_a_review_draft_renders_past_a_malformed_script_and_reports_it_undescribed(
        malformed_film: FilmFixture) -> None:
    film = malformed_film
    result = render_film(film.project, tiny("review"), today=TODAY,
                         options=RenderOptions(draft=True))
    access = json.loads(result.outputs["manifest.json"].read_text())["access"]
    why = {c["number"]: c["why"] for c in access["criteria"]}
    assert why["1.2.5"] == "no descriptions for clips clip-1"


def test_a_cue_still_holding_the_starting_text_is_left_out(make_film: MakeFilm) -> None:
    from pipeline.describe.script import PLACEHOLDER
    from pipeline.render.described import plan_descriptions
    from pipeline.render.plan import plan_film

    film = make_film(1, signed=False)
    _describe(film, "clip-1", [(200, 900, f"{PLACEHOLDER} a pause of 0.7 s"),
                               (1000, 1900, "A grey room.")])
    parts = plan_film(film.project, tiny(), ["clip-1"], [("Our Film", 0.1)], [])
    placement = plan_descriptions(film.project, parts, 25)
    assert placement is not None
    assert [d.text for d in placement.placed if d.clip_id] == ["A grey room."]
    assert [(x.part, x.cue) for x in placement.left_out] == [("clip-1", 1)]
    assert "starting text" in str(placement.left_out[0])
