"""film.yaml's advisory group: ``advisers:`` (id, name, role) and ``approvals:``.

Checked by :mod:`pipeline.film`'s validator through :func:`read_advisers` and
:func:`read_approvals`, each mistake naming its key and line like every film.yaml error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.exceptions import ProjectError
from pipeline.film_guard import shown

ADVISER_KEYS = ("id", "name", "role")
APPROVAL_KEYS = ("advisers",)
APPROVAL_WORDS = ("required", "optional")
GROUP = "group"  # the whole group, as the producer records a meeting; never an adviser's id
_ID = re.compile(r"\A[a-z0-9][a-z0-9_-]{0,63}\Z")

Fail = Callable[[str, Any, Any], ProjectError]


@dataclass(frozen=True)
class Adviser:
    """A member of the film's advisory group: a carer, a person who uses services, a
    commissioner, a provider."""

    id: str
    name: str
    role: str = ""


def read_advisers(node: Any, doc: Any, fail: Fail) -> dict[str, Adviser]:
    """film.yaml's ``advisers:`` list as advisers by id."""
    if node is None:
        return {}
    if not isinstance(node, list):
        raise fail("advisers: must be a list of {id, name, role}", doc, "advisers")
    out: dict[str, Adviser] = {}
    for i, item in enumerate(node):
        if not isinstance(item, dict):
            raise fail("advisers: each entry needs id and name", node, i)
        extra = sorted(set(item) - set(ADVISER_KEYS), key=str)
        if extra:
            raise fail(f"advisers: unknown key {shown(extra[0])} (known: "
                       f"{', '.join(ADVISER_KEYS)})", node, i)
        aid = item.get("id")
        if not isinstance(aid, str) or _ID.fullmatch(aid) is None:
            raise fail(f"advisers: id {shown(aid)} must be lower-case letters, digits, - or _",
                       node, i)
        if aid == GROUP:
            raise fail(f"advisers: id {GROUP!r} means the whole group; give this adviser "
                       "another id", node, i)
        if aid in out:
            raise fail(f"advisers: id {shown(aid)} is listed twice", node, i)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail(f"advisers: {aid}: name must be a non-empty text", node, i)
        role = item.get("role", "")
        if not isinstance(role, str):
            raise fail(f"advisers: {aid}: role must be text (carer, commissioner, ...)",
                       node, i)
        out[aid] = Adviser(aid, name.strip(), role.strip())
    return out


def read_approvals(node: Any, doc: Any, fail: Fail) -> bool:
    """film.yaml's ``approvals:``: True when the group's approval is required to publish."""
    if node is None:
        return False
    if not isinstance(node, dict):
        raise fail("approvals: must be a mapping like {advisers: required}", doc, "approvals")
    extra = sorted(set(node) - set(APPROVAL_KEYS), key=str)
    if extra:
        raise fail(f"approvals: unknown key {shown(extra[0])} (known: advisers)", node,
                   extra[0])
    value = node.get("advisers", "optional")
    if value not in APPROVAL_WORDS:
        raise fail(f"approvals: advisers: {shown(value)} must be required or optional",
                   node, "advisers")
    return bool(value == "required")


__all__ = ["GROUP", "Adviser", "read_advisers", "read_approvals"]
