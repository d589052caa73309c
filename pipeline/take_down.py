"""What to take down after a withdrawal: every published file carrying a withdrawn person.

`coprod status` lists it. A render publishes several files from the same clips (the film, its
open-captions, signed and described variants, caption files, the transcript, the descriptions);
each carries some people's picture, voice, words, name, signing or descriptions:

* a clip's **contributors**: every output of a render whose manifest lists the clip (their
  picture and voice in each film, their words in the captions and transcript, their clip
  described in the descriptions file);
* a clip's **describers** (film.yaml ``described_by``): the files carrying the described sound
  or the descriptions' text (film.mp4's second sound track, film.described.mp4,
  film.descriptions.vtt, the transcript);
* a **signer**: film.signed.mp4.

Whether a person's consent for a clip is withdrawn is :func:`consent.affected_outputs`'s rule
(by clip, or by the footage a withdrawn contributor is tied to); this module only says which
files each person is in. :func:`take_down_list` is the one place the list is made: a new kind
of publication (a web site, say) adds one call there, giving its files as :class:`Carried`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from consent import Event, affected_outputs
from pipeline.render.publish import (
    DESCRIBED_FILM,
    DESCRIPTIONS_VTT,
    FILM,
    MANIFEST,
    OPEN_CAPTIONS_FILM,
)
from pipeline.render.signing import SIGNED_FILM

TRANSCRIPTS = ("transcript.html", "transcript.txt")
FILMS = (FILM, OPEN_CAPTIONS_FILM, SIGNED_FILM, DESCRIBED_FILM)


class Role(StrEnum):
    """How a person is in a published file."""

    CONTRIBUTOR = "contributor"
    DESCRIBER = "describer"
    SIGNER = "signer"
    FOOTAGE = "footage"  # tied to the clip's footage by the ledger, whatever film.yaml lists


@dataclass(frozen=True)
class Carried:
    """One published file and the people in it in one role.

    Attributes:
        file: the file, relative to the project folder (``build/web/film.mp4``).
        created: when it was made (the manifest's ISO 8601 ``created``), to tell a withdrawal
            after it from one before.
        role: how they are in it.
        uses: ``{"id": CLIP, "contributors": [...]}`` (and ``footage_sha256`` for a clip's
            contributors): whose consent for which clip (or ``sign/CLIP``) the file needs.
    """

    file: str
    created: object
    role: Role
    uses: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class TakeDown:
    """A published file to take down: it carries ``person`` in ``clip``, who withdrew."""

    file: str
    clip: str
    person: str
    role: Role
    withdrawn_on: str
    after_output: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``output`` and ``contributor`` as `status --json` always said)."""
        return {"output": self.file, "clip": self.clip, "contributor": self.person,
                "role": str(self.role), "withdrawn_on": self.withdrawn_on,
                "after_output": self.after_output}


def render_outputs(manifests: Iterable[Mapping[str, Any]]) -> list[Carried]:
    """Every file each render published, with the people in it (see the module's list)."""
    found: list[Carried] = []
    for manifest in manifests:
        output = manifest.get("output")
        outputs = manifest.get("outputs")
        if not isinstance(output, str):
            continue
        folder = PurePosixPath(output).parent
        names = [n for n in (outputs if isinstance(outputs, Mapping) else {}) if n != MANIFEST]
        if not names:  # a manifest from before outputs were listed: its film at least
            names = [PurePosixPath(output).name]
        created = manifest.get("created")
        clips = [c for c in manifest.get("clips") or [] if isinstance(c, Mapping)]
        for name in names:
            found.append(Carried(str(folder / name), created, Role.CONTRIBUTOR, tuple(clips)))
        if manifest.get("described"):
            described = [{"id": c.get("id"), "contributors": list(c.get("described_by") or [])}
                         for c in clips if c.get("described_by")]
            for name in names:
                if name in (FILM, DESCRIBED_FILM, DESCRIPTIONS_VTT, *TRANSCRIPTS) and described:
                    found.append(Carried(str(folder / name), created, Role.DESCRIBER,
                                         tuple(described)))
        signed = manifest.get("signed")
        signers = signed.get("signers") if isinstance(signed, Mapping) else None
        if isinstance(signers, Mapping) and SIGNED_FILM in names:
            uses = tuple({"id": use, "contributors": [entry.get("signer")]}
                         for use, entry in signers.items()
                         if isinstance(entry, Mapping) and isinstance(entry.get("signer"), str))
            found.append(Carried(str(folder / SIGNED_FILM), created, Role.SIGNER, uses))
    return found


def withdrawn_in(events: Sequence[Event], carried: Iterable[Carried]) -> list[TakeDown]:
    """The files in ``carried`` that hold someone whose consent for that use is withdrawn."""
    rows: list[TakeDown] = []
    for item in carried:
        as_manifest = {"output": item.file, "created": item.created, "clips": list(item.uses)}
        listed = {(str(use.get("id")), person) for use in item.uses
                  for person in use.get("contributors") or []}
        for hit in affected_outputs(events, [as_manifest]):
            role = item.role if (hit.clip_id, hit.contributor) in listed else Role.FOOTAGE
            rows.append(TakeDown(item.file, hit.clip_id, hit.contributor, role,
                                 hit.withdrawn_on.isoformat(), hit.after_output))
    return rows


def take_down_list(events: Sequence[Event],
                   manifests: Iterable[Mapping[str, Any]]) -> list[TakeDown]:
    """Every published file carrying a withdrawn person's picture, voice, words, name, signing
    or descriptions, one row per file, clip and person.

    One call per kind of publication; a new one (the published web site) adds its own line.
    """
    rows = withdrawn_in(events, render_outputs(manifests))
    return list(dict.fromkeys(rows))


__all__ = ["FILMS", "Carried", "Role", "TakeDown", "render_outputs", "take_down_list",
           "withdrawn_in"]
