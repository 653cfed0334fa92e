"""The canonical form the Sandbox and `send` emit: compact JSON, lowercase-hex HMAC-SHA256 of those bytes."""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

SIGNATURE_HEADER = "x-benji-signature"
DATETIME_HEADER = "x-webhook-datetime"


def salt_key(salt: str) -> bytes:
    """The HMAC key: the salt as UTF-8 (lone surrogates kept, so a pasted odd salt cannot raise)."""
    return salt.encode("utf-8", "surrogatepass")


def digest(body: bytes, salt: str) -> bytes:
    # hmac.digest is the one-shot C path: several times faster than hmac.new(...).digest() for small bodies.
    return hmac.digest(salt_key(salt), body, "sha256")


def sign(body: bytes, salt: str) -> str:
    """Lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the salt as UTF-8."""
    return digest(body, salt).hex()


def canonical_body(event: str, entity_type: int, entity_id: int | str) -> bytes:
    """Serialise once; the caller signs and sends exactly these bytes."""
    payload = {"event": event, "entity_type": entity_type, "entity_id": entity_id}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def format_http_date(moment: datetime | None = None) -> str:
    """IMF-fixdate, e.g. `Tue, 22 Oct 2024 21:57:02 GMT`."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


SIGNATURE_ENCODINGS = ("hex", "HEX", "base64", "sha256=hex")


def encode_signature(value: bytes, encoding: str = "hex") -> str:
    """A digest in one of the encodings `send` can emit to exercise a receiver; "hex" is canonical."""
    if encoding == "hex":
        return value.hex()
    if encoding == "HEX":
        return value.hex().upper()
    if encoding == "base64":
        return base64.b64encode(value).decode("ascii")
    if encoding == "sha256=hex":
        return "sha256=" + value.hex()
    raise ValueError(f"unknown signature encoding {encoding!r}; use one of {', '.join(SIGNATURE_ENCODINGS)}")


def signed_headers(
    body: bytes, salts: Sequence[str], moment: datetime | None = None, *, encoding: str = "hex"
) -> dict[str, str]:
    """Headers for a delivery; several salts (rotation overlap) give comma-separated signatures."""
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: ",".join(encode_signature(digest(body, salt), encoding) for salt in salts),
        DATETIME_HEADER: format_http_date(moment),
    }
