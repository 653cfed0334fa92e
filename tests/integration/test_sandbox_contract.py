"""Contract test: schemathesis fuzzes the served OpenAPI document; no 5xx, no response outside the schema."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from benji_desktop.sandbox import SandboxServer
from benji_desktop.secretstore import MemorySecretStore

MAX_SUBSCRIPTIONS = 20
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
SPEC_FILE = Path(__file__).resolve().parents[2] / "benji_desktop" / "sandbox" / "openapi.json"


class ThreadedSandbox:
    """schemathesis calls are synchronous, so the Sandbox runs on its own loop in a thread."""

    def __init__(self, data_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        # Real-time retries: fuzzed endpoints fail, and compressed retries of hundreds of them would flood the loop.
        self.server = SandboxServer(data_dir, MemorySecretStore(), time_scale=1.0, delivery_timeout=1.0)
        self.run(self.server.start())
        self.key = self.server.api_key

    def run(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout=60)

    async def _restore_access(self) -> str:
        """Undo what a fuzzed call may have done to our own access: a deleted key, an approved foreign IP."""
        state = self.server.state
        if state.store.key_id_for_value(self.key) is None:
            self.key = state.store.create_api_key("contract test")[1]
        for entry in state.store.list_ip_entries():
            if entry["status"] != "rejected":
                state.store.review_ip_entry(entry["id"], "rejected")
        state.apply_settings({"ip_auto_review_seconds": None, "traffic_events_per_minute": 0.0, "time_scale": 1.0})
        # Keep fan-out bounded: each fuzzed subscription points at an endpoint that fails slowly.
        subscriptions = state.store.list_subscriptions()
        if len(subscriptions) > MAX_SUBSCRIPTIONS:
            for subscription in subscriptions:
                state.store.delete_subscription(subscription["id"])
        return self.key

    def restore_access(self) -> str:
        result: str = self.run(self._restore_access())
        return result

    def stop(self) -> None:
        self.run(self.server.stop())
        # Fuzzed endpoints may still be resolving in the default executor; let those threads finish.
        self.run(self.loop.shutdown_default_executor())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(scope="module")
def threaded_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedSandbox]:
    sandbox = ThreadedSandbox(tmp_path_factory.mktemp("contract") / "sandbox")
    yield sandbox
    unexpected = sandbox.server.state.unexpected_errors
    sandbox.stop()
    assert unexpected == 0


# The repository file, which the next test proves is exactly what the Sandbox serves.
schema = schemathesis.openapi.from_path(SPEC_FILE)
FUZZ_EXAMPLES = int(os.environ.get("BENJI_FUZZ_EXAMPLES", "10"))


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_every_response_in_the_schema(case: Any, threaded_sandbox: ThreadedSandbox) -> None:
    key = threaded_sandbox.restore_access()
    response = case.call(base_url=threaded_sandbox.server.url, headers={"x-api-key": key}, timeout=30)
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=CHECKS)


def test_the_served_document_is_the_repository_file(threaded_sandbox: ThreadedSandbox) -> None:
    served = requests.get(f"{threaded_sandbox.server.url}/openapi.json", timeout=10).json()
    assert served == json.loads(SPEC_FILE.read_text(encoding="utf-8"))


def test_documented_samples_round_trip(threaded_sandbox: ThreadedSandbox) -> None:
    """The samples of the public docs, sent as documented, come back in the documented shapes."""
    url = threaded_sandbox.server.url
    headers = {"x-api-key": threaded_sandbox.restore_access()}
    put = requests.put(
        f"{url}/webhooks/subscribe",
        json={"endpoint": "https://example.com/benji-hook", "event_name": "user_partner_connected", "entity_type": 1},
        headers=headers,
        timeout=10,
    )
    assert put.json() == {"code": "ok", "data": {"subscribed": True}}
    user = requests.get(f"{url}/users/155", headers=headers, timeout=10).json()
    assert user["code"] == "ok" and user["data"]["user"]["id"] == 155
    transaction = requests.get(f"{url}/transactions/5924", headers=headers, timeout=10).json()
    assert transaction["data"]["reward_transaction"]["id"] == 5924
    sample = {"event": "reward_transaction_updated", "entity": 3, "entity_id": 243}
    triggered = requests.post(f"{url}/sandbox/events", json=sample, headers=headers, timeout=30).json()
    assert triggered["data"]["entity_type"] == 3 and triggered["data"]["entity_id"] == 243
