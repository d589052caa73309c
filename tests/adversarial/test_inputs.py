"""Inputs coprod does not trust (issue 9, items 6 and 8).

Reproductions: a caption file, footage, film.yaml or transcript that is a FIFO made status,
captions check and transcribe hang; a folder where a caption file should be gave a traceback;
a 50 MB caption file made `build` print 1.6 million lines; a NUL byte in a cue passed QC and an
escape sequence was printed raw by `captions diff`; ids with a trailing newline were accepted.
Each is now refused before anything is read, with one line naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from captions.exceptions import CaptionError
from captions.formats import save as save_captions
from captions.model import Cue
from captions.textio import MAX_CAPTION_BYTES
from pipeline.caption_store import CaptionState, write_caption_file
from pipeline.exceptions import PipelineError
from pipeline.project import Project
from tests.adversarial.conftest import make_fifo, no_hang, one_line_error
from tests.conftest import MakeMedia, run_cli
from tests.pipeline.conftest import FilmFixture, MakeFilm

RAW_CONTROLS = ("\x00", "\x1b", "\u202e")


@pytest.fixture
def film(make_film: MakeFilm) -> FilmFixture:
    return make_film(2)


def _status(project: Project) -> dict[str, dict[str, object]]:
    with no_hang():
        code, out = run_cli("status", str(project.root), "--json")
    assert code == 0, out
    return {row["id"]: row for row in json.loads(out)["clips"]}


# --- FIFOs and folders where a file should be -------------------------------------------------


def test_a_fifo_caption_file_never_hangs_status_check_or_diff(film: FilmFixture) -> None:
    project = film.project
    fifo = make_fifo(project.caption_path("clip-1"))
    row = _status(project)["clip-1"]
    assert row["captions"] == CaptionState.UNREADABLE
    assert f"{fifo}: is a FIFO (named pipe), not a regular file" in str(row["problem"])
    with no_hang():
        code, out = run_cli("captions", "check", str(project.root))
    assert code == 1
    assert f"{fifo}:0:unreadable:" in out and "is a FIFO (named pipe)" in out
    assert "Traceback" not in out
    with no_hang():
        code, out = run_cli("captions", "diff", str(project.root), "clip-1")
    assert code == 1 and "is a FIFO (named pipe)" in one_line_error(out)


def test_a_fifo_caption_file_never_hangs_transcribe(tmp_path: Path, make_media: MakeMedia) -> None:
    project = Project.create(tmp_path / "film", "Film")
    # A clip without sound is captioned without Whisper: this reaches the caption writer fast.
    src = make_media("silent-fifo.mp4", audio=False)
    assert run_cli("ingest", str(project.root), str(src), "--contributor", "amara")[0] == 0
    fifo = make_fifo(project.caption_path("silent-fifo"))
    with no_hang(30):
        code, out = run_cli("transcribe", str(project.root))
    assert code == 1
    assert f"{fifo}: is a FIFO (named pipe), not a regular file" in out
    assert "Traceback" not in out
    assert project.caption_path("silent-fifo").is_fifo()  # refused, not replaced


def test_a_fifo_transcript_never_hangs_captions_diff(film: FilmFixture) -> None:
    project = film.project
    make_fifo(project.transcript_path("clip-1"))
    with no_hang():
        code, out = run_cli("captions", "diff", str(project.root), "clip-1")
    assert code == 1
    assert "clip-1.json: is a FIFO (named pipe)" in one_line_error(out)


def test_a_fifo_transcript_never_hangs_transcribe(film: FilmFixture) -> None:
    from pipeline import transcribe

    project = film.project
    fifo = make_fifo(project.transcript_path("clip-1"))
    with no_hang():
        # Not up to date, so transcribe would make it again (replacing the derived file).
        assert transcribe._current_transcript(project, "clip-1", "a" * 64, {}) is None
        with pytest.raises(PipelineError, match="is a FIFO"):
            transcribe.load_transcript(fifo)


def test_fifo_footage_and_caches_never_hang_status(film: FilmFixture) -> None:
    project = film.project
    clip2 = project.clip("clip-2").file
    make_fifo(clip2)
    for cache in (project.build_dir / "cache" / "hashes.json", project.probe_path("clip-1"),
                  project.captions_dir / ".coprod-written.json"):
        if cache.exists():
            cache.unlink()
        make_fifo(cache)
    rows = _status(project)
    assert rows["clip-1"]["footage"] == "ok" and rows["clip-1"]["duration_s"] == 2.0
    assert rows["clip-2"]["footage"] == "unreadable"
    assert f"{clip2}: is not a file: it is a FIFO (named pipe)" in str(rows["clip-2"]["problem"])


def test_a_fifo_given_to_ingest_is_refused(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", "Film")
    fifo = make_fifo(tmp_path / "camera.mp4")
    with no_hang():
        code, out = run_cli("ingest", str(project.root), str(fifo))
    assert code == 1
    assert f"{fifo}: is a FIFO (named pipe), not a media file" in out
    assert project.reload().film.clips == {}


def test_a_fifo_film_yaml_is_one_line(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", "Film")
    make_fifo(project.film_yaml)
    with no_hang():
        code, out = run_cli("status", str(project.root))
    assert code == 1
    assert one_line_error(out) == (f"Error: {project.film_yaml}: is a FIFO (named pipe), not a "
                                   "regular file; put film.yaml itself there")


def test_a_folder_where_a_caption_file_should_be(film: FilmFixture) -> None:
    project = film.project
    path = project.caption_path("clip-2")
    path.unlink()
    path.mkdir()
    assert _status(project)["clip-2"]["captions"] == CaptionState.UNREADABLE
    code, out = run_cli("captions", "check", str(project.root), "clip-2")
    assert code == 1 and f"{path}:0:unreadable: {path}: is a folder, not a caption file" in out
    code, out = run_cli("captions", "diff", str(project.root), "clip-2")
    assert code == 1 and "is a folder" in one_line_error(out)


# --- size ------------------------------------------------------------------------------------


def test_a_huge_caption_file_is_refused_in_one_line(film: FilmFixture) -> None:
    project = film.project
    path = project.caption_path("clip-1")
    cue = "1\n00:00:00,100 --> 00:00:00,200\nx\n\n"
    with open(path, "w", encoding="utf-8") as fh:
        for _ in range(MAX_CAPTION_BYTES // len(cue) + 10):
            fh.write(cue)
    code, out = run_cli("captions", "check", str(project.root))
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith(str(path))]
    assert lines == [f"{path}:0:unreadable: {path}: is 5.0 MB; coprod reads caption files of up "
                     "to 5 MB (is it the right file?)"]
    assert _status(project)["clip-1"]["captions"] == CaptionState.UNREADABLE
    code, out = run_cli("build", str(project.root))
    assert code == 1 and len(out.splitlines()) < 10, out[:2000]


# --- control characters in captions ------------------------------------------------------------


@pytest.mark.parametrize(("char", "shown"), [("\x00", "NUL (\\x00)"), ("\x1b", "ESC (\\x1b)"),
                                             ("\u202e", "RIGHT-TO-LEFT OVERRIDE (\\u202e)"),
                                             ("\x85", "control character (\\x85)")])
def test_a_control_character_in_a_cue_is_a_qc_error_never_printed_raw(
        film: FilmFixture, char: str, shown: str) -> None:
    project = film.project
    path = project.caption_path("clip-1")
    path.write_text("1\n00:00:00,200 --> 00:00:01,900\n"
                    f"Hello from{char} clip one.\n", encoding="utf-8")
    code, out = run_cli("captions", "check", str(project.root), "clip-1")
    assert code == 1
    assert f"{path}:1:control-character: {shown} at line 1, column 11" in out
    assert not any(raw in out for raw in RAW_CONTROLS)
    code, out = run_cli("captions", "check", str(project.root), "clip-1", "--json")
    assert any(f["rule"] == "control-character" for f in json.loads(out))


def test_captions_diff_shows_an_escape_sequence_escaped(film: FilmFixture,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import caption_qc, transcribe

    project = film.project
    monkeypatch.setattr(transcribe, "machine_draft",
                        lambda _p, _c: [Cue(200, 900, "Hello from clip one.")])
    project.caption_path("clip-1").write_text(
        "1\n00:00:00,200 --> 00:00:00,900\nHello \x1b[2J\x1b[31mfrom clip one.\n",
        encoding="utf-8")
    text = caption_qc.diff_captions(project, "clip-1")
    assert "\\x1b[2J\\x1b[31mfrom" in text and "\x1b" not in text
    code, out = run_cli("captions", "diff", str(project.root), "clip-1")
    assert code == 0 and "\\x1b[2J" in out and "\x1b" not in out


def test_tab_newline_and_direction_marks_are_text(film: FilmFixture) -> None:
    project = film.project
    save_captions([Cue(200, 1900, "Tab\there,\nand \u200fmarks.")], project.caption_path("clip-1"))
    code, out = run_cli("captions", "check", str(project.root), "clip-1")
    assert "control-character" not in out


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\u2066", "\x7f"])
def test_caption_writers_refuse_control_characters(tmp_path: Path, char: str) -> None:
    cues = [Cue(0, 1000, "Fine."), Cue(1000, 2000, f"Not{char} fine.")]
    for name in ("clip.srt", "clip.vtt"):
        with pytest.raises(CaptionError, match="cue 2 has .* a caption file carries text only"):
            save_captions(cues, tmp_path / name)
        with pytest.raises(CaptionError, match="cue 2 has"):
            write_caption_file(tmp_path / "store" / name, cues)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == []


def test_a_film_title_with_an_escape_is_shown_escaped(film: FilmFixture) -> None:
    project = film.project
    project.doc["title"] = "Our \x1b[2Jfilm"
    project.save()
    code, out = run_cli("status", str(project.root))
    assert code == 0 and out.startswith("Our \\x1b[2Jfilm  (") and "\x1b" not in out


# --- ids are matched in full ---------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--contributor", "--id"])
def test_ids_with_a_trailing_newline_are_refused(tmp_path: Path, make_media: MakeMedia,
                                                 option: str) -> None:
    project = Project.create(tmp_path / "film", "Film")
    code, out = run_cli("ingest", str(project.root), str(make_media("nl.mp4")), option, "amara\n")
    assert code == 1 and "use lower-case letters, digits, - and _" in out
    assert project.reload().film.clips == {}


def test_film_yaml_ids_with_a_trailing_newline_are_refused(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", "Film")
    text = project.film_yaml.read_text().replace("contributors: []",
                                                 'contributors:\n  - id: "amara\\n"')
    project.film_yaml.write_text(text)
    code, out = run_cli("status", str(project.root))
    assert code == 1 and "contributors: id 'amara\\n' must be lower-case" in one_line_error(out)


# --- -q prints only errors ------------------------------------------------------------------------


@pytest.mark.slow
def test_quiet_prints_only_errors(tmp_path: Path, make_media: MakeMedia) -> None:
    root = str(tmp_path / "film")
    assert run_cli("-q", "new", root, "--title", "Quiet") == (0, "")
    assert run_cli("-q", "ingest", root, str(make_media("quiet.mp4")), "--contributor",
                   "amara") == (0, "")
    save_captions([Cue(0, 300, "Short.")], Path(root) / "captions" / "quiet.srt")
    assert run_cli("-q", "captions", "check", root) == (0, "")  # warnings only
    code, out = run_cli("captions", "check", root)
    assert code == 0 and "too-short" in out
    code, out = run_cli("-q", "ingest", root, str(tmp_path / "missing.mp4"))
    assert code == 1 and "missing.mp4: no such file" in out
    code, out = run_cli("-q", "status", root)  # what was asked for is still shown
    assert code == 0 and out.startswith("Quiet")
