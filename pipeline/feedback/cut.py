"""The advisory group's cut: a ``review`` render in which withheld clips are cards.

The group sees the whole film, but a clip only when every contributor in it consents to the
``internal`` channel: the consent gate (asked through :mod:`pipeline.clearance` with
``withhold``) decides, and the render puts a card saying so in the clip's place, as long as the
clip's part, so no picture, sound or words of it are in the film, its captions or its
transcript. It is rendered into ``build/group/`` like any render (segments cached), from the
``review`` profile: captions burned in and the draft mark on every frame.

:mod:`.render_cut` renders it. The page serves only what that render made, and only while
the gate, asked again now, still withholds nothing the render shows (:func:`served_cut`). A
cut's key hashes each place of the film in order (each clip's content key, or that it was
withheld), so a comment or an approval names the exact version it was made on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from captions.exceptions import CaptionError
from captions.model import Cue
from consent import ConsentError
from pipeline import clearance
from pipeline.caption_store import load_captions
from pipeline.exceptions import PipelineError
from pipeline.project import Project

GROUP_PROFILE = "group"


@dataclass(frozen=True)
class Place:
    """One stretch of the group's cut.

    ``clip`` is the clip shown, or the clip withheld (``withheld``), or None for a card.
    """

    film_start_ms: int
    duration_ms: int
    clip: str | None = None
    withheld: bool = False
    in_ms: int = 0
    content_key: str | None = None
    caption_sha256: str | None = None


@dataclass(frozen=True)
class Cut:
    """A rendered group cut: its folder, its places in film order, and its key."""

    folder: Path
    places: tuple[Place, ...]
    key: str

    @property
    def shown(self) -> list[str]:
        """Clips whose picture, sound and words are in the cut."""
        return list(dict.fromkeys(p.clip for p in self.places if p.clip and not p.withheld))

    @property
    def withheld(self) -> list[str]:
        """Clips held back from the group (a card in their place)."""
        return list(dict.fromkeys(p.clip for p in self.places if p.clip and p.withheld))

    @property
    def clip_keys(self) -> dict[str, str | None]:
        """Clip id -> the content key the group saw (None: withheld)."""
        return {p.clip: None if p.withheld else p.content_key for p in self.places if p.clip}

    def place_at(self, film_ms: int) -> Place | None:
        """The place playing at ``film_ms`` (the last one for a time past the end)."""
        found = None
        for place in self.places:
            if place.film_start_ms <= film_ms:
                found = place
        return found

    @property
    def captions(self) -> dict[str, str | None]:
        """Clip id -> the sha256 of the caption file the group's cut was made from."""
        return {p.clip: p.caption_sha256 for p in self.places if p.clip and not p.withheld}

    @property
    def duration_ms(self) -> int:
        """How long the cut lasts."""
        last = self.places[-1] if self.places else None
        return last.film_start_ms + last.duration_ms if last else 0


def key_of(places: list[Place] | tuple[Place, ...]) -> str:
    """The cut's key: each clip place in order, with its content key or that it was withheld."""
    shape = [[p.clip, None if p.withheld else p.content_key, p.in_ms] for p in places if p.clip]
    return hashlib.sha256(json.dumps(shape, separators=(",", ":")).encode()).hexdigest()


def folder_of(project: Project) -> Path:
    """Where the group's cut is rendered."""
    return project.build_dir / GROUP_PROFILE


def read_cut(project: Project) -> Cut | None:
    """The group's cut as its manifest describes it, or None when none has been rendered."""
    folder = folder_of(project)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        places = [Place(int(c["film_start_ms"]), int(c["duration_ms"]), str(c["id"]),
                        in_ms=int(c.get("in_ms") or 0), content_key=c.get("content_key"),
                        caption_sha256=c.get("caption_sha256"))
                  for c in manifest["clips"]]
        places += [Place(int(c["film_start_ms"]), int(c["duration_ms"]), c.get("withheld"),
                         withheld=bool(c.get("withheld"))) for c in manifest["cards"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    places.sort(key=lambda p: p.film_start_ms)
    return Cut(folder, tuple(places), key_of(places))


def withheld_now(project: Project) -> set[str]:
    """Clips the gate, asked now, holds back from the group (no ``internal`` consent of every
    contributor in them, a withdrawal, expiry...)."""
    cleared = clearance.clear_film(project, "internal", draft=True, withhold=True)
    return set(cleared.withheld)


def served_cut(project: Project) -> Cut | None:
    """The group's cut, when it may be served now: None when none is rendered, or when the
    render shows a clip the gate now withholds (the producer renders the cut again)."""
    cut = read_cut(project)
    if cut is None:
        return None
    try:
        if set(cut.shown) & withheld_now(project):
            return None
    except (PipelineError, ConsentError):
        return None  # a damaged ledger or unreadable footage: show nothing, status says why
    return cut


def caption_at(project: Project, clip_id: str, clip_ms: int) -> str:
    """The caption on screen at ``clip_ms`` of the clip ('' when none)."""
    try:
        cues: list[Cue] = load_captions(project.caption_path(clip_id, "srt"))
    except (CaptionError, PipelineError, OSError):
        return ""
    return next((c.text for c in cues if c.start <= clip_ms < c.end), "")


def current_keys(project: Project) -> dict[str, str]:
    """Every clip of the film's sequence and its content key as it is now."""
    return {cid: clearance.clip_key(project, cid) for cid in project.film.used_clips}


__all__ = ["GROUP_PROFILE", "Cut", "Place", "caption_at", "current_keys", "folder_of", "key_of",
           "read_cut", "served_cut", "withheld_now"]
