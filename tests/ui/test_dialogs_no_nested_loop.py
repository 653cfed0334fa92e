"""Every Inspector dialog is awaited without a nested event loop: open, cancel, and the window still shuts down."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from app_harness import settle, wait_until
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from benji_desktop.app import AppServices
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.signature import canonical_body
from benji_desktop.views.inspector.dialogs import ImportDialog, ReplayDialog
from benji_desktop.views.known_salts_dialog import KnownSaltsDialog
from benji_desktop.views.main_window import MainWindow
from benji_desktop.views.tasks import wait_for_running_tasks


async def cancel_the_dialog(kind: type[QDialog]) -> QDialog:
    """Wait for the dialog to open (as the user sees it: the active modal window), then press Cancel."""
    await wait_until(lambda: isinstance(QApplication.activeModalWidget(), kind))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, kind)
    dialog.reject()
    return dialog


async def shut_down(window: MainWindow, services: AppServices) -> None:
    window.close()
    await wait_for_running_tasks()
    await services.stop()


@pytest.mark.timeout(90)  # before the fix, a nested dialog loop left a task pending and this hung
async def test_each_inspector_dialog_opens_cancels_and_the_window_still_quits(data_dir: Path) -> None:
    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0)
    window = MainWindow(services)
    window.resize(1100, 720)
    window.show()
    try:
        await services.start()
        window.services_started()
        await settle()
        tab = window.inspector_tab
        window.select_tab(tab)
        assert services.receiver is not None
        body = canonical_body("transaction_created", 3, 5)
        async with httpx.AsyncClient() as client:
            await client.post(f"{services.receiver.url}/webhooks/benji", content=body)
        await wait_until(lambda: tab.model.rowCount() == 1)
        assert tab.select_capture(tab.model.capture_id_at(0))
        export_menu = tab.ui.export_button.menu()
        export_all_json = next(a for a in export_menu.actions() if a.text() == "All shown as JSON…")

        openers: list[tuple[str, Callable[[], object], type[QDialog]]] = [
            ("Import…", tab.import_action.trigger, ImportDialog),
            ("Edit & replay…", tab.edit_replay_action.trigger, ReplayDialog),
            ("Export → All shown as JSON…", export_all_json.trigger, QFileDialog),
            ("Export → Support bundle…", tab.support_bundle_action.trigger, QFileDialog),
            ("Known salts…", tab.ui.salts_button.click, KnownSaltsDialog),
            ("Environment → Known salts…", window.ui.action_known_salts.trigger, KnownSaltsDialog),
        ]
        for _what, open_it, kind in openers:
            open_it()
            await cancel_the_dialog(kind)
            await settle()
            assert QApplication.activeModalWidget() is None

        # Import… then Open file… inside it: a file dialog over a dialog, both cancelled.
        tab.import_action.trigger()
        await wait_until(lambda: isinstance(QApplication.activeModalWidget(), ImportDialog))
        import_dialog = QApplication.activeModalWidget()
        assert isinstance(import_dialog, ImportDialog)
        import_dialog.ui.open_file_button.click()
        await cancel_the_dialog(QFileDialog)
        await cancel_the_dialog(ImportDialog)
        await settle()
        assert tab.model.rowCount() == 1  # nothing was imported, replayed or lost

        receiver = services.receiver
        stopping = asyncio.ensure_future(shut_down(window, services))
        done, _ = await asyncio.wait([stopping], timeout=20)
        assert stopping in done, "the window's shutdown did not finish"
        stopping.result()
        assert not receiver.running and services.receiver is None
    finally:
        services.close()
        window.deleteLater()
        await asyncio.sleep(0)
