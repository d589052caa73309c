"""`status`'s take-down list names every published file carrying a withdrawn person (issue 21,
item 2).

The reproduction: after a contributor withdrew, `status` listed only film.mp4, not
film.signed.mp4, film.described.mp4 or film.open-captions.mp4; after a signer or a describer
withdrew it listed nothing, though their work is in those films. Here one real render makes
every variant, and the list is compared with what the render's manifest says it published and
with what each file holds (a signer's inset is only in the signed film, the described sound
only in film.mp4's second track and film.described.mp4).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import runner
from pipeline.clearance import sign_off
from pipeline.render import render_film
from pipeline.render.options import RenderOptions
from pipeline.render.publish import DESCRIBED_FILM, DESCRIPTIONS_VTT, FILM, OPEN_CAPTIONS_FILM
from pipeline.render.signing import SIGNED_FILM
from pipeline.status import film_status, format_status
from tests.conftest import run_cli
from tests.pipeline.conftest import TODAY, MakeFilm, add_signer, tiny
from tests.pipeline.render.test_described import _describe
from tests.pipeline.render.test_described import stub_voice as stub_voice  # noqa: F401


def _rows(project_root: Path, folder: str = "build/web") -> set[tuple[str, str, str, str]]:
    """The take-down rows for files directly in ``folder`` (the web render's, or its site's)."""
    code, out = run_cli("status", str(project_root), "--json")
    assert code == 0, out
    return {(Path(r["output"]).name, r["clip"], r["contributor"], r["role"])
            for r in json.loads(out)["take_down"] if str(Path(r["output"]).parent) == folder}


SITE = "build/web/site"


def _audio_streams(path: Path) -> int:
    data: dict[str, Any] = runner.ffprobe_json(f"file:{path}")
    return sum(1 for s in data["streams"] if s["codec_type"] == "audio")


@pytest.mark.slow
def test_every_published_file_with_a_withdrawn_person_is_listed(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:
    # Sizes differ so the two clips are different footage (make_footage names files by size).
    film = make_film(2, seconds=3.0, signed=False, sizes=["320x180", "320x240"])
    project = add_signer(film.project, "clip-1", "chloe", seconds=3.0)
    project.doc["clips"]["clip-2"]["described_by"] = ["amara"]
    project.save()
    _describe(film, "clip-2", [(2000, 2900, "A hand waves.")])
    film.sign_off()
    project = film.reload()
    sign_off(project, "clip-2", "amara")
    result = render_film(project.reload(), tiny("web"), today=TODAY,
                         options=RenderOptions(open_captions=True))
    out_dir = project.build_dir / "web"
    manifest = json.loads((out_dir / "manifest.json").read_text())
    published = sorted(n for n in manifest["outputs"] if n != "manifest.json")
    assert {FILM, OPEN_CAPTIONS_FILM, SIGNED_FILM, DESCRIBED_FILM, DESCRIPTIONS_VTT} <= \
        set(published)
    # What each file holds, measured: the described sound is film.mp4's second track and
    # film.described.mp4's only one; the other films carry the programme sound alone.
    assert _audio_streams(result.outputs[FILM]) == 2
    assert _audio_streams(result.outputs[OPEN_CAPTIONS_FILM]) == 1
    assert _audio_streams(result.outputs[SIGNED_FILM]) == 1
    assert "A hand waves." in (out_dir / DESCRIPTIONS_VTT).read_text()
    assert "A hand waves." in (out_dir / "transcript.txt").read_text()
    root = project.root
    assert _rows(root) == set()

    # A signer: only the signed film carries their signing.
    assert run_cli("consent", "withdraw", str(root), "--contributor", "chloe")[0] == 0
    signer = {(SIGNED_FILM, "sign/clip-1", "chloe", "signer")}
    assert _rows(root) == signer
    assert _rows(root, SITE) == signer  # the published page's copy of the signed film

    # A contributor: every file the render published from their clip.
    assert run_cli("consent", "withdraw", str(root), "--contributor", "ben")[0] == 0
    ben = {(name, "clip-2", "ben", "contributor") for name in published}
    assert _rows(root) == signer | ben
    on_site = _rows(root, SITE) - signer
    assert {(FILM, "clip-2", "ben", "contributor"), ("index.html", "clip-2", "ben",
                                                      "contributor")} <= on_site
    assert {(clip, who, role) for _, clip, who, role in on_site} == \
        {("clip-2", "ben", "contributor")}

    # A describer (and contributor of clip-1): every file with clip-1, and every file carrying
    # the descriptions of clip-2 they wrote and the sound they are voiced in. Their sign-off of
    # clip-2 ties them to its footage too, so the gate (and this list) holds all of clip-2.
    assert run_cli("consent", "withdraw", str(root), "--contributor", "amara")[0] == 0
    amara = {(name, "clip-1", "amara", "contributor") for name in published}
    described = {(name, "clip-2", "amara", "describer")
                 for name in (FILM, DESCRIBED_FILM, DESCRIPTIONS_VTT, "transcript.html",
                              "transcript.txt")}
    tied = {(name, "clip-2", "amara", "footage") for name in published}
    assert _rows(root) == signer | ben | amara | described | tied
    site_described = {n for n, clip, who, role in _rows(root, SITE)
                      if (clip, who, role) == ("clip-2", "amara", "describer")}
    assert {DESCRIBED_FILM, DESCRIPTIONS_VTT, "index.html"} <= site_described
    text = format_status(film_status(project.reload(), today=TODAY))
    assert f"  build/web/{SIGNED_FILM}: clip sign/clip-1 (signer chloe, withdrawn " in text
    assert f"  build/web/{DESCRIBED_FILM}: clip clip-2 (describer amara, withdrawn " in text
    assert f"  build/web/{OPEN_CAPTIONS_FILM}: clip clip-2 (contributor ben, withdrawn " in text
