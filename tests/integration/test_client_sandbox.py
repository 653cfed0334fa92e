"""PlatformClient against the real Sandbox over loopback: every method, round trip, real webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from benji_desktop.client import (
    AuthError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    PlatformClient,
    ValidationError,
)
from benji_desktop.domain.environments import DEFAULT_ENVIRONMENTS, Environment
from benji_desktop.sandbox import SandboxServer
from benji_desktop.signature import KnownSalt, Verdict, verify


@pytest.fixture
def environment(sandbox: SandboxServer) -> Environment:
    return DEFAULT_ENVIRONMENTS["sandbox"].with_urls(sandbox.url)


@pytest.fixture
async def client(sandbox: SandboxServer, environment: Environment) -> AsyncIterator[PlatformClient]:
    async with PlatformClient(environment, sandbox.api_key) as platform:
        yield platform
    assert sandbox.state.unexpected_errors == 0


def verdict_of(request: Any, salt: str) -> Verdict:
    return verify(request.body, request.headers, [KnownSalt(salt, "test")], now=None).verdict


async def test_connection_report_on_the_running_sandbox(client: PlatformClient) -> None:
    report = await client.test_connection()
    assert report.ok, report.summary
    assert "The API key was accepted." in report.summary


async def test_webhooks_round_trip_with_real_deliveries(client: PlatformClient, receiver: Any) -> None:
    created = await client.create_subscription(receiver.url, 3, "transaction_created")
    assert created.salt and created.salt.startswith("salt_") and created.active
    [listed] = [s for s in await client.list_subscriptions() if s.id == created.id]
    assert listed.salt == created.salt and listed.endpoint == receiver.url and listed.entity_label == "Transaction"

    paused = await client.update_subscription(created.id, active=False)
    assert not paused.active
    widened = await client.update_subscription(created.id, active=True, event_name=None)
    assert widened.active and widened.event_name is None

    attempt = await client.send_test(created.id, entity_id=5924)
    assert attempt.succeeded and attempt.response_status == 200 and attempt.subscription_id == created.id
    await receiver.wait_for(1)
    assert verdict_of(receiver.requests[0], created.salt) is Verdict.VALID
    deliveries = await client.list_deliveries(created.id)
    assert deliveries and deliveries[0].delivery_id == attempt.delivery_id

    rotated = await client.rotate_salt(created.id, overlap_seconds=60)
    assert rotated.salt != created.salt and rotated.previous_salt == created.salt

    result = await client.trigger_event("transaction_created", 3)
    assert result.entity_type == 3 and [d.subscription_id for d in result.deliveries] == [created.id]
    await receiver.wait_for(2)
    assert rotated.salt is not None and verdict_of(receiver.requests[1], rotated.salt) is Verdict.VALID
    assert result.entity_id is not None
    transaction = await client.get_transaction(result.entity_id)
    assert transaction["id"] == result.entity_id

    await client.delete_subscription(created.id)
    assert created.id not in [s.id for s in await client.list_subscriptions()]
    with pytest.raises(NotFoundError):
        await client.delete_subscription(created.id)


async def test_documented_subscribe_creates_and_an_empty_endpoint_deletes(
    client: PlatformClient, receiver: Any
) -> None:
    result = await client.subscribe_documented(receiver.url, 1, "user_partner_connected")
    assert result.subscribed
    assert [(s.entity_type, s.event_name) for s in await client.list_subscriptions()] == [(1, "user_partner_connected")]
    user_event = await client.trigger_event("user_partner_connected", 1)
    assert user_event.entity_id is not None
    user = await client.get_user(user_event.entity_id)
    assert user["id"] == user_event.entity_id and "first_name" in user
    await client.subscribe_documented("", 1, "user_partner_connected")
    assert await client.list_subscriptions() == []
    with pytest.raises(ValidationError):
        await client.create_subscription("not-a-url", 3)


async def test_local_signing_reaches_a_real_receiver(client: PlatformClient, receiver: Any) -> None:
    salt = "salt_0123456789abcdefghijABCDEFGHIJ__"
    sent = await client.sign_and_send_locally(receiver.url, salt, "transaction_status_updated", 3, 77)
    await receiver.wait_for(1)
    [request] = receiver.requests
    assert sent.succeeded and request.body == sent.body
    assert verdict_of(request, salt) is Verdict.VALID
    assert all(name.lower() != "x-api-key" for name, _ in request.headers)


async def test_api_keys_round_trip(client: PlatformClient, environment: Environment) -> None:
    [bootstrap] = await client.list_api_keys()
    assert bootstrap.masked.startswith("bk_sandbox_") and "…" in bootstrap.masked
    created = await client.create_api_key("CI")
    assert created.key.startswith("bk_sandbox_") and created.masked.endswith(created.key[-4:])
    assert (await client.rename_api_key(created.id, "Deploy")).name == "Deploy"

    async with PlatformClient(environment, created.key) as second:
        assert {k.name for k in await second.list_api_keys()} == {bootstrap.name, "Deploy"}
        rotated = await client.rotate_api_key(created.id)
        with pytest.raises(AuthError) as caught:
            await second.list_api_keys()
        assert created.key not in str(caught.value) and created.key not in repr(caught.value)
        second.set_api_key(rotated.key)
        assert len(await second.list_api_keys()) == 2
        await client.delete_api_key(created.id)
        with pytest.raises(AuthError):
            await second.list_api_keys()
    assert [k.id for k in await client.list_api_keys()] == [bootstrap.id]


async def test_integrations_round_trip(client: PlatformClient) -> None:
    catalogue = {i.slug: i for i in await client.list_integrations()}
    assert set(catalogue) == {"square", "stripe"} and not catalogue["square"].connected
    token = "EAAAexampleexampleexample1234"
    square = await client.connect_integration("square", {"access_token": token, "location_id": "L8E9Z1K5H3V2Q"})
    assert square.connected and token not in str(square.credentials_masked)
    with pytest.raises(ValidationError) as caught:
        await client.connect_integration("stripe", {"secret_key": "nope_secret_value_123456"})
    assert "nope_secret_value_123456" not in str(caught.value)
    assert not (await client.disconnect_integration("square")).connected


async def test_sandbox_settings_round_trip(client: PlatformClient) -> None:
    before = await client.get_sandbox_settings()
    assert "time_scale" in before
    after = await client.update_sandbox_settings(ip_auto_review_seconds=5)
    assert after["ip_auto_review_seconds"] == 5


async def test_ip_whitelist_round_trip_and_enforcement(client: PlatformClient) -> None:
    mine = await client.request_ip("127.0.0.1", "this laptop")
    other = await client.request_ip("203.0.113.9", "office")
    spare = await client.request_ip("2001:db8::1", "ipv6")
    assert {e.status for e in await client.list_ip_entries()} == {"pending"}
    assert (await client.review_ip(spare.id, approve=False)).status == "rejected"
    assert (await client.review_ip(mine.id, approve=True)).status == "approved"
    assert (await client.review_ip(other.id, approve=True)).status == "approved"
    await client.delete_ip_entry(spare.id)
    assert {e.ip for e in await client.list_ip_entries()} == {"127.0.0.1", "203.0.113.9"}

    await client.delete_ip_entry(mine.id)  # now only someone else's address is approved
    with pytest.raises(ForbiddenError) as caught:
        await client.list_ip_entries()
    assert caught.value.code == "ip_not_whitelisted"
    assert "not on the IP whitelist" in str(caught.value)


async def test_a_stopped_sandbox_is_a_network_error(sandbox: SandboxServer, environment: Environment) -> None:
    async with PlatformClient(environment, sandbox.api_key, timeout=2.0) as platform:
        await sandbox.stop()
        with pytest.raises(NetworkError) as caught:
            await platform.list_api_keys()
    host = environment.api_base_url.removeprefix("http://")
    assert str(caught.value).startswith(f"Could not reach {host}:")
    assert sandbox.api_key not in str(caught.value)
