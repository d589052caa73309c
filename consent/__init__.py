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
    ReasonCode,
    affected_outputs,
    check,
    consent_state,
    summarise,
)
from consent.ledger import GENESIS, REPAIR_HINT, Event, Ledger
from consent.records import (
    DEFAULT_EXPIRY_YEARS,
    EVENT_TYPES,
    MAX_EXPIRY_YEARS,
    Capacity,
    ChangeRequest,
    Channel,
    ConsentGiven,
    Method,
    Record,
    Scope,
    SignOff,
    Withdrawal,
)
from consent.signoff import SIGNOFF_CODES, SignoffState, SignoffStatus, content_key, signoff_status

__all__ = [
    "DEFAULT_EXPIRY_YEARS",
    "EVENT_TYPES",
    "GENESIS",
    "MAX_EXPIRY_YEARS",
    "REPAIR_HINT",
    "SIGNOFF_CODES",
    "AffectedOutput",
    "Capacity",
    "ChangeRequest",
    "Channel",
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
    "Method",
    "Reason",
    "ReasonCode",
    "Record",
    "RecordError",
    "Scope",
    "SignOff",
    "SignoffState",
    "SignoffStatus",
    "Withdrawal",
    "affected_outputs",
    "check",
    "consent_state",
    "content_key",
    "signoff_status",
    "summarise",
]
