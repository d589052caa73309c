"""Rendering: streams and duration, captions (soft, sidecar, burned), loudness, the gate, the
segment cache, interrupted renders, locks and awkward file names.

Every render here is 320x180 with the fastest x264 preset and 1 s cards (see conftest.tiny), on
2 s clips, so each takes a second or two.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from captions.formats import load as load_captions
from captions.formats import save as save_captions
from captions.model import Cue
from consent import ConsentError, Ledger, Withdrawal, affected_outputs
from pipeline import runner
from pipeline.exceptions import MediaToolError, PipelineError, ProjectError
from pipeline.render import (
    GateRefusedError,
    RenderError,
    RenderOptions,
    RenderResult,
    publish,
    render_film,
)
from pipeline.render.burn_in import caption_style
from pipeline.render.plan import Part, PartKind
from pipeline.render.segments import render_segment, segment_files
from tests.pipeline.conftest import TODAY, MakeFilm, MakeFootage, gray_frame, region, tiny

pytestmark = pytest.mark.slow

W, H, FPS = 320, 180, 25
FRAME_MS = 1000 / FPS
CARD_MS = 1000


def _streams(path: Path) -> dict[str, dict[str, Any]]:
    data = runner.ffprobe_json(path)
    return {s["codec_type"]: s for s in data["streams"]} | {"format": data["format"]}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bright(pixels: list[int]) -> int:
    return sum(1 for p in pixels if p > 200)


def _dark(pixels: list[int]) -> int:
    return sum(1 for p in pixels if p < 40)


def _render(project, profile=None, **kw) -> RenderResult:  # type: ignore[no-untyped-def]
    """A render judged on TODAY; ``kw`` are RenderOptions fields and render_film's own."""
    chosen = {k: kw.pop(k) for k in list(kw) if k in RenderOptions.__dataclass_fields__}
    return render_film(project, profile or tiny(), RenderOptions(**chosen), today=TODAY, **kw)


# --- the film ------------------------------------------------------------------------------------


def test_film_has_video_audio_and_language_tagged_subtitles_of_the_right_length(
        make_film: MakeFilm) -> None:
    film = make_film(3, trims={"clip-2": (500, 1700)}, sizes=["320x180", "320x240", "320x180"])
    result = _render(film.project)
    mp4 = result.outputs["film.mp4"]
    assert mp4 == film.project.build_dir / "web" / "film.mp4"
    s = _streams(mp4)
    assert (s["video"]["codec_name"], s["video"]["width"], s["video"]["height"]) == \
        ("h264", W, H)
    assert s["video"]["pix_fmt"] == "yuv420p"
    assert (s["audio"]["codec_name"], s["audio"]["sample_rate"], s["audio"]["channels"]) == \
        ("aac", "48000", 2)
    assert s["subtitle"]["codec_name"] == "mov_text"
    assert s["subtitle"]["tags"]["language"] == "eng"
    # Two 1 s cards, two whole 2 s clips and clip-2 trimmed to 1.2 s.
    expected_ms = CARD_MS + 2000 + 1200 + 2000 + CARD_MS
    assert abs(float(s["format"]["duration"]) * 1000 - expected_ms) <= FRAME_MS
    assert abs(float(s["video"]["duration"]) * 1000 - expected_ms) <= FRAME_MS
    assert int(s["video"]["nb_frames"]) == round(expected_ms / FRAME_MS)
    assert result.duration_ms == expected_ms


def test_four_by_three_clip_is_pillarboxed(make_film: MakeFilm) -> None:
    film = make_film(1, sizes=["320x240"])
    mp4 = _render(film.project).outputs["film.mp4"]
    frame = gray_frame(mp4, (CARD_MS + 500) / 1000, width=W, height=H)
    # 4:3 in 16:9: the picture is 240 wide, so 40 columns of black each side.
    left = region(frame, W, (0, 0, 36, H))
    centre = region(frame, W, (60, 20, 260, 120))
    assert _dark(left) == len(left)
    assert all(100 < p < 160 for p in centre)


