"""Window behaviour a user relies on: shortcuts, remembered geometry and tab, environments, Test connection,
About, and the clipboard forgetting a copied secret."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app_harness import Answers, running_window, settle
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from benji_desktop.domain.environments import PRODUCTION_ID, SANDBOX_ID
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.views import prompts
from benji_desktop.views.clipboard import copy_secret
from benji_desktop.views.environment_dialog import EnvironmentDialog
from benji_desktop.views.main_window import SHORTCUTS


async def test_shortcuts_switch_tabs_and_act_on_the_current_tab(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        window.activateWindow()
        QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert window.ui.tab_widget.currentWidget() is window.webhooks_tab
        QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert window.ui.tab_widget.currentWidget() is window.api_keys_tab
        answers.texts.append(None)  # Ctrl+N asks for a name; cancelled
        QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        await settle()
        assert answers.asked == ["Add API key"]
        QTest.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
        assert window.ui.tab_widget.currentWidget() is window.inspector_tab
        assert not window.edit_action.isEnabled(), "the Inspector keeps Ctrl+E for itself"
        assert any(keys.startswith("Ctrl+N") for keys, _ in SHORTCUTS)
        assert "Ctrl+T" in window.shortcuts_text()


async def test_geometry_and_last_tab_are_remembered(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    store = MemorySecretStore()
    async with running_window(data_dir, secret_store=store) as window:
        window.resize(1180, 700)
        window.select_tab(window.ip_whitelist_tab)
        await settle()
    async with running_window(data_dir, secret_store=store) as window:
        assert window.ui.tab_widget.currentWidget() is window.ip_whitelist_tab
        assert window.services.settings.window_geometry
        # The offscreen screen is 800 px wide, so Qt clamps the restored width to the window's minimum there.
        assert window.height() == 700


async def test_switching_to_production_is_announced_and_needs_a_key(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        await window.switch_environment(PRODUCTION_ID)
        assert window.ui.environment_banner.text() == "Production — api.withbenji.com"
        assert "#c62828" in window.ui.environment_banner.styleSheet()
        assert "no API key" in window.ui.status_bar.currentMessage()
        assert window.services.settings.current_environment == PRODUCTION_ID
        await window.switch_environment(SANDBOX_ID)
        assert window.ui.environment_banner.text() == "Sandbox — local"


async def test_test_connection_says_what_worked(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        checked: list[str] = []

        async def test_then_cancel(dialog: EnvironmentDialog) -> int:
            await dialog.test_connection()
            checked.append(dialog.ui.test_result_label.text())
            dialog.reject()
            return dialog.result()

        monkeypatch.setattr(prompts, "show_dialog", test_then_cancel)
        assert await window.edit_environment() is None
        assert checked and "✔" in checked[0] and "✘" not in checked[0]


async def test_about_names_versions_and_data_locations(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        text = window.about_text()
        assert "Benji Desktop" in text and "PySide6" in text and "Python" in text
        assert str(window.services.layout.captures_db) in text
        assert str(window.services.layout.log_dir) in text


async def test_a_copied_secret_leaves_the_clipboard_after_the_delay(qapp) -> None:
    clipboard = QGuiApplication.clipboard()
    copy_secret("salt_" + "c" * 32, 1)
    assert clipboard.text() == "salt_" + "c" * 32
    await asyncio.sleep(1.3)
    assert clipboard.text() == ""
    copy_secret("salt_" + "d" * 32, 1)
    clipboard.setText("something the user copied since")
    await asyncio.sleep(1.3)
    assert clipboard.text() == "something the user copied since", "only our own secret is cleared"
