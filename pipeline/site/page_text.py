"""What the web page says about the film, from film.yaml's ``page:`` section, checked.

```yaml
page:
  summary: A short film about how a day centre and its members made a film together.
  easy_read:                 # short sentences, at most 15 words each
    - We made this film together.
    - People talk about the day centre.
  chapters:                  # a chapter name for a clip (else its named contributors, else Part N)
    amara-interview: Amara's story
  contact: Email films@example.org to ask for this film in another format.
```

The Easy Read summary is checked as the review page's sentences are (tests/review/
test_catalogue.py): every sentence at most :data:`MAX_WORDS` words, and the whole at least
:data:`MIN_FLESCH` on the Flesch reading ease scale (textstat). A summary that fails is refused
before anything is rendered, naming the line and the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.exceptions import ProjectError
from pipeline.film import _line
from pipeline.project import Project

KEY = "page"
KEYS = ("summary", "easy_read", "chapters", "contact")
MAX_WORDS = 15
MIN_FLESCH = 70.0
DEFAULT_CONTACT = ("To ask for this film in another format, contact the organisation that "
                   "published it.")


@dataclass(frozen=True)
class PageText:
    """The page's own words: a summary, Easy Read sentences, chapter names, how to ask."""

    summary: str = ""
    easy_read: tuple[str, ...] = ()
    chapters: Mapping[str, str] = field(default_factory=dict)
    contact: str = DEFAULT_CONTACT


def sentences(text: str) -> list[str]:
    """``text`` split after each full stop, question or exclamation mark."""
    return [s for s in re.split(r"(?<=[.?!])\s+", " ".join(text.split())) if s]


def easy_read_problems(lines: tuple[str, ...]) -> list[tuple[int, str]]:
    """(index of the line, what is wrong) for each Easy Read line that is too long, then one
    entry (index -1) when the whole is too hard to read."""
    import textstat

    found: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        for sentence in sentences(line):
            words = len(sentence.split())
            if words > MAX_WORDS:
                found.append((i, f"the sentence {sentence!r} has {words} words (at most "
                                 f"{MAX_WORDS})"))
    text = " ".join(s if s[-1] in ".?!" else s + "." for s in lines if s)
    if text:
        score = float(textstat.flesch_reading_ease(text))
        if score < MIN_FLESCH:
            found.append((-1, f"it reads too hard (Flesch reading ease {score:.0f}, at least "
                              f"{MIN_FLESCH:.0f}): use short, common words"))
    return found


def _text(node: Mapping[str, Any], key: str, path: str) -> str:
    value = node.get(key, "")
    if not isinstance(value, str):
        raise ProjectError(path, f"page: {key}: must be text", _line(node, key))
    return " ".join(value.split())


def load_page_text(project: Project) -> PageText:
    """film.yaml's ``page:`` section, checked (an absent section: no summary, the default
    contact line).

    Raises:
        ProjectError: naming film.yaml, the line and what to change.
    """
    path = str(project.film_yaml)
    node = project.doc.get(KEY) if isinstance(project.doc, Mapping) else None
    if node is None:
        return PageText()
    if not isinstance(node, Mapping):
        raise ProjectError(path, f"page: must be a mapping with {', '.join(KEYS)}",
                           _line(project.doc, KEY))
    for key in node:
        if key not in KEYS:
            raise ProjectError(path, f"page: unknown key {key!r} (known: {', '.join(KEYS)})",
                               _line(node, key))
    raw = node.get("easy_read") or []
    if isinstance(raw, str):
        raw = sentences(raw)
    if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
        raise ProjectError(path, "page: easy_read: must be a list of sentences",
                           _line(node, "easy_read"))
    easy = tuple(" ".join(s.split()) for s in raw)
    for index, problem in easy_read_problems(easy):
        where = _line(node["easy_read"], index) if index >= 0 and isinstance(
            node["easy_read"], list) else _line(node, "easy_read")
        raise ProjectError(path, f"page: easy_read: {problem}; Easy Read sentences are short "
                                 "and plain", where)
    chapters = node.get("chapters") or {}
    if not isinstance(chapters, Mapping):
        raise ProjectError(path, "page: chapters: must map clip ids to chapter names",
                           _line(node, "chapters"))
    for clip_id, name in chapters.items():
        if clip_id not in project.film.clips:
            raise ProjectError(path, f"page: chapters: unknown clip id {clip_id!r}",
                               _line(chapters, clip_id))
        if not isinstance(name, str) or not name.strip():
            raise ProjectError(path, f"page: chapters: {clip_id}: must be a non-empty name",
                               _line(chapters, clip_id))
    return PageText(
        summary=_text(node, "summary", path),
        easy_read=easy,
        chapters={str(k): " ".join(str(v).split()) for k, v in chapters.items()},
        contact=_text(node, "contact", path) or DEFAULT_CONTACT,
    )


__all__ = ["DEFAULT_CONTACT", "MAX_WORDS", "MIN_FLESCH", "PageText", "easy_read_problems",
           "load_page_text", "sentences"]
