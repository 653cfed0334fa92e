"""The traffic simulator: catalogued events at the chosen rate; any rate, however odd, is safe."""

from __future__ import annotations

import asyncio
import random

from benji_desktop.sandbox.traffic import REALISTIC_EVENTS, TrafficSimulator, pick_event


def test_picked_events_are_catalogued_with_their_entity_type() -> None:
    known = {(event, int(entity_type)) for event, entity_type, _ in REALISTIC_EVENTS}
    rng = random.Random(7)
    assert {pick_event(rng) for _ in range(200)} <= known


async def test_emits_at_a_high_rate_and_survives_a_vanishing_one() -> None:
    seen: list[tuple[str, int, int | None]] = []

    async def trigger(event: str, entity_type: int, entity_id: int | None) -> None:
        seen.append((event, entity_type, entity_id))

    simulator = TrafficSimulator(trigger, rate_per_minute=60000.0, rng=random.Random(1))
    simulator.start()
    try:
        for _ in range(500):
            if len(seen) >= 5:
                break
            await asyncio.sleep(0.01)
        assert len(seen) >= 5
        simulator.set_rate(5e-324)  # the smallest positive float: rate / 60 would underflow to 0
        await asyncio.sleep(0.05)
        simulator.set_rate(0)
        await asyncio.sleep(0.01)
    finally:
        await simulator.stop()
    assert simulator.emitted == len(seen)
