"""Encryption at rest for the Sandbox's salts, credentials and bootstrap key (Fernet, key in the secret store)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from benji_desktop.secretstore.names import SANDBOX_ENCRYPTION_KEY

ENCRYPTION_KEY_NAME = SANDBOX_ENCRYPTION_KEY

API_KEY_PREFIX = "bk_sandbox_"
SALT_PREFIX = "salt_"


class VaultError(Exception):
    """The stored secrets cannot be read with the key the secret store holds."""


class Vault:
    """Encrypts small secrets; the key never touches the data directory."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    @staticmethod
    def load_or_create_key(secret_store: Any) -> str:
        """Blocking (a keychain may prompt): call through an executor from async code."""
        key: str | None = secret_store.get(ENCRYPTION_KEY_NAME)
        if not key:
            key = Fernet.generate_key().decode("ascii")
            secret_store.set(ENCRYPTION_KEY_NAME, key)
        return key

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError) as error:
            raise VaultError(
                "The sandbox data was encrypted with a key this secret store does not hold; "
                "start the sandbox with --reset to wipe it."
            ) from error


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_hex(16)


def new_salt() -> str:
    # 24 random bytes give exactly 32 URL-safe characters.
    return SALT_PREFIX + secrets.token_urlsafe(24)


def hash_api_key(value: str) -> str:
    """API keys are 128-bit random values, so a plain SHA-256 is enough to make a stolen table useless."""
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def mask_api_key(last4: str) -> str:
    return f"{API_KEY_PREFIX}…{last4}"
