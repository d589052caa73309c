"""One film from one camera card: an interlaced AVCHD take spanned over three files, an HLG phone
clip and a rotated VFR HEVC phone clip, ingested with `coprod ingest PROJECT CARD/` and rendered
(issue 22: items 3, 4 and 7 together)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from consent.ledger import Ledger
from consent.records import ConsentGiven
from pipeline import runner
from pipeline.project import Project
from pipeline.render.plan import PartKind, plan_film
from tests.conftest import run_cli
from tests.pipeline.conftest import record_signoffs, tiny
from tests.realshoot.picture_fixtures import (
    PATCHES,
    hdr_clip,
    idet_multi,
    interlaced_clip,
    pixel,
    render,
    rgb_frame,
    rotated_vfr_clip,
    sdr_pattern,
)

W, H = 640, 360


@pytest.mark.slow
def test_a_card_of_real_shoot_footage_renders_as_one_film(tmp_path: Path) -> None:
    card = tmp_path / "CARD"
    phone = card / "DCIM" / "100APPLE"
    phone.mkdir(parents=True)
    sdr = sdr_pattern(tmp_path / "pattern.mp4")
    hdr_clip(phone / "IMG_0001.MOV", sdr, "arib-std-b67")
    rotated_vfr_clip(phone / "IMG_0002.MOV")
    (phone / "IMG_0002.AAE").write_bytes(b"edit")
    take = interlaced_clip(tmp_path / "take.ts", flagged=True)
    stream = card / "PRIVATE" / "AVCHD" / "BDMV" / "STREAM"
    stream.mkdir(parents=True)
    runner.ffmpeg(["-i", f"file:{take}", "-map", "0", "-c", "copy", "-f", "segment",
                   "-segment_time", "1", "-reset_timestamps", "0", "-segment_format", "mpegts",
                   str(stream / "%05d.MTS")])
    assert len(list(stream.iterdir())) == 3

    project = Project.create(tmp_path / "film", "Card film")
    project.add_contributor("amara", "Amara Okafor")
    project.save()
    code, out = run_cli("ingest", str(project.root), str(card), "--contributor", "amara")
    assert code == 0, out
    assert "skipped 1 photo edit sidecars" in out
    project = project.reload()
    assert list(project.film.clips) == ["img_0001", "img_0002", "00000"]
    for clip_id in project.film.clips:
        save_captions([Cue(200, 900, "Hello.")], project.caption_path(clip_id))
    Ledger(project.ledger_path).add(ConsentGiven.create(
        "amara", scopes=["appear", "voice"], channels=["internal", "web", "broadcast"],
        given=date(2026, 1, 10), method="written", obtained_by="Sam (support worker)"))
    record_signoffs(project)

    profile = tiny(width=W, height=H)
    starts = {p.clip_id: p.start_frame / profile.fps
              for p in plan_film(project, profile, list(project.film.clips), [], [])
              if p.kind == PartKind.CLIP}
    film = render(project, profile)

    counts = idet_multi(film)
    assert counts["tff"] + counts["bff"] == 0, counts
    # The HLG clip (a 320x180 pattern, scaled to fill the 640x360 film) has the SDR levels.
    hlg = rgb_frame(film, starts["img_0001"] + 0.5)
    want = rgb_frame(sdr, 0.5)
    for x, y in PATCHES.values():
        got, sdr_value = pixel(hlg, 2 * x, 2 * y), pixel(want, x, y)
        assert all(abs(g - s) <= 8 for g, s in zip(got, sdr_value, strict=True)), (got, sdr_value)
    # The portrait clip is upright (white above) and pillarboxed.
    portrait = rgb_frame(film, starts["img_0002"] + 1.0)
    assert min(pixel(portrait, W // 2, 40)) > 220 and max(pixel(portrait, W // 2, H - 40)) < 70
    assert max(pixel(portrait, 20, H // 2)) < 20 and max(pixel(portrait, W - 20, H // 2)) < 20
    # Title, 2 s + 3 s + the 3 s take joined, credits.
    duration = float(runner.ffprobe_json(f"file:{film}")["format"]["duration"])
    assert abs(duration - (1 + 2 + 3 + 3 + 1)) < 0.15
