"""coprod ingest PROJECT CARD/: a camera card walked, sidecars skipped, AVCHD takes joined
(issue 22, item 7)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.cards import continues, joined, walk_card
from pipeline.project import Project
from tests.conftest import run_cli

SPANNED_S = 3.0
SEPARATE_S = 2.0


def _clip(out: Path, seconds: float, *, fmt: list[str] | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    runner.ffmpeg(["-f", "lavfi", "-i", f"testsrc=s=320x180:r=25:d={seconds}",
                   "-f", "lavfi", "-i", f"sine=f=440:d={seconds}", "-c:v", "libx264",
                   "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac",
                   *(fmt or []), f"file:{out}"])
    return out


def _touch(path: Path, data: bytes = b"camera data") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture(scope="module")
def card_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A card as a phone, a Sony XAVC camera and an AVCHD camcorder write it (kept pristine)."""
    card = tmp_path_factory.mktemp("cards") / "CARD"
    _clip(card / "DCIM" / "100APPLE" / "IMG_0001.MOV", 2.0)
    _touch(card / "DCIM" / "100APPLE" / "IMG_0001.AAE")
    _touch(card / "DCIM" / "100APPLE" / "IMG_0002.JPG")
    _clip(card / "PRIVATE" / "M4ROOT" / "CLIP" / "C0001.MP4", 2.0)
    _touch(card / "PRIVATE" / "M4ROOT" / "CLIP" / "C0001M01.XML", b"<xml/>")
    _touch(card / "PRIVATE" / "M4ROOT" / "THMBNL" / "C0001T01.JPG")
    _touch(card / "PRIVATE" / "M4ROOT" / "MEDIAPRO.XML", b"<xml/>")
    avchd = card / "PRIVATE" / "AVCHD" / "BDMV"
    # One take recorded as one transport stream, cut in pieces the way the camera spans it:
    # timestamps continue from piece to piece.
    long = _clip(card.parent / "long.ts", SPANNED_S, fmt=["-f", "mpegts"])
    (avchd / "STREAM").mkdir(parents=True)
    runner.ffmpeg(["-i", f"file:{long}", "-map", "0", "-c", "copy", "-f", "segment",
                   "-segment_time", "1", "-reset_timestamps", "0", "-segment_format", "mpegts",
                   str(avchd / "STREAM" / "%05d.MTS")])
    # A second take: the same camera and streams, its own timestamps.
    _clip(avchd / "STREAM" / "00003.MTS", SEPARATE_S, fmt=["-f", "mpegts"])
    for n in range(4):
        _touch(avchd / "CLIPINF" / f"{n:05d}.CPI")
    _touch(avchd / "PLAYLIST" / "00000.MPL")
    _touch(avchd / "index.bdmv")
    _touch(avchd / "MovieObject.bdmv")
    _touch(card / ".DS_Store")
    # Deleted footage in a computer's trash folder is not footage of the card.
    _clip(card / ".Trashes" / "501" / "IMG_0009.MOV", 1.0)
    _touch(card / "System Volume Information" / "IndexerVolumeGuid")
    return card


@pytest.fixture
def card(card_source: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(card_source, tmp_path / "CARD", symlinks=True))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.create(tmp_path / "film", "Film")


def _stream_pieces(card: Path) -> list[Path]:
    return sorted((card / "PRIVATE" / "AVCHD" / "BDMV" / "STREAM").glob("*.MTS"))


def _duration(path: Path) -> float:
    return float(runner.ffprobe_json(f"file:{path}")["format"]["duration"])


def test_the_card_s_takes_and_what_is_skipped(card: Path) -> None:
    found = walk_card(card)
    assert [[p.name for p in t.parts] for t in found.takes] == [
        ["IMG_0001.MOV"], ["00000.MTS", "00001.MTS", "00002.MTS"], ["00003.MTS"],
        ["C0001.MP4"]]
    assert found.skipped_lines() == [
        "skipped 4 AVCHD clip information files", "skipped 2 AVCHD index files",
        "skipped 1 AVCHD playlists", "skipped 2 hidden and system folders",
        "skipped 1 hidden files", "skipped 2 metadata sidecars",
        "skipped 1 photo edit sidecars", "skipped 2 photos and thumbnails"]


def test_ingest_a_card_joins_the_spanned_take_into_one_clip(card: Path,
                                                            project: Project) -> None:
    code, out = run_cli("ingest", str(project.root), str(card), "--contributor", "amara")
    assert code == 0, out
    for line in ("skipped 4 AVCHD clip information files", "skipped 2 photos and thumbnails",
                 "skipped 1 hidden files"):
        assert line in out
    assert "00000: one take spanned over 3 files, joined: 00000.MTS, 00001.MTS, 00002.MTS" in out
    clips = project.reload().film.clips
    assert sorted(clips) == ["00000", "00003", "c0001", "img_0001"]
    pieces = _stream_pieces(card)
    joined = clips["00000"].file
    # Joined without re-encoding: the pieces' bytes one after another, one clip as long as
    # the take.
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in pieces[:3])).hexdigest()
    assert clips["00000"].sha256 == digest
    assert abs(_duration(joined) - SPANNED_S) < 0.1
    assert abs(project.reload().probe("00000").duration_ms - SPANNED_S * 1000) < 100
    assert abs(_duration(clips["00003"].file) - SEPARATE_S) < 0.1
    assert abs(_duration(project.reload().proxy_path("00000")) - SPANNED_S) < 0.15
    # No scratch files left behind.
    assert not list((project.build_dir / "cards").glob("*"))