def test_sidecars_hold_every_cue_trimmed_and_offset_by_its_place_in_the_film(
        make_film: MakeFilm) -> None:
    film = make_film(2, trims={"clip-1": (500, 1500)})
    result = _render(film.project)
    # clip-1 plays 500-1500 ms of its footage from 1000 ms (after the title card):
    # "Hello" (200-900) is cut to 500-900, "together" (1300-1900) to 1300-1500.
    # clip-2 starts at 1000 + 1000 = 2000 ms.
    want = [(1000, 1400, "Hello from clip 1."), (1800, 2000, "We made this film\ntogether."),
            (2200, 2900, "Hello from clip 2."), (3300, 3900, "We made this film\ntogether.")]
    for ext in ("srt", "vtt"):
        cues = load_captions(result.out_dir / f"film.{ext}")
        assert [(c.start, c.end, c.text) for c in cues] == want, ext
    track = runner.run(["ffmpeg", "-v", "error", "-i", f"file:{result.outputs['film.mp4']}",
                        "-map", "0:s", "-f", "srt", "-"]).stdout.decode()
    assert "00:00:02,200 --> 00:00:02,900" in track and "Hello from clip 2." in track


def test_burned_captions_show_during_cues_only_and_stay_in_the_safe_area(
        make_film: MakeFilm) -> None:
    film = make_film(1)
    result = _render(film.project, open_captions=True)
    burned = result.outputs["film.open-captions.mp4"]
    clean = result.outputs["film.mp4"]
    during = (CARD_MS + 550) / 1000  # inside cue 1 (200-900 ms of the clip)
    between = (CARD_MS + 1100) / 1000  # between cue 1 and cue 2 (1300 ms)
    whole = (0, 0, W, H)
    safe_x0, safe_x1 = round(W * 0.05), round(W * 0.95)
    safe_y0, safe_y1 = round(H * 0.125), round(H * 0.875)

    frame = gray_frame(burned, during, width=W, height=H)
    text, box = _bright(region(frame, W, whole)), _dark(region(frame, W, whole))
    assert text > 30 and box > 200
    inside = region(frame, W, (safe_x0, safe_y0, safe_x1, safe_y1))
    assert _bright(inside) == text and _dark(inside) == box  # nothing outside the safe area
    # The box is 7-8 % of the height per line plus its padding: measure its rows.
    rows = [y for y in range(H) if _dark(region(frame, W, (0, y, W, y + 1))) > 10]
    style = caption_style(tiny())
    assert 0.07 <= style["size"] / H <= 0.08
    assert abs(len(rows) - (style["size"] + 2 * style["pad"])) <= 3

    assert _bright(region(gray_frame(burned, between, width=W, height=H), W, whole)) == 0
    assert _bright(region(gray_frame(clean, during, width=W, height=H), W, whole)) == 0


def test_loudness_meets_web_and_broadcast_targets(make_film: MakeFilm) -> None:
    film = make_film(2)
    for name, target, limit in (("web", -16.0, -1.5), ("broadcast", -23.0, -1.0)):
        result = _render(film.project, tiny(name))
        log = runner.run(["ffmpeg", "-hide_banner", "-nostats", "-i",
                          f"file:{result.outputs['film.mp4']}", "-map", "0:a",
                          "-af", "ebur128=peak=true", "-f", "null", "-"]).stderr.decode()
        summary = log[log.rindex("Summary:"):]
        integrated = float(summary.split("I:")[1].split("LUFS")[0])
        peak = float(summary.split("Peak:")[1].split("dBFS")[0])
        assert abs(integrated - target) <= 1.0, name
        assert peak <= limit, name
        loud = result.manifest["loudness"]
        assert loud["normalization"] == "linear"
        assert abs(loud["before"]["i"] - target) > 2  # there was real gain to apply
        assert abs(loud["after"]["i"] - target) <= 1.0


def test_loud_film_falls_back_to_dynamic_and_says_so(make_film: MakeFilm) -> None:
    film = make_film(1)
    # Raising the test tone to -9 LUFS by one gain would put its peaks over -1.5 dBTP.
    result = _render(film.project, tiny("web", loudness_i=-9.0))
    loud = result.manifest["loudness"]
    assert loud["normalization"] == "dynamic"
    assert any("linear normalisation impossible" in note for note in result.notes)


