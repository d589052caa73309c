"""Names in what the film says about its pictures: a contributor's name in a description (spoken,
in film.descriptions.vtt and the transcript) or on a card is their name shown, so it needs
their ``name`` consent like a name in the credits.

:func:`name_reasons` finds each name, whole word by whole word, in the texts it is given; a
contributor whose name may not be shown (the gate's ``name_allowed``; anyone the gate did not
judge counts as not allowed) makes a :class:`consent.gate.Reason` with code
``name-not-consented`` for the clip (or card) the text belongs to. :func:`refuse_names` adds
those reasons to a gate result, so the render refuses them like any other consent reason.
Matching: each part of the contributor's name (split at spaces and hyphens, two letters or
more) as a whole word, as written (capitalised), accents ignored: "Ben's" matches Ben, "bench"
does not. A common word that is also someone's name (Will, Rose) is refused at the start of a
sentence: it fails closed, and the producer rewrites the description.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence

from consent.gate import GateResult, Reason, ReasonCode


def _plain(text: str) -> str:
    """``text`` without accents (NFKD, combining marks dropped)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def name_parts(name: str) -> list[str]:
    """The parts of a name a text may use on their own: "Ben Carter" -> Ben, Carter."""
    return [p for p in re.split(r"[\s\-]+", _plain(name).strip()) if len(p) >= 2]


def mentions(text: str, name: str) -> bool:
    """True when ``text`` uses any part of ``name`` as a whole word."""
    plain = _plain(text)
    return any(re.search(rf"(?<!\w){re.escape(part)}(?!\w)", plain)
               for part in name_parts(name))


def name_reasons(texts: Mapping[str, Sequence[tuple[str, str]]], names: Mapping[str, str],
                 name_allowed: Mapping[str, bool], cards: Collection[str] = ()
                 ) -> dict[str, list[Reason]]:
    """Reasons, by clip (or card), for each name used without ``name`` consent.

    Args:
        texts: clip id (or card name) -> (where, text) pairs: ``("description 2", "...")``.
        names: contributor id -> name, for everyone in the film.
        name_allowed: contributor id -> may their name be shown (the gate's answer).
        cards: keys of ``texts`` that are cards, not clips (named as they are).

    Messages name contributor ids and where the name is, never the name itself.
    """
    out: dict[str, list[Reason]] = {}
    for key, found in texts.items():
        for person, name in names.items():
            if name_allowed.get(person, False):
                continue
            places = [where for where, text in found if mentions(text, name)]
            if places:
                out.setdefault(key, []).append(Reason(
                    key, person, ReasonCode.NAME_NOT_CONSENTED,
                    f"{key if key in cards else f'clip {key}'}: {', '.join(places)} names "
                    f"contributor {person}, whose "
                    "consent does not include `name`; describe without the name, or record "
                    "their consent to it"))
    return out


def refuse_names(result: GateResult, reasons: Mapping[str, Sequence[Reason]]) -> GateResult:
    """``result`` with ``reasons`` added: each clip they name is blocked (no longer allowed)."""
    for key, found in reasons.items():
        result.blocked.setdefault(key, []).extend(found)
        if key in result.allowed:
            result.allowed.remove(key)
    return result


__all__ = ["mentions", "name_parts", "name_reasons", "refuse_names"]
