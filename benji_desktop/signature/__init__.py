"""Signing and verification of Benji webhooks: pure functions, no I/O, no Qt (product brief §3)."""

from benji_desktop.signature.signing import (
    DATETIME_HEADER,
    SIGNATURE_HEADER,
    canonical_body,
    format_http_date,
    sign,
    signed_headers,
)
from benji_desktop.signature.verify import KnownSalt, Verdict, VerificationReport, verify

__all__ = [
    "DATETIME_HEADER",
    "SIGNATURE_HEADER",
    "KnownSalt",
    "Verdict",
    "VerificationReport",
    "canonical_body",
    "format_http_date",
    "sign",
    "signed_headers",
    "verify",
]
