"""What the page shows, read off a finished web render (``build/web/``): its manifest, its films
and tracks, and film.yaml's words.

Nothing is decided twice: who is credited by name is what the render's gate decided and its
manifest recorded (``contributors[].credited_by_name``, from :class:`Credits`), and the
transcript is the render's own caption and description tracks, in film time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.exceptions import PipelineError
from pipeline.project import Project
from pipeline.render.publish import (
    DESCRIBED_FILM,
    DESCRIPTIONS_VTT,
    FILM,
    MANIFEST,
    OPEN_CAPTIONS_FILM,
)
from pipeline.render.sidecars import DESCRIPTION_LABEL, Credits
from pipeline.render.signing import SIGNED_FILM
from pipeline.site.page_text import PageText


class SiteError(PipelineError):
    """The web page cannot be made from what is in ``build/web/``."""


@dataclass(frozen=True)
class Version:
    """One version of the film a viewer may choose."""

    key: str
    file: str
    name: str


# Every version the render may make, in the order the page offers them.
VERSIONS = (Version("standard", FILM, "Standard"),
            Version("described", DESCRIBED_FILM, "Audio described"),
            Version("signed", SIGNED_FILM, "Sign language"),
            Version("open-captions", OPEN_CAPTIONS_FILM, "Burned-in captions"))


@dataclass(frozen=True)
class Chapter:
    """One clip's place in the film, named as the page names it."""

    clip_id: str
    name: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Line:
    """One line of the interactive transcript: a caption or a description, in film time."""

    start_ms: int
    end_ms: int
    text: str
    description: bool = False

    @property
    def label(self) -> str:
        """The words a reader sees first for a description, so it is never taken for speech."""
        return f"{DESCRIPTION_LABEL}:" if self.description else ""


@dataclass(frozen=True)
class Section:
    """A heading of the transcript: the title card, a chapter, the credits."""

    heading: str
    start_ms: int
    speakers: str
    card_text: tuple[str, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class SiteContent:
    """Everything the page is made of."""

    title: str
    language: str
    duration_ms: int
    page: PageText
    versions: tuple[Version, ...]
    chapters: tuple[Chapter, ...]
    sections: tuple[Section, ...]
    credits: tuple[str, ...]
    has_captions: bool
    has_descriptions: bool
    clips: tuple[dict[str, Any], ...]  # the manifest's clips (id, contributors, footage hash)


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The web render's manifest.

    Raises:
        SiteError: there is none, or it cannot be read.
    """
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteError(f"{path}: no web render yet; run `coprod build` first") from None
    except (OSError, ValueError) as exc:
        raise SiteError(f"{path}: cannot be read ({exc}); run `coprod build` again") from None
    if not isinstance(data, dict) or not isinstance(data.get("clips"), list):
        raise SiteError(f"{path}: not a render manifest; run `coprod build` again")
    return data


def credits_of(project: Project, manifest: dict[str, Any]) -> Credits:
    """The render's credits, as its manifest recorded the gate's decision on names."""
    people = project.film.contributors
    order = tuple(str(c["id"]) for c in manifest.get("contributors", []))
    named = {str(c["id"]): people[c["id"]].name for c in manifest.get("contributors", [])
             if c.get("credited_by_name") and c["id"] in people}
    return Credits(order, named)


def _chapters(manifest: dict[str, Any], page: PageText, credits: Credits) -> list[Chapter]:
    chapters = []
    for number, clip in enumerate(manifest["clips"], start=1):
        names = [credits.named[c] for c in clip.get("contributors", []) if c in credits.named]
        name = page.chapters.get(clip["id"]) or " and ".join(names) or f"Part {number}"
        start = int(clip["film_start_ms"])
        chapters.append(Chapter(clip["id"], name, start, start + int(clip["duration_ms"])))
    return chapters


def _cues(path: Path) -> list[tuple[int, int, str]]:
    from captions.formats import load

    if not path.exists():
        return []
    return [(c.start, c.end, " ".join(c.text.split())) for c in load(path, "vtt")]


def _sections(manifest: dict[str, Any], chapters: list[Chapter], credits: Credits,
              out_dir: Path) -> list[Section]:
    """The transcript: the title card, each chapter with its speakers, the credits; in each,
    speech and descriptions in film order (speech first where they start together)."""
    lines = sorted([Line(s, e, t) for s, e, t in _cues(out_dir / "film.vtt")]
                   + [Line(s, e, t, True) for s, e, t in _cues(out_dir / DESCRIPTIONS_VTT)],
                   key=lambda x: (x.start_ms, x.description))
    heads: list[tuple[int, str, str, tuple[str, ...]]] = []
    for card in manifest.get("cards", []):
        heading = "Title" if card.get("name") == "title" else "Credits"
        heads.append((int(card["film_start_ms"]), heading, "", tuple(card.get("text", []))))
    for chapter, clip in zip(chapters, manifest["clips"], strict=True):
        people = [credits.label(c) for c in clip.get("contributors", [])]
        speakers = "" if not people else ("Speaker: " if len(people) == 1 else "Speakers: ") \
            + ", ".join(people)
        heads.append((chapter.start_ms, chapter.name, speakers, ()))
    heads.sort(key=lambda h: h[0])
    sections = []
    for i, (start, heading, speakers, text) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else None
        mine = tuple(x for x in lines if x.start_ms >= start and (end is None or x.start_ms < end))
        sections.append(Section(heading, start, speakers, text, mine))
    return sections


def site_content(project: Project, out_dir: Path, page: PageText) -> SiteContent:
    """What the page shows, from the web render in ``out_dir`` and film.yaml.

    Raises:
        SiteError: the render is missing or its manifest unreadable.
    """
    manifest = read_manifest(out_dir)
    outputs = manifest.get("outputs", {})
    versions = tuple(v for v in VERSIONS if v.file in outputs and (out_dir / v.file).is_file())
    if not versions or versions[0].key != "standard":
        raise SiteError(f"{out_dir / FILM}: missing; run `coprod build` again")
    credits = credits_of(project, manifest)
    chapters = _chapters(manifest, page, credits)
    film = manifest.get("film", {})
    return SiteContent(
        title=str(film.get("title") or project.film.title),
        language=str(film.get("language") or project.film.language),
        duration_ms=int(film.get("duration_ms") or 0),
        page=page,
        versions=versions,
        chapters=tuple(chapters),
        sections=tuple(_sections(manifest, chapters, credits, out_dir)),
        credits=tuple(credits.text_lines()),
        has_captions=(out_dir / "film.vtt").is_file() and bool(_cues(out_dir / "film.vtt")),
        has_descriptions=(out_dir / DESCRIPTIONS_VTT).is_file(),
        clips=tuple({"id": c["id"], "contributors": list(c.get("contributors", [])),
                     **({"footage_sha256": c["footage_sha256"]} if c.get("footage_sha256")
                        else {})} for c in manifest["clips"]),
    )


__all__ = ["VERSIONS", "Chapter", "Line", "Section", "SiteContent", "SiteError", "Version",
           "credits_of", "read_manifest", "site_content"]
