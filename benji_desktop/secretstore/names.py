"""The names secrets are stored under, built in one place so every layer agrees."""

from __future__ import annotations

SANDBOX_ENCRYPTION_KEY = "sandbox/encryption-key"


def api_key_name(environment_id: str) -> str:
    return f"env/{environment_id}/api-key"


def salt_name(environment_id: str, subscription_id: int | str) -> str:
    return f"salt/{environment_id}/{subscription_id}"


def manual_salt_name(label: str) -> str:
    """A salt the user typed or pasted (copied from Pilot, or a partner's); the label is in settings."""
    return f"salt/manual/{label}"


def integration_field_name(environment_id: str, slug: str, field: str) -> str:
    return f"integration/{environment_id}/{slug}/{field}"
