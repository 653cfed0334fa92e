"""Webhook deliveries from the Sandbox to a real receiver: signatures, rotation, retries, 410, restarts."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from benji_desktop.sandbox import SandboxServer
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.signature import KnownSalt, Verdict, verify

if TYPE_CHECKING:  # the fixture's class; tests/ is not a package
    from conftest import RecordingReceiver


async def subscribe(api: httpx.AsyncClient, endpoint: str, entity_type: int = 1, **extra: Any) -> dict[str, Any]:
    response = await api.post("/webhooks/subscribe", json={"endpoint": endpoint, "entity_type": entity_type, **extra})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def deliveries(api: httpx.AsyncClient, sub_id: int) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await api.get(f"/webhooks/subscriptions/{sub_id}/deliveries")).json()["data"][
        "deliveries"
    ]
    return result


async def wait_until(condition: Any, within: float = 10.0) -> None:
    async def poll() -> None:
        # Polling over HTTP: the state lives behind the Sandbox's API, there is no event to await.
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), within)


async def test_a_test_delivery_is_signed_per_the_brief(api: httpx.AsyncClient, receiver: RecordingReceiver) -> None:
    sub = await subscribe(api, receiver.url, 1, event_name="user_partner_connected")
    attempt = (await api.post(f"/webhooks/subscriptions/{sub['id']}/test", json={"entity_id": 155})).json()["data"]
    assert attempt["status"] == "succeeded" and attempt["attempt"] == 1
    assert attempt["response_status"] == 200 and attempt["response_body"] == "answered 200"
    assert attempt["latency_ms"] >= 0 and attempt["error"] is None
    [request] = receiver.requests
    assert request.method == "POST"
    assert request.body == b'{"event":"user_partner_connected","entity_type":1,"entity_id":155}'
    headers = dict((k.lower(), v) for k, v in request.headers)
    assert headers["content-type"] == "application/json"
    assert headers["x-benji-signature"] == headers["x-benji-signature"].lower()
    datetime.strptime(headers["x-webhook-datetime"], "%a, %d %b %Y %H:%M:%S GMT")
    report = verify(request.body, request.headers, [KnownSalt(sub["salt"], "subscription")], now=datetime.now(UTC))
    assert report.verdict is Verdict.VALID
    assert (await deliveries(api, sub["id"]))[0]["id"] == attempt["id"]


async def test_rotation_overlap_carries_both_signatures(api: httpx.AsyncClient, receiver: RecordingReceiver) -> None:
    sub = await subscribe(api, receiver.url, 3)
    rotated = (await api.post(f"/webhooks/subscriptions/{sub['id']}/rotate-salt")).json()["data"]
    assert rotated["previous_salt"] == sub["salt"]
    await api.post(f"/webhooks/subscriptions/{sub['id']}/test")
    [request] = receiver.requests
    signatures = dict((k.lower(), v) for k, v in request.headers)["x-benji-signature"].split(",")
    assert len(signatures) == 2
    for salt in (sub["salt"], rotated["salt"]):
        assert verify(request.body, request.headers, [KnownSalt(salt)]).verdict is Verdict.VALID
    # Without an overlap, only the new salt signs.
    fresh = (await api.post(f"/webhooks/subscriptions/{sub['id']}/rotate-salt", json={"overlap_seconds": 0})).json()
    assert fresh["data"]["previous_salt"] is None
    await api.post(f"/webhooks/subscriptions/{sub['id']}/test")
    last = receiver.requests[-1]
    assert verify(last.body, last.headers, [KnownSalt(rotated["salt"])]).verdict is Verdict.INVALID
    assert verify(last.body, last.headers, [KnownSalt(fresh["data"]["salt"])]).verdict is Verdict.VALID


async def test_failures_are_retried_on_the_compressed_schedule(
    api: httpx.AsyncClient, receiver: RecordingReceiver, sandbox: SandboxServer
) -> None:
    seen: list[dict[str, Any]] = []
    sandbox.add_delivery_listener(seen.append)
    receiver.script = [500, 500]  # then 200
    sub = await subscribe(api, receiver.url, 1)
    first = (await api.post(f"/webhooks/subscriptions/{sub['id']}/test")).json()["data"]
    assert first["status"] == "retry_scheduled" and first["response_status"] == 500
    assert first["next_attempt_at"] is not None and "500" in first["error"]
    await receiver.wait_for(3)

    async def logged() -> bool:
        return len(await deliveries(api, sub["id"])) == 3

    await wait_until(logged)
    log = await deliveries(api, sub["id"])
    assert [(a["attempt"], a["status"]) for a in log] == [(3, "succeeded"), (2, "retry_scheduled"),
                                                          (1, "retry_scheduled")]  # fmt: skip
    assert {a["delivery_id"] for a in log} == {first["delivery_id"]}
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
    assert [a["status"] for a in seen] == ["retry_scheduled", "retry_scheduled", "succeeded"]


async def test_a_timeout_is_a_failure_with_a_reason(
    sandbox_dir: Path, secret_store: MemorySecretStore, receiver: RecordingReceiver
) -> None:
    receiver.delay_seconds = 1.0
    server = SandboxServer(sandbox_dir, secret_store, time_scale=1.0, delivery_timeout=0.2)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.api_key}) as api:
            sub = await subscribe(api, receiver.url, 1)
            attempt = (await api.post(f"/webhooks/subscriptions/{sub['id']}/test")).json()["data"]
            assert attempt["status"] == "retry_scheduled"
            assert attempt["response_status"] is None and "0.2 s" in attempt["error"]
    finally:
        await server.stop()


async def test_gone_deactivates_the_subscription(api: httpx.AsyncClient, receiver: RecordingReceiver) -> None:
    receiver.default_status = 410
    sub = await subscribe(api, receiver.url, 3)
    attempt = (await api.post(f"/webhooks/subscriptions/{sub['id']}/test")).json()["data"]
    assert attempt["status"] == "failed" and attempt["next_attempt_at"] is None
    [after] = (await api.get("/webhooks/subscriptions")).json()["data"]["subscriptions"]
    assert after["active"] is False
    fanned = (await api.post("/sandbox/events", json={"event": "transaction_created", "entity_type": 3})).json()
    assert fanned["data"]["deliveries"] == []
    assert len(receiver.requests) == 1


async def test_events_fan_out_to_matching_active_subscriptions_and_the_entity_can_be_fetched(
    api: httpx.AsyncClient, receiver: RecordingReceiver
) -> None:
    every_transaction = await subscribe(api, receiver.url + "/all", 3)
    created_only = await subscribe(api, receiver.url + "/created", 3, event_name="transaction_created")
    await subscribe(api, receiver.url + "/users", 1)
    await subscribe(api, receiver.url + "/off", 3, active=False)
    result = await api.post("/sandbox/events", json={"event": "transaction_status_updated", "entity_type": 3})
    data = result.json()["data"]
    assert [d["subscription_id"] for d in data["deliveries"]] == [every_transaction["id"]]
    assert [r.path for r in receiver.requests] == ["/hook/all"]
    # "Fetch the entity after the webhook" works offline.
    payload = json.loads(receiver.requests[0].body)
    fetched = (await api.get(f"/transactions/{payload['entity_id']}")).json()["data"]["reward_transaction"]
    assert fetched["id"] == payload["entity_id"]
    created = (await api.post("/sandbox/events", json={"event": "transaction_created", "entity_type": 3})).json()
    assert {d["subscription_id"] for d in created["data"]["deliveries"]} == {every_transaction["id"],
                                                                            created_only["id"]}  # fmt: skip
    assert (await api.get(f"/transactions/{created['data']['entity_id']}")).status_code == 200
    # The documented sample body, with its `entity` alias, triggers the same way.
    sample = {"event": "reward_transaction_updated", "entity": 3, "entity_id": 243}
    echoed = (await api.post("/sandbox/events", json=sample)).json()["data"]
    assert (echoed["event"], echoed["entity_type"], echoed["entity_id"]) == ("reward_transaction_updated", 3, 243)
    assert receiver.requests[-1].body == b'{"event":"reward_transaction_updated","entity_type":3,"entity_id":243}'
    user_event = await api.post("/sandbox/events", json={"event": "user_partner_connected", "entity_type": 1})
    user_id = user_event.json()["data"]["entity_id"]
    assert (await api.get(f"/users/{user_id}")).json()["data"]["user"]["id"] == user_id


async def test_pending_retries_survive_a_restart(
    sandbox_dir: Path, secret_store: MemorySecretStore, receiver: RecordingReceiver
) -> None:
    receiver.script = [503]
    first = SandboxServer(sandbox_dir, secret_store, time_scale=5.0)  # the 5 s retry comes after 1 s
    await first.start()
    key = first.api_key
    async with httpx.AsyncClient(base_url=first.url, headers={"x-api-key": key}) as api:
        sub = await subscribe(api, receiver.url, 1)
        attempt = (await api.post(f"/webhooks/subscriptions/{sub['id']}/test")).json()["data"]
    assert attempt["status"] == "retry_scheduled"
    await first.stop()
    assert len(receiver.requests) == 1

    second = SandboxServer(sandbox_dir, secret_store, time_scale=5.0)
    await second.start()
    try:
        assert second.api_key == key  # the bootstrap key survives a restart
        await receiver.wait_for(2)
        async with httpx.AsyncClient(base_url=second.url, headers={"x-api-key": key}) as api:

            async def logged() -> bool:
                return len(await deliveries(api, sub["id"])) == 2

            await wait_until(logged)
            latest = (await deliveries(api, sub["id"]))[0]
        assert (latest["attempt"], latest["status"]) == (2, "succeeded")
        assert receiver.requests[0].body == receiver.requests[1].body
    finally:
        await second.stop()


async def test_retries_give_up_after_the_schedule(
    sandbox_dir: Path, secret_store: MemorySecretStore, receiver: RecordingReceiver
) -> None:
    receiver.default_status = 500
    server = SandboxServer(sandbox_dir, secret_store, time_scale=20000.0)  # 1 h becomes 0.18 s
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.api_key}) as api:
            sub = await subscribe(api, receiver.url, 1)
            await api.post(f"/webhooks/subscriptions/{sub['id']}/test")
            await receiver.wait_for(6)

            async def logged() -> bool:
                return len(await deliveries(api, sub["id"])) == 6

            await wait_until(logged)
            log = await deliveries(api, sub["id"])
        assert log[0]["status"] == "gave_up" and log[0]["attempt"] == 6
        await asyncio.sleep(0.3)
        assert len(receiver.requests) == 6
    finally:
        await server.stop()


async def test_stop_interrupts_an_in_flight_delivery_which_is_retried_after_restart(
    sandbox_dir: Path, secret_store: MemorySecretStore, receiver: RecordingReceiver
) -> None:
    receiver.delay_seconds = 30.0  # the first answer never comes before the stop
    first = SandboxServer(sandbox_dir, secret_store, time_scale=100.0)
    await first.start()
    api = httpx.AsyncClient(base_url=first.url, headers={"x-api-key": first.api_key})
    sub = await subscribe(api, receiver.url, 1)
    sending = asyncio.create_task(api.post(f"/webhooks/subscriptions/{sub['id']}/test"))
    await receiver.wait_for(1)
    await asyncio.wait_for(first.stop(), 8)  # a hang guard, not a timing assertion
    sending.cancel()
    await asyncio.gather(sending, return_exceptions=True)
    await api.aclose()

    receiver.delay_seconds = 0.0
    second = SandboxServer(sandbox_dir, secret_store, time_scale=100.0)
    await second.start()
    try:
        await receiver.wait_for(2)
        assert receiver.requests[1].body == receiver.requests[0].body
    finally:
        await second.stop()


async def test_concurrent_deliveries_are_bounded(
    sandbox_dir: Path, secret_store: MemorySecretStore, receiver: RecordingReceiver
) -> None:
    receiver.delay_seconds = 0.05
    server = SandboxServer(sandbox_dir, secret_store, concurrency=2)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.api_key}) as api:
            for n in range(6):
                await subscribe(api, f"{receiver.url}/{n}", 1)
            fanned = await api.post("/sandbox/events", json={"event": "user_partner_connected", "entity_type": 1})
        assert [d["status"] for d in fanned.json()["data"]["deliveries"]] == ["succeeded"] * 6
        assert receiver.max_in_flight == 2
    finally:
        await server.stop()


async def test_simulated_traffic_emits_catalogued_events(
    api: httpx.AsyncClient, receiver: RecordingReceiver, sandbox: SandboxServer
) -> None:
    await subscribe(api, receiver.url, 3)
    await subscribe(api, receiver.url, 1)
    settings = (await api.patch("/sandbox/settings", json={"traffic_events_per_minute": 600})).json()["data"]
    assert settings["traffic_events_per_minute"] == 600.0
    await receiver.wait_for(3, within=20)
    await api.patch("/sandbox/settings", json={"traffic_events_per_minute": 0})
    for request in receiver.requests[:3]:
        payload = json.loads(request.body)
        assert payload["event"] in {"transaction_created", "transaction_authenticated", "transaction_status_updated",
                                    "reward_transaction_updated", "user_partner_connected"}  # fmt: skip
        path = "/users" if payload["entity_type"] == 1 else "/transactions"
        assert (await api.get(f"{path}/{payload['entity_id']}")).status_code == 200


async def test_first_attempts_not_done_in_time_are_returned_pending_and_finish_later(
    sandbox_dir: Path, secret_store: MemorySecretStore, receiver: RecordingReceiver
) -> None:
    receiver.delay_seconds = 0.8
    # One at a time and a 1 s timeout: the call waits 2 s, so the third and fourth are still queued then.
    server = SandboxServer(sandbox_dir, secret_store, concurrency=1, delivery_timeout=1.0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.api_key}) as api:
            subs = [await subscribe(api, f"{receiver.url}/{n}", 1) for n in range(4)]
            fanned = await api.post("/sandbox/events", json={"event": "user_partner_connected", "entity_type": 1})
            statuses = [d["status"] for d in fanned.json()["data"]["deliveries"]]
            assert statuses[:2] == ["succeeded", "succeeded"] and statuses[-1] == "pending"
            last = subs[-1]["id"]
            assert [a["status"] for a in await deliveries(api, last)] == ["pending"]

            async def finished() -> bool:
                return [a["status"] for a in await deliveries(api, last)] == ["succeeded"]

            await wait_until(finished)
    finally:
        await server.stop()
