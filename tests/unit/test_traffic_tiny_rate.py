"""The Sandbox's traffic simulator survives any rate the settings accept, including one that underflows to zero."""

from __future__ import annotations

import asyncio

from benji_desktop.sandbox.traffic import TrafficSimulator


async def test_a_rate_that_underflows_is_off_not_a_crash() -> None:
    triggered: list[str] = []

    async def trigger(event: str, entity_type: int, entity_id: int | None) -> None:
        triggered.append(event)

    simulator = TrafficSimulator(trigger, rate_per_minute=5e-324)  # found by the contract fuzzer
    simulator.start()
    await asyncio.sleep(0.05)
    simulator.set_rate(1e-320)
    await asyncio.sleep(0.05)
    task = simulator._task
    assert task is not None and not task.done()  # still waiting for a usable rate, not dead of ZeroDivisionError
    await simulator.stop()
    assert triggered == []
