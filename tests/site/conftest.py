"""One small film rendered once for every site test: three 3 s clips (Amara and Chloé credited
by name, Ben not), captions, one audio description voiced as a 1 kHz tone over a clip whose own
sound is a 440 Hz tone (clip-2 550 Hz, clip-3 660 Hz), a sign video, and the burned-in captions
variant.

Tests that change the film (a withdrawal) copy the project first, so the render is shared.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from consent.ledger import Ledger
from consent.records import ConsentGiven
from pipeline import runner
from pipeline.describe import voice as voicing
from pipeline.describe.script import Description, descriptions_path
from pipeline.project import Project
from pipeline.render import RenderResult, render_film
from pipeline.render.options import RenderOptions
from tests.pipeline.conftest import TODAY, add_signer, record_signoffs, tiny

PEOPLE = {"amara": "Amara Okafor", "ben": "Ben Smith", "chloe": "Chloé Dubois"}
NAMED = ("amara", "chloe")
VOICE_HZ = 1000
PROGRAMME_HZ = 440
# Film time of the one description: title card 1 s, clip-1 from 1 s; the cue is at 1.0-2.0 s
# of clip-1, and the stub voice lasts 300 ms.
DESCRIPTION_FILM_MS = (2000, 2300)
PAGE = """
page:
  summary: Three people talk about making a film together at their day centre.
  easy_read:
    - We made a film together.
    - Three people talk about the day centre.
  chapters:
    clip-3: The garden
  contact: Email films@example.org to ask for the film in another format.
"""


def _tone(path: Path, seconds: float, freq: int, *, video: bool) -> None:
    args = ["-f", "lavfi", "-i", f"color=c=gray:s=320x180:r=25:d={seconds}"] if video else []
    args += ["-f", "lavfi", "-i", f"sine=f={freq}:sample_rate=48000:d={seconds}"]
    codecs = (["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
              if video else ["-c:a", "pcm_s16le"])
    runner.ffmpeg([*args, *codecs, "-t", str(seconds), str(path)])


@dataclass
class SiteFilm:
    """The rendered film and where its site is."""

    project: Project
    result: RenderResult

    @property
    def out_dir(self) -> Path:
        return self.project.build_dir / "web"

    @property
    def site(self) -> Path:
        return self.out_dir / "site"

    def copy(self, dest: Path) -> Project:
        """A copy of the whole project (render included) to change without touching this one."""
        shutil.copytree(self.project.root, dest, symlinks=True)
        return Project.open(dest)


def make_site_film(root: Path) -> Project:
    """The film project, described, signed and signed off, not yet rendered."""
    project = Project.create(root / "film", "Our Film")
    for cid, name in PEOPLE.items():
        project.add_contributor(cid, name)
    for i, cid in enumerate(PEOPLE):
        clip_id = f"clip-{i + 1}"
        dst = project.footage_dir / f"{clip_id}.mp4"
        dst.parent.mkdir(parents=True, exist_ok=True)
        # Each clip its own footage (a withdrawal holds footage by its hash) and its own tone.
        _tone(dst, 3.0, PROGRAMME_HZ + 110 * i, video=True)
        project.add_clip(clip_id, f"footage/{clip_id}.mp4", project.file_sha256(dst), [cid])
    project.save()
    project.film_yaml.write_text(project.film_yaml.read_text(encoding="utf-8") + PAGE,
                                 encoding="utf-8")
    project = project.reload()
    for i in range(3):
        save_captions([Cue(200, 900, f"Hello from clip {i + 1}."),
                       Cue(1300, 1900, "We made this film together.")],
                      project.caption_path(f"clip-{i + 1}"))
    script = descriptions_path(project, "clip-1")
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAmara waves.\n",
                      encoding="utf-8")
    ledger = Ledger(project.ledger_path)
    for cid in PEOPLE:
        ledger.add(ConsentGiven.create(
            cid, scopes=["appear", "voice", *(["name"] if cid in NAMED else [])],
            channels=["internal", "web"], given=date(2026, 1, 10), method="written",
            obtained_by="Sam (support worker)"))
    project = add_signer(project, "clip-1", "chloe", seconds=3.0)
    record_signoffs(project)
    return project


def stub_voices(mp: pytest.MonkeyPatch, folder: Path) -> None:
    """Every description voiced as a 300 ms 1 kHz tone (the offline voice is tested elsewhere)."""
    wav = folder / "voice.wav"
    _tone(wav, 0.3, VOICE_HZ, video=False)

    def one(d: Description) -> voicing.VoicedDescription:
        return voicing.VoicedDescription(d, wav, 300, "stub tone")

    mp.setattr(voicing, "voice_descriptions", lambda project, clip_id, ds: [one(d) for d in ds])
    mp.setattr(voicing, "voice_card_descriptions", lambda project, ds: [one(d) for d in ds])


def render_web(project: Project, folder: Path, drop_withdrawn: bool = False) -> RenderResult:
    with pytest.MonkeyPatch.context() as mp:
        stub_voices(mp, folder)
        return render_film(project.reload(), tiny(), today=TODAY, options=RenderOptions(
            open_captions=True, drop_withdrawn=drop_withdrawn))


@pytest.fixture(scope="session")
def site_film(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteFilm]:
    root = tmp_path_factory.mktemp("site-film")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COPROD_WITNESS_DIR", str(tmp_path_factory.mktemp("site-witness")))
        project = make_site_film(root)
        yield SiteFilm(project, render_web(project, root))
