"""Consent library: records, hash-chained ledger, sign-off, the render gate and its views.

No ffmpeg, no Click, no pipeline imports. Typical use by a command::

    events = Ledger(project / "consent" / "ledger.jsonl").events()   # verifies the chain
    result = check(events, clips, "web", today=date.today())
    for reason in result.reasons:   # every reason for every blocked clip
        print(reason.message)
"""

from consent.exceptions import ConsentError, LedgerError, RecordError
from consent.gate import (
    NOBODY,
    ClipUse,
    ConsentState,
    GateResult,
    Reason,
    ReasonCode,
    check,
    consent_state,
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
from consent.views import (
    AffectedOutput,
    ConsentSummary,
    ContributorConsent,
    affected_outputs,
    summarise,
)

__all__ = [
    "DEFAULT_EXPIRY_YEARS",
    "EVENT_TYPES",
    "GENESIS",
    "MAX_EXPIRY_YEARS",
    "NOBODY",
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
