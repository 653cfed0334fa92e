"""Signing and verification of Benji webhooks: pure functions, no I/O, no Qt (product brief §3)."""

from benji_desktop.signature.payload import PayloadInfo, parse_payload
from benji_desktop.signature.signing import (
    DATETIME_HEADER,
    SIGNATURE_ENCODINGS,
    SIGNATURE_HEADER,
    canonical_body,
    encode_signature,
    format_http_date,
    sign,
    signed_headers,
)
from benji_desktop.signature.timestamps import parse_webhook_datetime
from benji_desktop.signature.verify import KnownSalt, SaltRole, Verdict, VerificationReport, verify

__all__ = [
    "DATETIME_HEADER",
    "SIGNATURE_ENCODINGS",
    "SIGNATURE_HEADER",
    "KnownSalt",
    "PayloadInfo",
    "SaltRole",
    "Verdict",
    "VerificationReport",
    "canonical_body",
    "encode_signature",
    "format_http_date",
    "parse_payload",
    "parse_webhook_datetime",
    "sign",
    "signed_headers",
    "verify",
]
