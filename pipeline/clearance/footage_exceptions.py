"""A producer's justified exception for footage a withdrawn contributor is tied to.

``coprod consent exception`` records one through :func:`record_exception` (re-exported by
:mod:`pipeline.clearance`, the film's way into consent/); the gate reads it back with the
withdrawals (:mod:`consent.withdrawals`).
"""

from __future__ import annotations

from collections.abc import Sequence

from consent import Event, FootageException, FootageIndex
from consent.fields import is_sha256_hex
from pipeline.clearance.consent_ledger import ledger
from pipeline.exceptions import PipelineError
from pipeline.project import Project


def record_exception(project: Project, *, reason: str, by: str, footage: str | None = None,
                     clip: str | None = None, via: str = "cli") -> tuple[Event, list[str]]:
    """Record a producer's justified exception for footage a withdrawn contributor is tied to.

    Args:
        project: the film project.
        reason: why the footage may be used (required).
        by: the producer who takes responsibility.
        footage: the footage's sha256, or its first 12 or more hex digits; or
        clip: a clip whose footage (hashed now) is meant.
        via: ``cli`` or ``review-page``.

    Returns:
        The event, and the contributors whose withdrawals it lifts for that footage.

    Raises:
        PipelineError: neither or both of footage and clip, a malformed hash, or no withdrawn
            contributor is tied to the footage (there is nothing to except).
    """
    if (footage is None) == (clip is None):
        raise PipelineError("name the footage with --footage SHA256 or --clip ID (one of them)")
    book = ledger(project)
    index = FootageIndex(book.events())
    if clip is not None:
        footage = project.footage_sha256(clip, fresh=True)
    assert footage is not None
    footage = _whole_hash(footage.strip().lower(), index.footage())
    holds = index.holds(footage)
    if not holds:
        raise PipelineError(f"no withdrawn contributor is tied to footage {footage[:12]}; there "
                            "is nothing to make an exception for")
    event = book.add(FootageException(footage, reason, by, clip), via=via)
    return event, [hold.contributor for hold in holds]


def _whole_hash(given: str, known: Sequence[str]) -> str:
    """A full footage hash from ``given``: the hash itself, or the start of one the ledger names
    (at least 12 hex digits, as the gate's messages show them)."""
    if is_sha256_hex(given):
        return given
    matches = [f for f in known if f.startswith(given)] if len(given) >= 12 else []
    if len(matches) != 1 or not all(c in "0123456789abcdef" for c in given):
        raise PipelineError(f"--footage {given!r} is not a sha256 (64 hex digits) nor the start "
                            "(12 or more) of exactly one the ledger names")
    return matches[0]
