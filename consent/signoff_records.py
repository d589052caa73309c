"""What a contributor said about their clip as it is now: a sign-off or a change request.

Both are bound to the clip's content key (see :mod:`consent.signoff`), so they speak only for the
exact footage, in/out points and caption bytes the contributor saw; ``footage_sha256`` names the
footage itself too, so the ledger ties the contributor to it whatever the clip is called later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from consent.fields import (
    check_keys,
    check_optional_text,
    check_sha256,
    check_text,
    get_field,
)

_FEEDBACK_KEYS = ("clip", "by", "on_behalf_of", "content_key", "note", "footage_sha256")


@dataclass(frozen=True)
class _ClipFeedback:
    """Shared shape of a sign-off and a change request.

    ``by`` is who acted: the contributor's own id, or a representative. When a representative acts,
    ``on_behalf_of`` is the contributor id they act for; the record then counts for that
    contributor and is shown as made by a representative. ``footage_sha256`` is the footage the
    content key was made from (None in records written before coprod kept it).
    """

    clip: str
    by: str
    content_key: str
    on_behalf_of: str | None = None
    note: str = ""
    footage_sha256: str | None = None

    def __post_init__(self) -> None:
        check_text("clip", self.clip)
        check_text("by", self.by)
        check_sha256("content_key", self.content_key)
        check_optional_text("on_behalf_of", self.on_behalf_of)
        check_text("note", self.note, required=False)
        if self.footage_sha256 is not None:
            check_sha256("footage_sha256", self.footage_sha256)

    @property
    def contributor(self) -> str:
        """The contributor this record speaks for."""
        return self.on_behalf_of if self.on_behalf_of is not None else self.by

    @property
    def by_representative(self) -> bool:
        """True when a representative acted for the contributor."""
        return self.on_behalf_of is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in the ledger (``footage_sha256`` only when known)."""
        data: dict[str, Any] = {
            "clip": self.clip,
            "by": self.by,
            "on_behalf_of": self.on_behalf_of,
            "content_key": self.content_key,
            "note": self.note,
        }
        if self.footage_sha256 is not None:
            data["footage_sha256"] = self.footage_sha256
        return data


@dataclass(frozen=True)
class SignOff(_ClipFeedback):
    """A contributor approved their clip exactly as it is now (its content key)."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignOff:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        check_keys(data, _FEEDBACK_KEYS, "sign-off")
        return cls(
            clip=get_field(data, "clip"),
            by=get_field(data, "by"),
            content_key=get_field(data, "content_key"),
            on_behalf_of=get_field(data, "on_behalf_of", None),
            note=get_field(data, "note", ""),
            footage_sha256=get_field(data, "footage_sha256", None),
        )


@dataclass(frozen=True)
class ChangeRequest(_ClipFeedback):
    """A contributor asked for changes to their clip as it is now (its content key)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        # Feedback without words cannot be acted on.
        check_text("note", self.note)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChangeRequest:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        check_keys(data, _FEEDBACK_KEYS, "change request")
        return cls(
            clip=get_field(data, "clip"),
            by=get_field(data, "by"),
            content_key=get_field(data, "content_key"),
            on_behalf_of=get_field(data, "on_behalf_of", None),
            note=get_field(data, "note"),
            footage_sha256=get_field(data, "footage_sha256", None),
        )


__all__ = ["ChangeRequest", "SignOff"]
