"""Every edit in ../shared/corpus/edits, exported by a real editing program, imports as it should.

Each file is imported (dry run, gaps closed) into a film whose clips are camera files made in a
fixture with the names, frame rates, lengths and start timecodes the edit names
(:mod:`tests.interchange.corpus_media`). What each should give was checked by hand against the
file: the entries, every warning, or every problem that refuses it. A file added to the corpus
fails until it is given an expectation. Without the corpus every test here skips, naming where
it looked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.interchange.apply import import_edit
from pipeline.interchange.errors import EditRefusedError, InterchangeError
from pipeline.interchange.timebase import frames_of_timecode
from tests.conftest import CORPUS
from tests.interchange.camera import CameraFile, camera_film
from tests.interchange.corpus_media import MEDIA, RATES, edl_media

EDITS = CORPUS / "edits"
pytestmark = pytest.mark.usefixtures("corpus")

Entry = tuple[str, int | None, int | None]
FIT = "is not rendered; the clip plays as shot"
CUT = "coprod cuts at the edit point"
NESTED = "from inside it are placed on the timeline"
SOLID = "is a generator (SolidColor), not footage: left out"
NO_FOOTAGE = "the main video track has no footage clip; nothing to import"


@dataclass(frozen=True)
class Imports:
    """The edit imports: this many entries, starting with ``first``, and exactly ``warnings``."""

    entries: int
    first: list[Entry]
    warnings: list[str]
    rate: str | None = None  # an EDL's footage rate (EDLs do not say)
    repeated: str | None = None  # a clip the edit uses more than once


@dataclass(frozen=True)
class Refused:
    """The import is refused with exactly ``problems``, after exactly ``warnings``."""

    problems: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unreadable:
    """The file cannot be read as its format; the error says why."""

    reason: str


def _rate_problem(event: int, name: str) -> str:
    return (f"event {event} ({name}): the timeline runs at 25 fps but clip "
            "test-video-29-97-fps's footage is 29.97 fps; set the timeline to 29.97 fps in the "
            "editor and export again")


def _nested(event: int, name: str) -> str:
    return (f"event {event} ({name}): it names no media file (tried clip name {name!r}); a "
            "nested sequence or compound clip the file does not open, or media the editor "
            "lost: flatten or relink it in the editor and export again")


EXPECTED: dict[str, Imports | Refused | Unreadable] = {
    "avid-tod-r4-lock-2398-m2.edl": Imports(
        376, [("start-leader-1920x1080-2398-dnxhd80", 10010, 18018),
              ("a026c019_170614_r287", 10010, 12971), ("b027c005_170615_r6l6", 10010, 14889),
              ("a026c021_170614_r287", 10010, 14639)],
        ["event 14 (\u202292PT-5*): playing in reverse (100%) " + FIT,
         "gap of 55 frames at 04:03:39:15 between clips is closed (--close-gaps): coprod joins "
         "the clips either side",
         "gap of 3 frames at 04:06:40:09 between clips is closed (--close-gaps): coprod joins "
         "the clips either side",
         "event 154 (109-6*): a speed change (125%) " + FIT,
         "event 199 (113B-5B*): a speed change (75%) " + FIT],
        rate="24000/1001", repeated="b026c018_170615_r6l6"),
    "avid-warbirds-2997df-timewarp.edl": Imports(
        9, [("acc112-warbirds", 10010, 16583), ("img_6348", 10010, 11311),
            ("boone-smith-on-camera-host_-720p", 10010, 23857),
            ("boone-smith-on-camera-host_-720p", 48748, 49749)],
        ["event 007 (reel BR240) ends 28 frames after event 008 starts (record 01:00:39;12 > "
         "01:00:38;14): it is cut at event 008's record in",
         "event 008 (reel ACC112) ends 11 frames after event 009 starts (record 01:00:41;06 > "
         "01:00:40;25): it is cut at event 009's record in",
         "event 6 (DTB RE EDIT - HD 720P VIDEO SHARING.NEW.01): a speed change (199%) " + FIT,
         "event 7 (00004.NEW.01): a speed change (80%) " + FIT,
         "event 9 (KIRA PASTA.NEW.01): a speed change (80%) " + FIT],
        rate="30000/1001", repeated="boone-smith-on-camera-host_-720p"),
    "fcp7-markp-2997df-dissolves.xml": Imports(
        1, [("marc_phillipson_032310", None, 1477309)],
        ["transition Cross Dissolve (30 frames) at 01:00:00;00: " + CUT,
         "event 1 (marc_phillipson_032310): the effect Timecode Reader " + FIT,
         "transition Cross Dissolve (30 frames) at 01:24:36;09: " + CUT]),
    "premiere-langoya-25p-transitions.xml": Refused(
        ["the timeline has no clip on any video track; export the timeline with its video "
         "track (V1) holding the clips"]),
    "resolve-timeline1-60p.xml": Imports(
        9, [("2021-04-17_15-01-18", 5100, 2033566), ("2021-04-17_15-01-18", 3017700, 3839283)],
        ["gap of 306 frames at 01:00:00:00 before the first clip is closed (--close-gaps): "
         "coprod joins the clips either side",
         *[f"event {n} (2021-04-17_15-01-18.mp4): the effect {effect} {FIT}"
           for n in range(1, 10) for effect in ("Basic Motion", "Crop", "Opacity")]],
        repeated="2021-04-17_15-01-18"),
    "fcpx-compound-clips-25p.fcpxml": Refused(
        [NO_FOOTAGE],
        ["compound clip 'Title Compound Clip' at 01:00:00:00 is flattened: 1 item(s) " + NESTED,
         "compound clip 'Clouds Compound Clip' at 01:00:10:01 is flattened: 2 item(s) " + NESTED,
         "compound clip 'Title Compound Clip' at 01:00:20:01 is flattened: 1 item(s) " + NESTED,
         "event 1 (Basic Title) is a generator (title), not footage: left out",
         "event 2 (Clouds) is a generator (video), not footage: left out",
         "event 3 (Basic Title) is a generator (title), not footage: left out"]),
    "fcpx-multicam-2398.fcpxml": Imports(
        2, [("cam-4", 5839, 45879), ("cam-2", 7841, 17851)],
        ["multicam clip 'MC' (active video angle 'D') at 01:00:00:00 is flattened: 1 item(s) "
         + NESTED,
         "multicam clip 'MC' (active video angle 'B') at 01:00:40:00 is flattened: 1 item(s) "
         + NESTED]),
    "fcpx-audition-2997.fcpxml": Refused(
        [NO_FOOTAGE],
        ["audition at 01:00:00:00: its chosen take 'Basic Title 1' is used (1 other take(s) "
         "left out)",
         "event 1 (Basic Title 1) is a generator (title), not footage: left out"]),
    "fcpx-25i-timemap-refclip.fcpxml": Refused(
        [_rate_problem(n, name) for n, name in enumerate(
            ["Clip 1", "Clip 2", "Media Clip", "Clip 4", "Clip 5", "Clip 6", "Clip 7"], 1)],
        ["compound clip 'Clip 3' at 00:00:06:23 is flattened: 1 item(s) " + NESTED,
         "compound clip 'Clip 7.1' at 00:01:30:00 is flattened: 1 item(s) " + NESTED,
         "video track lane 1 has 5 clip(s) (Clip 5.1, Clip 5.2, Clip 5.3...): only the main "
         "video track is rendered, so they are left out",
         "event 4 (Clip 4): a speed change (207%) " + FIT,
         "event 6 (Clip 6): a speed change (196%) " + FIT]),
    "kdenlive-21.12-mix-luma.kdenlive": Refused(
        [NO_FOOTAGE],
        ["event 1 (Color Clip) " + SOLID,
         "transition SMPTE_Dissolve (25 frames) at 00:00:02:12: " + CUT,
         "event 2 (Color Clip) " + SOLID,
         "transition SMPTE_Dissolve (25 frames) at 00:00:05:12: " + CUT,
         "event 3 (Color Clip) " + SOLID]),
    "kdenlive-24.01-sequences.kdenlive": Refused(
        [_nested(2, "Sequence 2"), _nested(3, "Sequence 1")],
        ["event 1 (Color Clip) " + SOLID]),
    # otio-kdenlive-adapter reads Kdenlive's layout only; Shotcut's MLT is refused, clearly.
    "shotcut-25.03-lumamix-7tracks.mlt": Unreadable(
        "cannot be read as Kdenlive project (could not convert string to float: ''); export it "
        "from the editor again"),
    "hiero-openpype-sq001-2398.otio": Imports(
        5, [("sq001", None, 1001), ("sq001", 1001, 3169), ("sq001", 3169, 5296)],
        ["video track P01 has 3 clip(s) (sh010, sh010, P01default_twsh010): only the main "
         "video track is rendered, so they are left out",
         "video track P02 has 1 clip(s) (sh010): only the main video track is rendered, so "
         "they are left out",
         "video track P03 has 1 clip(s) (img_sequence_exr): only the main video track is "
         "rendered, so they are left out"],
        repeated="sq001"),
}

_EVENT = re.compile(r"^(\d{3,})\s+(\S+)\s+V\s+C\s+(\S{11})\s+(\S{11})\s+(\S{11})\s+(\S{11})\s*$")


def unmarked_speed_events(text: str, rate: str) -> list[str]:
    """Picture cuts whose source and record lengths differ with no M2 line: a plain scan."""
    fps = RATES[rate]
    drop = "FCM: DROP FRAME" in text
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = _EVENT.match(line.strip())
        if not match:
            continue
        number, reel, *tcs = match.groups()
        f = [frames_of_timecode(tc[:8] + (";" if drop else ":") + tc[9:], fps) for tc in tcs]
        after = lines[index + 1:index + 4]
        if f[1] - f[0] != f[3] - f[2] and not any(a.startswith("M2") for a in after):
            found.append(f"event {number} (reel {reel}): its source runs {f[1] - f[0]} frames "
                         f"over {f[3] - f[2]} record frames (a speed change the EDL does not "
                         f"mark): coprod plays {f[3] - f[2]} frames from its in point as shot")
    return found


@pytest.fixture(scope="module")
def camera_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus-camera")


def test_every_corpus_edit_has_an_expectation() -> None:
    assert sorted(p.name for p in EDITS.iterdir() if p.suffix != ".md") == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_edit_imports_as_expected(name: str, camera_dir: Path, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    path = EDITS / name
    if name.endswith(".edl"):
        assert isinstance(expected, Imports) and expected.rate is not None
        media = edl_media(path.read_text(encoding="utf-8"), expected.rate)
    else:
        media = MEDIA.get(name) or [CameraFile("unused", "unused.mov", seconds=1.0)]
    project = camera_film(tmp_path / "film", camera_dir, media)
    if isinstance(expected, Unreadable):
        with pytest.raises(InterchangeError) as failed:
            import_edit(project, path, dry_run=True, close_gaps=True)
        assert failed.value.reason == expected.reason
        return
    if isinstance(expected, Refused):
        with pytest.raises(EditRefusedError) as refused:
            import_edit(project, path, dry_run=True, close_gaps=True)
        assert refused.value.problems == expected.problems
        assert refused.value.warnings == expected.warnings
        return
    result = import_edit(project, path, dry_run=True, close_gaps=True)
    entries = [(e.clip_id, e.in_ms, e.out_ms) for e in result.plan.entries]
    assert len(entries) == expected.entries
    assert entries[:len(expected.first)] == expected.first
    unmarked = unmarked_speed_events(path.read_text(encoding="utf-8"), expected.rate) \
        if expected.rate else []
    assert result.warnings == unmarked + expected.warnings
    if expected.repeated:
        assert [e[0] for e in entries].count(expected.repeated) > 1