def test_clip_without_sound_or_speech_gets_silence_and_no_cues(
        make_film: MakeFilm, make_footage: MakeFootage) -> None:
    film = make_film(2)
    project = film.project
    silent = make_footage("grey-silent.mp4", audio=False)
    project.clip("clip-2").file.write_bytes(silent.read_bytes())
    project.caption_path("clip-2").write_text("")  # what transcribe writes for no speech
    film.sign_off(["clip-2"])
    result = _render(project)
    s = _streams(result.outputs["film.mp4"])
    assert abs(float(s["audio"]["duration"]) * 1000 - result.duration_ms) <= FRAME_MS
    assert "clip 2" not in (result.out_dir / "film.srt").read_text()
    assert "(no speech)" in (result.out_dir / "transcript.txt").read_text()


# --- the gate ------------------------------------------------------------------------------------


def test_gate_refuses_with_every_reason_and_writes_nothing(make_film: MakeFilm) -> None:
    film = make_film(3, signed=False)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    with pytest.raises(GateRefusedError) as info:
        _render(film.project)
    err = info.value
    assert set(err.result.blocked) == {"clip-1", "clip-2", "clip-3"}
    message = str(err)
    assert "clip clip-2: contributor ben: consent withdrawn" in message
    assert "clip clip-1: contributor amara: has not signed off this clip" in message
    assert "clip clip-3: contributor chloe: has not signed off this clip" in message
    assert isinstance(err, PipelineError)
    assert not (film.project.build_dir / "web").exists()


def test_drop_withdrawn_leaves_withdrawn_clips_out(make_film: MakeFilm) -> None:
    film = make_film(3)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    with pytest.raises(GateRefusedError, match="--drop-withdrawn"):
        _render(film.project)
    result = _render(film.project, drop_withdrawn=True)
    assert result.dropped == ["clip-2"]
    assert [c["id"] for c in result.manifest["clips"]] == ["clip-1", "clip-3"]
    assert result.manifest["dropped_clips"] == ["clip-2"]
    assert any("clip-2" in note for note in result.notes)
    assert result.duration_ms == CARD_MS + 2000 + 2000 + CARD_MS
    assert "Hello from clip 2." not in (result.out_dir / "film.srt").read_text()


def test_draft_skips_sign_off_for_internal_review_only(make_film: MakeFilm) -> None:
    film = make_film(1, signed=False)
    result = _render(film.project, tiny("review"), draft=True)
    assert result.manifest["draft"] is True and result.manifest["channel"] == "internal"
    # The review profile burns captions in by default, and DRAFT and a timecode on every frame.
    assert set(result.outputs) >= {"film.mp4", "film.open-captions.mp4"}
    top = region(gray_frame(result.outputs["film.mp4"], 1.5, width=W, height=H), W,
                 (0, 0, W, round(H * 0.12)))
    assert _bright(top) > 20
    with pytest.raises(ConsentError, match="only allowed for channel internal"):
        _render(film.project, draft=True)
    with pytest.raises(GateRefusedError):
        _render(film.project, tiny("review"))


# --- the cache -----------------------------------------------------------------------------------


def _segment_mtimes(film_root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (film_root / "build" / "segments").iterdir()
            if p.suffix in (".mp4", ".wav", ".m4a")}


def test_nothing_changed_renders_no_segment(make_film: MakeFilm) -> None:
    film = make_film(2)
    first = _render(film.project, open_captions=True)
    assert "clip-1:video" in first.segments_rendered
    before = _segment_mtimes(film.project.root)
    again = _render(film.project, open_captions=True)
    assert again.segments_rendered == []
    assert "film:loudness" in again.segments_reused
    assert _segment_mtimes(film.project.root) == before
    assert again.manifest["outputs"]["film.mp4"]["sha256"] == _sha(again.outputs["film.mp4"])


def test_one_caption_edit_rerenders_one_segment(make_film: MakeFilm) -> None:
    film = make_film(3)
    _render(film.project, open_captions=True)
    before = _segment_mtimes(film.project.root)
    save_captions([Cue(200, 900, "Hello again from clip 2."),
                   Cue(1300, 1900, "We made this film\ntogether.")],
                  film.project.caption_path("clip-2"))
    film.sign_off(["clip-2"])
    result = _render(film.project, open_captions=True)
    assert result.segments_rendered == ["clip-2:captioned"]
    after = _segment_mtimes(film.project.root)
    assert len(set(after) - set(before)) == 1
    assert all(after[name] == mtime for name, mtime in before.items())
    assert "Hello again from clip 2." in (result.out_dir / "film.srt").read_text()
    frame = gray_frame(result.outputs["film.open-captions.mp4"], (CARD_MS + 2000 + 550) / 1000,
                       width=W, height=H)
    assert _bright(region(frame, W, (0, 0, W, H))) > 30


