"""Clips inside clips: auditions, compound, sync and multicam clips, retimes, generator tracks."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.errors import EditRefusedError
from pipeline.project import Project
from tests.interchange.camera import CameraFile, camera_film

SPECS = [CameraFile("take-1", "Take 1.mov"), CameraFile("take-2", "Take 2.mov"),
         CameraFile("cam-a", "Cam A.mov"), CameraFile("cam-b", "Cam B.mov")]

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.11">
  <resources>
    <format id="r1" frameDuration="100/2500s" width="1920" height="1080"/>
    <asset id="a1" name="Take 1" start="0s" duration="12s" format="r1">
      <media-rep kind="original-media" src="file:///Volumes/Card/Take%201.mov"/></asset>
    <asset id="a2" name="Take 2" start="0s" duration="12s" format="r1">
      <media-rep kind="original-media" src="file:///Volumes/Card/Take%202.mov"/></asset>
    <asset id="a3" name="Cam A" start="0s" duration="12s" format="r1">
      <media-rep kind="original-media" src="file:///Volumes/Card/Cam%20A.mov"/></asset>
    <asset id="a4" name="Cam B" start="0s" duration="12s" format="r1">
      <media-rep kind="original-media" src="file:///Volumes/Card/Cam%20B.mov"/></asset>
    {extra}
  </resources>
  <library><event name="e"><project name="p">
    <sequence format="r1" tcStart="3600s" duration="20s"><spine>
{spine}
    </spine></sequence>
  </project></event></library>
</fcpxml>
"""


@pytest.fixture(scope="module")
def camera_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("camera")


@pytest.fixture
def film(tmp_path: Path, camera_dir: Path) -> Project:
    return camera_film(tmp_path / "film", camera_dir, SPECS)


def _import(film: Project, tmp_path: Path, spine: str,
            extra: str = "") -> tuple[list[tuple[str, int | None, int | None]], list[str]]:
    path = tmp_path / "cut.fcpxml"
    path.write_text(HEAD.format(spine=spine, extra=extra), encoding="utf-8")
    result = import_edit(film, path, dry_run=True)
    return [(e.clip_id, e.in_ms, e.out_ms) for e in result.plan.entries], result.warnings


def test_an_audition_plays_its_chosen_take(film: Project, tmp_path: Path) -> None:
    entries, warnings = _import(film, tmp_path, """
      <audition offset="3600s">
        <asset-clip ref="a2" name="Take 2" start="1s" duration="2s"/>
        <asset-clip ref="a1" name="Take 1" start="5s" duration="2s"/>
      </audition>""")
    assert entries == [("take-2", 1000, 3000)]
    assert warnings == ["audition at 01:00:00:00: its chosen take 'Take 2' is used (1 other "
                        "take(s) left out)"]


COMPOUND = """
    <media id="m1" name="Inner"><sequence format="r1" tcStart="0s" duration="4s"><spine>
      <asset-clip ref="a1" offset="0s" name="Take 1" start="2s" duration="2s"/>
      <asset-clip ref="a2" offset="2s" name="Take 2" start="6s" duration="2s"/>
    </spine></sequence></media>
    <media id="m2" name="Outer"><sequence format="r1" tcStart="0s" duration="5s"><spine>
      <asset-clip ref="a3" offset="0s" name="Cam A" start="0s" duration="1s"/>
      <ref-clip ref="m1" offset="1s" name="Inner" duration="4s"/>
    </spine></sequence></media>"""


def test_a_compound_clip_inside_a_compound_clip_is_flattened(film: Project,
                                                             tmp_path: Path) -> None:
    # Outer from 0.4 s for 3 s: Cam A 0.4-1, then Inner from 0 for 2.4 s: Take 1 2-4, Take 2 6-6.4
    entries, warnings = _import(film, tmp_path, """
      <ref-clip ref="m2" offset="3600s" name="Outer" start="2/5s" duration="3s"/>""", COMPOUND)
    assert entries == [("cam-a", 400, 1000), ("take-1", 2000, 4000), ("take-2", 6000, 6400)]
    assert warnings == [
        "compound clip 'Outer' at 01:00:00:00 is flattened: 2 item(s) from inside it are "
        "placed on the timeline",
        "compound clip 'Inner' at 01:00:00:15 is flattened: 2 item(s) from inside it are "
        "placed on the timeline"]


def test_a_multicam_clip_plays_its_active_video_angle(film: Project, tmp_path: Path) -> None:
    multicam = """
    <media id="mc" name="MC"><multicam format="r1" tcStart="0s">
      <mc-angle name="A" angleID="ang-a">
        <asset-clip ref="a3" offset="0s" name="Cam A" duration="12s"/></mc-angle>
      <mc-angle name="B" angleID="ang-b">
        <gap offset="0s" duration="1s"/>
        <asset-clip ref="a4" offset="1s" name="Cam B" duration="11s"/></mc-angle>
    </multicam></media>"""
    entries, warnings = _import(film, tmp_path, """
      <mc-clip ref="mc" offset="3600s" name="MC" start="2s" duration="3s">
        <mc-source angleID="ang-a" srcEnable="audio"/>
        <mc-source angleID="ang-b" srcEnable="video"/>
      </mc-clip>""", multicam)
    assert entries == [("cam-b", 1000, 4000)]
    assert warnings == ["multicam clip 'MC' (active video angle 'B') at 01:00:00:00 is "
                        "flattened: 1 item(s) from inside it are placed on the timeline"]


