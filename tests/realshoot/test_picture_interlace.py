"""Interlaced camera footage is deinterlaced at render and in the proxy (issue 22, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.media import PROBE_FORMAT, probe, read_probe_record
from pipeline.project import Project
from pipeline.render.plan import PartKind, plan_film
from pipeline.render.segments import segment_files
from tests.conftest import run_cli
from tests.pipeline.conftest import tiny
from tests.realshoot.picture_fixtures import (
    film_of,
    idet_multi,
    interlaced_clip,
    progressive_clip,
    render,
)

FULL = {"width": 640, "height": 360}  # the clips' own size: combing is never scaled away


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("interlace")
    return {"flagged": interlaced_clip(folder / "flagged.mp4", flagged=True),
            "misflagged": interlaced_clip(folder / "misflagged.mp4", flagged=False),
            "progressive": progressive_clip(folder / "progressive.mp4")}


def test_the_fixtures_are_what_they_claim(clips: dict[str, Path]) -> None:
    # Every frame of both interlaced clips is combed; the progressive one has none.
    for name in ("flagged", "misflagged"):
        counts = idet_multi(clips[name])
        assert counts["tff"] >= 70 and counts["bff"] == 0, (name, counts)
    assert idet_multi(clips["progressive"])["tff"] == 0


@pytest.mark.parametrize(("name", "found_by"), [("flagged", "flag"), ("misflagged", "idet")])
def test_probe_finds_interlace_flagged_or_not(clips: dict[str, Path], name: str,
                                              found_by: str) -> None:
    info = probe(clips[name])
    assert info.interlaced == "tff"
    assert info.interlace_found_by == found_by
    assert info.field_order == ("tt" if name == "flagged" else "progressive")


@pytest.mark.parametrize(("flagged", "field_order"), [(True, "bb"), (False, "progressive")])
def test_probe_finds_bottom_field_first(tmp_path: Path, flagged: bool,
                                        field_order: str) -> None:
    info = probe(interlaced_clip(tmp_path / "bff.mp4", flagged=flagged, top_first=False))
    assert (info.interlaced, info.field_order) == ("bff", field_order)
    fix = info.picture_fix()
    assert fix is not None and fix.deinterlace == "bff"


def test_a_progressive_clip_is_not_called_interlaced(clips: dict[str, Path]) -> None:
    info = probe(clips["progressive"])
    assert (info.interlaced, info.field_order) == (None, "progressive")
    assert info.picture_fix() is None


@pytest.mark.slow
@pytest.mark.parametrize("name", ["flagged", "misflagged"])
def test_the_film_and_the_proxy_have_no_combed_frames(clips: dict[str, Path], name: str,
                                                      tmp_path: Path) -> None:
    project = film_of(tmp_path / "film", clips[name])
    clip_id = next(iter(project.film.clips))
    record = json.loads(project.probe_path(clip_id).read_text())
    assert record["format"] == PROBE_FORMAT and record["media"]["interlaced"] == "tff"
    film = render(project, tiny(**FULL))
    counts = idet_multi(film)
    assert counts["tff"] + counts["bff"] == 0, counts
    assert counts["progressive"] >= 70, counts  # the clip's 75 frames were read, not skipped
    proxy = idet_multi(project.proxy_path(clip_id))
    assert proxy["tff"] + proxy["bff"] == 0, proxy


def test_interlaced_clips_get_their_own_segment_key(clips: dict[str, Path],
                                                     tmp_path: Path) -> None:
    project = film_of(tmp_path / "film", clips["misflagged"])
    [part] = [p for p in plan_film(project, tiny(**FULL), list(project.film.clips), [], [])
              if p.kind == PartKind.CLIP]
    assert part.picture is not None and part.picture.deinterlace == "tff"
    plain = part.__class__(**{**part.__dict__, "picture": None})
    ours = segment_files(part, tiny(**FULL), tmp_path)
    assert ours.video_key != segment_files(plain, tiny(**FULL), tmp_path).video_key


@pytest.mark.slow
def test_a_progressive_clip_renders_as_before(clips: dict[str, Path], tmp_path: Path) -> None:
    project = film_of(tmp_path / "film", clips["progressive"])
    [part] = [p for p in plan_film(project, tiny(**FULL), list(project.film.clips), [], [])
              if p.kind == PartKind.CLIP]
    # No picture fix: the segment's key, and so its bytes, are what they were before interlace
    # detection existed.
    assert part.picture is None
    film = render(project, tiny(**FULL))
    assert idet_multi(film)["tff"] == 0


def test_an_old_probe_record_is_probed_again(clips: dict[str, Path], tmp_path: Path) -> None:
    project = film_of(tmp_path / "film", clips["misflagged"])
    clip_id = next(iter(project.film.clips))
    path = project.probe_path(clip_id)
    old = json.loads(path.read_text())
    del old["format"]
    for key in ("field_order", "interlaced", "interlace_found_by"):
        old["media"].pop(key)
    path.write_text(json.dumps(old))
    assert read_probe_record(path) is None
    assert project.probe(clip_id).interlaced == "tff"
    assert json.loads(path.read_text())["format"] == PROBE_FORMAT


def test_ingest_says_what_it_does_to_each_picture(clips: dict[str, Path],
                                                  tmp_path: Path) -> None:
    # The words come from the same PictureFix the proxy and the render apply (tested above).
    project = Project.create(tmp_path / "film", "Film")
    code, out = run_cli("ingest", str(project.root), *(str(clips[n]) for n in clips))
    assert code == 0, out
    assert ("flagged: interlaced (top field first, flagged): deinterlaced in the review proxy "
            "and the render") in out
    assert "misflagged: interlaced (top field first, found by idet; flagged progressive)" in out
    assert not [line for line in out.splitlines()
                if line.startswith("progressive:") and "interlaced" in line]
