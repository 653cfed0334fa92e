"""The Qt side of `benji-desktop screenshot`: demo data in a throwaway Sandbox, then a PNG of each tab."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benji_desktop.app.services import AppServices
from benji_desktop.domain.entities import EntityType
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.signature import canonical_body, signed_headers

# Bounded: a tab that never finishes loading must not hang `make screenshots` or the tests.
TAB_LOAD_SECONDS = 15.0
SETTLE_TURNS = 10


class ScreenshotError(RuntimeError):
    """The screenshots could not be taken; the message says why in one sentence."""


@dataclass(frozen=True)
class Shot:
    file_name: str
    tab_title: str


SHOTS = (
    Shot("01-api-tokens.png", "API Tokens"),
    Shot("02-webhooks.png", "Webhooks"),
    Shot("03-ip-whitelist.png", "IP Whitelist"),
    Shot("04-integrations.png", "Integrations"),
    Shot("05-inspector.png", "Inspector"),
)


@dataclass(frozen=True)
class DemoData:
    """What the tour selects: the subscription it sends a test to from the Webhooks tab."""

    local_subscription_id: int


async def seed_demo_data(services: AppServices) -> DemoData:
    """What a developer's Sandbox looks like after an afternoon: keys, subscriptions, traffic, IPs, Stripe."""
    import httpx

    client = await services.client()
    await client.create_api_key("Checkout service")
    await client.create_api_key("Nightly reconciliation job")

    local_endpoint = services.local_receiver_endpoint
    environment_id = services.current_environment.id
    transactions = await client.create_subscription(
        local_endpoint, int(EntityType.TRANSACTION), "transaction_status_updated"
    )
    users = await client.create_subscription(local_endpoint, int(EntityType.USER), "user_partner_connected")
    await client.create_subscription(
        "https://hooks.example.com/benji/production", int(EntityType.TRANSACTION), None, active=False
    )
    for created in (transactions, users):
        await services.remember_subscription(environment_id, created.id, created.endpoint, created.salt)

    # Two signed test deliveries from the Sandbox land in the Inspector as VALID.
    await client.send_test(transactions.id, entity_id=4211)
    await client.send_test(users.id, entity_id=87)
    # And the classic partner bug, INVALID: the body was signed compact but sent pretty-printed.
    signed = canonical_body("transaction_created", int(EntityType.TRANSACTION), 4212)
    headers = signed_headers(signed, [transactions.salt or ""])
    sent = json.dumps(json.loads(signed), indent=2).encode()
    async with httpx.AsyncClient(timeout=10) as http:
        await http.post(local_endpoint, content=sent, headers=headers)

    await client.connect_integration(
        "stripe",
        {"secret_key": "sk_test_" + secrets.token_hex(12), "account_id": "acct_" + secrets.token_hex(8)},
    )

    # Last, because once one address is approved the Sandbox enforces the whitelist: approve loopback.
    laptop = await client.request_ip("127.0.0.1", "This laptop (loopback)")
    await client.request_ip("203.0.113.24", "Office egress, Lisbon")
    await client.review_ip(laptop.id, approve=True)
    return DemoData(local_subscription_id=transactions.id)


def take_screenshots(out_dir: Path, *, width: int, height: int) -> list[Path]:
    """Build the app on a temporary data folder and an in-memory secret store, and save one PNG per tab."""
    import qasync
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from benji_desktop.views.identity import apply_identity

    previous_handler = qInstallMessageHandler(_drop_offscreen_noise)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    apply_identity(app)
    out_dir.mkdir(parents=True, exist_ok=True)
    loop = qasync.QEventLoop(app)
    try:
        with tempfile.TemporaryDirectory(prefix="benji-screenshots-") as data_dir:
            paths: list[Path] = loop.run_until_complete(_take(Path(data_dir), out_dir, width, height))
            return paths
    finally:
        loop.close()
        qInstallMessageHandler(previous_handler)


# The offscreen platform says this for every window that resizes; it is not a problem in a screenshot.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def _drop_offscreen_noise(kind: Any, context: Any, message: str) -> None:
    if message != OFFSCREEN_NOISE:
        sys.stderr.write(message + "\n")


async def _take(data_dir: Path, out_dir: Path, width: int, height: int) -> list[Path]:
    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0)
    try:
        await services.start()
        demo = await seed_demo_data(services)
        return await _grab_tabs(services, demo, out_dir, width, height)
    finally:
        await services.stop()
        services.close()


async def _grab_tabs(services: AppServices, demo: DemoData, out_dir: Path, width: int, height: int) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from benji_desktop.views.gui import load_stylesheet
    from benji_desktop.views.main_window import MainWindow
    from benji_desktop.views.tasks import wait_for_running_tasks

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(load_stylesheet())
    window = MainWindow(services)
    try:
        window.resize(width, height)
        window.show()
        window.services_started()
        await wait_for_running_tasks(TAB_LOAD_SECONDS)
        tabs = window.ui.tab_widget
        titles = [tabs.tabText(index) for index in range(tabs.count())]
        paths: list[Path] = []
        for shot in SHOTS:
            if shot.tab_title not in titles:
                raise ScreenshotError(f"the window has no {shot.tab_title!r} tab (it has {', '.join(titles)})")
            tab = tabs.widget(titles.index(shot.tab_title))
            assert tab is not None
            window.select_tab(tab)
            await window.refresh_current()
            if tab is window.webhooks_tab:
                await _send_test_from_the_tab(window, demo)
            elif tab is window.inspector_tab:
                await _select_first_invalid_capture(window, services)
            await wait_for_running_tasks(TAB_LOAD_SECONDS)
            window.select_tab(tab)
            await _settle(app)
            pixmap = window.grab()
            if (pixmap.width(), pixmap.height()) != (width, height):
                smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
                raise ScreenshotError(
                    f"the window cannot be {width}x{height}: its layout needs at least "
                    f"{smallest.width()}x{smallest.height()} pixels; ask for a larger --size"
                )
            path = out_dir / shot.file_name
            if not pixmap.save(str(path), "PNG"):
                raise ScreenshotError(f"could not write {path}")
            paths.append(path)
        return paths
    finally:
        window.close()
        await wait_for_running_tasks(TAB_LOAD_SECONDS)
        window.deleteLater()


async def _send_test_from_the_tab(window: Any, demo: DemoData) -> None:
    from benji_desktop.views.tasks import wait_for_running_tasks

    """Send test, as a user would, so the tab shows the delivery result (the window then opens the Inspector
    on the new capture; the caller goes back to the Webhooks tab before grabbing)."""
    window.webhooks_tab.select_subscription(demo.local_subscription_id)
    if await window.webhooks_tab.send_test_selected() is None:
        raise ScreenshotError("the test delivery from the Webhooks tab failed")
    await wait_for_running_tasks(TAB_LOAD_SECONDS)


async def _select_first_invalid_capture(window: Any, services: AppServices) -> None:
    """The Inspector's best picture: the doctor explaining the INVALID capture."""
    from benji_desktop.storage.captures import CaptureFilter

    invalid = [c for c in services.captures.page(CaptureFilter(), 0, 50) if c.verdict == "INVALID"]
    if invalid and not await window.show_capture(invalid[0].id):
        raise ScreenshotError("the Inspector did not list the INVALID capture")


async def _settle(app: Any) -> None:
    """Let queued layout and paint events run (column sizing, lazy rows) before grabbing."""
    for _turn in range(SETTLE_TURNS):
        app.processEvents()
        await asyncio.sleep(0.02)
