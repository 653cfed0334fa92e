"""Simulated platform traffic: realistic events at a chosen rate, fanned out like any triggered event."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from benji_desktop.domain.entities import EntityType

log = logging.getLogger(__name__)

# Weighted like a live programme: many transaction updates, fewer new connections.
REALISTIC_EVENTS: tuple[tuple[str, EntityType, int], ...] = (
    ("transaction_created", EntityType.TRANSACTION, 5),
    ("transaction_authenticated", EntityType.TRANSACTION, 3),
    ("transaction_status_updated", EntityType.TRANSACTION, 6),
    ("reward_transaction_updated", EntityType.TRANSACTION, 2),
    ("user_partner_connected", EntityType.USER, 2),
)

MAX_GAP_SECONDS = 24 * 3600.0

Trigger = Callable[[str, int, int | None], Awaitable[Any]]


def pick_event(rng: random.Random) -> tuple[str, int]:
    event, entity_type, _ = rng.choices(REALISTIC_EVENTS, weights=[w for *_, w in REALISTIC_EVENTS])[0]
    return event, int(entity_type)


class TrafficSimulator:
    """Emits events with exponential gaps (a Poisson process) at `rate_per_minute`; 0 means off."""

    def __init__(self, trigger: Trigger, rate_per_minute: float = 0.0, rng: random.Random | None = None) -> None:
        self._trigger = trigger
        self._rate = rate_per_minute
        self._rng = rng or random.Random()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.emitted = 0

    @property
    def rate_per_minute(self) -> float:
        return self._rate

    def set_rate(self, rate_per_minute: float) -> None:
        self._rate = max(0.0, rate_per_minute)
        self._changed.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("the traffic simulator had failed")
            self._task = None

    async def _run(self) -> None:
        while True:
            self._changed.clear()
            per_second = self._rate / 60.0
            if per_second <= 0:  # off, or a rate so small (5e-324) that it underflows to zero
                await self._changed.wait()
                continue
            gap = self._rng.expovariate(per_second)
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=gap)
                continue  # the rate changed: draw a new gap
            except TimeoutError:
                pass
            event, entity_type = pick_event(self._rng)
            try:
                await self._trigger(event, entity_type, None)
                self.emitted += 1
            except Exception:
                log.exception("simulated event %s failed", event)
