"""Secrets in the OS keychain (macOS Keychain, Windows Credential Locker, Secret Service) through keyring."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from benji_desktop.secretstore.errors import SecretStoreError, SecretStoreUnavailable

DEFAULT_SERVICE = "benji-desktop"


def _is_usable(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_is_usable(inner) for inner in backend.backends)
    return True


class KeyringSecretStore:
    """One keychain item per secret name, all under one service name."""

    def __init__(self, service: str = DEFAULT_SERVICE) -> None:
        self.service = service
        self._backend = keyring.get_keyring()
        if not _is_usable(self._backend):
            raise SecretStoreUnavailable("No OS keychain is available on this computer.")

    @property
    def is_secure(self) -> bool:
        return True

    @property
    def backend_description(self) -> str:
        name = getattr(self._backend, "name", type(self._backend).__name__)
        return (
            f"Secrets are kept in your operating system's keychain ({name}), "
            "protected by your login like your other saved passwords."
        )

    def get(self, name: str) -> str | None:
        try:
            return self._backend.get_password(self.service, name)
        except keyring.errors.NoKeyringError:
            raise SecretStoreUnavailable("The OS keychain stopped being available.") from None
        except keyring.errors.KeyringError as error:
            raise SecretStoreError(f"The keychain could not read {name!r} ({type(error).__name__}).") from None

    def set(self, name: str, value: str) -> None:
        try:
            self._backend.set_password(self.service, name, value)
        except keyring.errors.NoKeyringError:
            raise SecretStoreUnavailable("The OS keychain stopped being available.") from None
        except keyring.errors.KeyringError as error:
            # `from None`: the backend's own error text could echo what was being stored.
            raise SecretStoreError(f"The keychain could not save {name!r} ({type(error).__name__}).") from None

    def delete(self, name: str) -> None:
        try:
            self._backend.delete_password(self.service, name)
        except keyring.errors.PasswordDeleteError:
            return  # already gone: deleting is idempotent, as in the other stores
        except keyring.errors.NoKeyringError:
            raise SecretStoreUnavailable("The OS keychain stopped being available.") from None
        except keyring.errors.KeyringError as error:
            raise SecretStoreError(f"The keychain could not delete {name!r} ({type(error).__name__}).") from None
