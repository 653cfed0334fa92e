"""After Send test the Inspector shows the capture with the list focused, and Ctrl+E works from any of its fields."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from app_harness import running_window, settle, wait_until
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from benji_desktop.signature import canonical_body
from benji_desktop.views import prompts
from benji_desktop.views.inspector.dialogs import ReplayDialog


class ClaimsCtrlEAsOnLinux(QObject):
    """QLineEdit on Linux (X11 key scheme) accepts the ShortcutOverride for Ctrl+E, its end-of-line key; the
    offscreen test platform uses the Windows scheme, where it does not. This stands in for the Linux field."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        ctrl_e = (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_E
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
        )
        if ctrl_e:
            event.accept()
        return ctrl_e


def as_on_linux(field: QWidget, claim: QObject, tab: QWidget) -> None:
    """The Linux field's own claim first in line after the tab's filters (the widget's own handling comes last)."""
    filters = [child for child in tab.children() if type(child).__name__ == "ControlKeysOverFields"]
    for installed in filters:
        field.removeEventFilter(installed)
    field.installEventFilter(claim)
    for installed in filters:
        field.installEventFilter(installed)


async def test_ctrl_e_opens_edit_and_replay_whatever_inspector_field_has_focus(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QDialog] = []

    async def record_and_cancel(dialog: QDialog) -> int:
        opened.append(dialog)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(prompts, "show_dialog", record_and_cancel)
    async with running_window(data_dir) as window:
        receiver = window.services.receiver
        assert receiver is not None
        body = canonical_body("transaction_created", 3, 5)
        async with httpx.AsyncClient() as client:
            capture_id = (await client.post(f"{receiver.url}/webhooks/benji", content=body)).json()["id"]
        window.activateWindow()
        # What Send test to the local receiver does: the Inspector, with that capture selected.
        assert await window.show_capture(capture_id)
        tab = window.inspector_tab
        await wait_until(lambda: QApplication.focusWidget() is tab.ui.table_view)

        claim = ClaimsCtrlEAsOnLinux(tab)
        for field in (tab.ui.forward_edit, tab.ui.search_edit, tab.ui.path_edit, tab.ui.table_view):
            as_on_linux(field, claim, tab)
            field.setFocus()
            await wait_until(lambda field=field: QApplication.focusWidget() is field)
            before = len(opened)
            QTest.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
            await settle()
            assert len(opened) == before + 1, f"Ctrl+E in {field.objectName()} did not open Edit & replay"
            assert isinstance(opened[-1], ReplayDialog)
        # Plain letters still type into a field: J/K move through the list only from the list.
        tab.ui.search_edit.setFocus()
        tab.ui.search_edit.clear()
        QTest.keyClicks(tab.ui.search_edit, "jk")
        assert tab.ui.search_edit.text() == "jk"
