"""A producer's exception: footage a withdrawn contributor is tied to may be used after all.

The gate refuses any clip whose footage a withdrawn contributor is tied to, whatever the clip is
now called, whoever it lists and whether it says ``no_people`` (:mod:`consent.footage`). Only an
exception lifts that: a producer names the footage (its sha256) and says why it may be used
(the contributor does not appear in it, say). It lifts the withdrawals recorded before it, never
one recorded later, and never the consent of a contributor the clip still lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from consent.fields import check_keys, check_optional_text, check_sha256, check_text, get_field

_KEYS = ("footage", "reason", "by", "clip")


@dataclass(frozen=True)
class FootageException:
    """Footage tied to a withdrawn contributor that a producer has justified using.

    Attributes:
        footage: sha256 of the footage.
        reason: the justification (required); stays in the ledger, never in messages.
        by: the producer who takes responsibility for it.
        clip: the clip id the footage had when the exception was recorded, if any (for people
            reading the ledger; the exception follows the footage, not the id).
    """

    footage: str
    reason: str
    by: str
    clip: str | None = None

    def __post_init__(self) -> None:
        check_sha256("footage", self.footage)
        check_text("reason", self.reason)
        check_text("by", self.by)
        check_optional_text("clip", self.clip)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in the ledger."""
        return {"footage": self.footage, "reason": self.reason, "by": self.by, "clip": self.clip}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FootageException:
        """Rebuild from :meth:`to_dict` output; raises RecordError naming the bad field."""
        check_keys(data, _KEYS, "exception")
        return cls(
            footage=get_field(data, "footage"),
            reason=get_field(data, "reason"),
            by=get_field(data, "by"),
            clip=get_field(data, "clip", None),
        )


__all__ = ["FootageException"]
