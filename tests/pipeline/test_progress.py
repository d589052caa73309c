"""Progress on stderr (issue 25, item 1): a log gets a start and an end line per step, whatever
threads report it; results go to stdout; at a terminal, tqdm bars."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from pipeline.cli._progress import StepProgress, step_name
from tests.pipeline.conftest import MakeFilm

STEPS = 40  # reports per thread, e.g. ffmpeg's out_time every half second of a long segment


def _race(shown: StepProgress, steps: list[str]) -> None:
    """Each step reported by its own thread, strictly in turn (a barrier between reports), so
    the reports alternate as two render threads' ffmpeg progress does."""
    turn = threading.Barrier(len(steps))

    def report(step: str) -> None:
        for i in range(STEPS + 1):
            turn.wait(timeout=30)
            shown(step, i / STEPS)

    threads = [threading.Thread(target=report, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _lines_per_step(text: str) -> Counter[str]:
    return Counter(re.sub(r"( \.\.\.|: done \(\d+\.\d s\))$", "", line)
                   for line in text.splitlines())


def test_two_threads_reporting_different_steps_give_a_start_and_an_end_line_each() -> None:
    out = io.StringIO()
    _race(StepProgress(out, tty=False), ["segment amara", "segment ben"])
    lines = out.getvalue().splitlines()
    assert _lines_per_step(out.getvalue()) == {"segment amara": 2, "segment ben": 2}, lines
    assert lines[:2] == ["segment amara ...", "segment ben ..."] or \
        lines[:2] == ["segment ben ...", "segment amara ..."], lines
    assert all(line.endswith(" s)") for line in lines[2:]), lines


def test_two_threads_reporting_the_same_step_give_one_start_and_one_end_line() -> None:
    out = io.StringIO()
    _race(StepProgress(out, tty=False), ["film sound: measuring", "film sound: verifying",
                                         "segment title"])
    assert _lines_per_step(out.getvalue()) == {"film sound": 2, "segment title": 2}


def test_a_step_said_to_be_finished_again_is_not_a_new_step() -> None:
    out = io.StringIO()
    shown = StepProgress(out, tty=False)
    for fraction in (0.0, 0.5, 1.0, 1.0, 1.0):
        shown("join", fraction)
    shown("film sound", 1.0)  # a step seen only as it ends: one line
    assert _lines_per_step(out.getvalue()) == {"join": 2, "film sound": 1}


def test_phases_belong_to_their_step() -> None:
    assert step_name("described sound: voicing") == "described sound"
    assert step_name("film-a: film sound: measuring") == "film-a: film sound"
    assert step_name("film-a: segment talk") == "film-a: segment talk"
    assert step_name("segment talk rendered on worker tcp://1.2.3.4:5") == \
        "segment talk rendered on worker tcp://1.2.3.4:5"


def test_at_a_terminal_each_running_step_has_a_bar_and_ends_with_one_line() -> None:
    out = io.StringIO()
    shown = StepProgress(out, tty=True)
    _race(shown, ["segment amara", "segment ben"])
    shown.close()
    text = out.getvalue()
    assert "%|" in text  # tqdm's bars were drawn
    # As a terminal shows it: tqdm moves the cursor between bars (ESC [ A) and pads the lines
    # it clears, more so when other bars are open in the same process (the whole suite).
    shown_lines = [line.strip() for line in re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;]*[A-Za-z]",
                                                                          "", text))]
    done = [line for line in shown_lines if line.endswith(": done")]
    assert sorted(done) == ["segment amara: done", "segment ben: done"]


@pytest.mark.slow
def test_a_build_logged_to_a_file_prints_at_most_two_lines_per_step(make_film: MakeFilm) -> None:
    film = make_film(3)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "pipeline", "build", str(film.project.root),
                           "--profile", "review"], capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    steps = _lines_per_step(done.stderr)
    assert all(count <= 2 for count in steps.values()), done.stderr
    for clip_id in film.clip_ids:
        assert steps[f"segment {clip_id}"] == 2, done.stderr
    # The build's results are on stdout, its progress on stderr, as for render.
    assert "review film.mp4: " in done.stdout
    assert "film.mp4" not in done.stderr


def test_ffmpeg_reports_the_end_of_its_run_as_the_whole(tmp_path: Path) -> None:
    """A step ends in the log even when ffmpeg's last out_time falls short of the length given
    (a signed segment's did, so its end line never came)."""
    from pipeline import runner

    seen: list[float] = []
    runner.ffmpeg(["-f", "lavfi", "-i", "sine=d=0.5", "-f", "wav", str(tmp_path / "a.wav")],
                  progress=seen.append, total_s=60.0)
    assert seen and seen[-1] == 1.0 and all(f < 1.0 for f in seen[:-1])
