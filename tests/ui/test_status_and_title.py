"""The receiver's port fallback stays explained in the status bar; the window title names the app once."""

from __future__ import annotations

import socket
from pathlib import Path

from app_harness import running_window, settle

from benji_desktop.app import AppServices
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.views.main_window import MainWindow
from benji_desktop.views.tasks import wait_for_running_tasks


async def test_port_fallback_note_stays_after_the_tab_loads(data_dir: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy = holder.getsockname()[1]
    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=busy)
    window = MainWindow(services)
    try:
        window.show()
        await services.start()
        window.services_started()
        await settle()
        await window.refresh_current()  # ends in "Done: load …", which used to replace the note
        await settle()
        label = window.receiver_label
        assert f"{busy} was busy" in label.text() and "⚠" in label.text()
        assert f"Port {busy} is in use" in label.toolTip()
        assert label.isVisible()
    finally:
        window.close()
        await wait_for_running_tasks()
        await services.stop()
        services.close()
        window.deleteLater()
        holder.close()


async def test_window_title_names_the_app_once(data_dir: Path) -> None:
    async with running_window(data_dir) as window:
        shown = f"{window.windowTitle()} — Benji Desktop"  # Qt appends the application display name
        assert shown.count("Benji Desktop") == 1
        assert window.windowTitle() == "Sandbox"
