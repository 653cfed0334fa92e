"""The composition root starts the real Sandbox and receiver, wires salts and keys, and stops cleanly."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from benji_desktop.app import AppServices
from benji_desktop.app.services import SALT_INDEX_NAME
from benji_desktop.client import AuthError
from benji_desktop.domain.environments import SANDBOX_ID, STAGING_ID
from benji_desktop.secretstore import MemorySecretStore, api_key_name, salt_name
from benji_desktop.signature import Verdict
from benji_desktop.storage.captures import CaptureFilter


@pytest.fixture
async def services(data_dir: Path):
    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0)
    await services.start()
    try:
        yield services
    finally:
        await services.stop()
        services.close()


async def test_first_start_stores_the_sandbox_key_and_the_client_works(services: AppServices) -> None:
    assert services.current_environment.id == SANDBOX_ID
    assert services.current_environment.api_base_url == services.sandbox.url.rstrip("/")
    assert services.secret_store.get(api_key_name(SANDBOX_ID)) == services.sandbox.api_key
    client = await services.client()
    keys = await client.list_api_keys()
    assert keys, "the bootstrap key is listed"
    assert await services.client() is client, "one long-lived client per environment"


async def test_a_subscription_to_the_local_receiver_is_delivered_and_verified(services: AppServices) -> None:
    client = await services.client()
    created = await client.create_subscription(services.local_receiver_endpoint, 1, "user_partner_connected")
    await services.remember_subscription(SANDBOX_ID, created.id, created.endpoint, created.salt)
    assert services.secret_store.get(salt_name(SANDBOX_ID, created.id)) == created.salt
    attempt = await client.send_test(created.id)
    assert attempt.response_status == 200
    summaries = services.captures.page(CaptureFilter(), 0, 10)
    assert [s.verdict for s in summaries] == [Verdict.VALID.value]


async def test_salts_survive_a_restart_through_the_secret_store(data_dir: Path) -> None:
    store = MemorySecretStore()
    first = AppServices.create(data_dir, secret_store=store, receiver_port=0)
    await first.start()
    client = await first.client()
    created = await client.create_subscription(first.local_receiver_endpoint, 3, None)
    await first.sync_subscriptions(SANDBOX_ID, await client.list_subscriptions())
    await first.stop()
    first.close()
    assert store.get(SALT_INDEX_NAME)

    second = AppServices.create(data_dir, secret_store=store, receiver_port=0)
    await second.start()
    try:
        salts = second.salt_source.salts_for("127.0.0.1", "/webhooks/benji")
        assert [s.subscription_id for s in salts] == [created.id]
        assert salts[0].salt == created.salt
    finally:
        await second.stop()
        second.close()


async def test_switching_environment_closes_the_old_client_and_uses_the_new_key(services: AppServices) -> None:
    sandbox_client = await services.client()
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(401, json={"code": "unauthorized_partner", "message": "bad key"})

    services._client_transport = httpx.MockTransport(answer)
    await services.set_api_key(STAGING_ID, "bk_staging_" + "0" * 32)
    await services.switch_environment(STAGING_ID)
    assert services.settings.current_environment == STAGING_ID
    assert sandbox_client._http.is_closed
    with pytest.raises(AuthError):
        await (await services.client()).list_api_keys()
    assert requests[0].headers["x-api-key"] == "bk_staging_" + "0" * 32


async def test_typed_salts_are_offered_to_the_receiver(services: AppServices) -> None:
    await services.add_manual_salt("from Pilot", "salt_" + "x" * 32)
    assert "from Pilot" in services.settings.salt_labels
    assert "salt_" + "x" * 32 not in services.layout.settings_file.read_text()
    assert any(s.salt == "salt_" + "x" * 32 for s in services.salt_source.salts_for("h", "/any"))


async def test_subscriptions_made_elsewhere_are_known_to_the_receiver_at_start(data_dir: Path) -> None:
    store = MemorySecretStore()
    first = AppServices.create(data_dir, secret_store=store, receiver_port=0)
    await first.start()
    created = await (await first.client()).create_subscription("http://127.0.0.1:9/hook", 1, None)
    await first.stop()  # never remembered: made as if by the CLI
    first.close()
    second = AppServices.create(data_dir, secret_store=store, receiver_port=0)
    await second.start()
    try:
        assert second.salt_source.salt_for_subscription(SANDBOX_ID, created.id) == created.salt
    finally:
        await second.stop()
        second.close()