def test_pieces_of_different_takes_or_streams_are_not_joined(card: Path) -> None:
    from pipeline.cards import _piece

    pieces = [_piece(p) for p in _stream_pieces(card)]
    assert all(p is not None for p in pieces)
    a, b, c, d = pieces  # type: ignore[misc]
    assert continues(a, b) and continues(b, c)
    assert not continues(c, d) and not continues(a, c)
    other = a.__class__(layout=(("video", "hevc"),), first_pts=a.first_pts,
                        last_pts=a.last_pts, frame_s=a.frame_s)
    assert not continues(other, b)


def _nothing_written(project: Project) -> None:
    project = project.reload()
    assert not project.film.clips
    assert not [p for p in project.footage_dir.rglob("*") if p.is_file()]
    assert not [p for p in project.build_dir.rglob("*")
                if p.is_file() and p.name != ".gitignore"]


def _fails_naming(project: Project, card: Path, named: str) -> str:
    code, out = run_cli("ingest", str(project.root), str(card))
    assert code == 1, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and named in lines[0], out
    assert "Traceback" not in out
    _nothing_written(project)
    return lines[0]


def test_an_empty_card_is_refused(tmp_path: Path, project: Project) -> None:
    empty = tmp_path / "EMPTY"
    _touch(empty / "DCIM" / "100APPLE" / "IMG_0001.THM")
    assert "is a folder with no footage" in _fails_naming(project, empty, str(empty))


def test_id_is_refused_with_a_card(card: Path, project: Project) -> None:
    code, out = run_cli("ingest", str(project.root), str(card), "--id", "one")
    assert code == 1 and "--id cannot be used with a card folder" in out
    _nothing_written(project)


def test_a_symlink_loop_is_refused(card: Path, project: Project) -> None:
    loop = card / "DCIM" / "100APPLE" / "loop"
    loop.symlink_to(card / "DCIM")
    assert "symbolic link" in _fails_naming(project, card, str(loop))


def test_a_link_dressed_as_footage_is_refused(card: Path, project: Project) -> None:
    link = card / "DCIM" / "100APPLE" / "IMG_0003.MOV"
    link.symlink_to("/etc/passwd")
    assert "symbolic link" in _fails_naming(project, card, str(link))


def test_a_hostile_name_is_refused_on_one_line(card: Path, project: Project) -> None:
    evil = card / "DCIM" / "100APPLE" / "IMG\nrm -rf.MOV"
    shutil.copyfile(card / "DCIM" / "100APPLE" / "IMG_0001.MOV", evil)
    line = _fails_naming(project, card, "IMG\\nrm -rf.MOV")
    assert "control characters" in line


def test_a_fifo_on_the_card_is_refused(card: Path, project: Project) -> None:
    fifo = card / "PRIVATE" / "M4ROOT" / "CLIP" / "C0002.MP4"
    os.mkfifo(fifo)
    assert "FIFO" in _fails_naming(project, card, str(fifo))


def test_an_unreadable_footage_file_is_refused_before_anything_is_written(
        card: Path, project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.cards as cards_mod

    bad = card / "PRIVATE" / "M4ROOT" / "CLIP" / "C0001.MP4"
    real_open = cards_mod.open_regular

    # Tests run as root here, where file modes do not stop a read: the OS's refusal is
    # made where coprod opens the file.
    def refusing(path: Path):  # type: ignore[no-untyped-def]
        if Path(path) == bad.resolve():
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(cards_mod, "open_regular", refusing)
    assert "cannot be read" in _fails_naming(project, card, str(bad))


def test_a_take_cut_anywhere_is_found_and_joined_back_whole(tmp_path: Path) -> None:
    # Cameras cut at a size limit, at any packet, through B-frames: cut a take with 3 B-frames
    # at seven places, each into two pieces; every pair is one take, and joined is the take.
    take = _clip(tmp_path / "take.ts", SPANNED_S,
                 fmt=["-preset", "veryfast", "-bf", "3", "-g", "12", "-f", "mpegts"])
    data = take.read_bytes()
    packets = len(data) // 188
    for k in range(1, 8):
        folder = tmp_path / f"cut{k}" / "PRIVATE" / "AVCHD" / "BDMV" / "STREAM"
        folder.mkdir(parents=True)
        at = packets * k // 8 * 188
        (folder / "00000.MTS").write_bytes(data[:at])
        (folder / "00001.MTS").write_bytes(data[at:])
        [found] = walk_card(tmp_path / f"cut{k}").takes
        assert [p.name for p in found.parts] == ["00000.MTS", "00001.MTS"], k
        with joined(found, tmp_path / "scratch") as whole:
            assert whole.read_bytes() == data
    assert not list((tmp_path / "scratch").iterdir())
