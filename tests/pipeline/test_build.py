"""coprod build: only what is out of date, QC errors listed with every other problem, no output
touched when nothing changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from consent.ledger import Ledger
from consent.records import Withdrawal
from pipeline import transcribe
from pipeline.build import STAMP, BuildError, build_film
from pipeline.render import GateRefusedError
from pipeline.render.options import RenderOptions
from pipeline.site.writer import RECORD, SITE
from tests.pipeline.conftest import TODAY, MakeFilm, tiny

pytestmark = pytest.mark.slow


def _marks(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_nothing_changed_touches_no_output(make_film: MakeFilm) -> None:
    film = make_film(2)
    first = build_film(film.project, [tiny()], today=TODAY)
    assert list(first.rendered) == ["web"] and first.changed
    out_dir = film.project.build_dir / "web"
    segments = film.project.build_dir / "segments"
    before, seg_before = _marks(out_dir), _marks(segments)
    again = build_film(film.reload(), [tiny()], today=TODAY)
    assert again.up_to_date == ["web"] and not again.rendered and not again.changed
    assert _marks(out_dir) == before
    assert _marks(segments) == seg_before


def test_caption_edit_rebuilds_only_that_clips_segment(make_film: MakeFilm) -> None:
    film = make_film(3)
    build_film(film.project, [tiny()], today=TODAY, options=RenderOptions(open_captions=True))
    save_captions([Cue(200, 900, "A better caption.")], film.project.caption_path("clip-3"))
    film.sign_off(["clip-3"])
    result = build_film(film.reload(), [tiny()], today=TODAY,
                        options=RenderOptions(open_captions=True))
    assert result.rendered["web"].segments_rendered == ["clip-3:captioned"]
    assert "A better caption." in (film.project.build_dir / "web" / "film.srt").read_text()


def test_output_deleted_or_profile_changed_is_rebuilt(make_film: MakeFilm) -> None:
    film = make_film(1)
    build_film(film.project, [tiny()], today=TODAY)
    (film.project.build_dir / "web" / "transcript.txt").unlink()
    assert list(build_film(film.project, [tiny()], today=TODAY).rendered) == ["web"]
    assert list(build_film(film.project, [tiny(video_crf=30)], today=TODAY).rendered) == ["web"]


def test_output_replaced_with_the_same_size_and_time_is_rebuilt(make_film: MakeFilm) -> None:
    # "Up to date" is decided from each output's sha256 as published, not its name, size and
    # time: a film damaged or swapped behind coprod's back is made again.
    film = make_film(1)
    build_film(film.project, [tiny()], today=TODAY)
    out_dir = film.project.build_dir / "web"
    stamp = json.loads((out_dir / STAMP).read_text())
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert stamp["outputs"]["film.mp4"] == manifest["outputs"]["film.mp4"]["sha256"]
    # The web page (build/web/site/ and its record) is made from these outputs, not a render's.
    assert set(stamp["outputs"]) == {p.name for p in out_dir.iterdir()
                                     if p.name not in (STAMP, SITE, RECORD)}
    for name in ("film.mp4", "transcript.txt"):
        path = out_dir / name
        good, st = path.read_bytes(), path.stat()
        path.write_bytes(bytes(len(good)))  # same size, every byte zero
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        result = build_film(film.reload(), [tiny()], today=TODAY)
        assert list(result.rendered) == ["web"], name
        assert path.read_bytes() == good  # made again from the cached segments, identical
        assert build_film(film.reload(), [tiny()], today=TODAY).up_to_date == ["web"]


def test_an_old_stamp_without_hashes_is_not_trusted(make_film: MakeFilm) -> None:
    film = make_film(1)
    build_film(film.project, [tiny()], today=TODAY)
    path = film.project.build_dir / "web" / STAMP
    stamp = json.loads(path.read_text())
    path.write_text(json.dumps({**stamp, "outputs": {n: [1, 2] for n in stamp["outputs"]}}))
    assert list(build_film(film.reload(), [tiny()], today=TODAY).rendered) == ["web"]


def test_withdrawal_after_a_build_stops_the_next_build(make_film: MakeFilm) -> None:
    film = make_film(2)
    build_film(film.project, [tiny()], today=TODAY)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    with pytest.raises(GateRefusedError, match="contributor ben: consent withdrawn"):
        build_film(film.project, [tiny()], today=TODAY)
    result = build_film(film.project, [tiny()], today=TODAY,
                        options=RenderOptions(drop_withdrawn=True))
    assert result.rendered["web"].dropped == ["clip-2"]


def test_qc_errors_stop_the_build_and_list_every_problem(make_film: MakeFilm) -> None:
    film = make_film(3)
    project = film.project
    save_captions([Cue(200, 900, "x" * 60)], project.caption_path("clip-1"))  # line too long
    save_captions([Cue(200, 5000, "Past the end of the clip.")], project.caption_path("clip-3"))
    Ledger(project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    with pytest.raises(BuildError) as info:
        build_film(project, [tiny()], today=TODAY)
    where = [w for w, _ in info.value.failures]
    message = str(info.value)
    assert "clip-1" in where and "clip-3" in where
    assert "line-too-long" in message and "beyond-clip-end" in message
    # The consent problems are listed too (stale sign-offs and the withdrawal).
    assert "contributor ben: consent withdrawn" in message
    assert not (project.build_dir / "web").exists()


def test_clips_without_captions_are_transcribed_first(make_film: MakeFilm,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(2)
    project = film.project
    project.caption_path("clip-2").unlink()
    asked: list[list[str]] = []

    def fake_transcribe(project, clip_ids=None, **kwargs):  # type: ignore[no-untyped-def]
        # Whisper itself is tested with the transcribe stage; here only the order matters.
        asked.append(list(clip_ids))
        for cid in clip_ids:
            save_captions([Cue(100, 900, "Machine words.")], project.caption_path(cid))

    monkeypatch.setattr(transcribe, "transcribe_project", fake_transcribe)
    # New machine captions have no sign-off yet: a public build is refused...
    with pytest.raises(GateRefusedError, match="clip-2: contributor ben: sign-off is stale"):
        build_film(project, [tiny()], today=TODAY)
    assert asked == [["clip-2"]]
    # ...and an internal draft review goes ahead with them.
    result = build_film(project, [tiny("review")], today=TODAY, options=RenderOptions(draft=True))
    assert asked == [["clip-2"]]  # already captioned: not transcribed again
    assert "Machine words." in (project.build_dir / "review" / "film.srt").read_text()
    assert list(result.rendered) == ["review"]
