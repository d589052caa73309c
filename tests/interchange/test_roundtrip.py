"""Export then import gives back the same sequence, to the frame, in every format and rate."""

from __future__ import annotations

import io
from pathlib import Path

import opentimelineio as otio
import pycmx
import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.formats import FORMATS, EditFormat
from pipeline.interchange.timebase import frame_of_ms, snap_rate
from pipeline.interchange.write import export_edit
from pipeline.project import Project
from tests.interchange.conftest import MakeRateFilm

RATES = {"25": "25", "29.97": "30000/1001", "24": "24"}
# Trims typed by hand, in seconds and timecodes that fall between frames at some rates.
TRIMS = {"clip-1": (1.5, "00:00:07.250"), "clip-2": (None, 9.99), "clip-3": ("00:00:00.333", None)}


def trimmed(project: Project) -> Project:
    for node in project.doc["sequence"]:
        first, last = TRIMS[node["clip"]]
        if first is not None:
            node["in"] = first
        if last is not None:
            node["out"] = last
    project.save()
    return project.reload()


def frames(project: Project, rate: object) -> list[tuple[str, int, int | None]]:
    fps = snap_rate(rate)  # type: ignore[arg-type]
    return [(i.clip_id, frame_of_ms(i.in_ms or 0, fps),
             frame_of_ms(i.out_ms, fps) if i.out_ms is not None else None)
            for i in project.film.sequence]


@pytest.mark.parametrize("label", list(RATES))
@pytest.mark.parametrize("fmt", list(EditFormat))
def test_export_then_import_changes_nothing(fmt: EditFormat, label: str,
                                           rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = trimmed(rate_film(RATES[label]))
    before = project.film_yaml.read_bytes()
    out = tmp_path / f"film{FORMATS[fmt].suffix}"
    export_edit(project, fmt, out)
    result = import_edit(project, out)
    assert result.plan.changes == []
    assert not result.written
    assert project.film_yaml.read_bytes() == before
    assert not [w for w in result.warnings if "gap" in w], result.warnings


@pytest.mark.parametrize("label", list(RATES))
@pytest.mark.parametrize("fmt", list(EditFormat))
def test_an_export_rebuilds_the_sequence_to_the_frame(fmt: EditFormat, label: str,
                                                     rate_film: MakeRateFilm,
                                                     tmp_path: Path) -> None:
    project = trimmed(rate_film(RATES[label]))
    rate = project.probe("clip-1").fps
    wanted = frames(project, rate)
    out = tmp_path / f"film{FORMATS[fmt].suffix}"
    export_edit(project, fmt, out)
    # Someone scrambles film.yaml: reversed, untrimmed, one clip gone.
    project.doc["sequence"] = [{"clip": "clip-3"}, {"clip": "clip-2"}]
    project.save()
    result = import_edit(project.reload(), out)
    assert result.written
    assert any(c.startswith("added: clip-1") for c in result.plan.changes)
    assert frames(project.reload(), rate) == wanted


@pytest.mark.parametrize("label", list(RATES))
def test_a_second_parser_reads_the_edl(label: str, rate_film: MakeRateFilm,
                                       tmp_path: Path) -> None:
    project = trimmed(rate_film(RATES[label]))
    out = tmp_path / "film.edl"
    export_edit(project, EditFormat.EDL, out)
    edl = pycmx.parse_cmx3600(io.StringIO(out.read_text(encoding="utf-8")))
    edits = [edit for event in edl.events for edit in event.edits]
    assert [e.clip_name for e in edits] == ["clip-1", "clip-2", "clip-3"]
    fps = snap_rate(project.probe("clip-1").fps)  # type: ignore[arg-type]
    nominal = round(fps)
    for edit, (clip_id, first, end) in zip(edits, frames(project, fps), strict=True):
        total = frame_of_ms(project.probe(clip_id).duration_ms, fps)
        assert _frame(edit.source_in, nominal) == first
        assert _frame(edit.source_out, nominal) == (end if end is not None else total)


def _frame(tc: str, nominal: int) -> int:
    """Frames of a timecode counted at the nominal rate (drop-frame corrected at 29.97)."""
    hh, mm, ss, ff = (int(x) for x in tc.replace(";", ":").split(":"))
    frames = ((hh * 60 + mm) * 60 + ss) * nominal + ff
    if ";" in tc:  # drop-frame: two frame numbers skipped each minute but every tenth
        minutes = hh * 60 + mm
        frames -= 2 * (minutes - minutes // 10)
    return frames


def test_exported_clips_say_whether_they_are_cleared(rate_film: MakeRateFilm,
                                                     tmp_path: Path) -> None:
    project = rate_film("25")
    out = tmp_path / "film.otio"
    export_edit(project, EditFormat.OTIO, out)
    timeline = otio.adapters.read_from_file(str(out))
    clip = timeline.find_clips()[0]
    meta = clip.metadata["coprod"]
    assert meta["clip"] == "clip-1" and meta["cleared"] is False
    assert meta["consent"] == "amara:no-consent"
    assert clip.media_reference.target_url.startswith("file:///")
    assert Path(clip.media_reference.target_url[len("file://"):]).is_absolute()


@pytest.mark.parametrize("label", ["25", "24"])
def test_a_second_parser_reads_the_fcpxml(label: str, rate_film: MakeRateFilm,
                                          tmp_path: Path) -> None:
    """otio-fcpx-xml-adapter agrees at whole rates (at 29.97 it truncates to 29 fps)."""
    project = trimmed(rate_film(RATES[label]))
    out = tmp_path / "film.fcpxml"
    export_edit(project, EditFormat.FCPX, out)
    found = otio.adapters.read_from_file(str(out), adapter_name="fcpx_xml")
    timeline = next(iter(found.find_children(descended_from_type=otio.schema.Timeline)))
    clips = [c for c in timeline.video_tracks()[0] if isinstance(c, otio.schema.Clip)]
    fps = snap_rate(project.probe("clip-1").fps)  # type: ignore[arg-type]
    for clip, (clip_id, first, end) in zip(clips, frames(project, fps), strict=True):
        total = frame_of_ms(project.probe(clip_id).duration_ms, fps)
        assert clip.name == clip_id
        assert clip.source_range.start_time.value == first
        assert clip.source_range.duration.value == (end if end is not None else total) - first
