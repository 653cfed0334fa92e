"""The integrations catalogue (Square and Stripe) and the shape each credential must have."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from benji_desktop.domain.masking import mask_secret


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: str
    secret: bool
    hint: str
    pattern: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "secret": self.secret, "hint": self.hint}


@dataclass(frozen=True)
class IntegrationSpec:
    slug: str
    name: str
    fields: tuple[CredentialField, ...]


CATALOGUE: dict[str, IntegrationSpec] = {
    "square": IntegrationSpec(
        "square",
        "Square",
        (
            CredentialField(
                "access_token",
                "Access token",
                True,
                "From the Square Developer Dashboard: starts with EAAA (production) or EAAAE (sandbox).",
                r"EAAA[A-Za-z0-9_\-]{20,200}",
            ),
            CredentialField(
                "location_id",
                "Location ID",
                False,
                "The Square location whose payments and orders Benji reads, e.g. L8E9Z1K5H3V2Q.",
                r"[A-Z0-9]{8,32}",
            ),
        ),
    ),
    "stripe": IntegrationSpec(
        "stripe",
        "Stripe",
        (
            CredentialField(
                "secret_key",
                "Secret or restricted key",
                True,
                "From the Stripe dashboard: sk_test_…, sk_live_…, rk_test_… or rk_live_….",
                r"(sk|rk)_(test|live)_[A-Za-z0-9]{16,200}",
            ),
            CredentialField(
                "account_id",
                "Account ID",
                False,
                "Your Stripe account, acct_….",
                r"acct_[A-Za-z0-9]{8,64}",
            ),
        ),
    ),
}


class CredentialError(ValueError):
    """The credentials do not have the shape the integration needs; the message names the field, never the value."""


def validate_credentials(spec: IntegrationSpec, credentials: dict[str, Any]) -> dict[str, str]:
    known = {f.name for f in spec.fields}
    unknown = sorted(set(credentials) - known)
    if unknown:
        raise CredentialError(f"{spec.name} takes no credential named {', '.join(map(repr, unknown))}.")
    cleaned: dict[str, str] = {}
    for field in spec.fields:
        value = credentials.get(field.name)
        if not isinstance(value, str) or not value.strip():
            raise CredentialError(f"{spec.name} needs {field.label.lower()} ({field.name}).")
        value = value.strip()
        if not re.fullmatch(field.pattern, value):
            raise CredentialError(f"{field.label} does not look right: {field.hint}")
        cleaned[field.name] = value
    return cleaned


def integration_json(spec: IntegrationSpec, stored: tuple[dict[str, str], str] | None) -> dict[str, Any]:
    credentials, updated_at = stored if stored else ({}, None)
    return {
        "slug": spec.slug,
        "name": spec.name,
        "status": "connected" if stored else "disconnected",
        "fields": [f.to_json() for f in spec.fields],
        # Never the full value, even for the non-secret fields: the platform shows only enough to recognise it.
        "credentials_masked": {name: mask_secret(value) for name, value in credentials.items()},
        "updated_at": updated_at,
    }
