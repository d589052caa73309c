"""The film's sound: the loudness report, and the cache that spares a caption edit the loudness
passes. Measuring and normalising real sound is tested through renders in test_render.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pipeline.render import loudness
from pipeline.render.loudness import LoudnessReport, film_sound
from pipeline.render.plan import Part, PartKind, Progress
from pipeline.render.segments import RenderedSegments, segment_files
from pipeline.render_profiles import RenderProfile
from tests.pipeline.conftest import tiny

PARTS = [Part("title", PartKind.CARD, 0, 25, lines=(("Film", 0.075),)),
         Part("c1", PartKind.CLIP, 25, 50, clip_id="c1", source=Path("/f/c1.mp4"),
              footage_sha256="a" * 64, has_audio=True)]
REPORT = LoudnessReport(-16.0, -1.5, {"i": -30.123, "tp": -math.inf}, {"i": -16.2, "tp": -2.0},
                        "linear")


def _segments(profile: RenderProfile, folder: Path) -> RenderedSegments:
    return RenderedSegments({p.name: segment_files(p, profile, folder) for p in PARTS}, [], [])


def _fake_normalise(calls: list[Path]):  # type: ignore[no-untyped-def]
    def normalise(audio_list: Path, dest: Path, profile: RenderProfile,
                  progress: Progress | None = None, *,
                  duration_ms: float | None = None) -> LoudnessReport:
        calls.append(dest)
        dest.write_bytes(b"sound")
        return REPORT
    return normalise


def test_report_is_json_ready() -> None:
    assert REPORT.to_dict() == {
        "target_i": -16.0, "limit_tp": -1.5, "before": {"i": -30.12, "tp": "-inf"},
        "after": {"i": -16.2, "tp": -2.0}, "normalization": "linear", "note": "",
        "warning": ""}


def test_sound_is_made_once_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(loudness, "normalise_audio", _fake_normalise(calls))
    prof = tiny()
    first = film_sound(PARTS, _segments(prof, tmp_path), tmp_path / "a.ffconcat", prof, tmp_path)
    assert not first.reused and calls == [first.path] and first.loudness == REPORT
    again = film_sound(PARTS, _segments(prof, tmp_path), tmp_path / "a.ffconcat", prof, tmp_path)
    assert again.reused and again.path == first.path and len(calls) == 1
    assert again.loudness == REPORT


def test_a_damaged_report_is_measured_again(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(loudness, "normalise_audio", _fake_normalise(calls))
    prof = tiny()
    made = film_sound(PARTS, _segments(prof, tmp_path), tmp_path / "a.ffconcat", prof, tmp_path)
    saved = made.path.with_suffix(".loudness.json")
    assert json.loads(saved.read_text())["normalization"] == "linear"
    saved.write_text('{"target_i": -16}')
    again = film_sound(PARTS, _segments(prof, tmp_path), tmp_path / "a.ffconcat", prof, tmp_path)
    assert not again.reused and len(calls) == 2


def test_the_sound_key_follows_sound_settings_only(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loudness, "normalise_audio", _fake_normalise([]))

    def path(prof: RenderProfile) -> Path:
        return film_sound(PARTS, _segments(prof, tmp_path), tmp_path / "a.ffconcat", prof,
                          tmp_path).path

    base = path(tiny())
    assert path(tiny(video_crf=30, width=640, height=360)) == base
    assert path(tiny(loudness_i=-23.0)) != base
    assert path(tiny(audio_bitrate="128k")) != base
