"""Segment cache keys: each changes with what changes its file, and with nothing else.

Rendering segments is tested through whole renders in tests/pipeline/test_render.py; how jobs are
run (two at a time, a failure stopping the queue) with stand-in jobs here.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from captions.model import Cue
from pipeline.render.jobs import MAX_SEGMENT_JOBS, default_jobs, run_jobs
from pipeline.render.plan import Part, PartKind
from pipeline.render.segments import cache_key, clean_stale, segment_files
from tests.pipeline.conftest import tiny

CLIP = Part("c1", PartKind.CLIP, 25, 50, clip_id="c1", source=Path("/f/c1.mp4"),
            footage_sha256="a" * 64, in_ms=500, out_ms=2500, has_video=True, has_audio=True,
            cues=(Cue(0, 900, "Hello."),))
CARD = Part("title", PartKind.CARD, 0, 25, lines=(("Our Film", 0.075),))
SEGMENTS = Path("/segments")


def _keys(part: Part, **profile: object) -> tuple[str, str, str]:
    files = segment_files(part, tiny("web", **profile), SEGMENTS)
    return files.video_key, files.captioned_key, files.audio_key


def test_cache_key_is_canonical() -> None:
    assert cache_key({"a": 1, "b": [1, 2]}) == cache_key({"b": [1, 2], "a": 1})
    assert cache_key({"a": 1}) != cache_key({"a": 2})


def test_files_are_named_by_their_keys() -> None:
    files = segment_files(CLIP, tiny(), SEGMENTS)
    assert files.video == SEGMENTS / f"{files.video_key}.mp4"
    assert files.captioned == SEGMENTS / f"{files.captioned_key}.mp4"
    assert files.audio == SEGMENTS / f"{files.audio_key}.wav"
    assert files.ass == SEGMENTS / f"{files.captioned_key}.ass"
    assert len({files.video_key, files.captioned_key, files.audio_key}) == 3


def test_a_caption_edit_changes_only_the_captioned_picture() -> None:
    edited = dataclasses.replace(CLIP, cues=(Cue(0, 900, "Hello again."),))
    before, after = _keys(CLIP), _keys(edited)
    assert before[0] == after[0] and before[2] == after[2]
    assert before[1] != after[1]


def test_a_part_without_cues_has_no_captioned_file_of_its_own() -> None:
    files = segment_files(dataclasses.replace(CLIP, cues=()), tiny(), SEGMENTS)
    assert files.captioned_key == files.video_key and files.ass is None


def test_footage_and_trim_change_picture_and_sound() -> None:
    base = _keys(CLIP)
    for change in ({"footage_sha256": "b" * 64}, {"in_ms": 600}, {"frames": 49}):
        other = _keys(dataclasses.replace(CLIP, **change))
        assert other[0] != base[0] and other[2] != base[2], change


def test_picture_settings_change_the_picture_only() -> None:
    base = _keys(CLIP)
    for change in ({"width": 640, "height": 360}, {"video_crf": 30}, {"video_preset": "slow"}):
        other = _keys(CLIP, **change)
        assert other[0] != base[0] and other[2] == base[2], change
    # Loudness is applied to the joined film, not to segments.
    assert _keys(CLIP, loudness_i=-23.0) == base


def test_the_timecode_ties_a_picture_to_its_place_in_the_film() -> None:
    moved = dataclasses.replace(CLIP, start_frame=100)
    assert _keys(moved)[0] == _keys(CLIP)[0]  # web burns nothing in
    review = {"burn_timecode": True}
    assert _keys(moved, **review)[0] != _keys(CLIP, **review)[0]


def test_silent_parts_share_their_sound() -> None:
    no_sound = dataclasses.replace(CLIP, has_audio=False)
    other_footage = dataclasses.replace(no_sound, footage_sha256="c" * 64)
    assert _keys(no_sound)[2] == _keys(other_footage)[2] == _keys(
        dataclasses.replace(CARD, frames=50))[2]


def test_card_text_changes_the_card() -> None:
    renamed = dataclasses.replace(CARD, lines=(("Their Film", 0.075),))
    assert _keys(renamed)[0] != _keys(CARD)[0]


def test_clean_stale_removes_only_what_a_killed_render_left(tmp_path: Path) -> None:
    left = [tmp_path / ".abc.x1.part.mp4", tmp_path / ".list.tmp"]
    kept = [tmp_path / "abc.mp4", tmp_path / "abc.wav", tmp_path / "web.video.ffconcat"]
    for path in left + kept:
        path.write_bytes(b"x")
    clean_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in kept)
    clean_stale(tmp_path / "missing")  # no folder yet: nothing to do


@dataclasses.dataclass
class _Job:
    """A stand-in job that records that it started, then fails or takes a while."""

    name: str
    started: list[str]
    fail: bool = False

    def run(self, progress: Any = None) -> None:
        self.started.append(self.name)
        if self.fail:
            raise RuntimeError(f"{self.name} failed")
        time.sleep(0.5)

    def on_worker(self, to: Any) -> _Job:
        return self


def test_after_a_failure_no_queued_job_starts() -> None:
    """Two at a time: when one job fails (or Ctrl-C lands), the jobs still queued are dropped,
    not rendered before the error is reported."""
    started: list[str] = []
    jobs = [_Job("a", started, fail=True), *(_Job(n, started) for n in "bcdef")]
    with pytest.raises(RuntimeError, match="a failed"):
        run_jobs(jobs, jobs=2)
    # "a" fails at once while "b" runs; at most one more starts before the queue is cancelled.
    assert started[:2] in (["a", "b"], ["b", "a"])
    assert len(started) <= 3 and "f" not in started, started


def test_jobs_run_here_two_at_a_time_all_of_them() -> None:
    started: list[str] = []
    run_jobs([_Job(n, started) for n in "abcd"], jobs=2)
    assert sorted(started) == list("abcd")


def test_default_jobs_is_two_on_two_cores_and_never_more_than_the_cap(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for cores, want in ((1, 2), (2, 2), (4, 2), (6, 3), (64, MAX_SEGMENT_JOBS)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        assert default_jobs() == want, cores


def test_ctrl_c_stops_the_other_threads_tools_and_starts_nothing_queued() -> None:
    """Only the main thread hears Ctrl-C: the ffmpeg another thread is waiting for is stopped
    with it (not left to run to the end of its part) and no queued job starts."""
    from pipeline import runner
    from pipeline.exceptions import MediaToolError

    started: list[str] = []
    outcome: dict[str, str] = {}
    sleeping = threading.Event()

    class Sleeper(_Job):
        def run(self, progress: Any = None) -> None:
            started.append(self.name)
            sleeping.set()
            try:
                runner.run(["sleep", "60"])
                outcome[self.name] = "ran to the end"
            except MediaToolError:
                outcome[self.name] = "stopped"

    class Interrupted(_Job):
        def run(self, progress: Any = None) -> None:
            started.append(self.name)
            sleeping.wait(10)
            # Ctrl-C, as a terminal delivers it: SIGINT to the main thread.
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    jobs = [Sleeper("long", started), Interrupted("ctrl-c", started),
            *(_Job(n, started) for n in "xyz")]
    # SIGINT at Python's default (KeyboardInterrupt) and unblocked here, whatever an earlier test
    # in the run left.
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        with pytest.raises(KeyboardInterrupt):
            run_jobs(jobs, jobs=2)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, handler)
    assert outcome == {"long": "stopped"}
    assert sorted(started) == ["ctrl-c", "long"]


def test_the_first_failure_in_order_is_raised_whichever_thread_met_it_first() -> None:
    """Two jobs fail at once: the error is the earlier job's, every time (a fault reads the
    same), and the queued job never starts."""
    started: list[str] = []

    class SlowFail(_Job):
        def run(self, progress: Any = None) -> None:
            started.append(self.name)
            time.sleep(0.3)
            raise RuntimeError(f"{self.name} failed")

    jobs = [SlowFail("first", started), _Job("second", started, fail=True), _Job("c", started)]
    with pytest.raises(RuntimeError, match="first failed"):
        run_jobs(jobs, jobs=2)
    assert "c" not in started
