"""The Qt side of `benji-desktop screenshot`: demo data in a throwaway Sandbox, then a PNG of each tab."""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benji_desktop.app.services import AppServices
from benji_desktop.domain.entities import EntityType
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.signature import canonical_body, signed_headers


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


async def seed_demo_data(services: AppServices) -> None:
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


def take_screenshots(out_dir: Path, *, width: int, height: int) -> list[Path]:
    """Build the app on a temporary data folder and an in-memory secret store, and save one PNG per tab."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from benji_desktop.views.identity import apply_identity

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


async def _take(data_dir: Path, out_dir: Path, width: int, height: int) -> list[Path]:
    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0)
    try:
        await services.start()
        await seed_demo_data(services)
        return await _grab_tabs(services, out_dir, width, height)
    finally:
        await services.stop()
        services.close()


async def _grab_tabs(services: AppServices, out_dir: Path, width: int, height: int) -> list[Path]:
    raise ScreenshotError("the main window is not there yet")
