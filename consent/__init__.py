"""Consent library: records, hash-chained ledger, sign-off and the render gate.

No ffmpeg, no Click, no pipeline imports. Typical use by a command::

    events = Ledger(project / "consent" / "ledger.jsonl").events()   # verifies the chain
    result = check(events, clips, "web", today=date.today())
    result.raise_if_blocked()
"""

from consent.exceptions import ConsentError, GateError, LedgerError, RecordError
from consent.gate import (
    AffectedOutput,
    ClipUse,
    ConsentState,
    ConsentSummary,
    ContributorConsent,
    GateResult,
    Reason,
    affected_outputs,
    check,
    consent_state,
    summarise,
)
from consent.ledger import GENESIS, REPAIR_HINT, Event, Ledger
from consent.records import (
    CAPACITY,
    CHANNELS,
    DEFAULT_EXPIRY_YEARS,
    EVENT_TYPES,
    MAX_EXPIRY_YEARS,
    METHODS,
    SCOPES,
    ChangeRequest,
    ConsentGiven,
    Record,
    SignOff,
    Withdrawal,
)
from consent.signoff import SignoffStatus, content_key, file_sha256, signoff_status

__all__ = [
    "CAPACITY",
    "CHANNELS",
    "DEFAULT_EXPIRY_YEARS",
    "EVENT_TYPES",
    "GENESIS",
    "MAX_EXPIRY_YEARS",
    "METHODS",
    "REPAIR_HINT",
    "SCOPES",
    "AffectedOutput",
    "ChangeRequest",
    "ClipUse",
    "ConsentError",
    "ConsentGiven",
    "ConsentState",
    "ConsentSummary",
    "ContributorConsent",
    "Event",
    "GateError",
    "GateResult",
    "Ledger",
    "LedgerError",
    "Reason",
    "Record",
    "RecordError",
    "SignOff",
    "SignoffStatus",
    "Withdrawal",
    "affected_outputs",
    "check",
    "consent_state",
    "content_key",
    "file_sha256",
    "signoff_status",
    "summarise",
]
