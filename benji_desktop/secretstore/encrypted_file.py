"""Fallback where there is no OS keychain: a Fernet-encrypted JSON file, with its key in a second file."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from benji_desktop.secretstore.errors import SecretStoreCorrupt, SecretStoreError
from benji_desktop.storage.paths import write_atomically


class EncryptedFileSecretStore:
    """All secrets in one encrypted JSON object; the key sits beside it in `<file>.key`, both mode 0600.

    Why a key file and not a key derived from a password: the app must open without a prompt (local-first,
    CLI in scripts), and a password-less derivation would only hide a constant in the source. A separate key
    file keeps secrets out of clear text on disk and out of anything that copies the data file alone (a
    bug report, a synced folder); it does not stop anyone who can read files as you.
    """

    def __init__(self, path: Path, key_path: Path | None = None) -> None:
        self.path = Path(path)
        self.key_path = Path(key_path) if key_path is not None else self.path.with_name(self.path.name + ".key")
        self._lock = threading.Lock()  # calls come from executor threads

    @property
    def is_secure(self) -> bool:
        return False

    @property
    def backend_description(self) -> str:
        return (
            "No OS keychain was found, so secrets are kept in an encrypted file in the app's data folder "
            f"({self.path.name}, key in {self.key_path.name}, both readable only by you). This keeps secrets "
            "out of clear text on disk and safe from casual reading of the data files, but anyone with "
            "access to your user account can decrypt them."
        )

    def _fernet(self, create: bool) -> Fernet | None:
        try:
            key = self.key_path.read_bytes().strip()
        except FileNotFoundError:
            if not create:
                return None
            if self.path.exists():
                raise SecretStoreCorrupt(
                    f"The key file {self.key_path.name} is missing, so {self.path.name} cannot be decrypted."
                ) from None
            key = Fernet.generate_key()
            write_atomically(self.key_path, key + b"\n")
        try:
            return Fernet(key)
        except ValueError:
            raise SecretStoreCorrupt(f"The key file {self.key_path.name} is damaged.") from None

    def _read(self, fernet: Fernet | None) -> dict[str, str]:
        try:
            token = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        if fernet is None:
            raise SecretStoreCorrupt(
                f"The key file {self.key_path.name} is missing, so {self.path.name} cannot be decrypted."
            )
        try:
            values = json.loads(fernet.decrypt(token))
        except (InvalidToken, ValueError):
            raise SecretStoreCorrupt(
                f"{self.path.name} cannot be decrypted with {self.key_path.name}; it was left untouched."
            ) from None
        if not isinstance(values, dict):
            raise SecretStoreCorrupt(f"{self.path.name} does not hold a set of secrets.")
        return {str(k): str(v) for k, v in values.items()}

    def _write(self, fernet: Fernet, values: dict[str, str]) -> None:
        try:
            write_atomically(self.path, fernet.encrypt(json.dumps(values, sort_keys=True).encode("utf-8")))
        except OSError as error:
            raise SecretStoreError(f"{self.path.name} could not be written ({error.strerror}).") from None

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._read(self._fernet(create=False)).get(name)

    def set(self, name: str, value: str) -> None:
        with self._lock:
            # Re-read before writing: another process (the CLI) may have changed the file meanwhile.
            fernet = self._fernet(create=True)
            assert fernet is not None
            values = self._read(fernet)
            values[name] = value
            self._write(fernet, values)

    def delete(self, name: str) -> None:
        with self._lock:
            fernet = self._fernet(create=False)
            values = self._read(fernet)
            if name in values and fernet is not None:
                del values[name]
                self._write(fernet, values)

    def names(self) -> list[str]:
        """Stored names (not values), for a "what is stored" view and migration to a keychain."""
        with self._lock:
            return sorted(self._read(self._fernet(create=False)))
