"""Tolerant reading, strict verdict: verify a received webhook against the known salts (brief §3)."""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from benji_desktop.domain.masking import mask_secret
from benji_desktop.signature.payload import PayloadInfo, parse_payload
from benji_desktop.signature.signing import DATETIME_HEADER, SIGNATURE_HEADER, digest
from benji_desktop.signature.timestamps import parse_webhook_datetime_detail

DEFAULT_TOLERANCE_SECONDS = 300.0

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


class Verdict(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    UNSIGNED = "UNSIGNED"
    MALFORMED = "MALFORMED"
    NO_SALT = "NO_SALT"
    STALE = "STALE"


class SaltRole(StrEnum):
    """Why a salt is known. CURRENT and PREVIOUS (a rotation's overlap) are accepted for the endpoint;
    OTHER_SUBSCRIPTION never makes a request valid, it only lets the doctor name the salt the sender used."""

    CURRENT = "current"
    PREVIOUS = "previous"
    OTHER_SUBSCRIPTION = "other subscription"


@dataclass(frozen=True)
class KnownSalt:
    """A salt to check with, and where it came from (reports show the label, never the salt)."""

    salt: str = field(repr=False)
    label: str = "salt"
    subscription_id: int | str | None = None
    environment: str | None = None
    role: SaltRole = SaltRole.CURRENT

    def __repr__(self) -> str:
        return f"KnownSalt(label={self.label!r}, salt={mask_secret(self.salt)!r}, role={self.role.value!r})"


@dataclass(frozen=True)
class DecodedSignature:
    token: str  # as received, after trimming
    form: str  # "hex", "HEX", "mixed-case hex", "base64", "base64url", each possibly after "sha256="
    value: bytes  # the 32 decoded bytes
    index: int = 0  # position among the received signatures (0-based)

    @property
    def canonical(self) -> bool:
        return self.form == "hex"


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
    datetime_form: str | None = None
    timestamp: datetime | None = None
    skew_seconds: float | None = None  # positive: the header is in the future
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS
    timestamp_ignored: bool = False
    payload: PayloadInfo | None = None
    reasons: list[str] = field(default_factory=list)
    cause: str | None = None  # the likely cause with the fix, one sentence

    @property
    def matched_salt_label(self) -> str | None:
        return self.match.salt.label if self.match else None

    def to_json(self) -> dict[str, Any]:
        payload = self.payload
        return {
            "verdict": self.verdict.value,
            "matched_salt": mask_secret(self.match.salt.salt) if self.match else None,
            "matched_salt_label": self.matched_salt_label,
            "matched_subscription_id": self.match.salt.subscription_id if self.match else None,
            "matched_signature": self.match.signature.token if self.match else None,
            "matched_signature_index": self.match.signature.index if self.match else None,
            "matched_form": self.match.signature.form if self.match else None,
            "received": list(self.received),
            "undecodable": list(self.undecodable),
            "expected": self.expected,
            "datetime": self.datetime_text,
            "datetime_form": self.datetime_form,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "skew_seconds": self.skew_seconds,
            "tolerance_seconds": self.tolerance_seconds,
            "timestamp_ignored": self.timestamp_ignored,
            "payload": None
            if payload is None
            else {
                "event": payload.event,
                "entity_type": payload.entity_type,
                "entity_id": payload.entity_id,
                "problems": list(payload.problems),
            },
            "reasons": list(self.reasons),
            "cause": self.cause,
        }


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Headers as `(name, value)` strings in received order, whatever the caller handed in."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs: list[tuple[str, str]] = []
    for item in items:
        name, value = item
        pairs.append((_as_text(name), _as_text(value)))
    return pairs


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return str(value)


def header_values(headers: Headers, name: str) -> list[str]:
    """All values of a header, any case, in received order."""
    wanted = name.lower()
    return [value for key, value in header_pairs(headers) if key.strip().lower() == wanted]


_PREFIX = re.compile(r"^sha256=", re.IGNORECASE)
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{43}=?$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]{43}=?$")


def decode_signature_token(token: str, index: int = 0) -> DecodedSignature | None:
    """One signature in any accepted encoding, or None when it cannot be a SHA-256 digest."""
    token = token.strip()
    prefix_match = _PREFIX.match(token)
    prefix = prefix_match.group(0) if prefix_match else ""
    text = token[len(prefix) :]
    if _HEX64.match(text):
        form = "hex" if text == text.lower() else ("HEX" if text == text.upper() else "mixed-case hex")
        return DecodedSignature(token, prefix + form, bytes.fromhex(text), index)
    padded = text if text.endswith("=") else text + "="
    try:
        if _BASE64.match(text):
            return DecodedSignature(token, prefix + "base64", base64.b64decode(padded, validate=True), index)
        if _BASE64URL.match(text):
            return DecodedSignature(token, prefix + "base64url", base64.urlsafe_b64decode(padded), index)
    except (binascii.Error, ValueError):
        return None
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


def _sane_tolerance(value: float) -> float:
    try:
        tolerance = abs(float(value))
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_TOLERANCE_SECONDS
    return DEFAULT_TOLERANCE_SECONDS if math.isnan(tolerance) else tolerance


def _aware_utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


_LOWER_HEX64 = re.compile(r"[0-9a-f]{64}")


