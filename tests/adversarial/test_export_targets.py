"""`export-edit -o` never destroys the project's files or anything that is not a file (issue 21,
item 4).

The reproduction: `-o proj/captions/c1.otio` replaced the contributor's edited captions/c1.srt
with the .srt written beside it; `-o proj/film.yaml` and `-o proj/consent/ledger.jsonl` wiped
them; a FIFO or device given as -o was replaced by a file. Now the project's own files are
refused, anything but a regular file is refused, and an existing file needs --force.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.adversarial.conftest import make_fifo, no_hang, one_line_error
from tests.conftest import run_cli
from tests.pipeline.conftest import FilmFixture, MakeFilm

pytest.importorskip("opentimelineio", reason="export-edit needs OpenTimelineIO")


def export(film: FilmFixture, out: Path, *extra: str, fmt: str = "otio") -> tuple[int, str]:
    return run_cli("export-edit", str(film.project.root), "--format", fmt, "-o", str(out),
                   *extra)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "build" not in p.parts}


def test_the_project_s_own_files_are_never_written(make_film: MakeFilm) -> None:
    film = make_film(1)
    root = film.project.root
    (root / "captions" / "clip-1.srt").write_text(
        "1\n00:00:00,200 --> 00:00:00,900\nEdited by the contributor.\n\n", encoding="utf-8")
    before = snapshot(root)
    for target in (root / "captions" / "clip-1.otio", root / "film.yaml",
                   root / "consent" / "ledger.jsonl", root / "footage" / "new.otio",
                   root / "cut.otio", root / "build" / "web" / "film.otio"):
        for extra in ((), ("--force",)):
            code, out = export(film, target, *extra)
            assert code == 1, (target, out)
            assert "is inside the project folder" in one_line_error(out), target
    assert snapshot(root) == before
    assert not (root / "cut.otio").exists() and not (root / "build" / "web").exists()
    # The project's export folder is coprod's own.
    code, out = export(film, root / "build" / "edit" / "cut.otio")
    assert code == 0, out


def test_a_fifo_a_device_a_folder_or_a_link_is_never_replaced(
        make_film: MakeFilm, tmp_path: Path) -> None:
    film = make_film(1)
    fifo = make_fifo(tmp_path / "pipe.otio")
    folder = tmp_path / "folder.otio"
    folder.mkdir()
    link = tmp_path / "link.otio"
    link.symlink_to(tmp_path / "elsewhere.otio")
    assert export(film, folder, "--force")[0] == 2  # Click's own refusal of a folder
    for target, kind in ((fifo, "a FIFO (named pipe)"), (Path("/dev/null"), "a device"),
                         (link, "a symbolic link")):
        with no_hang():
            code, out = export(film, target)
        assert code == 1 and f"is {kind}, not a regular file" in one_line_error(out), target
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and folder.is_dir() and link.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    # The .srt beside the edit file is checked the same way, before anything is written.
    srt_fifo = make_fifo(tmp_path / "cut.srt")
    code, out = export(film, tmp_path / "cut.otio")
    assert code == 1 and "cut.srt: is a FIFO (named pipe)" in one_line_error(out)
    assert not (tmp_path / "cut.otio").exists() and stat.S_ISFIFO(os.lstat(srt_fifo).st_mode)


def test_an_existing_file_needs_force(make_film: MakeFilm, tmp_path: Path) -> None:
    film = make_film(1)
    out_file = tmp_path / "cut.otio"
    out_file.write_text("mine")
    code, out = export(film, out_file)
    assert code == 1 and "already exists; give --force" in one_line_error(out)
    assert out_file.read_text() == "mine" and not out_file.with_suffix(".srt").exists()
    code, out = export(film, out_file, "--force")
    assert code == 0 and out_file.read_text() != "mine"
    # The default file under build/edit/ is coprod's own: replaced on every export.
    for _ in range(2):
        assert run_cli("export-edit", str(film.project.root), "--format", "otio")[0] == 0
