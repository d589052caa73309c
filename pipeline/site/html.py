"""The page itself: ``templates/index.html`` filled in with Jinja2 (autoescaped).

The page works without JavaScript (every version a ``<video>`` with its tracks and a link, the
whole transcript, chapters as links into the film); ``static/coprod.js`` turns it into one player
with a version choice, text descriptions, an interactive transcript and shortcuts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pipeline.render.publish import DESCRIPTIONS_VTT
from pipeline.site.content import SiteContent

TEMPLATES = Path(__file__).parent / "templates"
SPEEDS = ("0.5", "0.75", "1", "1.25", "1.5", "2")
# Keyboard shortcuts: Alt+Shift and a letter (never a single key, WCAG 2.1.4), as the page
# lists them; static/coprod.js reads the same list from the page.
SHORTCUTS = (("P", "play-pause", "Play or pause"), ("C", "captions", "Captions on or off"),
             ("D", "descriptions", "Text descriptions on or off"),
             ("V", "version", "Next version of the film"),
             ("N", "next-chapter", "Next chapter"), ("B", "previous-chapter", "Previous chapter"),
             ("S", "slower", "Slower"), ("F", "faster", "Faster"),
             ("T", "transcript", "Go to the current line of the transcript"))
# What each download is, for the list of downloads.
DOWNLOADS = (("film.srt", "Captions (SubRip, .srt)"), ("film.vtt", "Captions (WebVTT, .vtt)"),
             (DESCRIPTIONS_VTT, "Audio description script (WebVTT, .vtt)"),
             ("transcript.html", "Transcript (web page)"),
             ("transcript.txt", "Transcript (plain text)"))


def clock(ms: int) -> str:
    """Minutes and seconds (hours when needed), as the transcript shows times."""
    seconds = ms // 1000
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def size_words(size: int) -> str:
    """A file size a person reads at a glance."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"


def render_page(content: SiteContent, sizes: Mapping[str, int]) -> str:
    """index.html for ``content``; ``sizes``: bytes of each file in the site."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["clock"] = clock
    env.filters["seconds"] = lambda ms: f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
    env.filters["size"] = size_words
    downloads = [(name, label, sizes[name]) for name, label in DOWNLOADS if name in sizes]
    return env.get_template("index.html").render(
        c=content, film=content.versions[0].file, sizes=sizes, downloads=downloads,
        speeds=SPEEDS, shortcuts=SHORTCUTS, descriptions_vtt=DESCRIPTIONS_VTT)


__all__ = ["DOWNLOADS", "SHORTCUTS", "SPEEDS", "clock", "render_page", "size_words"]
