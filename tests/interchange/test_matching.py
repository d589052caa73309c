"""An edit's media found by the editor's own names, and the camera's timecode (issue 24)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.errors import EditRefusedError
from pipeline.interchange.match import media_name
from pipeline.interchange.timebase import frames_of_timecode
from pipeline.project import Project
from tests.conftest import run_cli
from tests.interchange.camera import CameraFile, camera_film, make_camera_file

FPS = Fraction(25)
# Three camera files: what ingest would keep of each.
SPECS = [
    CameraFile("test-rename", "Test rename.mp4", timecode="01:00:00:00", reel="A001"),
    CameraFile("2004-2", "\u4f1a\u8bae 2004.MOV", timecode="10:00:00:00", reel="B002"),
    CameraFile("clip-3", "C003_0042.mov", timecode="14:30:00:00", reel="C003"),
]


@pytest.fixture(scope="module")
def camera_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("camera")


@pytest.fixture
def film(tmp_path: Path, camera_dir: Path) -> Project:
    return camera_film(tmp_path / "film", camera_dir, SPECS)


def _otio(clips: list[dict[str, object]]) -> str:
    """An OTIO timeline of one video track holding ``clips`` (url, name, in, frames, meta)."""
    children = []
    for spec in clips:
        ref: dict[str, object] = {"OTIO_SCHEMA": "ExternalReference.1",
                                  "target_url": spec["url"]}
        if "available" in spec:
            start, length = spec["available"]  # type: ignore[misc]
            ref["available_range"] = {
                "OTIO_SCHEMA": "TimeRange.1",
                "start_time": {"OTIO_SCHEMA": "RationalTime.1", "rate": 25.0, "value": start},
                "duration": {"OTIO_SCHEMA": "RationalTime.1", "rate": 25.0, "value": length}}
        children.append({
            "OTIO_SCHEMA": "Clip.2", "name": spec.get("name", ""),
            "metadata": spec.get("metadata", {}),
            "source_range": {
                "OTIO_SCHEMA": "TimeRange.1",
                "start_time": {"OTIO_SCHEMA": "RationalTime.1", "rate": 25.0,
                               "value": spec["in"]},
                "duration": {"OTIO_SCHEMA": "RationalTime.1", "rate": 25.0,
                             "value": spec["frames"]}},
            "media_references": {"DEFAULT_MEDIA": ref},
            "active_media_reference_key": "DEFAULT_MEDIA"})
    return json.dumps({"OTIO_SCHEMA": "Timeline.1", "name": "cut", "tracks": {
        "OTIO_SCHEMA": "Stack.1", "children": [
            {"OTIO_SCHEMA": "Track.1", "kind": "Video", "children": children}]}})


@pytest.mark.parametrize(("url", "expected"), [
    ("C:\\Footage\\Day 1\\Test rename.mp4", ("C:\\Footage\\Day 1\\Test rename.mp4",
                                            "Test rename.mp4")),
    ("file:///C:/Footage/Day%201/Test%20rename.mp4", ("C:/Footage/Day 1/Test rename.mp4",
                                                     "Test rename.mp4")),
    ("C:/projects/sq001.mov", ("C:/projects/sq001.mov", "sq001.mov")),
    ("\\\\nas\\share\\A001.mov", ("\\\\nas\\share\\A001.mov", "A001.mov")),
    ("file://nas/share/A001.mov", ("\\\\nas\\share\\A001.mov", "A001.mov")),
    ("file://localhost/Volumes/Julia%2002/a%20b.mov", ("/Volumes/Julia 02/a b.mov", "a b.mov")),
    ("/Volumes/Cards/%E4%BC%9A.mov", ("/Volumes/Cards/\u4f1a.mov", "\u4f1a.mov")),
])
def test_media_names_from_windows_paths_and_encoded_urls(url: str,
                                                        expected: tuple[str, str]) -> None:
    found = media_name(url)
    assert found is not None and (found.text, found.name) == expected
    assert found.local is None if expected[0][0] in "C\\" else found.local is not None


def test_remote_and_empty_urls_name_no_file() -> None:
    assert media_name("https://example.org/a.mov") is None
    assert media_name("") is None


def _import(project: Project, tmp_path: Path, clips: list[dict[str, object]]) -> list[str]:
    path = tmp_path / "cut.otio"
    path.write_text(_otio(clips), encoding="utf-8")
    result = import_edit(project, path, dry_run=True)
    return [e.clip_id for e in result.plan.entries]


def test_each_way_of_matching_in_turn(film: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "copy of camera card" / "renamed.mov"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(film.clip("clip-3").file.read_bytes())
    clips: list[dict[str, object]] = [
        # the original file name, through a Windows path (the editor's PC)
        {"url": "file:///C:/Media/Test%20rename.mp4", "in": 0, "frames": 25},
        # the reel name, the path and file name telling nothing
        {"url": "D:\\Card\\XYZ.MXF", "in": 0, "frames": 25,
         "metadata": {"fcp_xml": {"reel": {"name": "B002"}}}},
        # the content hash of a copy under another name
        {"url": elsewhere.as_uri(), "in": 0, "frames": 25},
        # duration + timecode: clip-3 starts 14:30:00:00 and is 12 s long
        {"url": "E:\\unknown.mov", "in": frames_of_timecode("14:30:01:00", FPS),
         "frames": 25, "available": (frames_of_timecode("14:30:00:00", FPS), 300)},
        # the path itself (footage/)
        {"url": film.clip("2004-2").file.as_uri(), "in": 0, "frames": 25},
        # a CJK original file name, case apart
        {"url": "/mnt/x/\u4f1a\u8bae 2004.mov", "in": 30, "frames": 25},
    ]
    expected = ["test-rename", "2004-2", "clip-3", "clip-3", "2004-2", "2004-2"]
    assert [_import(film, tmp_path, [clip]) for clip in clips] == [[e] for e in expected]


def test_an_unmatched_reference_names_everything_tried(film: Project, tmp_path: Path) -> None:
    path = tmp_path / "cut.otio"
    path.write_text(_otio([{"url": "C:\\Media\\Nobody.mov", "name": "Nobody", "in": 0,
                            "frames": 25, "available": (0, 300),
                            "metadata": {"cmx_3600": {"reel": "Z999"}}}]), encoding="utf-8")
    with pytest.raises(EditRefusedError) as caught:
        import_edit(film, path)
    assert caught.value.problems == [
        "event 1 (Nobody): its media C:\\Media\\Nobody.mov matches no ingested clip (tried "
        "file name 'Nobody.mov'; reel 'Z999'; duration 300 frames + timecode 00:00:00:00; "
        "clip name 'Nobody'); ingest it with `coprod ingest "
        f"{film.root} 'C:\\Media\\Nobody.mov' --contributor ID` and import again"]


def test_edl_source_timecode_counts_from_the_camera_timecode(film: Project,
                                                              tmp_path: Path) -> None:
    """01:00:10:00 on footage starting 01:00:00:00 is frame 250 at 25 fps."""
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: TC\nFCM: NON-DROP FRAME\n\n"
                   "001  A001     V     C        01:00:10:00 01:00:11:00 00:00:00:00 00:00:01:00\n"
                   "* FROM CLIP NAME: Test rename\n", encoding="utf-8")
    result = import_edit(film, edl)
    assert result.written
    item = film.reload().film.sequence[0]
    assert (item.clip_id, item.in_ms, item.out_ms) == ("test-rename", 10_000, 11_000)


def test_ingest_keeps_the_camera_name_reel_and_timecode(tmp_path: Path,
                                                        camera_dir: Path) -> None:
    spec = CameraFile("x", "Test rename.mov", timecode="01:00:00:00", reel="A026C019",
                      seconds=2.0)
    src = tmp_path / "Test rename.mov"
    src.write_bytes(make_camera_file(camera_dir, spec).read_bytes())
    project = Project.create(tmp_path / "film", "Film")
    code, out = run_cli("ingest", str(project.root), str(src), "--contributor", "amara")
    assert code == 0, out
    clip = project.reload().film.clips["test-rename"]
    assert (clip.original_name, clip.reel, clip.timecode) == ("Test rename.mov", "A026C019",
                                                             "01:00:00:00")
    assert "original_name: Test rename.mov" in project.film_yaml.read_text(encoding="utf-8")