def test_without_open_captions_a_caption_edit_renders_no_segment(make_film: MakeFilm) -> None:
    film = make_film(2)
    _render(film.project, open_captions=True)
    assert (film.project.build_dir / "web" / "film.open-captions.mp4").exists()
    save_captions([Cue(100, 800, "Edited.")], film.project.caption_path("clip-1"))
    film.sign_off(["clip-1"])
    result = _render(film.project)
    assert result.segments_rendered == []
    assert "Edited." in (result.out_dir / "film.vtt").read_text()
    # An open-captions film from before would show the old caption: it is removed.
    assert not (film.project.build_dir / "web" / "film.open-captions.mp4").exists()


# --- safety ------------------------------------------------------------------------------------


def _final_names(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if not p.name.startswith("."))


def test_failure_while_joining_leaves_the_previous_film(make_film: MakeFilm,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(2)
    first = _render(film.project)
    shas = {name: _sha(path) for name, path in first.outputs.items()}
    save_captions([Cue(100, 800, "Changed.")], film.project.caption_path("clip-1"))
    film.sign_off(["clip-1"])
    real = runner.ffmpeg

    def failing_join(args, **kwargs):  # type: ignore[no-untyped-def]
        if "mov_text" in args:
            real(args, **kwargs)  # let ffmpeg write its partial file, then fail
            raise MediaToolError(["ffmpeg"], 1, "simulated failure")
        return real(args, **kwargs)

    monkeypatch.setattr(runner, "ffmpeg", failing_join)
    with pytest.raises(RenderError, match=r"film\.mp4: cannot be made: ffmpeg failed"):
        _render(film.project)
    assert {name: _sha(path) for name, path in first.outputs.items()} == shas
    assert not [p for p in first.out_dir.iterdir() if ".part" in p.name]


_KILL_SCRIPT = """
import sys
from datetime import date
from pipeline.project import Project
from pipeline.render import RenderOptions, render_film
from tests.pipeline.conftest import tiny
render_film(Project.open(sys.argv[1]), tiny(width=1280, height=720, video_preset="slow"),
            RenderOptions(open_captions=True, jobs=1), today=date(2026, 6, 1))
"""


def test_render_killed_midway_leaves_the_previous_film_intact(make_film: MakeFilm) -> None:
    film = make_film(2)
    first = _render(film.project)
    shas = {name: _sha(path) for name, path in first.outputs.items()}
    segments = film.project.build_dir / "segments"
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(film.project.root)],
                            cwd=repo, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(segments.glob(".*.part*")):
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the render never started a segment"
            time.sleep(0.02)
    finally:
        # The whole group, so ffmpeg dies with the Python process that started it.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert {name: _sha(path) for name, path in first.outputs.items()} == shas
    assert all(".part" not in name for name in _final_names(first.out_dir))
    # The next render clears what the killed one left and succeeds.
    again = _render(film.project)
    assert not list(segments.glob(".*.part*"))
    assert _sha(again.outputs["film.mp4"]) == shas["film.mp4"]


def test_second_render_refuses_while_one_runs(make_film: MakeFilm) -> None:
    film = make_film(1)
    with film.project.lock("render"), pytest.raises(ProjectError, match="another coprod render"):
        _render(film.project, wait=False)