def test_a_sync_clip_is_flattened_to_its_picture(film: Project, tmp_path: Path) -> None:
    entries, warnings = _import(film, tmp_path, """
      <sync-clip offset="3600s" name="Synced" start="1s" duration="2s">
        <asset-clip ref="a3" offset="0s" name="Cam A" start="0s" duration="10s"/>
        <asset-clip ref="a4" lane="-1" offset="0s" name="Sound" start="0s" duration="10s"/>
      </sync-clip>""")
    assert entries == [("cam-a", 1000, 3000)]
    assert warnings[0] == ("sync clip 'Synced' at 01:00:00:00 is flattened: 1 item(s) from "
                           "inside it are placed on the timeline")


def test_a_retime_takes_its_in_point_from_the_time_map(film: Project, tmp_path: Path) -> None:
    # An offset-only map: clip time 0 is source 4 s, at normal speed: no speed change.
    entries, warnings = _import(film, tmp_path, """
      <asset-clip ref="a1" offset="3600s" name="Take 1" start="1s" duration="2s">
        <timeMap><timept time="0s" value="4s"/><timept time="10s" value="14s"/></timeMap>
      </asset-clip>""")
    assert (entries, warnings) == ([("take-1", 5000, 7000)], [])


def test_a_retime_that_changes_speed_is_named(film: Project, tmp_path: Path) -> None:
    entries, warnings = _import(film, tmp_path, """
      <asset-clip ref="a1" offset="3600s" name="Take 1" start="1s" duration="2s">
        <timeMap><timept time="0s" value="0s"/><timept time="5s" value="10s"/></timeMap>
      </asset-clip>""")
    assert entries == [("take-1", 2000, 4000)]
    assert warnings == ["event 1 (Take 1): a speed change (200%) is not rendered; the clip "
                        "plays as shot"]


KDENLIVE = """<?xml version='1.0' encoding='utf-8'?>
<mlt LC_NUMERIC="C" producer="main_bin" version="7.5.0" root="{root}">
 <profile frame_rate_num="25" frame_rate_den="1" width="1920" height="1080"
   progressive="1" sample_aspect_num="1" sample_aspect_den="1" display_aspect_num="16"
   display_aspect_den="9" colorspace="709"/>
 <producer id="producer0" in="0" out="299">
  <property name="length">300</property><property name="resource">{root}/Take 1.mov</property>
  <property name="mlt_service">avformat-novalidate</property>
  <property name="kdenlive:clipname">Take 1</property><property name="kdenlive:id">2</property>
 </producer>
 <producer id="producer1" in="0" out="99">
  <property name="length">100</property><property name="resource">0xff0000ff</property>
  <property name="mlt_service">color</property>
  <property name="kdenlive:clipname">Color Clip</property><property name="kdenlive:id">3</property>
 </producer>
 <playlist id="main_bin"><property name="kdenlive:docproperties.version">1.1</property>
  <entry producer="producer0" in="0" out="299"/><entry producer="producer1" in="0" out="99"/>
 </playlist>
 <producer id="black_track" in="0" out="299"><property name="resource">black</property>
  <property name="mlt_service">color</property></producer>
 <playlist id="playlist0">
  <entry producer="producer0" in="25" out="74"><property name="kdenlive:id">2</property></entry>
 </playlist>
 <playlist id="playlist1"/>
 <tractor id="tractor0" in="0" out="299"><property name="kdenlive:track_name">V1</property>
  <track producer="playlist0"/><track producer="playlist1"/></tractor>
 <playlist id="playlist2">
  <entry producer="producer1" in="0" out="49"><property name="kdenlive:id">3</property></entry>
 </playlist>
 <playlist id="playlist3"/>
 <tractor id="tractor1" in="0" out="299"><property name="kdenlive:track_name">V2</property>
  <track producer="playlist2"/><track producer="playlist3"/></tractor>
 <tractor id="maintractor" global_feed="1" in="0" out="299">
  <track producer="black_track"/><track producer="tractor0"/><track producer="tractor1"/>
 </tractor>
</mlt>
"""


def test_a_generator_only_kdenlive_track_is_named_as_such(film: Project,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "cut.kdenlive"
    path.write_text(KDENLIVE.format(root="/Volumes/Card"), encoding="utf-8")
    result = import_edit(film, path, dry_run=True)
    assert [(e.clip_id, e.in_ms, e.out_ms) for e in result.plan.entries] == [
        ("take-1", 1000, 3000)]
    assert result.warnings == ["video track V2 holds only generated pictures (1 SolidColor "
                               "clip(s)), no footage: left out"]
    assert not any("gap" in w for w in result.warnings)


def test_warnings_about_flattening_are_kept_when_the_import_is_refused(
        film: Project, tmp_path: Path) -> None:
    path = tmp_path / "cut.fcpxml"
    path.write_text(HEAD.format(extra="", spine="""
      <audition offset="3600s">
        <asset-clip ref="a9" name="Lost" start="0s" duration="2s"/>
      </audition>"""), encoding="utf-8")
    with pytest.raises(EditRefusedError) as caught:
        import_edit(film, path)
    assert caught.value.warnings == ["audition at 01:00:00:00: its chosen take 'Lost' is used "
                                     "(0 other take(s) left out)"]
