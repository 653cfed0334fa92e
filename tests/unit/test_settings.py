"""Settings: typed, versioned, atomic, tolerant of a broken file, and with no room for a secret."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from benji_desktop.storage.paths import DataLayout
from benji_desktop.storage.settings import SETTINGS_VERSION, Settings, SettingsError, SettingsStore


@pytest.fixture
def store(data_dir: Path) -> SettingsStore:
    return SettingsStore(DataLayout(data_dir).settings_file)


def test_defaults_when_no_file_exists(store: SettingsStore) -> None:
    settings = store.load()
    assert settings == Settings()
    assert settings.receiver_port == 8787 and settings.receiver_host == "127.0.0.1"
    assert settings.clipboard_clear_seconds == 30 and settings.current_environment == "sandbox"
    assert store.report.clean and not store.path.exists()


def test_a_change_survives_a_restart(store: SettingsStore) -> None:
    store.load()
    geometry = base64.b64encode(b"\x01\xd9\xd0\xcb window").decode()
    store.update(current_environment="staging", receiver_port=9000, window_geometry=geometry, theme="dark")
    store.set("salt_labels", ["partner A", "partner B", "partner A"])
    again = SettingsStore(store.path)
    settings = again.load()
    assert (settings.current_environment, settings.receiver_port, settings.theme) == ("staging", 9000, "dark")
    assert settings.window_geometry == geometry
    assert settings.salt_labels == ("partner A", "partner B")
    assert json.loads(store.path.read_text())["version"] == SETTINGS_VERSION
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]  # no temp file left behind


def test_a_secret_has_nowhere_to_go(store: SettingsStore) -> None:
    store.load()
    with pytest.raises(SettingsError, match="no setting called"):
        store.set("api_key", "bk_sandbox_0123456789abcdef0123456789abcdef")
    with pytest.raises(SettingsError, match="keychain"):
        store.set("salt_labels", ["salt_abcdefghijklmnopqrstuvwxyz012345"])
    with pytest.raises(SettingsError, match="keychain"):
        store.set("last_tab", "bk_sandbox_0123456789abcdef0123456789abcdef")
    assert not store.path.exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("receiver_port", 70000),
        ("receiver_port", "8787"),
        ("receiver_port", True),
        ("theme", "neon"),
        ("current_environment", "moon"),
        ("sandbox_time_scale", 0),
        ("sandbox_time_scale", float("nan")),
        ("window_geometry", "not base64!"),
        ("presentation_mode", "yes"),
        ("environment_urls", {"staging": {"api_base_url": "ftp://x"}}),
    ],
)
def test_wrong_values_are_refused_with_the_setting_named(store: SettingsStore, name: str, value: object) -> None:
    with pytest.raises(SettingsError, match=name):
        store.set(name, value)


def test_url_overrides_change_the_environment_and_can_be_reset(store: SettingsStore) -> None:
    store.load()
    store.set_environment_urls("production", "https://gw.example.com/", None)
    env = SettingsStore(store.path).load().environment("production")
    assert env.api_base_url == "https://gw.example.com"
    assert env.notification_base_url == "https://notificationservice.withbenji.com"
    store.set_environment_urls("production", None, None)
    assert SettingsStore(store.path).load().environment("production").api_base_url == "https://api.withbenji.com"


def test_a_corrupt_file_is_kept_as_bak_and_defaults_are_used(store: SettingsStore) -> None:
    store.path.write_text('{"version": 1, "receiver_port": 90', encoding="utf-8")
    settings = store.load()
    assert settings == Settings()
    assert store.report.backup_path == store.path.with_name("settings.json.bak")
    assert store.report.backup_path.read_text() == '{"version": 1, "receiver_port": 90'
    assert "not valid JSON" in store.report.problems[0]
    store.set("receiver_port", 9001)  # and the app can carry on saving
    assert SettingsStore(store.path).load().receiver_port == 9001


def test_one_bad_value_defaults_only_that_setting(store: SettingsStore) -> None:
    store.path.write_text(json.dumps({"version": 1, "receiver_port": -4, "theme": "light"}), encoding="utf-8")
    settings = store.load()
    assert settings.receiver_port == 8787 and settings.theme == "light"
    assert any("receiver_port" in p for p in store.report.problems)


def test_an_unversioned_file_is_upgraded_in_place(store: SettingsStore) -> None:
    legacy = {"environment": "staging", "port": 9100, "urls": {"custom": "http://127.0.0.1:9999"}}
    store.path.write_text(json.dumps(legacy), encoding="utf-8")
    settings = store.load()
    assert settings.current_environment == "staging" and settings.receiver_port == 9100
    assert settings.environment("custom").notification_base_url == "http://127.0.0.1:9999"
    assert store.report.upgraded_from == 0 and store.report.clean
    assert json.loads(store.path.read_text())["version"] == SETTINGS_VERSION


def test_a_newer_file_is_read_but_not_rewritten(store: SettingsStore) -> None:
    newer = {"version": SETTINGS_VERSION + 1, "theme": "dark", "hologram_mode": True}
    store.path.write_text(json.dumps(newer), encoding="utf-8")
    assert store.load().theme == "dark"
    assert "newer" in store.report.problems[0]
    assert json.loads(store.path.read_text()) == newer