def test_awkward_folder_and_footage_names(make_film: MakeFilm) -> None:
    folder = "Film's #2 [draft]: ünïcode, 100% ; a=b?"
    # The title is drawn on the title card through drawtext: quotes, colons, brackets, % and
    # backslashes must reach it as text.
    film = make_film(1, folder=folder, title="It's ours: [draft] 100%, a\\b; {x}")
    project = film.project
    awkward = project.footage_dir / "it's [1]: née, 50%; x=y.mp4"
    project.clip("clip-1").file.rename(awkward)
    project.doc["clips"]["clip-1"]["file"] = f"footage/{awkward.name}"
    project.save()
    film.sign_off()  # same content key: footage bytes, in/out and captions are unchanged
    result = _render(film.reload(), open_captions=True)
    assert folder in str(result.outputs["film.mp4"])
    frame = gray_frame(result.outputs["film.open-captions.mp4"], (CARD_MS + 550) / 1000,
                       width=W, height=H)
    assert _bright(region(frame, W, (0, 0, W, H))) > 30
    assert _streams(result.outputs["film.mp4"])["subtitle"]["codec_name"] == "mov_text"
    assert "It's ours: [draft] 100%, a\\b; {x}" in (result.out_dir / "transcript.txt").read_text()
    title = gray_frame(result.outputs["film.mp4"], 0.5, width=W, height=H)
    assert _bright(region(title, W, (0, 0, W, H))) > 50


# --- transcript, credits and manifest -----------------------------------------------------------


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_transcript_names_only_contributors_with_name_consent(make_film: MakeFilm) -> None:
    film = make_film(3, title="Our <Film> & us")
    result = _render(film.project)
    page = (result.out_dir / "transcript.html").read_text()
    outline = _Outline()
    outline.feed(page)
    tags = [t for t, _ in outline.tags]
    assert ("html", {"lang": "en"}) in outline.tags
    assert tags.count("h1") == 1 and tags.count("h2") == 5  # title, 3 parts, credits
    text = "".join(outline.text)
    assert "Our <Film> & us" in text  # escaped in the page, read back as written
    assert "Speaker: Amara Okafor" in text
    assert "Speaker: Contributor 2" in text and "Speaker: Contributor 3" in text
    assert "Ben" not in text and "Chlo" not in text
    assert "Hello from clip 2." in text
    plain = (result.out_dir / "transcript.txt").read_text()
    assert "Speaker: Contributor 2" in plain and "and 2 more contributors" in plain
    assert "Ben Smith" not in plain


def test_manifest_records_inputs_consent_loudness_tools_and_outputs(
        make_film: MakeFilm) -> None:
    film = make_film(2)
    result = _render(film.project)
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert manifest == json.loads(json.dumps(result.manifest))
    assert manifest["output"] == "build/web/film.mp4"
    clip = manifest["clips"][0]
    assert clip["id"] == "clip-1" and clip["contributors"] == ["amara"]
    assert clip["footage_sha256"] == film.project.footage_sha256("clip-1")
    assert clip["caption_sha256"] == _sha(film.project.caption_path("clip-1"))
    assert manifest["consent"]["events_used"] == result.gate.events_used
    assert len(manifest["consent"]["events_used"]) == 4  # 2 consents + 2 sign-offs
    assert manifest["contributors"] == [{"id": "amara", "credited_by_name": True},
                                        {"id": "ben", "credited_by_name": False}]
    assert "ffmpeg version" in manifest["tools"]["ffmpeg"]
    for name in ("film.mp4", "film.srt", "film.vtt", "transcript.html", "transcript.txt"):
        assert manifest["outputs"][name]["sha256"] == _sha(result.out_dir / name)
    assert {"before", "after", "normalization"} <= set(manifest["loudness"])
    assert "Ben Smith" not in json.dumps(manifest)
    # consent's withdrawal report reads this manifest.
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=date.today()))
    rows = affected_outputs(Ledger(film.project.ledger_path).events(), [manifest])
    assert [(r.output, r.clip_id, r.contributor) for r in rows] == \
        [("build/web/film.mp4", "clip-2", "ben")]


def test_progress_reports_fractions(make_film: MakeFilm) -> None:
    film = make_film(1)
    seen: list[tuple[str, float]] = []
    _render(film.project, progress=lambda step, frac: seen.append((step, frac)))
    steps = {step for step, _ in seen}
    assert "segment clip-1" in steps and "join" in steps
    assert all(0.0 <= frac <= 1.0 for _, frac in seen)


# --- changes while a render runs -----------------------------------------------------------------


