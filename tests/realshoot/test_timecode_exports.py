"""Camera timecode (issue 22, item 6): kept at ingest, written as source timecode in every
export, and read back so the film's in/out points come back the same.

The footage is made like a camera makes it (a QuickTime tmcd track, 10:00:00:00 at 25 fps and
drop-frame 01:00:00;00 at 29.97) and ingested by `coprod ingest`, so the timecode reaches
film.yaml the way a producer's does. Each format's file is read by a parser of its own here (text,
XML, OTIO JSON), not by coprod's importer, to check the source timecode written.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from pipeline import runner
from pipeline.interchange.apply import import_edit
from pipeline.interchange.formats import FORMATS, EditFormat
from pipeline.interchange.timebase import (
    drop_frame_timecode,
    frame_of_ms,
    frames_of_timecode,
    snap_rate,
    timecode,
)
from pipeline.interchange.write import export_edit
from pipeline.project import Project
from tests.conftest import CORPUS, run_cli

# (rate for ffmpeg, exact rate, the camera's start timecode)
CAMERAS = {"25": ("25", Fraction(25), "10:00:00:00"),
           "29.97df": ("30000/1001", Fraction(30000, 1001), "01:00:00;00")}
# The editor's in/out of each clip in the film, in film.yaml's milliseconds.
TRIMS = {"interview": (2_000, 5_000), "walk": (1_520, None)}


@pytest.fixture(scope="module")
def camera_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two 8-second camera files a rate, each with a tmcd track at the camera's timecode."""
    folder = tmp_path_factory.mktemp("tc-camera")
    made: dict[str, Path] = {}
    for label, (rate, _, start) in CAMERAS.items():
        for tone, name in enumerate(TRIMS):
            out = folder / label / f"{name.upper()}_0001.MOV"
            out.parent.mkdir(exist_ok=True)
            runner.ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=96x54:r={rate}:d=8",
                           "-f", "lavfi", "-i", f"sine=frequency={300 + 100 * tone}:duration=8",
                           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                           "-c:a", "pcm_s24le", "-timecode", start, str(out)])
            made[f"{label}/{name}"] = out
    return made


def _film(tmp_path: Path, files: dict[str, Path], label: str) -> Project:
    project = Project.create(tmp_path / "film", "Camera timecode")
    project.add_contributor("amara", "Amara Okafor")
    project.save()
    for name in TRIMS:
        code, out = run_cli("ingest", str(project.root), str(files[f"{label}/{name}"]),
                            "--contributor", "amara", "--id", name)
        assert code == 0, out
    project = project.reload()
    project.doc["sequence"] = [
        {"clip": name, **({"in": first / 1000} if first else {}),
         **({"out": last / 1000} if last is not None else {})}
        for name, (first, last) in TRIMS.items()]
    project.save()
    return project.reload()


def _points(project: Project) -> list[tuple[str, int, int | None]]:
    """Each entry's clip and in/out frames (film.yaml's ms snap to frames on import)."""
    fps = snap_rate(project.probe(project.film.sequence[0].clip_id).fps or 25)
    return [(e.clip_id, frame_of_ms(e.in_ms or 0, fps),
             frame_of_ms(e.out_ms, fps) if e.out_ms is not None else None)
            for e in project.film.sequence]


def _source_frames(project: Project, rate: Fraction, start: str) -> dict[str, int]:
    """Each clip's source in, in frames of the camera's timecode (what editors show)."""
    zero = frames_of_timecode(start, rate)
    return {e.clip_id: zero + frame_of_ms(e.in_ms or 0, rate) for e in project.film.sequence}


def _tc(frame: int, rate: Fraction, drop: bool) -> str:
    return drop_frame_timecode(frame, rate) if drop else timecode(frame, rate)


@pytest.mark.parametrize("label", list(CAMERAS))
def test_ingest_keeps_the_camera_timecode(label: str, camera_files: dict[str, Path],
                                          tmp_path: Path) -> None:
    project = _film(tmp_path, camera_files, label)
    start = CAMERAS[label][2]
    assert {c.timecode for c in project.film.clips.values()} == {start}
    assert {project.probe(c).timecode for c in TRIMS} == {start}


def _edl_sources(text: str) -> dict[str, str]:
    """Clip name -> source in of each EDL event (the first column of timecodes)."""
    found: dict[str, str] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        parts = line.split()
        if len(parts) >= 8 and parts[0].isdigit() and parts[2] == "V":
            name = next(n.split(":", 1)[1].strip() for n in lines[index + 1:]
                        if n.startswith("* FROM CLIP NAME:"))
            found[name] = parts[-4]
    return found


