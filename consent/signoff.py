"""Sign-off bound to content: a clip's content key and where a contributor's sign-off stands.

A contributor signs off their clip *as it will be shown*: the footage file, the in/out points and
the caption file's bytes, and for a clip with audio description how it is described (the
description script's bytes and each recording's). The content key is a hash over exactly those,
so any later change to them leaves the sign-off on an older key (stale). A clip without
descriptions has the key it had before descriptions existed, so earlier sign-offs stay valid.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from consent.chain import Event
from consent.exceptions import ConsentError
from consent.fields import is_sha256_hex
from consent.signoff_records import ChangeRequest, SignOff
from consent.withdrawals import consent_state

# Bump when the encoding below changes, so keys made by different coprod versions never collide.
_KEY_VERSION = 1


class SignoffState(StrEnum):
    """Where one contributor's sign-off of one clip stands."""

    SIGNED = "signed"
    NO_SIGNOFF = "no-signoff"
    STALE = "stale-signoff"
    CHANGES_REQUESTED = "changes-requested"


SIGNOFF_CODES: frozenset[str] = frozenset(
    {SignoffState.NO_SIGNOFF, SignoffState.STALE, SignoffState.CHANGES_REQUESTED}
)
"""Every state but SIGNED blocks a clip; the gate gives it as the code of its reason."""


def _check_sha256(name: str, value: str) -> None:
    if not is_sha256_hex(value):
        raise ConsentError(f"{name} must be a sha256 hex digest (64 lowercase hex digits)")


def content_key(
    footage_sha256: str, in_ms: int | None, out_ms: int | None, caption_sha256: str | None,
    descriptions: Sequence[str] = (),
    uses: Sequence[tuple[int | None, int | None]] = (),
    sound: str | None = None,
) -> str:
    """The key a sign-off is bound to.

    Args:
        footage_sha256: sha256 of the clip's footage file.
        in_ms: in point in ms, or None for the start.
        out_ms: out point in ms, or None for the end.
        caption_sha256: sha256 of the caption file's bytes, or None when the clip has none.
        descriptions: sha256 of each file saying how the clip is described (its description
            script, then each recording in cue order); empty for a clip without descriptions,
            whose key is then exactly the key made before descriptions existed.
        uses: every (in_ms, out_ms) the film plays of the clip, in film order, when it plays
            more than one part of it (``in_ms``/``out_ms`` are then the first); a clip used
            once keeps exactly the key it had, so the contributor approves what the film uses.
        sound: which of the clip's sound is heard (film.yaml ``audio:``, e.g. ``left`` or
            ``track 2``); None or ``stereo`` (the footage's sound as recorded) keeps the key
            made before the choice existed.

    Returns:
        A sha256 hex digest over a canonical encoding of the four inputs.

    Raises:
        ConsentError: a hash is malformed or the in/out points are impossible.
    """
    _check_sha256("footage_sha256", footage_sha256)
    if caption_sha256 is not None:
        _check_sha256("caption_sha256", caption_sha256)
    for digest in descriptions:
        _check_sha256("descriptions", digest)
    for name, value in (("in_ms", in_ms), ("out_ms", out_ms)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ConsentError(f"{name} must be whole milliseconds or None")
        if value is not None and value < 0:
            raise ConsentError(f"{name} must not be negative")
    if in_ms is not None and out_ms is not None and in_ms >= out_ms:
        raise ConsentError(f"in point ({in_ms} ms) must be before out point ({out_ms} ms)")
    fields: dict[str, object] = {
        "v": _KEY_VERSION,
        "footage": footage_sha256,
        "in_ms": in_ms,
        "out_ms": out_ms,
        "caption": caption_sha256,
    }
    if descriptions:  # only then: a clip without descriptions keeps its key
        fields["descriptions"] = list(descriptions)
    if len(uses) > 1:  # only then: a clip used once keeps its key
        for first, last in uses:
            for name, value in (("in_ms", first), ("out_ms", last)):
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                          or value < 0):
                    raise ConsentError(f"uses: {name} must be whole milliseconds, not negative")
        fields["uses"] = [[first, last] for first, last in uses]
    if sound is not None and sound != "stereo":  # only then: a stereo clip keeps its key
        if not isinstance(sound, str) or not sound.isprintable():
            raise ConsentError("sound must be the clip's sound choice as text")
        fields["sound"] = sound
    encoded = json.dumps(
        fields,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("ascii")
    return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class SignoffStatus:
    """Where one contributor's sign-off of one clip stands.

    Attributes:
        state: signed, no sign-off, stale, or changes requested.
        event: the deciding event (sign-off or change request), if any.
        by_representative: the deciding event was made by a representative.
    """

    state: SignoffState
    event: Event | None = None
    by_representative: bool = False

    @property
    def signed(self) -> bool:
        """True when the contributor has signed off the clip as it is now."""
        return self.state == SignoffState.SIGNED

    @property
    def request_note(self) -> str | None:
        """What the contributor asked to change, when the state is changes requested."""
        if self.state != SignoffState.CHANGES_REQUESTED or self.event is None:
            return None
        record = self.event.record
        return record.note if isinstance(record, ChangeRequest) else None


def signoff_status(
    events: Iterable[Event], clip_id: str, contributor: str, key: str
) -> SignoffStatus:
    """Where ``contributor``'s sign-off of ``clip_id`` at content ``key`` stands.

    The latest sign-off or change request at ``key`` decides: a change request after a sign-off
    withdraws the approval, a sign-off after a change request gives it. Records made by a
    representative on the contributor's behalf count as the contributor's. One recorded while
    the contributor's withdrawal from the clip was in effect (:func:`made_while_withdrawn`)
    counts for nothing, even once consent is given again.
    """
    at_key: Event | None = None
    older_signoff = False
    events = list(events)
    for index, event in enumerate(events):
        record = event.record
        if not isinstance(record, SignOff | ChangeRequest):
            continue
        if record.clip != clip_id or record.contributor != contributor:
            continue
        if made_while_withdrawn(events, index):
            continue
        if record.content_key == key:
            at_key = event
        elif isinstance(record, SignOff):
            older_signoff = True
    if at_key is not None:
        record = at_key.record
        assert isinstance(record, SignOff | ChangeRequest)
        state = (SignoffState.SIGNED if isinstance(record, SignOff)
                 else SignoffState.CHANGES_REQUESTED)
        return SignoffStatus(state, at_key, record.by_representative)
    return SignoffStatus(SignoffState.STALE if older_signoff else SignoffState.NO_SIGNOFF)


def made_while_withdrawn(events: Sequence[Event], index: int) -> bool:
    """True when ``events[index]``, a sign-off or change request, was recorded while its
    contributor's withdrawal from its clip was in effect (as the ledger stood then)."""
    record = events[index].record
    assert isinstance(record, SignOff | ChangeRequest)
    earlier = itertools.islice(events, index)
    return consent_state(earlier, record.contributor, record.clip).withdrawal is not None


__all__ = [
    "SIGNOFF_CODES",
    "SignoffState",
    "SignoffStatus",
    "content_key",
    "made_while_withdrawn",
    "signoff_status",
]
