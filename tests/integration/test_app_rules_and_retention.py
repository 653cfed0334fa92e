"""Response rules saved in settings answer from the next start on; retention runs at start and periodically."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from benji_desktop.app import AppServices
from benji_desktop.receiver.rules import ResponseRule, ResponseRules
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.storage.captures import Capture, CaptureFilter
from benji_desktop.storage.settings import ResponseRuleSetting, SettingsStore


async def test_rules_set_once_answer_after_a_restart(data_dir: Path) -> None:
    first = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0, with_sandbox=False)
    await first.start()
    try:
        rules = ResponseRules(rules=(ResponseRule(path_prefix="/fail", status=503, body="down #{id}"),))
        await first.set_response_rules(rules)
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"{first.receiver_url}/fail/now", content=b"{}")
        assert answer.status_code == 503
    finally:
        await first.stop()
        first.close()

    assert SettingsStore(data_dir / "settings.json").load().receiver_response_rules == (
        ResponseRuleSetting(path_prefix="/fail", status=503, body="down #{id}"),
    )
    second = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0, with_sandbox=False)
    await second.start()
    try:
        async with httpx.AsyncClient() as client:
            failing = await client.post(f"{second.receiver_url}/fail/again", content=b"{}")
            fine = await client.post(f"{second.receiver_url}/webhooks/benji", content=b"{}")
        assert failing.status_code == 503 and failing.text.startswith("down #")
        assert fine.status_code == 200 and fine.json()["received"] is True
    finally:
        await second.stop()
        second.close()


async def test_retention_runs_at_start_and_then_periodically_while_capture_goes_on(data_dir: Path) -> None:
    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0, with_sandbox=False)
    services.settings_store.update(retention_max_captures=0, retention_max_age_days=1)
    old = time.time() - 3 * 86400
    services.captures.add_many([Capture(received_at=old + n, path="/old") for n in range(1200)])
    dropped: list[int] = []
    services.add_retention_listener(dropped.append)
    services.retention_interval_seconds = 0.2
    await services.start()
    try:
        async with httpx.AsyncClient() as client:
            statuses = [
                (await client.post(f"{services.receiver_url}/new", content=b"{}")).status_code for _ in range(20)
            ]
        for _ in range(100):
            if services.captures.count(CaptureFilter(path="/old")) == 0:
                break
            await asyncio.sleep(0.05)
        assert services.captures.count(CaptureFilter(path="/old")) == 0
        assert statuses == [200] * 20 and services.captures.count(CaptureFilter(path="/new")) == 20
        assert sum(dropped) == 1200

        # Later captures past the limit go at the next periodic run, without a restart.
        services.captures.add_many([Capture(received_at=old, path="/late")])
        for _ in range(100):
            if services.captures.count(CaptureFilter(path="/late")) == 0:
                break
            await asyncio.sleep(0.05)
        assert services.captures.count(CaptureFilter(path="/late")) == 0
        assert sum(dropped) == 1201
    finally:
        await services.stop()
        services.close()
