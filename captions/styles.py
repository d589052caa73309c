"""Caption styles: the numbers each house style sets (film.yaml calls one ``captions.profile``).

``bbc`` follows the BBC Subtitle Guidelines (37 characters a line, 2 lines, 0.833-7 s a cue,
no gap or at least 2 frames between cues, 180 wpm as the ceiling for reading speed).
``netflix`` follows Netflix's English timed-text style guide (42 characters a line, 20 characters
a second for adult programmes). ``easy-read`` is for viewers with learning disabilities: DCMP's
Captioning Key gives 120-130 wpm for lower-level material, so 130 wpm is the ceiling, with
shorter lines (32 characters) and longer minimum durations (1.5 s) so each cue can be read twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from captions.exceptions import CaptionError


class StyleName(StrEnum):
    """The caption styles coprod knows, in the order people read them."""

    BBC = "bbc"
    NETFLIX = "netflix"
    EASY_READ = "easy-read"


@dataclass(frozen=True)
class CaptionStyle:
    """Limits that segmentation aims for and QC checks."""

    name: str
    max_chars_per_line: int
    max_lines: int = 2
    min_duration_ms: int = 833
    max_duration_ms: int = 7000
    fps: float = 25.0
    min_gap_frames: int = 2
    pause_split_ms: int = 1500
    max_lead_ms: int = 1500
    max_linger_ms: int = 1500
    max_wpm: float | None = 180.0
    max_cps: float | None = None

    @property
    def min_gap_ms(self) -> int:
        """Smallest allowed gap between two cues that do not touch."""
        return round(self.min_gap_frames * 1000 / self.fps)


# Keyed by StyleName members, which are the words themselves: STYLES["bbc"] works.
STYLES: dict[str, CaptionStyle] = {
    StyleName.BBC: CaptionStyle(name=StyleName.BBC, max_chars_per_line=37),
    StyleName.NETFLIX: CaptionStyle(
        name=StyleName.NETFLIX, max_chars_per_line=42, fps=24.0, max_wpm=None, max_cps=20.0
    ),
    StyleName.EASY_READ: CaptionStyle(
        name=StyleName.EASY_READ,
        max_chars_per_line=32,
        min_duration_ms=1500,
        max_duration_ms=8000,
        max_wpm=130.0,
    ),
}


def get_style(name: str) -> CaptionStyle:
    """The style called ``name``; raises CaptionError naming the known ones."""
    try:
        return STYLES[name]
    except KeyError:
        known = ", ".join(sorted(STYLES))
        raise CaptionError(f"unknown caption profile {name!r} (known: {known})") from None
