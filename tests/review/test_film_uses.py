"""The clip page shows the parts of the clip the film uses, and marks the captions in them."""

from __future__ import annotations

import re

from ruamel.yaml.comments import CommentedMap

from pipeline.project import Project
from tests.review.conftest import MakeVisitor


def _marks(page: str) -> list[str]:
    """Each caption's words about the film, in order."""
    return re.findall(r'<p class="film-use">([^<]*)</p>', page)


def _in_film_classes(page: str) -> list[bool]:
    return ["in-film" in cls for cls in re.findall(r'<li class="(cue[^"]*)"', page)]


def test_a_clip_used_twice_shows_both_parts_and_marks_the_captions_in_them(
        visitor: MakeVisitor, film: Project) -> None:
    # amara-talk (3 s, captions at 0.2-1.2, 1.3-2.4, 2.5-2.9 s) plays 0-1 s, then 2.45 s to its end.
    sequence = film.doc["sequence"]
    sequence[0]["out"] = 1.0
    sequence.append(CommentedMap([("clip", "amara-talk"), ("in", 2.45)]))
    film.save()
    page = visitor("amara").get("/clip/amara-talk").text
    uses = page.split('id="uses-heading"')[1].split("</section>")[0]
    assert "The film shows these parts of your clip." in uses
    items = re.findall(r"<li>([^<]*)</li>", uses)
    assert items == ["From 0:00.0 to 0:01.0.", "From 0:02.4 to 0:03.0."]
    assert "If you say yes, you say yes to all these parts." in uses
    # Measured against the same ranges: caption 2 (1.3-2.4 s) is in neither part.
    assert _marks(page) == ["In the film.", "Not in the film.", "In the film."]
    assert _in_film_classes(page) == [True, False, True]


def test_a_clip_the_film_does_not_use_says_so(visitor: MakeVisitor, film: Project) -> None:
    text = film.film_yaml.read_text(encoding="utf-8")
    film.film_yaml.write_text(text.replace("  - clip: ben-talk\n", "", 1), encoding="utf-8")
    page = visitor("ben").get("/clip/ben-talk").text
    assert "The film does not use this clip now." in page
    assert _marks(page) == []
