"""HDR phone footage (HLG, PQ) is tone-mapped to BT.709 SDR (issue 22, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import runner
from pipeline.media import probe
from pipeline.project import Project
from tests.conftest import run_cli
from tests.pipeline.conftest import tiny
from tests.realshoot.picture_fixtures import (
    PATCHES,
    PATTERN_SIZE,
    film_of,
    hdr_clip,
    pixel,
    render,
    rgb_frame,
    sdr_pattern,
)

# 8-bit levels a patch may differ from the SDR original by (x264 at the profile's CRF, 4:2:0).
TOLERANCE = 8
CLIP_AT_S = 1.5  # in the film: 1 s title card, then the clip
W, H = PATTERN_SIZE


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hdr")
    sdr = sdr_pattern(folder / "sdr.mp4")
    return {"sdr": sdr, "hlg": hdr_clip(folder / "hlg.mp4", sdr, "arib-std-b67"),
            "pq": hdr_clip(folder / "pq.mp4", sdr, "smpte2084")}


def patches(media: Path, at_s: float) -> dict[str, tuple[int, int, int]]:
    frame = rgb_frame(media, at_s)
    return {name: pixel(frame, x, y) for name, (x, y) in PATCHES.items()}


def close(got: dict[str, tuple[int, int, int]], want: dict[str, tuple[int, int, int]]) -> bool:
    return all(abs(g - w) <= TOLERANCE for name in want for g, w in zip(got[name], want[name],
                                                                         strict=True))


def video_tags(media: Path) -> tuple[str, str, str]:
    info = runner.ffprobe_json(f"file:{media}")
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    return v.get("color_primaries"), v.get("color_transfer"), v.get("color_space")


def test_the_hdr_fixtures_are_hdr_and_look_wrong_untreated(clips: dict[str, Path]) -> None:
    sdr = patches(clips["sdr"], 0.5)
    assert sdr["grey"] == (128, 128, 128) and sdr["white"] == (235, 235, 235)
    for kind, transfer in (("hlg", "arib-std-b67"), ("pq", "smpte2084")):
        info = probe(clips[kind])
        assert (info.color_transfer, info.color_primaries, info.pix_fmt) == \
            (transfer, "bt2020", "yuv420p10le")
        fix = info.picture_fix()
        assert fix is not None and fix.transfer == transfer and fix.deinterlace is None
        # Read as if it were BT.709 (what a render without tone-mapping shows): visibly off.
        assert not close(patches(clips[kind], 0.5), sdr), kind


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["hlg", "pq"])
def test_hdr_renders_with_the_sdr_pattern_s_levels_and_bt709_tags(
        clips: dict[str, Path], kind: str, tmp_path: Path) -> None:
    want = patches(clips["sdr"], 0.5)
    project = film_of(tmp_path / "film", clips[kind])
    film = render(project, tiny(width=W, height=H))
    got = patches(film, CLIP_AT_S)
    assert close(got, want), (got, want)
    assert video_tags(film) == ("bt709", "bt709", "bt709")
    # The review proxy too.
    proxy = project.proxy_path(next(iter(project.film.clips)))
    got = patches(proxy, 0.5)
    assert close(got, want), (got, want)
    assert video_tags(proxy) == ("bt709", "bt709", "bt709")


@pytest.mark.slow
def test_an_sdr_clip_is_left_as_it_is(clips: dict[str, Path], tmp_path: Path) -> None:
    assert probe(clips["sdr"]).picture_fix() is None
    project = film_of(tmp_path / "film", clips["sdr"])
    film = render(project, tiny(width=W, height=H))
    assert close(patches(film, CLIP_AT_S), patches(clips["sdr"], 0.5))


def test_ingest_says_hdr_is_tone_mapped(clips: dict[str, Path], tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", "Film")
    code, out = run_cli("ingest", str(project.root), *(str(clips[n]) for n in clips))
    assert code == 0, out
    for kind in ("hlg", "pq"):
        assert (f"{kind}: HDR ({kind.upper()}): tone-mapped to BT.709 SDR in the review proxy "
                "and the render") in out
    assert "sdr: HDR" not in out
