"""Subscriptions made with "Use my local receiver" follow the receiver when its address changes (HTTPS toggle,
another port after a restart), and the fallback port is kept from one start to the next."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benji_desktop.app import AppServices
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.storage.captures import CaptureFilter


@contextmanager
def busy_port(port: int = 0) -> Iterator[int]:
    """A port another program holds (listening on 127.0.0.1) for the duration."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        yield holder.getsockname()[1]
    finally:
        holder.close()


def free_port() -> int:
    with busy_port() as port:
        return port


async def test_https_toggle_moves_sandbox_subscriptions_and_names_live_ones(tmp_path: Path) -> None:
    services = AppServices.create(tmp_path, secret_store=MemorySecretStore(), receiver_port=0)
    await services.start()
    try:
        port = services.receiver.port
        client = await services.client("sandbox")
        created = await client.create_subscription(services.local_receiver_endpoint, 1, "user_partner_connected")
        await services.remember_subscription("sandbox", created.id, created.endpoint, created.salt)
        elsewhere = await client.create_subscription("https://partner.example.com/hooks", 1)
        await services.remember_subscription("sandbox", elsewhere.id, elsewhere.endpoint, elsewhere.salt)
        # A staging subscription to this receiver (another spelling of loopback): named, never changed remotely.
        await services.remember_subscription("staging", 12, f"http://localhost:{port}/webhooks/benji", "salt_st")

        await services.set_receiver_https(True)

        new_endpoint = f"https://localhost:{port}/webhooks/benji"
        endpoints = {s.id: s.endpoint for s in await client.list_subscriptions()}
        assert endpoints == {created.id: new_endpoint, elsewhere.id: "https://partner.example.com/hooks"}
        by_id = {(r.environment_id, r.subscription_id): r.endpoint for r in services.salt_source.subscriptions()}
        assert by_id[("sandbox", created.id)] == new_endpoint
        assert by_id[("staging", 12)] == f"http://localhost:{port}/webhooks/benji"
        report = services.last_retarget_report
        assert report is not None and [s.subscription_id for s in report.updated] == [created.id]
        assert [(s.environment_id, s.subscription_id) for s in report.still_old] == [("staging", 12)]
        assert f"1 Sandbox subscription now points at the receiver's new address {new_endpoint}" in report.message
        assert "Staging #12" in report.message

        attempt = await client.send_test(created.id)
        assert attempt.response_status == 200, attempt.error
        (summary,) = services.captures.page(CaptureFilter(), 0, 10)
        capture = services.captures.get(summary.id)
        assert (capture.scheme, capture.verdict) == ("https", "VALID")
    finally:
        await services.stop()
        services.close()


async def test_restart_on_another_port_moves_sandbox_subscriptions(tmp_path: Path) -> None:
    secrets = MemorySecretStore()
    services = AppServices.create(tmp_path, secret_store=secrets, receiver_port=0)
    await services.start()
    try:
        first_port = services.receiver.port
        client = await services.client("sandbox")
        created = await client.create_subscription(services.local_receiver_endpoint, 1, "user_partner_connected")
        await services.remember_subscription("sandbox", created.id, created.endpoint, created.salt)
        assert services.settings.receiver_last_port == first_port
    finally:
        await services.stop()
        services.close()

    with busy_port(first_port):  # the old port is taken by someone else now: the receiver lands elsewhere
        again = AppServices.create(tmp_path, secret_store=secrets, receiver_port=0)
        await again.start()
        try:
            assert again.receiver.port != first_port
            new_endpoint = again.local_receiver_endpoint
            client = await again.client("sandbox")
            (listed,) = await client.list_subscriptions()
            assert listed.endpoint == new_endpoint
            report = again.last_retarget_report
            assert report is not None and len(report.updated) == 1 and new_endpoint in report.message
            attempt = await client.send_test(created.id)
            assert attempt.response_status == 200, attempt.error
            (summary,) = again.captures.page(CaptureFilter(), 0, 10)
            assert again.captures.get(summary.id).verdict == "VALID"
        finally:
            await again.stop()
            again.close()


async def test_busy_port_falls_back_to_the_remembered_port_and_the_note_survives_https(tmp_path: Path) -> None:
    remembered = free_port()
    with busy_port() as busy:
        services = AppServices.create(tmp_path, secret_store=MemorySecretStore(), with_sandbox=False)
        services.settings_store.update(receiver_port=busy, receiver_last_port=remembered)
        await services.start()
        try:
            assert services.receiver.port == remembered
            assert services.receiver_busy_port == busy and str(busy) in services.receiver_port_note
            await services.set_receiver_https(True)
            assert services.receiver.port == remembered
            assert services.receiver_busy_port == busy and str(busy) in services.receiver_port_note
        finally:
            await services.stop()
            services.close()
