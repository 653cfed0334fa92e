"""Fixtures for integration tests: a real Sandbox on 127.0.0.1:0, a recording webhook receiver, httpx clients."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from benji_desktop.sandbox import SandboxServer
from benji_desktop.secretstore import MemorySecretStore


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-examples",
        type=int,
        default=10,
        help="schemathesis examples per operation in tests/integration/test_sandbox_contract.py (make fuzz: 500)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The contract test reads it at import time, when hypothesis settings are fixed; no fixture exists yet.
    os.environ["BENJI_FUZZ_EXAMPLES"] = str(config.getoption("--fuzz-examples"))


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: bytes
    headers: list[tuple[str, str]]


@dataclass
class RecordingReceiver:
    """Stores each request's raw bytes and headers; answers from a script of statuses, then `default_status`."""

    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    default_status: int = 200
    delay_seconds: float = 0.0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: int = 0
    max_in_flight: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers]
        self.requests.append(RecordedRequest(request.method, request.path, body, headers))
        self.arrived.set()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_seconds)
        finally:
            self.in_flight -= 1
        status = self.script.pop(0) if self.script else self.default_status
        return web.Response(status=status, text=f"answered {status}")

    async def wait_for(self, count: int, within: float = 10.0) -> None:
        async def enough() -> None:
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), within)


@pytest.fixture
async def receiver() -> AsyncIterator[RecordingReceiver]:
    recorder = RecordingReceiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)  # do not wait out a deliberately slow answer
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    recorder.url = f"http://127.0.0.1:{port}/hook"
    yield recorder
    await runner.cleanup()


@pytest.fixture
def secret_store() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def sandbox_dir(tmp_path: Path) -> Path:
    return tmp_path / "sandbox"


@pytest.fixture
async def sandbox(sandbox_dir: Path, secret_store: MemorySecretStore) -> AsyncIterator[SandboxServer]:
    # time_scale 100: the 5 s / 30 s retry delays become 50 ms / 300 ms.
    server = SandboxServer(sandbox_dir, secret_store, time_scale=100.0, delivery_timeout=2.0)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def api(sandbox: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.url, headers={"x-api-key": sandbox.api_key}, timeout=10) as client:
        yield client
    # Every test on the sandbox also checks that nothing it did reached the last-resort 500 handler.
    assert sandbox.state.unexpected_errors == 0
