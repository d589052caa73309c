"""One loudness cache (issue 25 item 3): the film's sound and the described sound keep their
loudness reports, and each description voice its measured level, through
pipeline/render/loudness_cache.py, with the same rules: made once, a damaged or half record
measured again, a record that cannot be written refused (reports) or let be (voice levels)."""

from __future__ import annotations

import ast
import errno
import math
from pathlib import Path

import pytest

from pipeline.render import loudness_cache
from pipeline.render.errors import OutputWriteError
from pipeline.render.loudness import LoudnessReport
from pipeline.render.loudness_cache import cached_report, measured_once

REPORT = LoudnessReport(-16.0, -1.5, {"i": -30.1, "tp": -math.inf}, {"i": -16.2, "tp": -2.0},
                        "linear")
RENDER = Path(__file__).resolve().parents[3] / "pipeline" / "render"


def _make(sound: Path, calls: list[int]):  # type: ignore[no-untyped-def]
    def make() -> LoudnessReport:
        calls.append(1)
        sound.write_bytes(b"sound")
        return REPORT
    return make


def test_a_report_is_made_once_and_re_used(tmp_path: Path) -> None:
    sound, saved, calls = tmp_path / "k.m4a", tmp_path / "k.loudness.json", []
    first = cached_report(sound, saved, _make(sound, calls), LoudnessReport)
    again = cached_report(sound, saved, _make(sound, calls), LoudnessReport)
    assert first == (REPORT, False) and again == (REPORT, True) and calls == [1]


@pytest.mark.parametrize("damage", ["{", '{"target_i": -16}', "[]", "sound gone"])
def test_a_damaged_record_or_a_lost_sound_is_made_again(tmp_path: Path, damage: str) -> None:
    sound, saved, calls = tmp_path / "k.m4a", tmp_path / "k.loudness.json", []
    cached_report(sound, saved, _make(sound, calls), LoudnessReport)
    if damage == "sound gone":
        sound.unlink()
    else:
        saved.write_text(damage)
    assert cached_report(sound, saved, _make(sound, calls), LoudnessReport) == (REPORT, False)
    assert calls == [1, 1]


def test_a_report_that_cannot_be_recorded_fails_the_render(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(loudness_cache, "atomic_write_bytes", full)
    sound = tmp_path / "k.m4a"
    with pytest.raises(OutputWriteError, match="disk full"):
        cached_report(sound, tmp_path / "k.json", _make(sound, []), LoudnessReport)


def test_a_level_is_measured_once_per_content(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[Path] = []

    def measure(path: Path) -> float:
        measured.append(path)
        return -20.5

    one, same, other = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    one.write_bytes(b"voice")
    same.write_bytes(b"voice")
    other.write_bytes(b"other voice")
    cache = tmp_path / "cache"
    cache.mkdir()
    assert [measured_once(p, cache, "voice-level", measure) for p in (one, same, other)] \
        == [-20.5] * 3
    assert measured == [one, other]
    # A cache that cannot be written only costs a measurement.
    monkeypatch.setattr(loudness_cache, "atomic_write_bytes",
                        lambda *a: (_ for _ in ()).throw(OSError(errno.EROFS, "ro")))
    fresh = tmp_path / "d.wav"
    fresh.write_bytes(b"new voice")
    assert measured_once(fresh, cache, "voice-level", measure) == -20.5


@pytest.mark.parametrize("module", ["loudness.py", "described.py"])
def test_the_sound_steps_keep_no_cache_of_their_own(module: str) -> None:
    tree = ast.parse((RENDER / module).read_text(encoding="utf-8"))
    reads = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute)
             and n.attr in ("read_text", "asdict")]
    uses = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
            and n.module == "pipeline.render.loudness_cache" for a in n.names}
    assert not reads, f"{module} reads or writes a loudness record itself (lines {reads})"
    assert uses, f"{module} does not use pipeline/render/loudness_cache.py"
