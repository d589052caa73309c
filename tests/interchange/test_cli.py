"""coprod import-edit and export-edit from the command line; coprod status names the import."""

from __future__ import annotations

import json
from pathlib import Path

from captions.formats import load as load_captions
from tests.conftest import run_cli
from tests.interchange.conftest import MakeRateFilm
from tests.interchange.templates import render
from tests.pipeline.conftest import MakeFilm

COMMENTED = """\
title: Commented
language: en
contributors:
  - id: amara
    name: Amara Okafor
clips:
  clip-1: {file: footage/clip-1.mp4, sha256: SHA, contributors: [amara]}
  clip-2: {file: footage/clip-2.mp4, sha256: SHA, contributors: [amara]}
  clip-3: {file: footage/clip-3.mp4, sha256: SHA, contributors: [amara]}
# The film, in order.
sequence:
  # Amara opens the film.
  - clip: clip-1
    in: 2   # after she settles
  - clip: clip-2   # the garden
  - clip: clip-3

captions:
  profile: bbc
"""


def test_export_writes_the_timeline_and_the_film_s_captions(make_film: MakeFilm,
                                                            tmp_path: Path) -> None:
    film = make_film(2)
    out = tmp_path / "cut.xml"
    code, output = run_cli("export-edit", str(film.project.root), "--format", "fcp-xml",
                           "-o", str(out))
    assert code == 0, output
    assert f"wrote {out} and {out.with_suffix('.srt')}" in output
    text = out.read_text(encoding="utf-8")
    assert "<xmeml" in text and "Hello from clip 1." in text  # a cue as a marker
    assert "coprod: cleared for web" in text
    cues = load_captions(out.with_suffix(".srt"))
    # The title card lasts 3 s (web profile): clip 1's first cue at 0.2 s is at 3.2 s.
    assert (cues[0].start, cues[0].text) == (3200, "Hello from clip 1.")
    assert cues[2].start == 3000 + 2000 + 200  # clip 2 follows clip 1's 2 s


def test_export_defaults_into_build(make_film: MakeFilm) -> None:
    film = make_film(1)
    code, output = run_cli("export-edit", str(film.project.root), "--format", "kdenlive")
    assert code == 0, output
    assert (film.project.build_dir / "edit" / "film.kdenlive").is_file()
    code, output = run_cli("export-edit", str(film.project.root), "--format", "aaf")
    assert code == 2 and "aaf" in output


def _commented(rate_film: MakeRateFilm) -> Path:
    project = rate_film("25")
    sha = project.film.clips["clip-1"].sha256  # the three clips are copies of one file
    project.film_yaml.write_text(COMMENTED.replace("SHA", sha), encoding="utf-8")
    return project.root


def test_dry_run_prints_and_writes_nothing(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    root = _commented(rate_film)
    edit = tmp_path / "cut.edl"
    edit.write_text(render("cut.edl", "25"), encoding="utf-8")
    code, output = run_cli("import-edit", str(root), str(edit), "--dry-run", "--close-gaps")
    assert code == 0, output
    assert "re-trimmed: clip-2 (00:00:00.000-end -> 00:00:00.400-00:00:04.400)" in output
    assert "warning: transition" in output and "warning: gap of 12 frames" in output
    assert "dry run: 4 change(s), 0 clip(s) unchanged; film.yaml not written" in output
    assert "# after she settles" in (root / "film.yaml").read_text(encoding="utf-8")
    assert "00:00:00.400" not in (root / "film.yaml").read_text(encoding="utf-8")
    assert not (root / "build" / "interchange.json").exists()


def test_import_keeps_comments_and_status_names_it(rate_film: MakeRateFilm,
                                                   tmp_path: Path) -> None:
    root = _commented(rate_film)
    edit = tmp_path / "cut.fcpxml"
    edit.write_text(render("cut.fcpxml", "25"), encoding="utf-8")
    code, output = run_cli("import-edit", str(root), str(edit), "--close-gaps")
    assert code == 0, output
    text = (root / "film.yaml").read_text(encoding="utf-8")
    assert "# The film, in order." in text and "# Amara opens the film." in text
    assert "  - clip: clip-2   # the garden\n    in: 00:00:00.400\n" in text
    assert "    in: 00:00:02.000 # after she settles\n    out: 00:00:05.000\n" in text
    assert text.endswith("  - clip: clip-3\n    out: 00:00:01.920\n\ncaptions:\n"
                         "  profile: bbc\n")
    record = json.loads((root / "build" / "interchange.json").read_text(encoding="utf-8"))
    assert record["file"] == str(edit.resolve()) and record["format"] == "fcpx"
    code, output = run_cli("status", str(root))
    assert code == 0, output
    assert f"Sequence last imported {record['imported_at']} from {edit.resolve()} (fcpx, " \
           f"sha256 {record['sha256'][:12]}...)" in output
    assert "edited since" not in output
    code, output = run_cli("import-edit", str(root), str(edit), "--close-gaps")
    assert code == 0 and "already matches" in output


def test_export_warns_when_the_suffix_is_not_the_format_s(make_film: MakeFilm,
                                                          tmp_path: Path) -> None:
    film = make_film(1)
    code, output = run_cli("export-edit", str(film.project.root), "--format", "fcpx", "-o",
                           str(tmp_path / "cut.xml"))
    assert code == 0
    assert "warning: cut.xml does not end in .fcpxml" in output


def test_a_gap_is_refused_unless_closed(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    root = _commented(rate_film)
    before = (root / "film.yaml").read_bytes()
    edit = tmp_path / "cut.otio"
    edit.write_text(render("cut.otio", "25"), encoding="utf-8")
    code, output = run_cli("import-edit", str(root), str(edit))
    assert code == 1, output
    gap_lines = [line for line in output.splitlines() if "gap of 12 frames" in line]
    assert len(gap_lines) == 1 and "between clips" in gap_lines[0], output
    assert "--close-gaps" in gap_lines[0] and "coprod renders no black" in gap_lines[0]
    assert (root / "film.yaml").read_bytes() == before
    assert not (root / "build" / "interchange.json").exists()
