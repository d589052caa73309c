"""coprod ingest: good files, duplicates, every kind of bad input, interrupted copies."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import ingest as ingest_mod
from pipeline import runner
from pipeline.cli import cli
from pipeline.fsutil import sha256_file
from pipeline.project import Project
from tests.conftest import MakeMedia
from tests.conftest import run_cli as _run


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.create(tmp_path / "film", "Film")


def test_ingest_good_file_records_clip_and_makes_derived_files(
        project: Project, make_media: MakeMedia) -> None:
    src = make_media("Interview A.mp4", seconds=2)
    code, out = _run("ingest", str(project.root), str(src), "--contributor", "amara")
    assert code == 0, out
    assert "clip interview-a" in out
    project = project.reload()
    clip = project.film.clips["interview-a"]
    assert clip.contributors == ("amara",)
    assert clip.sha256 == sha256_file(src)
    assert clip.file == (project.footage_dir / "interview-a.mp4").resolve()
    assert sha256_file(clip.file) == sha256_file(src)
    assert "amara" in project.film.contributors
    assert [s.clip_id for s in project.film.sequence] == ["interview-a"]
    wav = runner.ffprobe_json(project.audio_path("interview-a"))["streams"][0]
    assert (wav["codec_name"], wav["sample_rate"], wav["channels"]) == ("pcm_s16le", "16000", 1)
    proxy = runner.ffprobe_json(project.proxy_path("interview-a"))
    vstream = next(s for s in proxy["streams"] if s["codec_type"] == "video")
    assert vstream["codec_name"] == "h264"
    assert vstream["height"] <= 540
    info = project.probe("interview-a")
    assert (info.width, info.height, info.fps, info.has_audio) == (320, 240, 25.0, True)
    assert abs(info.duration_ms - 2000) < 100


def test_same_file_again_is_reported_not_copied(project: Project,
                                                make_media: MakeMedia) -> None:
    src = make_media("dup.mp4")
    assert _run("ingest", str(project.root), str(src))[0] == 0
    code, out = _run("ingest", str(project.root), str(src), "--id", "again")
    assert code == 0
    assert "already ingested" in out and "clip dup" in out
    assert sorted(p.name for p in project.footage_dir.iterdir()) == ["dup.mp4"]
    assert list(project.reload().film.clips) == ["dup"]


def test_video_without_audio_is_allowed_with_a_note(project: Project,
                                                    make_media: MakeMedia) -> None:
    src = make_media("silent.mp4", audio=False)
    result = CliRunner().invoke(cli, ["ingest", str(project.root), str(src)])
    assert result.exit_code == 0
    assert "no audio stream: its captions will be empty" in result.output
    assert not project.audio_path("silent").exists()
    assert project.proxy_path("silent").exists()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "no such file"),
        ("empty", "is empty (0 bytes)"),
        ("text", "is not a media file"),
        ("corrupt", "is not a media file"),
        ("folder", "is a folder"),
        ("unreadable", "permission denied"),
    ],
)
def test_bad_inputs_give_one_line_errors(project: Project, tmp_path: Path, make_media: MakeMedia,
                                         monkeypatch: pytest.MonkeyPatch, kind: str,
                                         message: str) -> None:
    bad = tmp_path / f"bad-{kind}.mp4"
    if kind == "empty":
        bad.write_bytes(b"")
    elif kind == "text":
        bad.write_text("these are my notes, not a video\n")
    elif kind == "corrupt":
        bad.write_bytes(make_media("good-for-corrupt.mp4").read_bytes()[:300])
    elif kind == "folder":
        bad.mkdir()
    elif kind == "unreadable":
        bad.write_bytes(make_media("good-for-perm.mp4").read_bytes())
        bad.chmod(0)
        if os.access(bad, os.R_OK):
            # Root reads any file whatever its mode, so make the open itself fail as it would
            # for a producer without permission.
            real_open = os.open

            def guarded(file: object, *args: object, **kwargs: object) -> object:
                if str(file) == str(bad):
                    raise PermissionError(13, "Permission denied", str(bad))
                return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(os, "open", guarded)
    code, out = _run("ingest", str(project.root), str(bad))
    assert code == 1
    assert message in out
    assert str(bad) in out
    assert "Traceback" not in out
    assert list(project.footage_dir.iterdir()) == []
    assert project.reload().film.clips == {}


def test_batch_goes_on_past_bad_files_and_lists_each(project: Project, tmp_path: Path,
                                                     make_media: MakeMedia) -> None:
    good1 = make_media("one.mp4")
    good2 = make_media("two.mp4", freq=880)
    empty = tmp_path / "zero.mp4"
    empty.write_bytes(b"")
    code, out = _run("ingest", str(project.root), str(good1), str(tmp_path / "gone.mov"),
                     str(empty), str(good2))
    assert code == 1
    assert "2 files failed" in out
    assert "gone.mov: no such file" in out and "zero.mp4: is empty" in out
    assert sorted(project.reload().film.clips) == ["one", "two"]


def test_interrupted_copy_leaves_no_file_under_a_final_name(
        project: Project, make_media: MakeMedia, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make_media("interrupt.mp4")

    def boom(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.ingest.media.make_proxy", boom)
    with pytest.raises(KeyboardInterrupt):
        ingest_mod.ingest(project, [src])
    leftovers = [p for p in project.root.rglob("*") if p.is_file()
                 and p.suffix in (".mp4", ".wav", ".part")]
    assert leftovers == []
    assert project.reload().film.clips == {}


def test_ingest_ids_must_match_files(project: Project, make_media: MakeMedia) -> None:
    code, out = _run("ingest", str(project.root), str(make_media("x1.mp4")), "--id", "a",
                     "--id", "b")
    assert code == 1 and "--id was given 2 times for 1 files" in out


def test_status_lists_clips_in_sequence_order(project: Project, make_media: MakeMedia) -> None:
    _run("ingest", str(project.root), str(make_media("b-second.mp4", seconds=1.5)),
         "--contributor", "ben")
    _run("ingest", str(project.root), str(make_media("a-first.mp4", seconds=1)),
         "--contributor", "amara", "--contributor", "ben")
    code, out = _run("status", str(project.root))
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split()[:2] == ["clip", "duration"]
    assert lines[2].startswith("b-second") and "1.5s" in lines[2]
    assert lines[3].startswith("a-first") and "amara, ben" in lines[3]
    code, out = _run("status", str(project.root), "--json")
    data = json.loads(out)
    assert [c["id"] for c in data["clips"]] == ["b-second", "a-first"]
    assert data["clips"][1]["contributors"] == ["amara", "ben"]


def test_new_then_status_of_empty_film(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run("new", "f", "--title", "T")[0] == 0
    code, out = _run("status", "f")
    assert code == 0 and "no clips yet" in out
    code, out = _run("status", "nowhere")
    assert code == 1 and "no such project folder" in out


@pytest.mark.slow
def test_parallel_ingests_all_land_in_film_yaml(project: Project, make_media: MakeMedia) -> None:
    import subprocess
    import sys

    sources = [make_media(f"par-{i}.mp4", freq=300 + 100 * i) for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(project.root),
                               str(src), "--contributor", f"p{i}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i, src in enumerate(sources)]
    for proc in procs:
        assert proc.wait() == 0, proc.stderr.read() if proc.stderr else b""
    film = project.reload().film
    assert sorted(film.clips) == [f"par-{i}" for i in range(4)]
    assert sorted(film.contributors) == [f"p{i}" for i in range(4)]


def test_producer_edit_to_film_yaml_is_kept_by_a_later_ingest(
        project: Project, make_media: MakeMedia) -> None:
    _run("ingest", str(project.root), str(make_media("first.mp4")), "--contributor", "amara")
    text = project.film_yaml.read_text()
    project.film_yaml.write_text(text.replace("name: amara", "name: Amara Okafor  # producer"))
    stale = Project.open(project.root)
    project.film_yaml.write_text(project.film_yaml.read_text() + "# a note at the end\n")
    ingest_mod.ingest(stale, [make_media("second.mp4", freq=523)], contributors=["amara"])
    saved = project.film_yaml.read_text()
    assert "name: Amara Okafor  # producer" in saved and "# a note at the end" in saved
    assert sorted(project.reload().film.clips) == ["first", "second"]


@pytest.mark.parametrize("kind", ["two-audio-tracks", "odd-height"])
def test_awkward_camera_files_ingest(project: Project, tmp_path: Path, kind: str) -> None:
    src = tmp_path / f"{kind}.mov"
    if kind == "two-audio-tracks":
        runner.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1",
                       "-f", "lavfi", "-i", "sine=frequency=300:duration=1",
                       "-f", "lavfi", "-i", "sine=frequency=900:duration=1",
                       "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264",
                       "-preset", "ultrafast", "-c:a", "aac", str(src)])
    else:
        runner.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x241:rate=25:duration=1",
                       "-c:v", "mpeg4", str(src)])
    code, out = _run("ingest", str(project.root), str(src), "--contributor", "amara")
    assert code == 0, out
    if kind == "two-audio-tracks":
        # Two tracks with sound on each (two lavaliers): both are heard (pipeline/sound.py).
        assert "audio: mix (speech on tracks 1 and 2" in out
        assert project.reload().film.clips[kind].audio == "mix"
        assert runner.ffprobe_json(project.audio_path(kind))["streams"][0]["channels"] == 1
    proxy = runner.ffprobe_json(project.proxy_path(kind))["streams"][0]
    assert proxy["height"] % 2 == 0


def test_text_file_named_like_footage_is_refused(project: Project, tmp_path: Path) -> None:
    notes = tmp_path / "readme.nfo"
    notes.write_text("Interview notes\nAmara, 10am\n" * 20)
    code, out = _run("ingest", str(project.root), str(notes))
    assert code == 1 and "is not a media file" in out


def test_clip_without_contributor_is_flagged(project: Project, make_media: MakeMedia) -> None:
    code, out = _run("ingest", str(project.root), str(make_media("nobody.mp4")))
    assert code == 0 and "no --contributor given" in out


def test_written_files_are_readable_by_the_group(project: Project,
                                                 make_media: MakeMedia) -> None:
    _run("ingest", str(project.root), str(make_media("modes.mp4")), "--contributor", "amara")
    for path in (project.film_yaml, project.proxy_path("modes"), project.audio_path("modes")):
        assert path.stat().st_mode & 0o044 == 0o044, path


def test_rerun_after_interrupted_ingest_adopts_identical_footage(
        project: Project, make_media: MakeMedia) -> None:
    src = make_media("again.mp4")
    (project.footage_dir / "again.mp4").write_bytes(src.read_bytes())
    code, out = _run("ingest", str(project.root), str(src), "--contributor", "amara")
    assert code == 0 and "same content" in out
    assert "again" in project.reload().film.clips


def test_copy_interrupted_midway_leaves_no_footage(
        project: Project, make_media: MakeMedia, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make_media("midcopy.mp4")

    def interrupted(*_a: object, **_k: object) -> None:
        # copystat runs after every byte is written and before the rename.
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.fsutil.shutil.copystat", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest_mod.ingest(project, [src])
    assert [p.name for p in project.footage_dir.iterdir()] == []
