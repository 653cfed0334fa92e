"""Tolerant reading, strict verdict: verify a received webhook against the known salts (brief §3)."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from benji_desktop.domain.masking import mask_secret
from benji_desktop.signature.signing import DATETIME_HEADER, SIGNATURE_HEADER, digest
from benji_desktop.signature.timestamps import parse_webhook_datetime

DEFAULT_TOLERANCE_SECONDS = 300.0

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


class Verdict(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    UNSIGNED = "UNSIGNED"
    MALFORMED = "MALFORMED"
    NO_SALT = "NO_SALT"
    STALE = "STALE"


@dataclass(frozen=True)
class KnownSalt:
    """A salt to check with, and where it came from (shown in reports, always masked)."""

    salt: str
    label: str = "salt"
    subscription_id: str | None = None
    environment: str | None = None


@dataclass(frozen=True)
class DecodedSignature:
    token: str  # as received, after trimming
    form: str  # "hex", "HEX", "base64", with "sha256=" noted as a prefix
    value: bytes  # the 32 decoded bytes


@dataclass(frozen=True)
class SignatureMatch:
    signature: DecodedSignature
    salt: KnownSalt


@dataclass
class VerificationReport:
    verdict: Verdict
    match: SignatureMatch | None = None
    received: tuple[str, ...] = ()
    undecodable: tuple[str, ...] = ()
    expected: str | None = None  # lowercase hex with the first known salt
    datetime_text: str | None = None
    timestamp: datetime | None = None
    skew_seconds: float | None = None  # positive: the header is in the future
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS
    timestamp_ignored: bool = False
    reasons: list[str] = field(default_factory=list)
    cause: str | None = None  # the likely cause with the fix, one sentence

    @property
    def matched_salt_label(self) -> str | None:
        return self.match.salt.label if self.match else None

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "matched_salt": mask_secret(self.match.salt.salt) if self.match else None,
            "matched_salt_label": self.matched_salt_label,
            "matched_form": self.match.signature.form if self.match else None,
            "received": list(self.received),
            "expected": self.expected,
            "datetime": self.datetime_text,
            "skew_seconds": self.skew_seconds,
            "tolerance_seconds": self.tolerance_seconds,
            "timestamp_ignored": self.timestamp_ignored,
            "reasons": list(self.reasons),
            "cause": self.cause,
        }


def header_values(headers: Headers, name: str) -> list[str]:
    """All values of a header, any case, in received order."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    return [value for key, value in items if key.lower() == wanted]


_PREFIX = re.compile(r"^(sha256=)", re.IGNORECASE)
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def decode_signature_token(token: str) -> DecodedSignature | None:
    """One signature in any accepted encoding, or None when it cannot be a SHA-256 digest."""
    token = token.strip()
    body = _PREFIX.sub("", token)
    prefix = "sha256=" if body != token else ""
    if _HEX64.match(body):
        form = "hex" if body == body.lower() else ("HEX" if body == body.upper() else "mixed-case hex")
        return DecodedSignature(token, prefix + form, bytes.fromhex(body))
    padded = body + "=" * (-len(body) % 4)
    for decoder, form in ((base64.b64decode, "base64"), (base64.urlsafe_b64decode, "base64url")):
        try:
            value = decoder(padded.encode("ascii"), validate=True) if decoder is base64.b64decode else decoder(
                padded.encode("ascii")
            )
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        if len(value) == 32:
            return DecodedSignature(token, prefix + form, value)
    return None


def split_signatures(header_text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", header_text.strip()) if part]


def find_match(
    body: bytes, signatures: Sequence[DecodedSignature], salts: Sequence[KnownSalt]
) -> SignatureMatch | None:
    for salt in salts:
        expected = digest(body, salt.salt)
        for signature in signatures:
            if hmac.compare_digest(expected, signature.value):
                return SignatureMatch(signature, salt)
    return None


def verify(
    body: bytes,
    headers: Headers,
    salts: Sequence[KnownSalt],
    *,
    now: datetime | None = None,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    ignore_timestamp: bool = False,
    diagnose: bool = True,
) -> VerificationReport:
    """Verify a webhook. Never raises, whatever the input; the doctor explains any failure."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    header_list = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    signature_text = ",".join(header_values(header_list, SIGNATURE_HEADER))
    datetime_values = header_values(header_list, DATETIME_HEADER)
    report = VerificationReport(
        verdict=Verdict.INVALID,
        tolerance_seconds=tolerance_seconds,
        timestamp_ignored=ignore_timestamp,
        datetime_text=datetime_values[0] if datetime_values else None,
    )
    report.timestamp = parse_webhook_datetime(report.datetime_text)
    if report.timestamp is not None:
        report.skew_seconds = round((report.timestamp - now).total_seconds(), 3)
    tokens = split_signatures(signature_text)
    report.received = tuple(tokens)
    decoded = [d for d in (decode_signature_token(t) for t in tokens) if d is not None]
    report.undecodable = tuple(t for t in tokens if decode_signature_token(t) is None)
    if salts:
        report.expected = digest(body, salts[0].salt).hex()

    if not tokens:
        report.verdict = Verdict.UNSIGNED
    elif not salts:
        report.verdict = Verdict.NO_SALT
    elif not decoded:
        report.verdict = Verdict.MALFORMED
    else:
        report.match = find_match(body, decoded, salts)
        if report.match is None:
            report.verdict = Verdict.INVALID
        elif ignore_timestamp:
            report.verdict = Verdict.VALID
        elif report.skew_seconds is None or abs(report.skew_seconds) > tolerance_seconds:
            report.verdict = Verdict.STALE
        else:
            report.verdict = Verdict.VALID

    if diagnose:
        from benji_desktop.signature.doctor import explain

        explain(report, body, header_list, salts, decoded)
    return report
