"""Nothing is published on ffmpeg's word alone (issue 9, item 1), and a full disk is one line.

The reproduction: the disk filled while the film was muxed with its mov_text track; ffmpeg 5.1
printed "Error writing trailer: No space left on device" and exited 0, film.mp4 was replaced by
an unplayable file, and `coprod build` then said "up to date". Here ffmpeg is made to exit 0
with a cut-short film (a fault-injecting runner) and a real small disk fills during the mux;
every time, the error names the file and every previous output is byte-for-byte what it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from pipeline import build, runner
from pipeline.build import build_film
from pipeline.project import Project
from pipeline.render import OutputCheckError, OutputWriteError, RenderResult, publish, render_film
from tests.adversarial.conftest import FailWrites, SmallTmpfs, one_line_error
from tests.conftest import run_cli
from tests.pipeline.conftest import TODAY, FilmFixture, MakeFilm, tiny

pytestmark = pytest.mark.slow


def _outputs(out_dir: Path) -> dict[str, str]:
    """sha256 of every file in an output folder, temp files included (there must be none)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out_dir.iterdir()) if p.is_file()}


def _render(project: Project, **kw: Any) -> RenderResult:
    return render_film(project, tiny(), today=TODAY, **kw)


def _rendered_then_edited(make_film: MakeFilm) -> tuple[FilmFixture, Path, dict[str, str]]:
    """A film rendered once, then a caption edit signed off, so the next render publishes."""
    film = make_film(2)
    first = _render(film.project)
    before = _outputs(first.out_dir)
    save_captions([Cue(100, 800, "Changed.")], film.project.caption_path("clip-1"))
    film.sign_off(["clip-1"])
    return film, first.out_dir, before


def _after_mux(monkeypatch: pytest.MonkeyPatch, spoil: Callable[[Path], None]) -> None:
    """ffmpeg runs for real; after a mux with a subtitle track, ``spoil`` its output and
    return as if all went well (exit 0)."""
    real = runner.ffmpeg

    def ffmpeg(args: Sequence[str], **kwargs: Any) -> None:
        real(args, **kwargs)
        if "mov_text" in args:
            spoil(Path(args[-1]))

    monkeypatch.setattr(runner, "ffmpeg", ffmpeg)


def _cut(keep: float) -> Callable[[Path], None]:
    def cut(path: Path) -> None:
        os.truncate(path, int(path.stat().st_size * keep))
    return cut


@pytest.mark.parametrize(("keep", "why"), [(0.6, "cut short"), (0.01, "ffprobe cannot read it")])
def test_mux_that_exits_0_with_a_broken_film_publishes_nothing(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch, keep: float, why: str) -> None:
    film, out_dir, before = _rendered_then_edited(make_film)
    _after_mux(monkeypatch, _cut(keep))
    with pytest.raises(OutputCheckError, match=why) as info:
        _render(film.project)
    assert str(info.value).startswith(f"{out_dir / 'film.mp4'}: failed its check")
    assert _outputs(out_dir) == before


