"""The advisory group's draft as a render (issue 26): a clip the gate withholds on `internal`
becomes a card as long as its part, and nothing of it is in the film, the transcript or the
sign language inset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline import runner
from pipeline.clearance import sign_off, withdraw_consent
from pipeline.clearance.sign_videos import sign_path
from pipeline.feedback.render_cut import card_lines
from pipeline.render import render_film
from pipeline.render.options import RenderOptions
from pipeline.render.signing import SIGNED_FILM, inset_for
from tests.pipeline.conftest import TODAY, MakeFilm, gray_frame, make_sign_video, region, tiny


def test_a_withheld_clip_is_a_card_and_the_whole_film_signer_skips_it(
        make_film: MakeFilm) -> None:
    # clip-1 amara, clip-2 ben (footage of their own); 1 s title, 2 + 2 s clips, 1 s credits
    film = make_film(2, sizes=["320x180", "320x240"])
    project = film.project
    withdraw_consent(project, "ben", clips=["clip-2"])
    make_sign_video(sign_path(project, "film"), 6.0)
    project.doc["signer"] = "chloe"
    project.save()
    project = project.reload()
    sign_off(project, "sign/film", "chloe")
    prof = tiny("review", name="group", burn_timecode=False, burn_draft=False)
    result = render_film(project, prof, RenderOptions(draft=True, open_captions=False),
                         withhold=card_lines(), today=TODAY)
    manifest = result.manifest
    assert [c["id"] for c in manifest["clips"]] == ["clip-1"]
    (card,) = [c for c in manifest["cards"] if c.get("withheld")]
    assert card["withheld"] == "clip-2" and card["text"] == [t for t, _ in card_lines()]
    assert (card["film_start_ms"], card["duration_ms"]) == (3000, 2000)
    transcript = (result.out_dir / "transcript.txt").read_text(encoding="utf-8")
    assert "Hello from clip 1." in transcript and "Hello from clip 2." not in transcript
    srt = (result.out_dir / "film.srt").read_text(encoding="utf-8")
    assert "Hello from clip 2." not in srt
    signed_parts = manifest["signed"]["parts_signed"]
    assert "clip-1" in signed_parts and not any(p.startswith("withheld") for p in signed_parts)
    x0, y0, x1, y1 = inset_for(prof).box
    during = gray_frame(result.outputs[SIGNED_FILM], 4.0, width=prof.width, height=prof.height)
    inset = region(during, prof.width, (x0 + 2, y0 + 2, x1 - 2, y1 - 2))
    signer_share = sum(160 <= p <= 200 for p in inset) / len(inset)
    assert signer_share < 0.2, signer_share  # no signer over the withheld clip (card text aside)
    before = gray_frame(result.outputs[SIGNED_FILM], 2.0, width=prof.width, height=prof.height)
    assert all(160 <= p <= 200 for p in region(before, prof.width, (x0 + 2, y0 + 2, x1 - 2,
                                                                   y1 - 2)))


def test_without_withhold_the_same_film_is_refused(make_film: MakeFilm) -> None:
    import pytest

    from pipeline.render import GateRefusedError

    film = make_film(2, sizes=["320x180", "320x240"])
    withdraw_consent(film.project, "ben", clips=["clip-2"])
    with pytest.raises(GateRefusedError):
        render_film(film.reload(), tiny("review"), RenderOptions(draft=True), today=TODAY)


def test_the_group_draft_is_described_without_the_withheld_clips_descriptions(
        make_film: MakeFilm, monkeypatch: Any, tmp_path: Path) -> None:
    from pipeline.describe import voice as voicing
    from pipeline.describe.script import descriptions_path
    from pipeline.render.publish import DESCRIBED_FILM, DESCRIPTIONS_VTT

    wav = tmp_path / "voice.wav"
    runner.ffmpeg(["-f", "lavfi", "-i", "sine=f=1000:sample_rate=48000:d=0.3",
                   "-c:a", "pcm_s16le", str(wav)])
    voiced: list[str] = []

    def one(d: Any) -> Any:  # every description voiced as a 300 ms tone (no speech engine)
        voiced.append(d.text)
        return voicing.VoicedDescription(d, wav, 300, "stub tone")

    monkeypatch.setattr(voicing, "voice_descriptions", lambda p, c, ds: [one(d) for d in ds])
    monkeypatch.setattr(voicing, "voice_card_descriptions", lambda p, ds: [one(d) for d in ds])
    film = make_film(2, sizes=["320x180", "320x240"])
    project = film.project
    for clip_id, text in (("clip-1", "A grey room."), ("clip-2", "Ben's secret garden.")):
        path = descriptions_path(project, clip_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"WEBVTT\n\n00:00:00.950 --> 00:00:01.250\n{text}\n", encoding="utf-8")
    withdraw_consent(project, "ben", clips=["clip-2"])
    prof = tiny("review", name="group", burn_timecode=False, burn_draft=False)
    result = render_film(project.reload(), prof, RenderOptions(draft=True, open_captions=False),
                         withhold=card_lines(), today=TODAY)
    assert DESCRIBED_FILM in result.outputs
    track = (result.out_dir / DESCRIPTIONS_VTT).read_text(encoding="utf-8")
    assert "A grey room." in track and "secret garden" not in track
    assert "Ben's secret garden." not in voiced
    transcript = (result.out_dir / "transcript.txt").read_text(encoding="utf-8")
    assert "secret garden" not in transcript
