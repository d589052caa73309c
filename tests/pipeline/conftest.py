"""Fixtures for render and build tests: tiny film projects with captions, consent and sign-off.

Footage is made once per session with ffmpeg's lavfi sources (a flat mid-grey picture, so burned
captions and letterbox bars are easy to find by pixel value, and a tone whose level rises and
falls, so it has a loudness range) and copied into each project.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from consent.ledger import Ledger
from consent.records import ConsentGiven, SignOff
from pipeline import runner
from pipeline.clearance import clip_key, sign_off
from pipeline.clearance.sign_videos import sign_path
from pipeline.project import Project
from pipeline.render_profiles import RenderProfile, load_profile

TODAY = date(2026, 6, 1)
GREY = 128
SIGNER_RGB = "0xC0C0C0"  # grey level ~180 in the film: neither footage (128), box (16) nor text


def tiny(profile: str = "web", **changes: object) -> RenderProfile:
    """A shipped profile shrunk for tests: 320x180, fastest x264 preset, 1 s cards."""
    base = dict(width=320, height=180, video_preset="ultrafast", title_card_ms=1000,
                credits_card_ms=1000)
    base.update(changes)
    return load_profile(profile).replace(**base)


@pytest.fixture(scope="session")
def footage_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("footage")


MakeFootage = Callable[..., Path]


@pytest.fixture(scope="session")
def make_footage(footage_dir: Path) -> MakeFootage:
    """Make (once) a grey clip with a varying tone; ``size`` sets its shape (4:3 gets bars)."""

    def make(name: str = "grey.mp4", *, seconds: float = 2.0, size: str = "320x180",
             freq: int = 440, audio: bool = True) -> Path:
        out = footage_dir / name
        if out.exists():
            return out
        args = ["-f", "lavfi", "-i",
                f"color=c=0x{GREY:02x}{GREY:02x}{GREY:02x}:s={size}:r=25:d={seconds}"]
        maps = ["-map", "0:v"]
        if audio:
            # A tone whose level swells at 0.5 Hz: real loudness range, peaks well under 0 dBFS.
            args += ["-f", "lavfi", "-i",
                     f"aevalsrc=0.1*sin(2*PI*{freq}*t)*(1.2+sin(2*PI*0.5*t)):s=48000:d={seconds}"]
            maps += ["-map", "1:a"]
        runner.ffmpeg([*args, *maps, "-c:v", "libx264", "-preset", "ultrafast",
                       "-pix_fmt", "yuv420p", *(["-c:a", "aac"] if audio else []),
                       "-t", str(seconds), str(out)])
        return out

    return make


@dataclass
class FilmFixture:
    """A film project ready to render, and how it was made."""

    project: Project
    clip_ids: list[str]
    contributors: dict[str, str]

    def reload(self) -> Project:
        self.project = self.project.reload()
        return self.project

    def sign_off(self, clip_ids: Sequence[str] | None = None) -> None:
        """Record sign-off of each clip (as it is now) by each of its contributors."""
        record_signoffs(self.project, clip_ids)


def record_signoffs(project: Project, clip_ids: Sequence[str] | None = None) -> None:
    ledger = Ledger(project.ledger_path)
    for item in project.film.sequence:
        if clip_ids is not None and item.clip_id not in clip_ids:
            continue
        clip = project.clip(item.clip_id)
        key = clip_key(project, clip.id)
        for person in clip.contributors:
            ledger.add(SignOff(clip=clip.id, by=person, content_key=key))



def make_sign_video(path: Path, seconds: float, size: str = "90x108") -> Path:
    """A signer's video: one solid colour (SIGNER_RGB), so its inset is found by pixel."""
    path.parent.mkdir(parents=True, exist_ok=True)
    runner.ffmpeg(["-f", "lavfi", "-i", f"color=c={SIGNER_RGB}:s={size}:r=25:d={seconds}",
                   "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                   "-t", str(seconds), f"file:{path}"])
    return path


def add_signer(project: Project, clip_id: str, signer: str = "chloe", *,
               seconds: float = 2.0, sign_off_now: bool = True) -> Project:
    """``signer`` signs ``clip_id`` (sign/CLIP.mp4 and film.yaml), signing off unless told not."""
    make_sign_video(sign_path(project, clip_id), seconds)
    for item in project.doc["sequence"]:
        if item["clip"] == clip_id:
            item["signer"] = signer
    project.save()
    project = project.reload()
    if sign_off_now:
        sign_off(project, f"sign/{clip_id}", signer)
    return project


def default_cues(index: int) -> list[Cue]:
    return [Cue(200, 900, f"Hello from clip {index + 1}."),
            Cue(1300, 1900, "We made this film\ntogether.")]


MakeFilm = Callable[..., FilmFixture]


@pytest.fixture
def make_film(tmp_path: Path, make_footage: MakeFootage) -> MakeFilm:
    """Make a film project: clips of grey footage, captions, consent for every contributor.

    Keyword arguments: ``n`` clips; ``folder`` (a name under tmp_path, may be awkward);
    ``clip_ids``; ``names`` (contributor id -> name; consent includes ``name`` for ids listed
    in ``named``); ``channels``; ``signed`` (record sign-off); ``trims`` ({clip: (in, out)}).
    """

    def make(n: int = 2, *, folder: str = "film", clip_ids: Sequence[str] | None = None,
             title: str = "Our Film", seconds: float = 2.0, named: Sequence[str] = ("amara",),
             channels: Sequence[str] = ("internal", "web", "broadcast"), signed: bool = True,
             trims: dict[str, tuple[int | None, int | None]] | None = None,
             sizes: Sequence[str] | None = None,
             cues: Callable[[int], list[Cue]] = default_cues) -> FilmFixture:
        project = Project.create(tmp_path / folder, title)
        people = {"amara": "Amara Okafor", "ben": "Ben Smith", "chloe": "Chloé Dubois"}
        for cid, name in people.items():
            project.add_contributor(cid, name)
        ids = list(clip_ids or [f"clip-{i + 1}" for i in range(n)])
        for i, clip_id in enumerate(ids):
            size = sizes[i] if sizes else "320x180"
            src = make_footage(f"grey-{size}-{seconds}.mp4", seconds=seconds, size=size,
                               freq=330 + 110 * i)
            dst = project.footage_dir / f"{clip_id}.mp4"
            shutil.copyfile(src, dst)
            person = list(people)[i % len(people)]
            project.add_clip(clip_id, f"footage/{clip_id}.mp4", project.file_sha256(dst),
                             [person])
        project.save()
        for clip_id, (in_ms, out_ms) in (trims or {}).items():
            for item in project.doc["sequence"]:
                if item["clip"] == clip_id:
                    if in_ms is not None:
                        item["in"] = in_ms / 1000
                    if out_ms is not None:
                        item["out"] = out_ms / 1000
        project.save()
        for i, clip_id in enumerate(ids):
            save_captions(cues(i), project.caption_path(clip_id))
        ledger = Ledger(project.ledger_path)
        for cid in people:
            scopes = ["appear", "voice", *(["name"] if cid in named else [])]
            ledger.add(ConsentGiven.create(
                cid, scopes=scopes, channels=channels, given=date(2026, 1, 10),
                method="written", obtained_by="Sam (support worker)"))
        if signed:
            record_signoffs(project)
        return FilmFixture(project, ids, people)

    return make


def gray_frame(media: Path, at_s: float, *, width: int, height: int) -> bytes:
    """One frame of ``media`` at ``at_s`` as 8-bit grey pixels, row by row."""
    proc = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                       "-ss", f"{at_s:.3f}", "-i", f"file:{media}", "-frames:v", "1",
                       "-vf", "format=gray", "-f", "rawvideo", "-"])
    data = proc.stdout
    assert len(data) == width * height, f"expected a {width}x{height} frame, got {len(data)}"
    return data


def region(frame: bytes, width: int, box: tuple[int, int, int, int]) -> list[int]:
    """Pixels of ``frame`` inside ``box`` = (x0, y0, x1, y1), x1/y1 exclusive."""
    x0, y0, x1, y1 = box
    return [frame[y * width + x] for y in range(y0, y1) for x in range(x0, x1)]
