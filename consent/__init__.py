"""Consent library: records, hash-chained ledger and its witness, sign-off, the render gate.

No ffmpeg, no Click, no pipeline imports. Typical use by a command::

    book = Ledger(project / "consent" / "ledger.jsonl", witness=Witness(default_witness_dir()))
    events = book.events()   # verifies the chain, and the head against the witness
    result = check(events, clips, "web", today=date.today())
    for reason in result.reasons:   # every reason for every blocked clip
        print(reason.message)
"""

from consent.chain import is_film_id
from consent.exceptions import (
    ConsentError,
    LedgerError,
    LedgerFileError,
    ReceiptError,
    RecordError,
    WitnessError,
)
from consent.footage_exception import FootageException
from consent.gate import (
    NOBODY,
    WITHDRAWAL_CODES,
    ClipUse,
    ConsentState,
    GateResult,
    Reason,
    ReasonCode,
    check,
    consent_state,
    withdrawal_in,
)
from consent.ledger import GENESIS, REPAIR_HINT, Event, Ledger, os_user
from consent.receipt import Receipt, check_receipt, ledger_id, parse_receipt, receipt_for
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
    stopped_on,
    summarise,
)
from consent.vocabulary import Via
from consent.withdrawals import (
    FootageIndex,
    Hold,
    linked_clips,
    linked_contributors,
    named_contributors,
    withdrawal_date,
)
from consent.witness import Witness, WitnessCheck, WitnessState, default_witness_dir

__all__ = [
    "DEFAULT_EXPIRY_YEARS",
    "EVENT_TYPES",
    "GENESIS",
    "MAX_EXPIRY_YEARS",
    "NOBODY",
    "REPAIR_HINT",
    "SIGNOFF_CODES",
    "WITHDRAWAL_CODES",
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
    "FootageException",
    "FootageIndex",
    "GateResult",
    "Hold",
    "Ledger",
    "LedgerError",
    "LedgerFileError",
    "Method",
    "Reason",
    "ReasonCode",
    "Receipt",
    "ReceiptError",
    "Record",
    "RecordError",
    "Scope",
    "SignOff",
    "SignoffState",
    "SignoffStatus",
    "Via",
    "Withdrawal",
    "Witness",
    "WitnessCheck",
    "WitnessError",
    "WitnessState",
    "affected_outputs",
    "check",
    "check_receipt",
    "consent_state",
    "content_key",
    "default_witness_dir",
    "is_film_id",
    "ledger_id",
    "linked_clips",
    "linked_contributors",
    "named_contributors",
    "os_user",
    "parse_receipt",
    "receipt_for",
    "signoff_status",
    "stopped_on",
    "summarise",
    "withdrawal_date",
    "withdrawal_in",
]
