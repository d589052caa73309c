"""What does not change the picture edit is read leniently, warned about, and the import goes on."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.edl import prepare_edl
from pipeline.interchange.errors import EditRefusedError
from tests.conftest import run_cli
from tests.interchange.conftest import MakeRateFilm

# clip-1's picture, then a sound-only wipe (W001) whose source runs 30 frames over 20 record
# frames: CMX's own sound-only event, which the adapter refused the whole file for.
WIPE_EDL = """TITLE: WIPE
FCM: NON-DROP FRAME

001  CLIP1    V     C        00:00:00:00 00:00:02:00 00:00:00:00 00:00:02:00
* FROM CLIP NAME: clip-1.mp4

002  CLIP2    V     C        00:00:01:00 00:00:03:00 00:00:02:00 00:00:04:00
* FROM CLIP NAME: clip-2.mp4

003  MUSIC    A     C        00:00:00:00 00:00:00:00 00:00:00:00 00:00:00:00
003  MUSIC    A     W001 010 00:00:05:00 00:00:06:05 00:00:00:00 00:00:00:20
* FROM CLIP NAME: music.wav

004  MUSIC    A2    C        00:00:05:00 00:00:06:05 00:00:01:00 00:00:01:20
* FROM CLIP NAME: music.wav
"""


def test_sound_only_event_with_differing_lengths_is_left_out_with_a_warning(
        rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")
    path = tmp_path / "wipe.edl"
    path.write_text(WIPE_EDL, encoding="utf-8")
    result = import_edit(project, path)
    assert result.written
    got = [(e.clip_id, e.in_ms, e.out_ms) for e in project.reload().film.sequence]
    assert got == [("clip-1", None, 2000), ("clip-2", 1000, 3000)]
    assert ("event 004 (reel MUSIC): sound only (A2), its source (30 frames) and record "
            "(20 frames) lengths differ: left out; coprod plays each clip's own sound"
            ) in result.warnings


def test_drop_frame_events_across_a_minute_are_not_a_mismatch() -> None:
    # 01:50:58;03 to 01:51:00;27 is 82 frames at 29.97 DF (frames ;00 and ;01 of minute 51
    # do not exist), as is its record 01:00:38;14 to 01:00:41;06.
    text = ("TITLE: DF\nFCM: DROP FRAME\n"
            "001  ACC112   V     C        01:50:58:03 01:51:00:27 01:00:38:14 01:00:41:06 \n")
    prepared, warnings = prepare_edl(text, Fraction(30000, 1001))
    assert warnings == []
    assert "01:50:58;03 01:51:00;27 01:00:38;14 01:00:41;06" in prepared


def test_an_unmarked_speed_change_keeps_its_record_length() -> None:
    text = ("TITLE: X\nFCM: NON-DROP FRAME\n"
            "061  A002C010 V     C        04:33:43:07 04:33:44:08 04:03:49:10 04:03:49:23 \n"
            "* FROM CLIP NAME:  R102-6* 48FPS \n")
    prepared, warnings = prepare_edl(text, Fraction(24000, 1001))
    assert warnings == ["event 061 (reel A002C010): its source runs 25 frames over 13 record "
                        "frames (a speed change the EDL does not mark): coprod plays 13 frames "
                        "from its in point as shot"]
    assert "04:33:43:07 04:33:43:20 04:03:49:10 04:03:49:23" in prepared


def test_an_event_overlapping_the_next_is_cut_where_the_next_starts() -> None:
    text = ("TITLE: X\nFCM: NON-DROP FRAME\n"
            "007  BR240    V     C        09:18:30:13 09:18:38:13 01:00:31:13 01:00:39:12 \n"
            "M2   BR240          024.0                09:18:30:13 \n"
            "008  ACC112   V     C        01:50:58:03 01:51:00:27 01:00:38:14 01:00:41:08 \n")
    prepared, warnings = prepare_edl(text, Fraction(30))
    assert warnings == ["event 007 (reel BR240) ends 28 frames after event 008 starts (record "
                        "01:00:39:12 > 01:00:38:14): it is cut at event 008's record in"]
    assert "09:18:30:13 09:18:38:13 01:00:31:13 01:00:38:14" in prepared


def test_warnings_are_printed_even_when_the_import_fails(rate_film: MakeRateFilm,
                                                         tmp_path: Path) -> None:
    project = rate_film("25")
    path = tmp_path / "wipe.edl"
    path.write_text(WIPE_EDL.replace("clip-2.mp4", "nobody.mp4").replace("CLIP2", "NOBODY"),
                    encoding="utf-8")
    with pytest.raises(EditRefusedError) as caught:
        import_edit(project, path)
    assert any("sound only (A2)" in w for w in caught.value.warnings)
    code, output = run_cli("import-edit", str(project.root), str(path))
    assert code == 1
    assert "warning: event 004 (reel MUSIC): sound only (A2)" in output
    assert "not imported, film.yaml is unchanged (1 problem)" in output
