"""Exports carry what real editors expect: FCM, one rate per clip, Kdenlive 1.1, 01:00:00:00."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.formats import EditFormat
from pipeline.interchange.timebase import frame_of_ms
from pipeline.interchange.write import export_edit
from pipeline.render_profiles import load_profile
from tests.interchange.conftest import MakeRateFilm

RATES = {"25": Fraction(25), "30000/1001": Fraction(30000, 1001),
         "24000/1001": Fraction(24000, 1001)}


def _title_frames(rate: Fraction) -> int:
    return frame_of_ms(load_profile("web").title_card_ms, rate)


@pytest.mark.parametrize("label", list(RATES))
def test_edl_has_fcm_and_record_timecode_from_one_hour(label: str, rate_film: MakeRateFilm,
                                                       tmp_path: Path) -> None:
    project = rate_film(label, n=2)
    text = export_edit(project, EditFormat.EDL, tmp_path / "cut.edl").path.read_text("utf-8")
    lines = text.splitlines()
    drop = RATES[label] == Fraction(30000, 1001)
    assert lines[1] == ("FCM: DROP FRAME" if drop else "FCM: NON-DROP FRAME")
    first = next(line for line in lines if line.startswith("001 "))
    title = _title_frames(RATES[label])
    nominal = round(RATES[label])
    # The title card (a gap) comes first, so event 1 starts that many frames after 01:00:00:00.
    expected = f"01:00:{title // nominal:02d}{';' if drop else ':'}{title % nominal:02d}"
    assert first.split()[-2] == expected, first


@pytest.mark.parametrize("label", ["25", "30000/1001"])
def test_fcp7_xml_has_one_rate_per_clip_and_a_one_hour_sequence(
        label: str, rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film(label, n=2)
    root = ET.parse(export_edit(project, EditFormat.FCP_XML, tmp_path / "cut.xml").path).getroot()
    clips = list(root.iter("clipitem"))
    assert clips and all(len(c.findall("rate")) == 1 for c in clips)
    timecode = root.find(".//sequence/timecode")
    assert timecode is not None
    drop = label != "25"
    assert (timecode.findtext("string"), timecode.findtext("displayformat")) == (
        ("01:00:00;00", "DF") if drop else ("01:00:00:00", "NDF"))


def test_kdenlive_export_is_a_current_document(rate_film: MakeRateFilm,
                                               tmp_path: Path) -> None:
    project = rate_film("25", n=2)
    root = ET.parse(export_edit(project, EditFormat.KDENLIVE,
                                tmp_path / "cut.kdenlive").path).getroot()
    props = {p.get("name"): p.text for p in root.findall("playlist[@id='main_bin']/property")}
    assert props["kdenlive:docproperties.version"] == "1.1"
    last = root.findall("tractor")[-1]
    assert last.findtext("property[@name='kdenlive:projectTractor']") == "1"
    sequence = last.find("track")
    assert sequence is not None
    uuid = sequence.get("producer")
    assert props["kdenlive:docproperties.activetimeline"] == uuid
    timeline = root.find(f"tractor[@id='{uuid}']")
    assert timeline is not None
    assert timeline.findtext("property[@name='kdenlive:producer_type']") == "17"


def test_fcpxml_and_otio_start_at_one_hour(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25", n=2)
    fcpxml = ET.parse(export_edit(project, EditFormat.FCPX, tmp_path / "cut.fcpxml").path)
    sequence = fcpxml.getroot().find(".//sequence")
    assert sequence is not None and sequence.get("tcStart") == "3600s"
    spine = sequence.find("spine")
    assert spine is not None and spine[0].get("offset") == "3600s"
    otio = json.loads(export_edit(project, EditFormat.OTIO, tmp_path / "cut.otio",
                                  force=True)  # cut.srt is the FCPXML's too
                      .path.read_text("utf-8"))
    assert otio["global_start_time"]["value"] == 90000


def test_exports_start_at_the_project_s_start_from_the_last_import(
        rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25", n=1)
    cut = tmp_path / "cut.fcpxml"
    cut.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<fcpxml version="1.9"><resources>
  <format id="r1" frameDuration="1/25s"/>
  <asset id="a1" name="clip-1" start="0s" duration="12s" format="r1">
    <media-rep kind="original-media" src="{project.clip('clip-1').file.as_uri()}"/></asset>
</resources><library><event name="e"><project name="p">
  <sequence format="r1" tcStart="36000s"><spine>
    <asset-clip ref="a1" offset="36000s" name="clip-1" start="1s" duration="4s"/>
  </spine></sequence></project></event></library></fcpxml>
""", encoding="utf-8")
    assert import_edit(project, cut).written
    project = project.reload()
    text = export_edit(project, EditFormat.EDL, tmp_path / "out.edl").path.read_text("utf-8")
    first = next(line for line in text.splitlines() if line.startswith("001 "))
    title = _title_frames(Fraction(25))
    assert first.split()[-2] == f"10:00:{title // 25:02d}:{title % 25:02d}"
    fcpxml = ET.parse(export_edit(project, EditFormat.FCPX, tmp_path / "out.fcpxml",
                                  force=True).path)  # out.srt is the EDL's too
    sequence = fcpxml.getroot().find(".//sequence")
    assert sequence is not None and sequence.get("tcStart") == "36000s"
