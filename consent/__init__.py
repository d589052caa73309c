"""Consent library: records, hash-chained ledger, sign-off and the render gate. No ffmpeg, no Click."""

from consent.exceptions import ConsentError

__all__ = ["ConsentError"]