def test_footage_replaced_while_its_segment_renders_is_not_cached(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(2, sizes=["320x180", "320x240"])  # two different footage files
    project = film.project
    target = project.clip("clip-2").file
    original = target.read_bytes()
    real = runner.run_graph

    def swap_during_clip_2(stream, **kwargs):  # type: ignore[no-untyped-def]
        import ffmpeg as ffmpeg_python

        real(stream, **kwargs)
        if any(str(target) in arg for arg in ffmpeg_python.get_args(stream)):
            target.write_bytes(project.clip("clip-1").file.read_bytes())

    monkeypatch.setattr(runner, "run_graph", swap_during_clip_2)
    with pytest.raises(RenderError, match="clip clip-2: its footage changed"):
        _render(project)
    monkeypatch.setattr(runner, "run_graph", real)
    target.write_bytes(original)
    # Put back as signed: the next render must make clip-2's picture again, not reuse one
    # made from the other clip's footage.
    result = _render(project.reload())
    assert "clip-2:video" in result.segments_rendered


def test_withdrawal_recorded_while_rendering_stops_publication(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(2)
    real = publish.mux_film

    def withdraw_then_mux(*args, **kwargs):  # type: ignore[no-untyped-def]
        Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
        return real(*args, **kwargs)

    monkeypatch.setattr(publish, "mux_film", withdraw_then_mux)
    with pytest.raises(GateRefusedError, match="contributor ben: consent withdrawn"):
        _render(film.project)
    out = film.project.build_dir / "web"
    assert not (out / "film.mp4").exists() and not (out / "manifest.json").exists()


def test_caption_edited_while_rendering_stops_publication(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(1)
    real = publish.mux_film

    def edit_then_mux(*args, **kwargs):  # type: ignore[no-untyped-def]
        save_captions([Cue(100, 900, "Not what was signed.")],
                      film.project.caption_path("clip-1"))
        return real(*args, **kwargs)

    monkeypatch.setattr(publish, "mux_film", edit_then_mux)
    with pytest.raises(RenderError, match="changed while rendering"):
        _render(film.project)
    assert not (film.project.build_dir / "web" / "film.mp4").exists()


def test_non_english_film_is_tagged_with_its_language(make_film: MakeFilm) -> None:
    film = make_film(1)
    text = film.project.film_yaml.read_text()
    film.project.film_yaml.write_text(text.replace("language: en", "language: cs"))
    result = _render(film.reload())
    streams = runner.ffprobe_json(result.outputs["film.mp4"])["streams"]
    tags = {s["codec_type"]: s.get("tags", {}).get("language") for s in streams}
    assert tags["audio"] == "ces" and tags["subtitle"] == "ces"


def test_caption_path_that_is_a_folder_is_a_clean_error(make_film: MakeFilm) -> None:
    film = make_film(1)
    path = film.project.caption_path("clip-1")
    path.unlink()
    path.mkdir()
    with pytest.raises(ProjectError, match="not a (regular )?file"):
        _render(film.project)


def test_sound_that_starts_after_the_picture_stays_in_sync(tmp_path: Path) -> None:
    import array

    src = tmp_path / "late-sound.mp4"
    # The sound track starts 0.48 s into the file; its beep is at 1.0 s on the file's clock.
    runner.ffmpeg(["-f", "lavfi", "-i", f"testsrc=s={W}x{H}:r={FPS}:d=2", "-itsoffset", "0.48",
                   "-f", "lavfi", "-i",
                   "aevalsrc='if(between(t\\,0.52\\,0.62)\\,0.5*sin(2*PI*1000*t)\\,0)'"
                   ":s=48000:d=1.52",
                   "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
                   "-c:a", "pcm_s16le", str(src.with_suffix(".mov"))])
    src = src.with_suffix(".mov")
    prof = tiny()
    part = Part(name="late", kind=PartKind.CLIP, start_frame=0, frames=2 * FPS, clip_id="late",
                source=src, footage_sha256="0" * 64, in_ms=0, out_ms=2000,
                has_video=True, has_audio=True)
    files = segment_files(part, prof, tmp_path)
    render_segment(part, files, prof, want_video=True, want_captioned=False, want_audio=True,
                   progress=None)
    raw = runner.run(["ffmpeg", "-v", "error", "-i", str(files.audio), "-ac", "1",
                      "-f", "s16le", "-"]).stdout
    samples = array.array("h")
    samples.frombytes(raw)
    first_loud = next(i for i, v in enumerate(samples) if abs(v) > 3000)
    assert abs(first_loud / 48000 - 1.0) < 0.03
