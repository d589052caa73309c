"""Rough edges (issue 21, item 9): a withdrawn signer, Ctrl-C on a local build, a full disk while
muxing.

The reproductions: render suggested --drop-withdrawn for a withdrawn signer, and
--drop-withdrawn then refused with the same message; Ctrl-C on a local build said "ffmpeg
failed (exit 255): no message"; a disk-full mux error named no file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adversarial.conftest import SmallTmpfs, one_line_error
from tests.conftest import interruptible, run_cli
from tests.pipeline.conftest import MakeFilm, add_signer


@pytest.mark.slow
def test_a_withdrawn_signer_drops_the_signed_variant_and_says_so(make_film: MakeFilm) -> None:
    film = make_film(2)
    project = add_signer(film.project, "clip-1", "chloe")
    root = str(project.root)
    code, out = run_cli("render", root, "--profile", "review")
    assert code == 0, out
    web = project.build_dir / "review"
    assert (web / "film.signed.mp4").is_file()
    assert run_cli("consent", "withdraw", root, "--contributor", "chloe")[0] == 0
    code, out = run_cli("render", root, "--profile", "review")
    assert code == 1 and "1 signer(s)' video(s) blocked" in out, out
    assert "--drop-withdrawn to make the film without its signed variant, film.signed.mp4" in out
    code, out = run_cli("render", root, "--profile", "review", "--drop-withdrawn")
    assert code == 0, out
    assert "film.signed.mp4 not made: consent withdrawn for chloe's signing" in out
    assert not (web / "film.signed.mp4").exists() and (web / "film.mp4").is_file()


@pytest.mark.slow
def test_ctrl_c_on_a_local_build_says_it_was_interrupted(make_film: MakeFilm) -> None:
    film = make_film(8)
    root = film.project.root

    def own_group() -> None:
        interruptible()
        os.setsid()  # as a terminal: Ctrl-C reaches coprod and its ffmpeg alike

    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "render", str(root), "--profile", "review"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=own_group)
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if "segment" in line:
                os.killpg(proc.pid, signal.SIGINT)
                break
        else:
            pytest.fail("the render ended before any segment was reported:\n" + "".join(seen))
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    err = "".join(seen) + err
    assert proc.returncode == 1, err
    assert "Error: interrupted (Ctrl-C)" in err and "exit 255" not in err, err
    assert "Traceback" not in err and not (root / "build" / "review").exists()


@pytest.mark.slow
def test_a_full_disk_while_muxing_names_the_film(make_film: MakeFilm,
                                                 small_tmpfs: SmallTmpfs) -> None:
    film = make_film(2)
    out_dir = film.project.build_dir / "review"
    out_dir.mkdir(parents=True)
    # The published films' folder is a 96 KB disk: the text outputs fit, no film does.
    point = small_tmpfs(96)
    os.rmdir(out_dir)
    os.symlink(point, out_dir)
    code, out = run_cli("render", str(film.project.root), "--profile", "review")
    assert code == 1, out
    line = one_line_error(out)
    assert f"{out_dir}{os.sep}film" in line and ".mp4: cannot write" in line, line
    assert "disk" in line.lower() and "full" in line.lower(), line
    assert not [p for p in Path(point).iterdir() if p.suffix == ".mp4"]


def test_ffmpeg_s_own_disk_full_error_names_the_film(tmp_path: Path) -> None:
    from pipeline.exceptions import MediaToolError
    from pipeline.render.errors import OutputWriteError
    from pipeline.render.errors import mux_error as _mux_error

    film = tmp_path / "build" / "web" / "film.signed.mp4"
    film.parent.mkdir(parents=True)
    failed = MediaToolError(["ffmpeg", "-i", "x", str(film.parent / ".film.signed.mp4.part")],
                            1, "[mp4 @ 0x1] Error writing trailer: No space left on device")
    error = _mux_error(film, failed)
    assert isinstance(error, OutputWriteError)
    assert str(error).startswith(f"{film}: cannot write: ") and "disk" in str(error).lower()
    other = _mux_error(film, MediaToolError(["ffmpeg"], 1, "Invalid data found"))
    assert str(other).startswith(f"{film}: cannot be made: ffmpeg failed (exit 1)")
