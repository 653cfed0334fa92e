"""The cURL commands `to_curl` writes, run by a real shell and curl, deliver the exact bytes to a real server."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from benji_desktop.interchange import HttpRequest, to_curl

pytestmark = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("sh")), reason="needs curl and sh")


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[tuple[str, list[tuple[str, str]], bytes]]]]:
    seen: list[tuple[str, list[tuple[str, str]], bytes]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append((request.method, list(request.headers.items()), await request.read()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    "body",
    [
        b'{"event":"user_partner_connected","entity_type":1,"entity_id":155}',
        "Zoë — it's 100% \\ $HOME `x`\n".encode(),
        b"\x00\x01\r\n\xff\xfe%s%d'\"",
        bytes(range(256)),
    ],
    ids=["json", "text", "binary", "all-bytes"],
)
async def test_shell_runs_the_command_byte_exact(recorder: tuple[str, list], body: bytes) -> None:  # type: ignore[type-arg]
    base, seen = recorder
    request = HttpRequest(
        "PUT", "http", "example.invalid", "/hook", "a=1",
        [("Content-Type", "application/json"), ("X-Dup", "1"), ("X-Dup", "2"), ("X-Empty", "")], body,
    )  # fmt: skip
    command = to_curl(request, url=f"{base}/hook?a=1") + " --silent --show-error --max-time 10"
    process = await asyncio.create_subprocess_exec("sh", "-c", command, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr
    [(method, headers, received)] = seen
    assert method == "PUT"
    assert received == body
    assert [v for n, v in headers if n == "X-Dup"] == ["1", "2"]
    assert ("X-Empty", "") in headers
    assert ("Content-Type", "application/json") in headers
