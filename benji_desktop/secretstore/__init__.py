"""Where secrets live: the OS keychain, or an encrypted file with a visible warning where there is none."""

from __future__ import annotations

from benji_desktop.secretstore.base import MemorySecretStore, SecretStore
from benji_desktop.secretstore.encrypted_file import EncryptedFileSecretStore
from benji_desktop.secretstore.errors import SecretStoreCorrupt, SecretStoreError, SecretStoreUnavailable
from benji_desktop.secretstore.keyring_store import DEFAULT_SERVICE, KeyringSecretStore
from benji_desktop.secretstore.names import (
    SANDBOX_ENCRYPTION_KEY,
    api_key_name,
    integration_field_name,
    manual_salt_name,
    salt_name,
)
from benji_desktop.storage.paths import DataLayout


def open_secret_store(layout: DataLayout, prefer_keyring: bool = True, service: str = DEFAULT_SERVICE) -> SecretStore:
    """The keychain when a real backend answers, else the encrypted file (its `is_secure` is False: warn)."""
    if prefer_keyring:
        try:
            store = KeyringSecretStore(service)
            store.get("benji-desktop/probe")  # a backend can exist yet fail (e.g. no D-Bus session)
        except SecretStoreError:
            pass
        else:
            return store
    return EncryptedFileSecretStore(layout.secrets_fallback_file)


__all__ = [
    "SANDBOX_ENCRYPTION_KEY",
    "EncryptedFileSecretStore",
    "KeyringSecretStore",
    "MemorySecretStore",
    "SecretStore",
    "SecretStoreCorrupt",
    "SecretStoreError",
    "SecretStoreUnavailable",
    "api_key_name",
    "integration_field_name",
    "manual_salt_name",
    "open_secret_store",
    "salt_name",
]