def _canonical_valid(
    body: bytes, headers: Headers, salts: Sequence[KnownSalt], now: datetime, tolerance_seconds: float
) -> VerificationReport | None:
    """The report for a canonical delivery that is VALID (one signature header with one lowercase-hex token,
    an IMF-fixdate in the window, a salt matching): the same report the general path builds, found in one
    pass over the headers. None for anything else, which the general path then reads."""
    if not isinstance(headers, list | tuple):
        return None  # a mapping, or a one-shot iterator the general path must still be able to read
    signature_value: str | None = None
    datetime_value: str | None = None
    for name, value in headers:
        if type(name) is not str or type(value) is not str:
            return None
        key = name.strip().lower()
        if key == SIGNATURE_HEADER:
            if signature_value is not None:
                return None
            signature_value = value
        elif key == DATETIME_HEADER and datetime_value is None:
            datetime_value = value
    if signature_value is None or datetime_value is None or not salts:
        return None
    token = signature_value.strip()
    if not _LOWER_HEX64.fullmatch(token):
        return None
    parsed = parse_webhook_datetime_detail(datetime_value)
    if parsed is None:
        return None
    tolerance = _sane_tolerance(tolerance_seconds)
    skew = round((parsed.moment - now).total_seconds(), 3)
    if abs(skew) > tolerance:
        return None
    received = bytes.fromhex(token)
    expected = digest(body, salts[0].salt)
    matched: KnownSalt | None = salts[0] if hmac.compare_digest(expected, received) else None
    if matched is None:
        matched = next((salt for salt in salts[1:] if hmac.compare_digest(digest(body, salt.salt), received)), None)
        if matched is None:
            return None
    return VerificationReport(
        verdict=Verdict.VALID,
        match=SignatureMatch(DecodedSignature(token, "hex", received, 0), matched),
        received=(token,),
        expected=expected.hex(),
        datetime_text=datetime_value,
        datetime_form=parsed.form,
        timestamp=parsed.moment,
        skew_seconds=skew,
        tolerance_seconds=tolerance,
        payload=parse_payload(body),
    )


def verify_unguarded(
    body: bytes,
    headers: Headers,
    salts: Sequence[KnownSalt],
    *,
    now: datetime | None = None,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    ignore_timestamp: bool = False,
    other_salts: Sequence[KnownSalt] = (),
    diagnose: bool = True,
) -> VerificationReport:
    """`verify` without its last-resort guard, so tests can prove the guard is never what saves us."""
    body = bytes(body)
    now = _aware_utc(now)
    accepted = [salt for salt in salts if salt.role is not SaltRole.OTHER_SUBSCRIPTION]
    other_salts = [*(salt for salt in salts if salt.role is SaltRole.OTHER_SUBSCRIPTION), *other_salts]
    salts = accepted
    fast = _canonical_valid(body, headers, salts, now, tolerance_seconds) if not ignore_timestamp else None
    if fast is not None:
        if diagnose:
            from benji_desktop.signature.doctor import explain

            decoded = [fast.match.signature] if fast.match else []
            explain(fast, body, header_pairs(headers), salts, decoded, other_salts=other_salts)
        return fast
    header_list = header_pairs(headers)
    signature_values = header_values(header_list, SIGNATURE_HEADER)
    datetime_values = header_values(header_list, DATETIME_HEADER)
    report = VerificationReport(
        verdict=Verdict.INVALID,
        tolerance_seconds=_sane_tolerance(tolerance_seconds),
        timestamp_ignored=ignore_timestamp,
        datetime_text=datetime_values[0] if datetime_values else None,
        payload=parse_payload(body),
    )
    parsed = parse_webhook_datetime_detail(report.datetime_text)
    if parsed is not None:
        report.timestamp = parsed.moment
        report.datetime_form = parsed.form
        report.skew_seconds = round((parsed.moment - now).total_seconds(), 3)
    tokens = [token for value in signature_values for token in split_signatures(value)]
    report.received = tuple(tokens)
    attempts = [(token, decode_signature_token(token, index)) for index, token in enumerate(tokens)]
    decoded = [signature for _, signature in attempts if signature is not None]
    report.undecodable = tuple(token for token, signature in attempts if signature is None)
    if salts:
        report.expected = digest(body, salts[0].salt).hex()

    if not tokens:
        report.verdict = Verdict.UNSIGNED
    elif not decoded:
        report.verdict = Verdict.MALFORMED
    elif not salts:
        report.verdict = Verdict.NO_SALT
    else:
        report.match = find_match(body, decoded, salts)
        if report.match is None:
            report.verdict = Verdict.INVALID
        elif ignore_timestamp:
            report.verdict = Verdict.VALID
        elif report.skew_seconds is None or abs(report.skew_seconds) > report.tolerance_seconds:
            report.verdict = Verdict.STALE
        else:
            report.verdict = Verdict.VALID

    if diagnose:
        from benji_desktop.signature.doctor import explain

        explain(report, body, header_list, salts, decoded, other_salts=other_salts)
    return report


def verify(
    body: bytes,
    headers: Headers,
    salts: Sequence[KnownSalt],
    *,
    now: datetime | None = None,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    ignore_timestamp: bool = False,
    other_salts: Sequence[KnownSalt] = (),
    diagnose: bool = True,
) -> VerificationReport:
    """Verify a webhook. Never raises, whatever the input; the doctor explains any failure.

    `salts` are the salts accepted for this endpoint, except those with the OTHER_SUBSCRIPTION role; those and
    `other_salts` (e.g. salts retired by a rotation) never make a request valid but let the doctor name the salt
    the sender really used.
    """
    try:
        return verify_unguarded(
            body,
            headers,
            salts,
            now=now,
            tolerance_seconds=tolerance_seconds,
            ignore_timestamp=ignore_timestamp,
            other_salts=other_salts,
            diagnose=diagnose,
        )
    except Exception as error:  # a receiver must never answer 5xx because of what a sender sent
        return VerificationReport(
            verdict=Verdict.MALFORMED,
            reasons=[f"The request could not be read ({type(error).__name__})."],
            cause="The request could not be read at all; capture it again and report this as a bug.",
        )
