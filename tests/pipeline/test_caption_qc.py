"""coprod captions check: findings per clip, exit 1 on errors only, bad files reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.project import Project
from tests.conftest import MakeMedia
from tests.conftest import run_cli as _run


@pytest.fixture
def film(tmp_path: Path, make_media: MakeMedia) -> Project:
    root = tmp_path / "film"
    _run("new", str(root), "--title", "Film")
    _run("ingest", str(root), str(make_media("four-seconds.mp4", seconds=4)), "--id", "talk")
    return Project.open(root)


GOOD = "1\n00:00:00,500 --> 00:00:02,500\nWe made this film together.\n"


def test_clean_file_passes(film: Project) -> None:
    film.caption_path("talk").write_text(GOOD, encoding="utf-8")
    code, out = _run("captions", "check", str(film.root))
    assert code == 0, out
    assert "0 errors, 0 warnings" in out
    assert "talk.srt:" not in out


def test_errors_exit_1_with_file_cue_rule_lines(film: Project) -> None:
    path = film.caption_path("talk")
    path.write_text(
        GOOD
        + "\n2\n00:00:02,000 --> 00:00:03,000\n"
        + "This line is far too long to be read by anyone at all\n"
        + "\n3\n00:00:03,500 --> 00:00:05,000\nAfter the clip ends\n",
        encoding="utf-8")
    code, out = _run("captions", "check", str(film.root))
    assert code == 1
    lines = out.splitlines()
    assert f"{path}:2:overlap: " in out
    assert any(ln.startswith(f"{path}:2:line-too-long:") for ln in lines)
    assert any(ln.startswith(f"{path}:3:beyond-clip-end:") for ln in lines)
    code, out = _run("captions", "check", str(film.root), "--json")
    rules = {f["rule"] for f in json.loads(out)}
    assert {"overlap", "line-too-long", "beyond-clip-end"} <= rules


def test_warnings_alone_exit_0(film: Project) -> None:
    # 12 words in one second: far above 180 wpm, but not an error.
    film.caption_path("talk").write_text(
        "1\n00:00:00,000 --> 00:00:01,000\nOne two three four five six\nseven eight nine ten.\n",
        encoding="utf-8")
    code, out = _run("captions", "check", str(film.root))
    assert code == 0
    assert ":1:reading-rate:" in out


def test_profile_option_changes_the_limits(film: Project) -> None:
    line = "We made this film together, all of us now"  # 41 characters
    film.caption_path("talk").write_text(f"1\n00:00:00,000 --> 00:00:02,500\n{line}\n",
                                         encoding="utf-8")
    assert _run("captions", "check", str(film.root))[0] == 1
    assert _run("captions", "check", str(film.root), "--profile", "netflix")[0] == 0


def test_missing_and_malformed_files_are_errors_naming_the_file(film: Project) -> None:
    code, out = _run("captions", "check", str(film.root))
    assert code == 1 and "no-caption-file" in out and "coprod transcribe" in out
    path = film.caption_path("talk")
    path.write_text("1\n00:00:01 --> 00:00:02\nno milliseconds\n", encoding="utf-8")
    before = path.read_bytes()
    code, out = _run("captions", "check", str(film.root))
    assert code == 1 and f"{path}:2:unreadable: line 2:" in out
    assert path.read_bytes() == before


def test_unknown_clip_is_a_clean_error(film: Project) -> None:
    code, out = _run("captions", "check", str(film.root), "nope")
    assert code == 1 and "no clip 'nope'" in out


@pytest.mark.slow
def test_transcribe_then_check_passes_and_diff_shows_a_reviewers_edit(
        tmp_path: Path, corpus: Path) -> None:
    from pipeline import runner

    speech = tmp_path / "jfk talk.mp4"
    runner.ffmpeg(["-f", "lavfi", "-i", "color=c=navy:s=320x240:r=25:d=11",
                   "-i", str(corpus / "audio" / "whisper" / "jfk.flac"), "-shortest",
                   "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(speech)])
    root = tmp_path / "film"
    _run("new", str(root), "--title", "Film")
    assert _run("ingest", str(root), str(speech), "--id", "jfk")[0] == 0
    code, out = _run("transcribe", str(root))
    assert code == 0, out
    code, out = _run("captions", "check", str(root))
    assert code == 0, out
    code, out = _run("captions", "diff", str(root), "jfk")
    assert code == 0 and "no changes from the machine draft" in out
    path = Project.open(root).caption_path("jfk")
    text = path.read_text(encoding="utf-8")
    assert "country" in text
    path.write_text(text.replace("country", "nation", 1).replace("\n", "\r\n"),
                    encoding="utf-8")
    code, out = _run("captions", "diff", str(root), "jfk")
    assert code == 0
    assert re.search(r'cue \d+ \(\d\d:\d\d:\d\d\.\d{3}\): "country\S*" -> "nation', out), out
