"""Bad edits: one line per problem naming the event and what to do; film.yaml never touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.errors import EditRefusedError, InterchangeError
from pipeline.project import Project
from tests.conftest import run_cli
from tests.interchange.conftest import MakeRateFilm
from tests.interchange.templates import render


def otio_cut(label: str, edit: object = None) -> dict[str, object]:
    doc: dict[str, object] = json.loads(render("cut.otio", label))
    if callable(edit):
        edit(doc)
    return doc


def v1(doc: dict[str, object]) -> list[dict[str, object]]:
    return doc["tracks"]["children"][0]["children"]  # type: ignore[index,no-any-return]


def refused(project: Project, path: Path) -> list[str]:
    """The problems that stop the import (the cut's gap is closed, so only the rest count)."""
    before = project.film_yaml.read_bytes()
    with pytest.raises(EditRefusedError) as caught:
        import_edit(project, path, close_gaps=True)
    assert project.film_yaml.read_bytes() == before
    assert not (project.build_dir / "interchange.json").exists()
    return caught.value.problems


def write(tmp_path: Path, doc: dict[str, object], name: str = "cut.otio") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "content", "words"), [
    ("cut.otio", "{not json", "cannot be read as OpenTimelineIO"),
    ("cut.xml", "<xmeml version='4'><sequence>", "cannot be read as Final Cut Pro 7 XML"),
    ("cut.fcpxml", "<fcpxml version='1.9'><resources/></fcpxml>", "no project with a sequence"),
    ("cut.kdenlive", "<mlt><playlist id='x'/></mlt>", "cannot be read as Kdenlive project"),
    ("cut.edl", "TITLE: X\n001  AX V C 00:00:00:00\n", "cannot be read as CMX 3600 EDL"),
    ("cut.aaf", "whatever", "unknown edit file type '.aaf'"),
    ("cut.otio", "", "is empty"),
])
def test_corrupt_or_unknown_files(name: str, content: str, words: str, rate_film: MakeRateFilm,
                                  tmp_path: Path) -> None:
    project = rate_film("25")
    before = project.film_yaml.read_bytes()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InterchangeError, match=words):
        import_edit(project, path)
    code, output = run_cli("import-edit", str(project.root), str(path))
    assert code == 1 and words in output and len(output.strip().splitlines()) == 1
    assert project.film_yaml.read_bytes() == before


def test_a_frame_rate_that_is_not_the_footage_s(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")
    problems = refused(project, write(tmp_path, otio_cut("29.97")))
    assert problems[0] == (
        "event 1 (interview B): the timeline runs at 29.97 fps but clip clip-2's footage is "
        "25 fps; set the timeline to 25 fps in the editor and export again")
    assert len(problems) == 3  # every clip named, not only the first


def test_no_video_track(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")
    doc = otio_cut("25", lambda d: d["tracks"]["children"].pop(0) and
                   d["tracks"]["children"].pop(0))
    assert refused(project, write(tmp_path, doc)) == [
        "the timeline has no video track; export the timeline with its video track (V1) "
        "holding the clips"]


def test_in_and_out_outside_the_footage(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")

    def longer(doc: dict[str, object]) -> None:
        v1(doc)[2]["source_range"]["duration"]["value"] = 400.0  # type: ignore[index]

    problems = refused(project, write(tmp_path, otio_cut("25", longer)))
    assert problems == [
        "event 2 (clip-1): in 00:00:02:00 / out 00:00:18:00 fall outside clip clip-1's footage "
        "(00:00:00:00 to 00:00:12:00); trim it inside the footage in the editor, or relink it "
        "to the right file"]


def test_one_clip_used_twice_is_two_entries(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")

    def twice(doc: dict[str, object]) -> None:
        v1(doc)[4]["name"] = "clip-2"  # type: ignore[index]
        v1(doc)[4]["media_references"]["DEFAULT_MEDIA"]["target_url"] = "x/clip-2.mp4"  # type: ignore[index]

    result = import_edit(project, write(tmp_path, otio_cut("25", twice)), close_gaps=True)
    assert result.written
    got = [(i.clip_id, i.in_ms, i.out_ms) for i in project.reload().film.sequence]
    assert got == [("clip-2", 400, 4400), ("clip-1", 2000, 5000), ("clip-2", None, 1920)]
    assert "removed: clip-3" in result.plan.changes


def test_media_that_is_not_ingested(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")

    def stranger(doc: dict[str, object]) -> None:
        v1(doc)[0]["media_references"]["DEFAULT_MEDIA"]["target_url"] = \
            "file:///Volumes/Cards/A009.mp4"  # type: ignore[index]
        v1(doc)[0]["name"] = "A009"  # type: ignore[index]

    path = write(tmp_path, otio_cut("25", stranger))
    assert refused(project, path) == [
        "event 1 (A009): its media /Volumes/Cards/A009.mp4 matches no ingested clip (tried "
        "path /Volumes/Cards/A009.mp4; file name 'A009.mp4'; content hash (the file is not on "
        "this computer); duration 280 frames + timecode 00:00:00:00; clip name 'A009'); ingest "
        f"it with `coprod ingest {project.root} '/Volumes/Cards/A009.mp4' --contributor ID` and "
        "import again"]
    code, output = run_cli("import-edit", str(project.root), str(path), "--close-gaps")
    assert code == 1 and "not imported, film.yaml is unchanged (1 problem)" in output


def test_the_camera_original_matches_by_its_sha256(rate_film: MakeRateFilm,
                                                   tmp_path: Path) -> None:
    project = rate_film("25", n=1)
    original = tmp_path / "cards" / "A001.MP4"
    original.parent.mkdir()
    original.write_bytes(project.clip("clip-1").file.read_bytes())

    def only_one(doc: dict[str, object]) -> None:
        clip = v1(doc)[0]
        clip["name"] = "A001"  # type: ignore[index]
        clip["media_references"]["DEFAULT_MEDIA"]["target_url"] = original.as_uri()  # type: ignore[index]
        del v1(doc)[1:]
        doc["tracks"]["children"] = doc["tracks"]["children"][:1]  # type: ignore[index]

    result = import_edit(project, write(tmp_path, otio_cut("25", only_one)))
    assert [i.clip_id for i in project.reload().film.sequence] == ["clip-1"]
    assert result.written
