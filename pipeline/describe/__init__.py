"""Audio description: description scripts, pauses in speech, checks, and the voices that read them.

``pipeline/describe/script.py`` reads ``descriptions/CLIP.vtt``; ``pipeline/describe/pauses.py``
finds the pauses a description fits in and writes a starting script; ``pipeline/describe/check.py``
checks scripts against speech and the voiced audio; ``pipeline/describe/voice.py`` voices them
(recordings first, else an offline voice from ``pipeline/describe/voices.py``, cached).
"""

from __future__ import annotations

from pipeline.describe.script import (
    Description,
    DescriptionError,
    card_descriptions,
    descriptions_path,
    descriptions_sha256,
    load_descriptions,
)
from pipeline.describe.voice import (
    VoicedDescription,
    voice_card_descriptions,
    voice_descriptions,
    voice_name,
)

__all__ = [
    "Description",
    "DescriptionError",
    "VoicedDescription",
    "card_descriptions",
    "descriptions_path",
    "descriptions_sha256",
    "load_descriptions",
    "voice_card_descriptions",
    "voice_descriptions",
    "voice_name",
]