def test_subtitle_track_that_lost_a_cue_publishes_nothing(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a NUL in a cue did: ffmpeg's SRT reader stops there and the track loses cues.
    film, out_dir, before = _rendered_then_edited(make_film)
    real = runner.ffmpeg

    def nul_in_track(args: Sequence[str], **kwargs: Any) -> None:
        if "mov_text" in args:
            track = Path(next(a for a in args if a.endswith(".srt")).removeprefix("file:"))
            track.write_text(track.read_text().replace("Hello from clip 2.", "Hello\0clip 2."))
        real(args, **kwargs)

    monkeypatch.setattr(runner, "ffmpeg", nul_in_track)
    with pytest.raises(OutputCheckError, match=r"subtitle track shows 1 of the film's 3 cues"):
        _render(film.project)
    assert _outputs(out_dir) == before


def test_cut_short_segment_is_never_cached(make_film: MakeFilm,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(1)
    segments = film.project.build_dir / "segments"
    real = runner.ffmpeg

    def short_segment(args: Sequence[str], **kwargs: Any) -> None:
        real(args, **kwargs)
        for arg in args:
            if ".part.mp4" in arg and "segments" in arg and Path(arg).exists():
                os.truncate(arg, Path(arg).stat().st_size // 2)

    monkeypatch.setattr(runner, "ffmpeg", short_segment)
    with pytest.raises(OutputCheckError, match=r"\(segment title\): failed its check"):
        _render(film.project)
    assert not list(segments.glob("*.mp4"))  # nothing cut short entered the cache
    monkeypatch.setattr(runner, "ffmpeg", real)
    assert _render(film.project).outputs["film.mp4"].exists()


def test_full_disk_during_the_mux_keeps_the_previous_film(
        make_film: MakeFilm, small_tmpfs: SmallTmpfs) -> None:
    """A real full disk: build/web on a tmpfs with room for the sidecars, not the film."""
    film, out_dir, before = _rendered_then_edited(make_film)
    shutil.rmtree(out_dir / "site")  # the web page, made after publishing: not this test's
    used_kb = sum(-(-p.stat().st_size // 4096) * 4 for p in out_dir.iterdir())
    disk = small_tmpfs(used_kb + 48)
    for path in out_dir.iterdir():
        (disk / path.name).write_bytes(path.read_bytes())
        path.unlink()
    out_dir.rmdir()
    out_dir.symlink_to(disk)
    # ffmpeg 5.1 says "Error writing trailer: No space left on device" and exits 0, leaving a
    # film without its index; the check finds it (a later ffmpeg that exits 1 is caught too),
    # and either way the error names the film and says the disk is full (issue 21, item 9).
    with pytest.raises(OutputWriteError) as info:
        _render(film.project)
    assert f"{out_dir}/film" in str(info.value) and "\n" not in str(info.value)
    assert "disk full" in str(info.value)
    assert _outputs(out_dir) == before


def test_mux_failure_from_the_command_line_is_one_line(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(1)
    _after_mux(monkeypatch, _cut(0.5))
    code, out = run_cli("render", str(film.project.root), "--profile", "review", "--draft")
    assert code == 1
    line = one_line_error(out)
    assert "build/review/film.mp4: failed its check before publishing" in line
    assert not (film.project.build_dir / "review" / "film.mp4").exists()


# --- writes that fail ----------------------------------------------------------------------------


def test_manifest_write_on_a_full_disk_is_one_line_and_keeps_every_output(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch, fail_writes: FailWrites) -> None:
    film, out_dir, before = _rendered_then_edited(make_film)
    real = publish.build_manifest

    def then_disk_full(*args: Any, **kwargs: Any) -> Any:
        fail_writes(out_dir)  # from here on, as the manifest is written
        return real(*args, **kwargs)

    monkeypatch.setattr(publish, "build_manifest", then_disk_full)
    with pytest.raises(OutputWriteError) as info:
        _render(film.project)
    message = str(info.value)
    assert message.startswith(f"{out_dir / 'manifest.json'}: cannot write")
    assert "\n" not in message
    monkeypatch.undo()
    assert _outputs(out_dir) == before


def test_sidecar_write_on_a_full_disk_from_the_command_line(
        make_film: MakeFilm, fail_writes: FailWrites) -> None:
    film = make_film(1)
    out_dir = film.project.build_dir / "review"
    out_dir.mkdir(parents=True)
    fail_writes(out_dir)
    code, out = run_cli("render", str(film.project.root), "--profile", "review", "--draft")
    assert code == 1
    assert "build/review/manifest.json: cannot write" in one_line_error(out)


def test_build_stamp_write_on_a_full_disk_is_one_line(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch, fail_writes: FailWrites) -> None:
    film = make_film(1)
    real = build.render_film

    def then_disk_full(project: Project, *args: Any, **kwargs: Any) -> RenderResult:
        result = real(project, *args, **kwargs)
        fail_writes(result.out_dir)
        return result

    monkeypatch.setattr(build, "render_film", then_disk_full)
    with pytest.raises(OutputWriteError, match=r"\.build-stamp\.json: cannot write"):
        build_film(film.project, [tiny()], today=TODAY)
