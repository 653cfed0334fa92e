"""The data folder is 0700 and its files 0600 from creation: captures and settings are not for other users."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from benji_desktop.sandbox.store import SandboxStore
from benji_desktop.sandbox.vault import Vault
from benji_desktop.storage.captures import CaptureStore
from benji_desktop.storage.paths import DataDirError, DataLayout
from benji_desktop.storage.settings import SettingsStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> object:
    previous = os.umask(0o022)  # the usual default that made everything 0644
    yield
    os.umask(previous)


def test_a_new_data_dir_is_private(tmp_path: Path, open_umask: object) -> None:
    layout = DataLayout.at(tmp_path / "a" / "data")
    assert mode(layout.root) == 0o700


def test_sqlite_files_are_private_from_the_start(tmp_path: Path, open_umask: object) -> None:
    layout = DataLayout.at(tmp_path / "data")
    store = CaptureStore(layout.captures_db)
    try:
        assert mode(layout.captures_db) == 0o600
        for sidecar in layout.root.glob("captures.sqlite3-*"):
            assert mode(sidecar) == 0o600, sidecar
    finally:
        store.close()
    sandbox = SandboxStore(layout.sandbox_db, Vault(Fernet.generate_key().decode()))
    try:
        assert mode(layout.sandbox_dir) == 0o700
        assert mode(layout.sandbox_db) == 0o600
        for sidecar in layout.sandbox_dir.glob("sandbox.sqlite3-*"):
            assert mode(sidecar) == 0o600, sidecar
    finally:
        sandbox.close()


def test_settings_file_is_private(tmp_path: Path, open_umask: object) -> None:
    layout = DataLayout.at(tmp_path / "data")
    settings = SettingsStore(layout.settings_file)
    settings.load()
    settings.save()
    assert mode(layout.settings_file) == 0o600


def test_a_file_in_the_way_is_a_readable_error(tmp_path: Path) -> None:
    in_the_way = tmp_path / "data"
    in_the_way.write_text("not a folder")
    with pytest.raises(DataDirError, match="is a file"):
        DataLayout.at(in_the_way)
