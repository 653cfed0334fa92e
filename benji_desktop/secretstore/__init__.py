"""Where secrets live: the OS keychain, or an encrypted file with a visible warning where there is none."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from benji_desktop.secretstore.names import (
    SANDBOX_ENCRYPTION_KEY,
    api_key_name,
    integration_field_name,
    manual_salt_name,
    salt_name,
)

if TYPE_CHECKING:
    from benji_desktop.secretstore.base import MemorySecretStore, SecretStore
    from benji_desktop.secretstore.encrypted_file import EncryptedFileSecretStore
    from benji_desktop.secretstore.errors import SecretStoreCorrupt, SecretStoreError, SecretStoreUnavailable
    from benji_desktop.secretstore.keyring_store import KeyringSecretStore
    from benji_desktop.storage.paths import DataLayout

# Importing a submodule runs this file first: the backends (keyring, cryptography, ~60 ms) load on first use of
# their names, so `secretstore.names` and the memory store stay cheap during the window's start-up.
_LAZY_NAMES = {
    "MemorySecretStore": "base",
    "SecretStore": "base",
    "EncryptedFileSecretStore": "encrypted_file",
    "SecretStoreCorrupt": "errors",
    "SecretStoreError": "errors",
    "SecretStoreUnavailable": "errors",
    "DEFAULT_SERVICE": "keyring_store",
    "KeyringSecretStore": "keyring_store",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY_NAMES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def open_secret_store(layout: DataLayout, prefer_keyring: bool = True, service: str | None = None) -> SecretStore:
    """The keychain when a real backend answers, else the encrypted file (its `is_secure` is False: warn)."""
    from benji_desktop.secretstore.encrypted_file import EncryptedFileSecretStore
    from benji_desktop.secretstore.errors import SecretStoreError
    from benji_desktop.secretstore.keyring_store import DEFAULT_SERVICE, KeyringSecretStore

    if prefer_keyring:
        try:
            store = KeyringSecretStore(service or DEFAULT_SERVICE)
            store.get("benji-desktop/probe")  # a backend can exist yet fail (e.g. no D-Bus session)
        except SecretStoreError:
            pass
        else:
            return store
    return EncryptedFileSecretStore(layout.secrets_fallback_file)


__all__ = [
    "DEFAULT_SERVICE",
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
