"""Typed failures of a secret store; messages name the store, never a secret's value."""

from __future__ import annotations


class SecretStoreError(Exception):
    """A secret could not be read or written."""


class SecretStoreUnavailable(SecretStoreError):
    """No usable backend (e.g. no OS keychain on this machine)."""


class SecretStoreCorrupt(SecretStoreError):
    """The encrypted file exists but cannot be decrypted with its key; it is left untouched."""
