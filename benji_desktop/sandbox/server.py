"""`SandboxServer`: the stateful local Benji Platform, started and stopped on the caller's event loop."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import Any

from aiohttp import web

from benji_desktop.sandbox.api import DEFAULT_SETTINGS, SandboxState, create_app
from benji_desktop.sandbox.delivery import DEFAULT_CONCURRENCY, DeliveryEngine, DeliveryListener
from benji_desktop.sandbox.entities import EntityWorld
from benji_desktop.sandbox.store import SandboxStore
from benji_desktop.sandbox.traffic import TrafficSimulator
from benji_desktop.sandbox.vault import Vault, VaultError

log = logging.getLogger(__name__)

DB_NAME = "sandbox.sqlite3"
BOOTSTRAP_KEY_NAME = "Bootstrap key"


def reset_data(data_dir: Path) -> None:
    """Wipe the Sandbox's state (the encryption key in the secret store is kept and reused)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)


class SandboxServer:
    """The emulator. `api_key` is the bootstrap key: kept Fernet-encrypted in the state so it survives a restart
    (the app stores it once in its keychain); if it was deleted, a fresh "Bootstrap key" is issued at start."""

    def __init__(
        self,
        data_dir: Path,
        secret_store: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        delivery_timeout: float = 10.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        traffic_per_minute: float | None = None,
        trusted_cert_file: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self._trusted_cert_file = trusted_cert_file
        self._secret_store = secret_store
        self.host = host
        self._requested_port = port
        self._time_scale = time_scale
        self._delivery_timeout = delivery_timeout
        self._concurrency = concurrency
        self._traffic_per_minute = traffic_per_minute
        self._listeners: list[DeliveryListener] = []
        self._runner: web.AppRunner | None = None
        self._state: SandboxState | None = None
        self._traffic: TrafficSimulator | None = None
        self._api_key: str | None = None
        self._vault: Vault | None = None
        self._bootstrap_id: int | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the sandbox is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        if self._api_key is None:
            raise RuntimeError("the sandbox is not started")
        return self._api_key

    @property
    def state(self) -> SandboxState:
        if self._state is None:
            raise RuntimeError("the sandbox is not started")
        return self._state

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    def add_delivery_listener(self, callback: DeliveryListener) -> None:
        """`callback(attempt: dict)` on the loop after each attempt is logged (the DeliveryAttempt shape)."""
        self._listeners.append(callback)
        if self._state is not None:
            self._state.engine.add_listener(callback)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        # A keychain can block or prompt: keep it off the loop.
        key = await loop.run_in_executor(None, Vault.load_or_create_key, self._secret_store)
        vault = self._vault = Vault(key)
        store = SandboxStore(self.db_path, vault)
        runner: web.AppRunner | None = None
        try:
            engine = DeliveryEngine(
                store,
                timeout=self._delivery_timeout,
                time_scale=self._time_scale,
                concurrency=self._concurrency,
                trusted_cert_file=self._trusted_cert_file,
            )
            for listener in self._listeners:
                engine.add_listener(listener)
            world = EntityWorld(store)
            world.seed()
            settings = {**DEFAULT_SETTINGS, **store.get_settings(), "time_scale": float(self._time_scale)}
            if self._traffic_per_minute is not None:
                settings["traffic_events_per_minute"] = float(self._traffic_per_minute)
            state = SandboxState(store=store, engine=engine, world=world, settings=settings)
            self._traffic = TrafficSimulator(state.trigger_event, float(settings["traffic_events_per_minute"]))
            state.on_key_rotated = self._key_rotated
            state.on_settings_changed = self._settings_changed
            state.apply_settings({})
            self._bootstrap_id, self._api_key = self._bootstrap_key(store, vault)
            self._state = state
            await engine.start()
            # In-flight deliveries are shielded tasks the engine cancels itself: no need to wait long for handlers.
            runner = web.AppRunner(create_app(state), access_log=None, handle_signals=False, shutdown_timeout=2.0)
            await runner.setup()
            site = web.TCPSite(runner, self.host, self._requested_port)
            await site.start()
        except BaseException:
            if runner is not None:
                await runner.cleanup()
            if self._state is not None:
                await self._state.engine.stop()
            store.close()
            self._state = None
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1]) if runner.addresses else self._requested_port
        self._traffic.start()
        log.info("sandbox listening on %s", self.url)

    def _bootstrap_key(self, store: SandboxStore, vault: Vault) -> tuple[int, str]:
        stored = store.get_meta("bootstrap_key")
        if stored:
            try:
                value = vault.decrypt(stored)
            except VaultError:
                value = ""
            key_id = store.key_id_for_value(value) if value else None
            if key_id is not None:
                return key_id, value
        key, value = store.create_api_key(BOOTSTRAP_KEY_NAME)
        store.set_meta("bootstrap_key", vault.encrypt(value))
        return int(key["id"]), value

    def _key_rotated(self, key_id: int, value: str) -> None:
        if key_id == self._bootstrap_id and self._state is not None and self._vault is not None:
            self._api_key = value
            self._state.store.set_meta("bootstrap_key", self._vault.encrypt(value))

    def _settings_changed(self, settings: dict[str, Any]) -> None:
        if self._traffic is not None:
            self._traffic.set_rate(float(settings.get("traffic_events_per_minute") or 0.0))

    async def trigger_event(self, event: str, entity_type: int, entity_id: int | None = None) -> dict[str, Any]:
        return await self.state.trigger_event(event, entity_type, entity_id)

    async def stop(self) -> None:
        """Stop serving, then the delivery engine; pending retries stay in the store for the next start."""
        if self._traffic is not None:
            await self._traffic.stop()
            self._traffic = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._state is not None:
            await self._state.engine.stop()
            self._state.store.close()
            self._state = None
        self.port = None