def _fcp7_sources(text: str, rate: Fraction) -> dict[str, tuple[str, int]]:
    """Clip name -> (its file's timecode, its in point counted from the file's start)."""
    root = ET.fromstring(text)
    files = {f.get("id"): f for f in root.iter("file") if f.find("timecode") is not None}
    found = {}
    for item in root.iter("clipitem"):
        ref = item.find("file")
        assert ref is not None
        file = files[ref.get("id")]
        found[item.findtext("name") or ""] = (file.findtext("timecode/string") or "",
                                              int(item.findtext("in") or "-1"))
    return found


def _seconds(text: str) -> Fraction:
    """FCPXML's rational time (``3600s``, ``1001/30000s``)."""
    value = text.rstrip("s")
    num, _, den = value.partition("/")
    return Fraction(int(num), int(den or 1))


def _fcpxml_sources(text: str) -> dict[str, tuple[Fraction, Fraction]]:
    """Clip name -> (its asset's start, its own start), both in seconds."""
    root = ET.fromstring(text)
    assets = {a.get("id"): a for a in root.iter("asset")}
    return {c.get("name") or "": (_seconds(assets[c.get("ref")].get("start") or "0s"),
                                  _seconds(c.get("start") or "0s"))
            for c in root.iter("asset-clip")}


def _otio_sources(text: str) -> dict[str, tuple[float, float]]:
    """Clip name -> (media's available start, clip's source start), in frames."""
    found = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("OTIO_SCHEMA", "")).startswith("Clip."):
                ref = node["media_references"][node["active_media_reference_key"]]
                found[node["name"]] = (ref["available_range"]["start_time"]["value"],
                                       node["source_range"]["start_time"]["value"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(text))
    return found


def _kdenlive_ins(text: str) -> dict[str, int]:
    """Producer id -> the in point of its timeline entry, in frames from the file's start."""
    root = ET.fromstring(text)
    found: dict[str, int] = {}
    for playlist in root.iter("playlist"):
        if playlist.get("id") == "main_bin":
            continue  # the bin lists whole files, not the film's uses
        for entry in playlist.iter("entry"):
            found.setdefault(entry.get("producer") or "", int(entry.get("in") or "-1"))
    return found


@pytest.mark.parametrize("label", list(CAMERAS))
@pytest.mark.parametrize("fmt", list(EditFormat))
def test_exports_carry_camera_timecode_and_import_back(fmt: EditFormat, label: str,
                                                       camera_files: dict[str, Path],
                                                       tmp_path: Path) -> None:
    project = _film(tmp_path, camera_files, label)
    _, rate, start = CAMERAS[label]
    drop = ";" in start
    wanted = _source_frames(project, rate, start)
    zero = frames_of_timecode(start, rate)
    before = _points(project)
    out = export_edit(project, fmt, tmp_path / f"cut{FORMATS[fmt].suffix}").path
    text = out.read_text(encoding="utf-8")
    if fmt == EditFormat.EDL:
        assert _edl_sources(text) == {c: _tc(f, rate, drop) for c, f in wanted.items()}
    elif fmt == EditFormat.FCP_XML:
        assert _fcp7_sources(text, rate) == {c: (start, f - zero) for c, f in wanted.items()}
    elif fmt == EditFormat.FCPX:
        assert _fcpxml_sources(text) == {c: (zero / rate, f / rate) for c, f in wanted.items()}
    elif fmt == EditFormat.OTIO:
        assert _otio_sources(text) == {c: (zero, f) for c, f in wanted.items()}
    else:  # Kdenlive has no source timecode: its in points count from the file's start
        assert sorted(_kdenlive_ins(text).values()) == sorted(f - zero for f in wanted.values())
    # The editor reorders nothing; a scrambled film.yaml is put back by the import.
    project.doc["sequence"] = [{"clip": "walk"}]
    project.save()
    result = import_edit(project.reload(), out)
    assert result.written
    assert _points(project.reload()) == before


@pytest.mark.parametrize(("label", "source_in", "in_ms"),
                         [("25", "10:00:05:00", 5_000), ("29.97df", "01:00:05;00", 5_005)])
def test_an_edit_in_camera_timecode_maps_to_the_footage(label: str, source_in: str, in_ms: int,
                                                        camera_files: dict[str, Path],
                                                        tmp_path: Path) -> None:
    """A clip used at source 10:00:05:00 (footage starting 10:00:00:00) is 5 s in."""
    project = _film(tmp_path, camera_files, label)
    _, rate, _ = CAMERAS[label]
    drop = ";" in source_in
    first = frames_of_timecode(source_in, rate)
    edl = tmp_path / "cut.edl"
    record = _tc(frames_of_timecode("01:00:00;00" if drop else "01:00:00:00", rate), rate, drop)
    rec_out = _tc(frames_of_timecode(record, rate) + 50, rate, drop)
    edl.write_text(f"TITLE: CAMERA TC\nFCM: {'DROP FRAME' if drop else 'NON-DROP FRAME'}\n\n"
                   f"001  INTERVIE V     C        {source_in} {_tc(first + 50, rate, drop)} "
                   f"{record} {rec_out}\n* FROM CLIP NAME: INTERVIEW_0001.MOV\n",
                   encoding="utf-8")
    result = import_edit(project, edl)
    assert result.written
    entry = project.reload().film.sequence[0]
    assert (entry.clip_id, entry.in_ms) == ("interview", in_ms)


WARBIRDS = CORPUS / "edits" / "avid-warbirds-2997df-timewarp.edl"
_EVENT = re.compile(r"^(\d{3})\s+(\S+)\s+V\s+C\s+(\S{11})\s")


def test_a_real_avid_edl_in_camera_timecode_exports_the_same_source_timecode(
        tmp_path: Path) -> None:
    """Avid's EDL (camera source timecodes, 29.97 DF) imported, then exported: each event's
    source in is the editor's again, and importing the export changes nothing."""
    if not WARBIRDS.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS} (needs ../shared/corpus/edits)")
    from tests.interchange.camera import camera_film
    from tests.interchange.corpus_media import edl_media

    text = WARBIRDS.read_text(encoding="utf-8")
    (tmp_path / "camera").mkdir()
    project = camera_film(tmp_path / "film", tmp_path / "camera",
                          edl_media(text, "30000/1001"))
    import_edit(project, WARBIRDS, close_gaps=True)
    project = project.reload()
    before = _points(project)
    out = export_edit(project, EditFormat.EDL, tmp_path / "again.edl").path
    editor = [m.group(3) for m in map(_EVENT.match, text.splitlines()) if m]
    ours = [m.group(3) for m in map(_EVENT.match, out.read_text("utf-8").splitlines()) if m]
    # Event 6 is a timewarp coprod plays as shot from its in point: the same source in.
    assert [tc.replace(";", ":") for tc in ours] == [tc.replace(";", ":") for tc in editor]
    result = import_edit(project, out)
    assert not result.written
    assert _points(project.reload()) == before


