"""A new film's film.yaml: the commented template `coprod new` writes, with a new film id.

:mod:`pipeline.film` re-exports these (it validates what the producer then makes of the file).
"""

from __future__ import annotations

import json
import uuid

from captions.styles import StyleName
from pipeline.render_profiles import RenderProfileName

DEFAULT_CAPTION_STYLE = StyleName.BBC
DEFAULT_RENDER_PROFILE = RenderProfileName.WEB

TEMPLATE = """\
# coprod film project. Edit this file by hand; coprod keeps your comments and key order.
id: "{film_id}"    # this film's identity for its consent records: never edit or reuse it
title: {title}
language: {language}          # ISO 639-1 code of the spoken language (captions, subtitle track)

# Everyone who appears or speaks; ids are lower-case letters, digits, - and _.
# `name` is shown (credits, transcript) only with `name` consent. For example:
#   - id: amara
#     name: Amara Okafor
contributors: []

# Every ingested clip; `coprod ingest` adds entries. `file` is relative to this folder.
clips: {{}}

# The film, in order. An entry names a clip and may trim it with in/out
# (seconds, or HH:MM:SS.mmm). For example:
#   - clip: amara-intro
#     in: 1.5
#     out: 00:00:21.000
sequence: []

captions:
  profile: {style}                 # {styles}

consent:
  default_expiry_years: 5      # used when `coprod consent record` is given no --expires
  max_expiry_years: 5

profiles: [{profile}]                # output profiles `coprod build` renders: {profiles}
open_captions: false           # true: every profile also gets a burned-in captions variant
"""


def new_film_id() -> str:
    """A new film's id: 128 random bits as 32 hex digits (the consent ledger's first event and
    its witness know the film by it, wherever its folder is copied or moved)."""
    return uuid.uuid4().hex


def new_film_yaml(title: str, language: str, film_id: str | None = None) -> str:
    """The commented film.yaml of a new project (with a new id unless ``film_id`` is given)."""
    # json.dumps makes a valid YAML double-quoted scalar of any one-line title.
    return TEMPLATE.format(
        film_id=film_id or new_film_id(),
        title=json.dumps(title.strip(), ensure_ascii=False), language=language,
        style=DEFAULT_CAPTION_STYLE, styles=" | ".join(StyleName),
        profile=DEFAULT_RENDER_PROFILE, profiles=" | ".join(RenderProfileName))


__all__ = ["DEFAULT_CAPTION_STYLE", "DEFAULT_RENDER_PROFILE", "TEMPLATE", "new_film_id",
           "new_film_yaml"]
