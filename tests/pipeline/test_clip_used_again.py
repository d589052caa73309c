"""A clip used more than once: film.yaml, sign-off, consent, render, status, export (issue 24)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from consent import Channel, content_key
from pipeline import runner
from pipeline.clearance import caption_sha256, clear_film, clip_key
from pipeline.interchange.apply import import_edit
from pipeline.interchange.formats import EditFormat
from pipeline.interchange.write import export_edit
from pipeline.project import Project
from pipeline.render import render_film
from pipeline.render.plan import PartKind, plan_film
from tests.conftest import run_cli
from tests.pipeline.conftest import TODAY, MakeFilm, tiny


def use_again(project: Project, clip_id: str, in_s: float, out_s: float) -> Project:
    """Append another use of ``clip_id`` to film.yaml's sequence, trimmed to [in_s, out_s)."""
    project.doc["sequence"].append(CommentedMap([("clip", clip_id), ("in", in_s),
                                                 ("out", out_s)]))
    project.save()
    return Project.open(project.root)


def test_film_yaml_lists_a_clip_as_often_as_the_film_uses_it(make_film: MakeFilm) -> None:
    film = make_film(2, seconds=2.0, signed=False)
    project = use_again(film.project, "clip-1", 0.4, 1.2)
    assert [(i.clip_id, i.in_ms, i.out_ms) for i in project.film.sequence] == [
        ("clip-1", None, None), ("clip-2", None, None), ("clip-1", 400, 1200)]


def test_a_clip_used_once_keeps_its_key_and_a_second_use_is_signed_off_again(
        make_film: MakeFilm) -> None:
    film = make_film(2, seconds=2.0)
    project = film.project
    footage = project.footage_sha256("clip-1")
    # Used once: exactly the key every earlier sign-off was bound to.
    assert clip_key(project, "clip-1") == content_key(footage, None, None,
                                                      caption_sha256(project, "clip-1"))
    assert "clip-1" in clear_film(project, Channel.WEB, today=TODAY).result.allowed
    project = use_again(project, "clip-1", 0.4, 1.2)
    # The contributor approved the whole clip once; the film now also plays 0.4-1.2 s again.
    blocked = clear_film(project, Channel.WEB, today=TODAY).result.blocked["clip-1"]
    assert [r.code for r in blocked] == ["stale-signoff"]
    film.reload()
    film.sign_off(["clip-1"])
    result = clear_film(film.project, Channel.WEB, today=TODAY)
    assert "clip-1" in result.result.allowed
    assert [u.clip_id for u in result.uses] == ["clip-1", "clip-2"]  # one use a clip for the gate
    # Re-trimming only the second use is a change the contributor has not seen.
    moved = film.project.film_yaml.read_text(encoding="utf-8").replace("out: 1.2", "out: 1.6")
    film.project.film_yaml.write_text(moved, encoding="utf-8")
    again = clear_film(Project.open(film.project.root), Channel.WEB, today=TODAY)
    assert [r.code for r in again.result.blocked["clip-1"]] == ["stale-signoff"]


def test_status_has_a_row_for_each_use(make_film: MakeFilm) -> None:
    film = make_film(2, seconds=2.0)
    project = use_again(film.project, "clip-1", 0.4, 1.2)
    code, out = run_cli("status", str(project.root), "--json")
    assert code == 0, out
    rows = [(r["id"], r["in_s"], r["out_s"]) for r in json.loads(out)["clips"]]
    assert rows == [("clip-1", None, None), ("clip-2", None, None), ("clip-1", 0.4, 1.2)]


def test_the_render_plan_has_a_part_and_a_segment_for_each_use(make_film: MakeFilm) -> None:
    film = make_film(2, seconds=2.0)
    project = use_again(film.project, "clip-1", 0.4, 1.2)
    film.project = project
    film.sign_off(["clip-1"])
    parts = plan_film(project, tiny(), ["clip-1", "clip-2"], [], [])
    clips = [(p.name, p.clip_id, p.in_ms, p.frames) for p in parts if p.kind == PartKind.CLIP]
    assert clips == [("clip-1", "clip-1", 0, 50), ("clip-2", "clip-2", 0, 50),
                     ("clip-1 (use 2)", "clip-1", 400, 20)]


@pytest.mark.slow
def test_a_film_using_a_clip_twice_renders_each_use(make_film: MakeFilm) -> None:
    film = make_film(2, seconds=2.0)
    project = use_again(film.project, "clip-1", 0.4, 1.2)
    film.project = project
    film.sign_off(["clip-1"])
    result = render_film(film.reload(), tiny(), today=TODAY)
    rendered = {name.split(":")[0] for name in result.segments_rendered} - {"film"}
    assert rendered == {"title", "credits", "clip-1", "clip-2", "clip-1 (use 2)"}
    probe = runner.ffprobe_json(result.outputs["film.mp4"])
    # 1 s title, 2 s, 2 s, 0.8 s, 1 s credits
    assert abs(float(probe["format"]["duration"]) - 6.8) < 0.1


def test_export_and_import_keep_every_use(make_film: MakeFilm, tmp_path: Path) -> None:
    film = make_film(2, seconds=2.0)
    project = use_again(film.project, "clip-1", 0.4, 1.2)
    before = project.film_yaml.read_bytes()
    for fmt, name in ((EditFormat.OTIO, "cut-otio.otio"), (EditFormat.FCP_XML, "cut-xml.xml"),
                      (EditFormat.EDL, "cut-edl.edl")):  # each with its own .srt beside it
        out = export_edit(project, fmt, tmp_path / name).path
        result = import_edit(project, out)
        assert result.plan.changes == [], (fmt, result.plan.changes)
        assert project.film_yaml.read_bytes() == before


def test_a_sign_video_s_key_binds_every_use_of_its_clip(make_film: MakeFilm) -> None:
    from pipeline.clearance.sign_videos import sign_videos
    from pipeline.clearance.signers import signing_use
    from tests.pipeline.conftest import add_signer

    film = make_film(2, seconds=2.0)
    project = add_signer(film.project, "clip-1")
    once = signing_use(project, sign_videos(project)[0]).content_key
    project = use_again(project, "clip-1", 0.4, 1.2)
    [video] = sign_videos(project)  # the second entry names no signer: the first one signs it
    twice = signing_use(project, video).content_key
    assert twice != once
    project = Project.open(project.root)
    project.doc["sequence"][-1]["out"] = 1.6
    project.save()
    assert signing_use(project.reload(), video).content_key != twice
