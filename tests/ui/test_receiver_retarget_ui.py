"""The status bar keeps the port-fallback note through the HTTPS toggle and says which subscriptions followed."""

from __future__ import annotations

import socket
from pathlib import Path

from app_harness import settle, wait_until

from benji_desktop.app import AppServices
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.views.main_window import MainWindow
from benji_desktop.views.tasks import wait_for_running_tasks


async def test_fallback_note_follows_the_https_restart_and_moved_subscriptions_are_announced(
    data_dir: Path,
) -> None:
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
        port = services.receiver.port
        client = await services.client("sandbox")
        created = await client.create_subscription(services.local_receiver_endpoint, 1, "user_partner_connected")
        await services.remember_subscription("sandbox", created.id, created.endpoint, created.salt)
        label = window.receiver_label
        assert label.text() == f"Receiver: http://127.0.0.1:{port}/webhooks/benji ⚠ ({busy} was busy)"

        controls = window.receiver_https
        controls.toggle_action.setChecked(True)
        await wait_until(lambda: controls.dialog is not None and controls.dialog.isVisible())
        controls.dialog.close()
        endpoint = f"https://localhost:{port}/webhooks/benji"
        assert label.text() == f"Receiver: {endpoint} ⚠ ({busy} was busy)"
        assert f"Port {busy} is in use" in label.toolTip()
        message = window.ui.status_bar.currentMessage()
        assert f"1 Sandbox subscription now points at the receiver's new address {endpoint}" in message
    finally:
        window.close()
        await wait_for_running_tasks()
        await services.stop()
        services.close()
        window.deleteLater()
        holder.close()
