"""The window's first paint is a shell: banner and tab bar at once, each tab says it is loading until it is built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from benji_desktop.app import AppServices
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.views.main_window import MainWindow


@pytest.fixture
def window(tmp_path: Path, qtbot) -> Iterator[MainWindow]:
    services = AppServices.create(tmp_path, secret_store=MemorySecretStore(), receiver_port=0)
    services.settings_store.update(last_tab="Webhooks")
    shell = MainWindow(services)
    qtbot.addWidget(shell)
    yield shell
    services.close()


def test_the_shell_shows_the_environment_and_every_tab_title_with_loading_in_place_of_contents(
    window: MainWindow,
) -> None:
    tabs = window.ui.tab_widget
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "API Tokens",
        "Webhooks",
        "IP Whitelist",
        "Integrations",
        "Inspector",
    ]
    assert "Sandbox" in window.ui.environment_banner.text()
    assert tabs.tabText(tabs.currentIndex()) == "Webhooks"  # the remembered tab
    current = tabs.currentWidget()
    assert isinstance(current, QLabel) and current.text().startswith("Loading")


def test_the_remembered_tab_is_built_in_its_place_and_an_opened_tab_is_built_at_once(window: MainWindow) -> None:
    tabs = window.ui.tab_widget
    built = window.build_current_tab()
    assert tabs.currentWidget() is built is window.webhooks_tab
    tabs.setCurrentIndex(0)  # as Ctrl+1 or a click does
    assert tabs.currentWidget() is window.api_keys_tab
    assert window.add_action.isEnabled()  # the built tab's own actions are live
    assert [tabs.tabText(i) for i in range(tabs.count())][:2] == ["API Tokens", "Webhooks"]