def test_kdenlive_in_points_count_from_the_file_not_the_camera_timecode(
        tmp_path: Path) -> None:
    """Footage starting at 00:00:02:00 used from 3 s: the Kdenlive project says frame 75 of the
    file (not the camera's frame 125), and that imports as 3 s in, not 1 s."""
    clip = tmp_path / "A001.MOV"
    runner.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x54:r=25:d=8", "-c:v", "libx264",
                   "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-timecode", "00:00:02:00",
                   str(clip)])
    project = Project.create(tmp_path / "film", "Small timecode")
    project.add_contributor("amara", "Amara Okafor")
    project.save()
    code, out = run_cli("ingest", str(project.root), str(clip), "--contributor", "amara",
                        "--id", "a001")
    assert code == 0, out
    project = project.reload()
    project.doc["sequence"] = [{"clip": "a001", "in": 3.0, "out": 6.0}]
    project.save()
    project = project.reload()
    edit = export_edit(project, EditFormat.KDENLIVE, tmp_path / "cut.kdenlive").path
    assert sorted(set(_kdenlive_ins(edit.read_text("utf-8")).values())) == [75]
    project.doc["sequence"] = [{"clip": "a001"}]
    project.save()
    import_edit(project.reload(), edit)
    entry = project.reload().film.sequence[0]
    assert (entry.in_ms, entry.out_ms) == (3_000, 6_000)


@pytest.mark.parametrize(("suffix", "codec", "start"), [
    (".mov", ["-c:v", "prores_ks", "-profile:v", "0", "-c:a", "pcm_s24le"], "10:00:00:00"),
    (".mp4", ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"], "01:00:00;00"),
    (".mxf", ["-c:v", "mpeg2video", "-c:a", "pcm_s16le"], "14:30:00:00"),
])
def test_ingest_reads_the_timecode_where_each_container_keeps_it(
        suffix: str, codec: list[str], start: str, tmp_path: Path) -> None:
    """QuickTime and MP4 keep it in a tmcd track (ffprobe: a data stream's and the video
    stream's ``timecode`` tag), MXF in its material package (the format's tag)."""
    rate = "30000/1001" if ";" in start else "25"
    clip = tmp_path / f"CAM{suffix}"
    runner.ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=96x54:r={rate}:d=2", "-f", "lavfi",
                   "-i", "sine=duration=2", "-ar", "48000", *codec, "-timecode", start,
                   str(clip)])
    project = Project.create(tmp_path / "film", "Containers")
    project.add_contributor("amara", "Amara Okafor")
    project.save()
    code, out = run_cli("ingest", str(project.root), str(clip), "--contributor", "amara")
    assert code == 0, out
    assert project.reload().film.clips["cam"].timecode == start
