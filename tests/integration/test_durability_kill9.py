"""Durability: every request `benji-desktop listen` answered 2xx is in the store, byte-exact, after a `kill -9`.

A burst of 5,000 distinct signed webhooks goes to a real `listen` process; it is killed with SIGKILL once a
share of them has been answered, while many are in flight. A new `listen` then opens the same store (the
crash left it usable) and takes a request; the store must hold every answered request with the exact bytes sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from benji_desktop.signature import canonical_body, signed_headers
from benji_desktop.storage.captures import CaptureStore

SALT = "salt_ZHVyYWJpbGl0eSB0ZXN0IHNhbHQgMDAw"
BURST = 5000
KILL_AFTER_ANSWERED = 1200
CONCURRENCY = 32
LISTEN_ARGS = ("--json", "--salt", SALT)


def start_listen(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`listen --json` with stdout to a file (a pipe nobody reads would fill and block it); returns its URL."""
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "benji_desktop", "listen", "--port", "0", "--data-dir", str(data_dir), *LISTEN_ARGS],
        stdout=handle,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    handle.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        if lines and lines[0].startswith("{"):
            return process, json.loads(lines[0])["listening"]
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"listen did not print its URL: {log.read_text(errors='replace')!r}")


def request(number: int) -> tuple[bytes, dict[str, str]]:
    body = canonical_body("transaction_created", 3, number)
    return body, signed_headers(body, [SALT])


async def burst_then_kill(url: str, process: subprocess.Popen[bytes]) -> dict[int, bytes]:
    """Send the burst from a fixed number of workers; SIGKILL the receiver mid-way.
    Returns {entity id: body} of every request answered 2xx."""
    answered: dict[int, bytes] = {}
    numbers = iter(range(1, BURST + 1))
    killed = False
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal killed
            for number in numbers:
                body, headers = request(number)
                try:
                    response = await client.post(f"{url}/webhooks/benji", content=body, headers=headers)
                except httpx.HTTPError:
                    if killed:
                        return  # cut off by the kill: never answered, nothing promised; the rest would be refused
                    raise
                if 200 <= response.status_code < 300:
                    answered[number] = body
                if len(answered) >= KILL_AFTER_ANSWERED and not killed:
                    killed = True
                    process.send_signal(signal.SIGKILL)  # the other workers' requests are in flight now

        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(CONCURRENCY))), 120)
    return answered


@pytest.mark.slow
def test_every_2xx_survives_kill_9_mid_burst_byte_exact(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process, url = start_listen(data_dir, tmp_path / "first.log")
    try:
        answered = asyncio.run(burst_then_kill(url, process))
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert len(answered) >= KILL_AFTER_ANSWERED
    assert len(answered) < BURST, "the kill came after the burst ended; nothing was in flight"

    # The store a SIGKILL left behind opens in a new receiver, which takes new requests.
    restarted, url = start_listen(data_dir, tmp_path / "second.log")
    try:
        body, headers = request(BURST + 1)
        reply = httpx.post(f"{url}/webhooks/benji", content=body, headers=headers, timeout=30)
        assert reply.status_code == 200
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)
    assert restarted.returncode == 0

    with CaptureStore(data_dir / "captures.sqlite3") as store:
        captures = store.get_many(store.all_ids())
    stored = {int(c.entity_id or 0): c for c in captures if c.classification == "ok"}
    missing = sorted(set(answered) - set(stored))
    assert not missing, f"{len(missing)} answered requests are not in the store, e.g. {missing[:10]}"
    for number, sent in answered.items():
        capture = stored[number]
        assert capture.body == sent
        signature = next(value for name, value in capture.headers if name.lower() == "x-benji-signature")
        assert signature == request(number)[1]["x-benji-signature"]
        assert capture.verdict == "VALID"
    assert BURST + 1 in stored  # the request after the restart too
