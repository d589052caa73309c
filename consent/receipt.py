"""Receipts: a contributor's own proof of where the ledger stood after their last event.

``coprod consent receipt`` prints one for a contributor to keep, or to write on their consent
form: the ledger's id (the start of its first event's hash), the number of their last event and
the start of its hash, as one token::

    coprod-r1:3f2a9c1b0d4e5f6a:7:9a0e1b2c3d4e5f60718293a4b5c6d7e8

Every event's hash covers the line before it, so while the ledger holds that event unchanged it
holds every event up to it too. ``coprod consent verify --receipt`` checks a token against the
ledger. A receipt kept off the machine still speaks when the ledger and its witness were both
rewritten: that is what it is for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from consent.chain import Event
from consent.exceptions import ReceiptError
from consent.footage_exception import FootageException

_TOKEN = re.compile(r"coprod-r1:([0-9a-f]{16}):([1-9][0-9]{0,11}):([0-9a-f]{32})")


@dataclass(frozen=True)
class Receipt:
    """Where a ledger stood: its id, an event number and the start of that event's hash."""

    ledger_id: str
    seq: int
    hash_prefix: str

    @property
    def token(self) -> str:
        """The receipt as one line of text."""
        return f"coprod-r1:{self.ledger_id}:{self.seq}:{self.hash_prefix}"


def ledger_id(events: Sequence[Event]) -> str:
    """The ledger's id: the first 16 hex digits of its first event's hash.

    Raises:
        ReceiptError: the ledger has no events.
    """
    if not events:
        raise ReceiptError("the ledger has no events yet: there is nothing to give a receipt for")
    return events[0].hash[:16]


def receipt_for(events: Sequence[Event], contributor: str) -> tuple[Receipt, Event]:
    """A receipt for ``contributor``'s last event (consent, withdrawal, sign-off or change
    request, their own or a representative's for them), and that event.

    Raises:
        ReceiptError: the ledger has no event of theirs.
    """
    theirs = [e for e in events if not isinstance(e.record, FootageException)
              and e.record.contributor == contributor]
    if not theirs:
        raise ReceiptError(f"the ledger has no event for contributor {contributor!r}")
    last = theirs[-1]
    return Receipt(ledger_id(events), last.seq, last.hash[:32]), last


def parse_receipt(text: str) -> Receipt:
    """The receipt in ``text`` (the token alone, or a whole pasted receipt).

    Raises:
        ReceiptError: no receipt token in it.
    """
    found = _TOKEN.search(text.strip().lower())
    if found is None:
        raise ReceiptError("not a coprod receipt: expected coprod-r1:<16 hex>:<event>:<32 hex>")
    return Receipt(found.group(1), int(found.group(2)), found.group(3))


def check_receipt(events: Sequence[Event], receipt: Receipt) -> Event:
    """The event ``receipt`` names, when the ledger still holds it unchanged.

    Raises:
        ReceiptError: the receipt is for another ledger, or the ledger no longer holds the event
            it names (fewer events, or a different one at that number).
    """
    if not events or events[0].hash[:16] != receipt.ledger_id:
        have = events[0].hash[:16] if events else "none (no events)"
        raise ReceiptError(f"the receipt is for ledger {receipt.ledger_id}, this ledger is "
                           f"{have}: another film's receipt, or this ledger was replaced")
    if receipt.seq > len(events):
        raise ReceiptError(f"the ledger has {len(events)} events, but the receipt names event "
                           f"{receipt.seq}: events were deleted; restore the ledger from a "
                           "backup")
    event = events[receipt.seq - 1]
    if not event.hash.startswith(receipt.hash_prefix):
        raise ReceiptError(f"event {receipt.seq} is not the one receipted (hash "
                           f"{event.hash[:12]}..., receipt {receipt.hash_prefix[:12]}...): the "
                           "ledger was rewritten; restore it from a backup")
    return event


__all__ = ["Receipt", "check_receipt", "ledger_id", "parse_receipt", "receipt_for"]
