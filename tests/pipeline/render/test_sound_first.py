"""Sound first (issue 28): each part's sound made alone before any picture, the film's loudness
queued beside the picture segments, and bytes the same as when sound and picture shared a run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pipeline.render import RenderOptions, render_film, segments
from pipeline.render.jobs import Job
from pipeline.render.plan import Part, PartKind
from pipeline.render.segments import SegmentJob, render_segment, segment_files
from tests.pipeline.conftest import TODAY, MakeFilm, MakeFootage, tiny

pytestmark = pytest.mark.slow


def _record_batches(monkeypatch: pytest.MonkeyPatch) -> list[list[Job]]:
    """Every list of jobs render_segments hands the job runner, in order (then run)."""
    batches: list[list[Job]] = []
    real = segments.run_jobs

    def recording(todo: Sequence[Job], **kw: Any) -> None:
        batches.append(list(todo))
        real(todo, **kw)

    monkeypatch.setattr(segments, "run_jobs", recording)
    return batches


def test_the_films_sound_is_made_beside_the_pictures_not_after(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(2)
    batches = _record_batches(monkeypatch)
    result = render_film(film.project, tiny(), RenderOptions(open_captions=True, jobs=2),
                         today=TODAY)
    names = [[job.name for job in batch] for batch in batches]
    parts = ["title", "clip-1", "clip-2", "credits"]
    # First every part's sound, each its own run with no picture in it ...
    assert names[0] == [f"{p} sound" for p in parts]
    assert all(isinstance(j, SegmentJob) and not (j.want_video or j.want_captioned)
               for j in batches[0])
    # ... then the film's loudness at the head of the pictures' queue, so it runs while they
    # encode; the pictures make no sound.
    assert names[1] == ["film sound", *parts]
    assert all(isinstance(j, SegmentJob) and not j.want_audio for j in batches[1][1:])
    # A clip's clean and open-captions pictures are one job, one ffmpeg run: one decode feeds
    # both (render_segment splits the fitted picture).
    clips = [j for j in batches[1][1:] if isinstance(j, SegmentJob) and j.part.cues]
    assert len(clips) == 2 and all(j.want_video and j.want_captioned for j in clips)
    assert len(batches) == 2
    assert "film:loudness" in result.segments_rendered
    assert result.loudness.after["i"] == pytest.approx(-16, abs=1)


def test_a_caption_edit_reuses_the_films_sound(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.render import loudness

    film = make_film(2)
    render_film(film.project, tiny(), RenderOptions(open_captions=True), today=TODAY)
    from captions.formats import save as save_captions
    from captions.model import Cue

    save_captions([Cue(200, 900, "Edited cue.")], film.project.caption_path("clip-2"))
    film.sign_off(["clip-2"])
    runs: list[str] = []
    real = loudness.normalise_audio
    monkeypatch.setattr(loudness, "normalise_audio",
                        lambda *a, **k: runs.append("loudness") or real(*a, **k))
    batches = _record_batches(monkeypatch)
    again = render_film(film.project.reload(), tiny(), RenderOptions(open_captions=True),
                        today=TODAY)
    assert again.segments_rendered == ["clip-2:captioned"]
    assert "film:loudness" in again.segments_reused and runs == []
    assert [[j.name for j in b] for b in batches] == [[], ["film sound", "clip-2"]]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", [PartKind.CLIP, PartKind.CARD])
def test_sound_made_alone_is_the_same_bytes_as_made_with_the_picture(
        tmp_path: Path, make_footage: MakeFootage, kind: PartKind) -> None:
    from captions.model import Cue

    prof = tiny()
    if kind == PartKind.CLIP:
        part = Part("c1", kind, 25, 40, clip_id="c1", source=make_footage(seconds=2.0),
                    footage_sha256="a" * 64, in_ms=200, out_ms=1800, has_video=True,
                    has_audio=True, cues=(Cue(0, 900, "Hello."),))
    else:
        part = Part("title", kind, 0, 25, lines=(("Our Film", 0.075),))
    made = {}
    for way in ("together", "apart"):
        folder = tmp_path / way
        folder.mkdir()
        files = segment_files(part, prof, folder)
        if files.ass is not None:
            from pipeline.render.burn_in import ass_document

            files.ass.write_bytes(ass_document(part.cues, prof))
        captioned = files.ass is not None
        if way == "together":  # how every segment was made before issue 28
            render_segment(part, files, prof, want_video=True, want_captioned=captioned,
                           want_audio=True, progress=None)
        else:
            render_segment(part, files, prof, want_video=False, want_captioned=False,
                           want_audio=True, progress=None)
            render_segment(part, files, prof, want_video=True, want_captioned=captioned,
                           want_audio=False, progress=None)
        made[way] = [_sha(files.audio), _sha(files.video), _sha(files.captioned)]
    # Same bytes, so the segment keys (SEGMENT_FORMAT unchanged) stay valid.
    assert made["together"] == made["apart"]
