"""Secret stores: the keychain when there is one, an encrypted file with a plain warning when there is not."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from benji_desktop.secretstore import (
    EncryptedFileSecretStore,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStore,
    SecretStoreCorrupt,
    SecretStoreError,
    SecretStoreUnavailable,
    api_key_name,
    integration_field_name,
    manual_salt_name,
    open_secret_store,
    salt_name,
)
from benji_desktop.storage.paths import DataLayout

API_KEY = "bk_sandbox_0123456789abcdef0123456789abcdef"
SALT = "salt_Zx9-Qw8_Er7Ty6Ui5Op4As3Df2Gh1Jk0"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_names_follow_one_scheme() -> None:
    assert api_key_name("staging") == "env/staging/api-key"
    assert salt_name("sandbox", 12) == "salt/sandbox/12"
    assert integration_field_name("sandbox", "square", "access_token") == "integration/sandbox/square/access_token"
    assert manual_salt_name("partner A") == "salt/manual/partner A"


def test_keyring_store_round_trip(memory_keyring: Any) -> None:
    store = KeyringSecretStore()
    assert isinstance(store, SecretStore) and store.is_secure
    store.set(api_key_name("sandbox"), API_KEY)
    assert memory_keyring.values[("benji-desktop", "env/sandbox/api-key")] == API_KEY
    assert store.get(api_key_name("sandbox")) == API_KEY
    store.delete(api_key_name("sandbox"))
    store.delete(api_key_name("sandbox"))  # deleting twice is fine
    assert store.get(api_key_name("sandbox")) is None
    assert "keychain" in store.backend_description


def test_keyring_store_refuses_to_pretend_without_a_backend(no_keyring: object) -> None:
    with pytest.raises(SecretStoreUnavailable):
        KeyringSecretStore()


def test_open_picks_the_keychain_when_there_is_one(memory_keyring: Any, data_dir: Path) -> None:
    store = open_secret_store(DataLayout(data_dir))
    assert isinstance(store, KeyringSecretStore)


def test_open_falls_back_to_the_encrypted_file_and_says_so(no_keyring: object, data_dir: Path) -> None:
    store = open_secret_store(DataLayout(data_dir))
    assert isinstance(store, EncryptedFileSecretStore) and not store.is_secure
    description = store.backend_description
    assert "encrypted file" in description and "anyone with access to your user account" in description


def test_open_can_be_told_to_skip_the_keychain(memory_keyring: Any, data_dir: Path) -> None:
    assert isinstance(open_secret_store(DataLayout(data_dir), prefer_keyring=False), EncryptedFileSecretStore)


def test_the_fallback_file_never_holds_a_secret_in_clear(data_dir: Path) -> None:
    layout = DataLayout(data_dir)
    store = EncryptedFileSecretStore(layout.secrets_fallback_file)
    store.set(api_key_name("sandbox"), API_KEY)
    store.set(salt_name("sandbox", 3), SALT)
    for path in data_dir.iterdir():
        content = path.read_bytes()
        assert API_KEY.encode() not in content and SALT.encode() not in content, path.name
        assert b"env/sandbox" not in content or path == store.key_path  # names are encrypted too
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path.name
    assert sorted(p.name for p in data_dir.iterdir()) == ["secrets.fernet", "secrets.fernet.key"]
    reopened = EncryptedFileSecretStore(layout.secrets_fallback_file)
    assert reopened.get(api_key_name("sandbox")) == API_KEY
    assert reopened.names() == ["env/sandbox/api-key", "salt/sandbox/3"]
    reopened.delete(salt_name("sandbox", 3))
    assert store.get(salt_name("sandbox", 3)) is None


def test_reading_before_anything_was_stored_creates_nothing(data_dir: Path) -> None:
    store = EncryptedFileSecretStore(data_dir / "secrets.fernet")
    assert store.get("env/sandbox/api-key") is None
    store.delete("env/sandbox/api-key")
    assert list(data_dir.iterdir()) == []


def test_a_lost_key_is_reported_and_the_file_left_alone(data_dir: Path) -> None:
    store = EncryptedFileSecretStore(data_dir / "secrets.fernet")
    store.set("env/sandbox/api-key", API_KEY)
    before = store.path.read_bytes()
    store.key_path.unlink()
    with pytest.raises(SecretStoreCorrupt) as caught:
        store.set("env/staging/api-key", API_KEY)
    assert API_KEY not in str(caught.value)
    assert store.path.read_bytes() == before


def test_a_different_key_cannot_read_the_file(data_dir: Path) -> None:
    store = EncryptedFileSecretStore(data_dir / "secrets.fernet")
    store.set("env/sandbox/api-key", API_KEY)
    other_key = data_dir / "other.key"
    EncryptedFileSecretStore(data_dir / "other.fernet", other_key).set("x", "y")
    with pytest.raises(SecretStoreCorrupt):
        EncryptedFileSecretStore(store.path, other_key).get("env/sandbox/api-key")


def test_memory_store_still_satisfies_the_protocol() -> None:
    assert isinstance(MemorySecretStore(), SecretStore)


class BrokenKeyring(keyring.backend.KeyringBackend):
    """A keychain that exists but fails (locked, or no D-Bus session) and echoes what it was given."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked(f"locked while reading {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"could not store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("gone")


@pytest.fixture
def broken_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    yield
    keyring.set_keyring(previous)


def test_a_failing_keychain_raises_a_typed_error_without_the_value(broken_keyring: None) -> None:
    store = KeyringSecretStore()
    with pytest.raises(SecretStoreError) as caught:
        store.set(api_key_name("staging"), API_KEY)
    assert API_KEY not in str(caught.value) and API_KEY not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(SecretStoreError):
        store.get(api_key_name("staging"))
    store.delete(api_key_name("staging"))  # already gone is not an error


def test_open_falls_back_when_the_keychain_exists_but_fails(broken_keyring: None, data_dir: Path) -> None:
    assert isinstance(open_secret_store(DataLayout(data_dir)), EncryptedFileSecretStore)
