"""Sign language: film.signed.mp4 with a signer's inset, captions kept clear of it, signers gated
like contributors, and only the signed segment of a newly signed clip rendered.

Frames are checked by pixel: the footage is flat grey (128), the signer's video one known solid
colour, and burned captions white on a black box, so each is told apart by its grey level.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import pytest

from captions.model import Cue
from consent.ledger import Ledger
from consent.records import ConsentGiven
from pipeline import runner
from pipeline.clearance import sign_off
from pipeline.clearance.sign_videos import SigningError, sign_path
from pipeline.exceptions import ProjectError
from pipeline.project import Project
from pipeline.render import GateRefusedError, RenderOptions, RenderResult, render_film
from pipeline.render.burn_in import ass_document
from pipeline.render.jobs import Job
from pipeline.render.signing import SIGNED_FILM, SIGNER_AREA, inset_for
from tests.conftest import run_cli
from tests.pipeline.conftest import (
    TODAY,
    MakeFilm,
    add_signer,
    gray_frame,
    make_sign_video,
    record_signoffs,
    region,
    tiny,
)

LONG = "We talked about the film for a long time, and then we made it together, all of us."
# Two lines of burned-in captions at 180 px high: 2 x 14 px text with its line gap, the box's
# padding above and below, and a few pixels of anti-aliasing.
TWO_LINES_PX = 40


def _render(project: Project, open_captions: bool = True, **kw: Any) -> RenderResult:
    return render_film(project, tiny("web"), RenderOptions(open_captions=open_captions),
                       today=TODAY, **kw)


def _long_cues(index: int) -> list[Cue]:
    return [Cue(100, 900, LONG), Cue(1100, 1900, "Short one.")]


def test_inset_is_at_least_a_sixth_of_the_picture_bottom_right_inside_the_frame() -> None:
    for prof in (tiny("web"), tiny("web", width=1920, height=1080), tiny("broadcast")):
        inset = inset_for(prof)
        x0, y0, x1, y1 = inset.box
        assert inset.width * inset.height >= SIGNER_AREA * prof.width * prof.height
        assert 0 < x0 and x1 <= prof.width * 0.95 + 1 and y1 <= prof.height * 0.95 + 1
        assert x0 > prof.width / 2 and y0 > 0  # the right-hand side, wholly in the picture
        assert inset.width % 2 == 0 and inset.height % 2 == 0


def test_default_caption_file_is_unchanged_so_existing_cache_keys_hold() -> None:
    cues = [Cue(200, 900, "Hello from clip 1."), Cue(1300, 1900, "We made this film\ntogether.")]
    # The sha256 of the captioned variant's ASS bytes before sign language existed.
    assert hashlib.sha256(ass_document(cues, tiny("web"))).hexdigest() == \
        "5a66626d6efd1ff167c5bd3fd322b9422d7ba261ac73acd33bb9120fdf6a4ec5"
    signed = ass_document(cues, tiny("web"), clear_right=106).decode()
    assert ",2,19,"  in signed and ",2,19,19," not in signed  # right margin moved, left kept


@pytest.mark.slow
def test_signed_film_streams_and_captions_never_cover_the_signer(make_film: MakeFilm) -> None:
    film = make_film(2, cues=_long_cues)
    project = add_signer(film.project, "clip-1")
    result = _render(project)
    signed = result.outputs[SIGNED_FILM]
    prof = tiny("web")
    data = runner.ffprobe_json(f"file:{signed}")
    kinds = [(s["codec_type"], s["codec_name"]) for s in data["streams"]]
    assert kinds == [("video", "h264"), ("audio", "aac"), ("subtitle", "mov_text")]
    assert data["streams"][2]["tags"]["language"] == "eng"
    assert (data["streams"][0]["width"], data["streams"][0]["height"]) == (320, 180)
    plain = runner.ffprobe_json(f"file:{result.outputs['film.mp4']}")
    assert abs(float(data["format"]["duration"]) - float(plain["format"]["duration"])) < 0.05

    inset = inset_for(prof)
    x0, y0, x1, y1 = inset.box
    inner = (x0 + 2, y0 + 2, x1 - 2, y1 - 2)
    # Title card 1 s, then clip-1 (signed): cue 1 (long, wrapped) and cue 2.
    for at in (1.5, 2.5):
        frame = gray_frame(signed, at, width=prof.width, height=prof.height)
        box = region(frame, prof.width, inner)
        assert all(160 <= p <= 200 for p in box), f"something covers the signer at {at}s"
        dark = [i % prof.width for i, p in enumerate(frame) if p < 40]
        assert len(dark) > 200, f"no burned caption at {at}s"
        assert max(dark) < x0, f"the caption box reaches the signer at {at}s"
    # Re-segmented for the narrower lines: cue 1 (83 characters) is two cues of at most two
    # lines, so the caption box is never more than two lines high.
    for at in (1.3, 1.5, 1.8):
        frame = gray_frame(signed, at, width=prof.width, height=prof.height)
        rows = {i // prof.width for i, p in enumerate(frame) if p < 40}
        assert rows and max(rows) - min(rows) + 1 <= TWO_LINES_PX, f"{at}s: {len(rows)} rows"
    # clip-2 has no signer: the signed film shows its open-captions picture there.
    between = gray_frame(signed, 4.0, width=prof.width, height=prof.height)  # between cues
    assert all(abs(p - 128) < 12 for p in region(between, prof.width, inner))
    frame = gray_frame(signed, 3.5, width=prof.width, height=prof.height)
    caps = gray_frame(result.outputs["film.open-captions.mp4"], 3.5, width=prof.width,
                      height=prof.height)
    assert frame == caps

    entry = result.manifest["signed"]
    assert entry["file"] == SIGNED_FILM and entry["clips_signed"] == ["clip-1"]
    assert entry["signers"]["sign/clip-1"]["signer"] == "chloe"
    assert entry["inset"]["fraction_of_picture"] >= round(SIGNER_AREA, 4)

    # The soft caption track is flagged default only where nothing is burned in: a player
    # honouring the flag would otherwise draw the captions twice, and across the signer.
    def caption_default(name: str) -> int:
        streams = runner.ffprobe_json(f"file:{result.outputs[name]}")["streams"]
        subs = [s for s in streams if s["codec_type"] == "subtitle"]
        assert len(subs) == 1, name
        return int(subs[0]["disposition"]["default"])

    assert {name: caption_default(name) for name in
            ("film.mp4", "film.open-captions.mp4", SIGNED_FILM)} == \
        {"film.mp4": 1, "film.open-captions.mp4": 0, SIGNED_FILM: 0}


def test_signed_captions_are_made_again_for_the_narrower_lines_not_wrapped() -> None:
    from captions.segment import break_lines
    from captions.styles import get_style
    from pipeline.render.signing import signed_cues

    style = get_style("bbc")
    prof = tiny("web", width=1920, height=1080)
    cue = Cue(1000, 6000, "When we started this film, I did not think anyone would listen "
                          "to me, and now here we are.")
    got = signed_cues([cue], prof, style)
    assert len(got) >= 2 and got[0].start == 1000 and got[-1].end == 6000
    assert all(a.end == b.start for a, b in zip(got, got[1:], strict=False))
    assert " ".join(c.text.replace("\n", " ") for c in got) == cue.text
    limit = max(len(line) for c in got for line in c.text.split("\n"))
    assert limit < style.max_chars_per_line
    for c in got:
        lines = c.text.split("\n")
        assert len(lines) <= 2
        # The same line breaks any caption of these words gets at that width.
        narrow = signed_cues([Cue(0, 1000, " ".join(lines))], prof, style)
        assert [n.text for n in narrow] == [c.text]
        assert not lines[0].endswith(("did not", " I", " the", " a"))
    # A caption that fits is kept as it is.
    short = Cue(0, 1500, "Short one.")
    assert signed_cues([short], prof, style) == [short]
    assert break_lines(["Short", "one."], style) == "Short one."


def test_signer_without_appear_consent_or_sign_off_is_refused(make_film: MakeFilm) -> None:
    film = make_film(1)
    project = film.project
    project.add_contributor("dana", "Dana Reid")
    project.save()
    project = add_signer(project.reload(), "clip-1", "dana", sign_off_now=False)
    with pytest.raises(GateRefusedError) as refused:
        _render(project)
    codes = {(r.clip_id, r.contributor, str(r.code)) for r in refused.value.result.reasons}
    assert codes == {("sign/clip-1", "dana", "no-consent"), ("sign/clip-1", "dana", "no-signoff")}
    Ledger(project.ledger_path).add(ConsentGiven.create(
        "dana", scopes=["voice", "name"], channels=["web"], given=TODAY,
        method="written", obtained_by="Sam"))
    sign_off(project, "sign/clip-1", "dana")
    with pytest.raises(GateRefusedError) as refused:
        _render(project)
    assert [str(r.code) for r in refused.value.result.reasons] == ["scope-missing"]
    assert "appear" in str(refused.value)
    assert not (project.build_dir / "web" / SIGNED_FILM).exists()


def test_a_new_sign_video_makes_the_signers_sign_off_stale(make_film: MakeFilm) -> None:
    film = make_film(1)
    project = add_signer(film.project, "clip-1")
    make_sign_video(sign_path(project, "clip-1"), 1.5)  # replaced by another take
    with pytest.raises(GateRefusedError) as refused:
        _render(project)
    assert [str(r.code) for r in refused.value.result.reasons] == ["stale-signoff"]


@pytest.mark.slow
def test_adding_a_signer_to_one_clip_renders_only_its_signed_segment(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(2)
    project = add_signer(film.project, "clip-1")
    first = _render(project)
    assert sorted(s for s in first.segments_rendered if s.endswith(":signed")) == \
        ["clip-1:signed"]
    before = (project.build_dir / "web" / "film.mp4").read_bytes()
    project = add_signer(project, "clip-2", "amara")
    encoded: list[str] = []
    real = runner.run_graph

    def spy(stream: Any, **kwargs: Any) -> None:
        argv = stream.get_args()
        # Outputs written into build/segments/ (inputs follow -i; filters follow
        # -filter_complex).
        encoded.extend(a for i, a in enumerate(argv) if "/segments/" in a and i
                       and argv[i - 1] not in ("-i", "-filter_complex"))
        real(stream, **kwargs)

    monkeypatch.setattr(runner, "run_graph", spy)
    again = _render(project)
    assert again.segments_rendered == ["clip-2:signed"]
    assert len(encoded) == 1, encoded
    assert (project.build_dir / "web" / "film.mp4").read_bytes() == before
    assert again.manifest["signed"]["clips_signed"] == ["clip-1", "clip-2"]


@pytest.mark.slow
def test_signed_segments_are_rendered_through_the_segment_dispatch(make_film: MakeFilm) -> None:
    """Signed segments are jobs like the others: a dispatcher (a cluster) gets them, nothing
    renders them behind its back, and what it makes is the signed film."""
    project = add_signer(make_film(2).project, "clip-1")
    dispatched: list[str] = []

    def here(jobs: Sequence[Job], progress: Any) -> None:
        for job in jobs:
            dispatched.append(job.name)
            job.run(progress)

    result = _render(project, dispatch=here)
    assert "clip-1:signed" in dispatched
    # One job a part's sound, one its missing pictures, one a signed segment: every one
    # through the dispatch (issue 28: a part's sound is made in its own run).
    made = [s.split(":") for s in result.segments_rendered]
    pictures = {part for part, what in made if what in ("video", "captioned")}
    sounds = {f"{part} sound" for part, what in made if what == "audio"}
    assert sorted(dispatched) == sorted([*pictures, *sounds, "clip-1:signed"])
    assert SIGNED_FILM in result.outputs


@pytest.mark.slow
def test_film_signer_covers_the_whole_timeline_and_a_short_video_is_noted(
        make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    make_sign_video(sign_path(project, "film"), 2.5)  # the film is 1 + 2 + 2 + 1 s
    project.doc["signer"] = "chloe"
    project.save()
    project = project.reload()
    sign_off(project, "sign/film", "chloe")
    result = _render(project, open_captions=False)
    assert result.manifest["signed"]["parts_signed"] == {"title": "sign/film",
                                                        "clip-1": "sign/film"}
    assert any("film.mp4 ends 3.5 s before" in note for note in result.notes)
    prof = tiny("web")
    x0, y0, x1, y1 = inset_for(prof).box
    signed = result.outputs[SIGNED_FILM]
    during = gray_frame(signed, 1.5, width=prof.width, height=prof.height)
    assert all(160 <= p <= 200 for p in region(during, prof.width, (x0 + 2, y0 + 2, x1 - 2,
                                                                   y1 - 2)))
    after = gray_frame(signed, 2.8, width=prof.width, height=prof.height)
    assert all(abs(p - 128) < 12 for p in region(after, prof.width, (x0 + 2, y0 + 2, x1 - 2,
                                                                    y1 - 2)))


@pytest.mark.slow
def test_film_without_sign_videos_makes_no_signed_variant(make_film: MakeFilm) -> None:
    film = make_film(1)
    result = _render(film.project)
    assert SIGNED_FILM not in result.outputs and "signed" not in result.manifest
    assert not any(s.endswith(":signed") for s in result.segments_rendered)
    assert not (film.project.root / "sign").exists()


def test_sign_video_and_film_yaml_must_agree(make_film: MakeFilm) -> None:
    film = make_film(1)
    project = film.project
    make_sign_video(sign_path(project, "clip-1"), 1.0)
    with pytest.raises(SigningError, match=r"clip-1\.mp4: no signer is named"):
        _render(project)
    project.doc["sequence"][0]["signer"] = "nobody"
    with pytest.raises(ProjectError, match="signer: unknown contributor id 'nobody'"):
        project.save()
    project.doc["sequence"][0]["signer"] = "chloe"
    project.save()
    outside = make_sign_video(project.root.parent / "elsewhere.mp4", 1.0)
    sign_path(project, "clip-1").unlink()
    sign_path(project, "clip-1").symlink_to(outside)
    with pytest.raises(SigningError, match="points outside the project folder"):
        _render(project.reload())
    sign_path(project, "clip-1").unlink()
    with pytest.raises(SigningError, match=r"names signer 'chloe' but .*clip-1\.mp4 is missing"):
        _render(project.reload())


@pytest.mark.slow
def test_signoff_command_records_the_signers_sign_off(make_film: MakeFilm) -> None:
    film = make_film(1)
    project = add_signer(film.project, "clip-1", sign_off_now=False)
    code, out = run_cli("signoff", str(project.root), "sign/clip-1", "--by", "amara")
    assert code == 1 and "'amara' is not the signer of 'sign/clip-1'" in out
    code, out = run_cli("signoff", str(project.root), "sign/clip-1", "--by", "chloe")
    assert code == 0, out
    record_signoffs(project)
    assert SIGNED_FILM in _render(project).outputs
