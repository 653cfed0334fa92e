"""Receiver: a replay to its own URL is one capture; stop() ends even when one of its tasks can no longer run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from benji_desktop.receiver import Receiver, StaticSaltSource, server
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers
from benji_desktop.storage.captures import CaptureStore

SALT = "salt_" + "B" * 32


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


class Stuck:
    """A task that ignores cancellation until released: as unreachable as one whose wake-up raised."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while not self.release.is_set():
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                continue


@pytest.mark.parametrize("which", ["_checkpoint_task", "_writer_task"])
async def test_stop_ends_when_a_receiver_task_never_finishes(
    store: CaptureStore, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shorter bounds than the app's, so the test is quick; the behaviour is the same.
    monkeypatch.setattr(server, "TASK_STOP_SECONDS", 1.0)
    monkeypatch.setattr(server, "WRITER_STOP_SECONDS", 1.0)
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT, "salt")]), port=0)
    await receiver.start()
    body = canonical_body("transaction_created", 3, 7)
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{receiver.url}/hook", content=body, headers=signed_headers(body, [SALT]))
    assert response.status_code == 200
    real = getattr(receiver, which)
    stuck = Stuck()
    stuck_task = stuck.task
    setattr(receiver, which, stuck_task)  # the receiver's own task is replaced by one that will not end
    stopping = asyncio.ensure_future(receiver.stop())
    try:
        # Not wait_for: cancelling a stop() stuck on such a task would wait for it just the same.
        done, _pending = await asyncio.wait([stopping], timeout=30)
        assert stopping in done, "Receiver.stop() did not end"
        stopping.result()
        assert not receiver.running
        # The port is released: a new connection is refused.
        with pytest.raises(httpx.ConnectError):
            async with httpx.AsyncClient() as client:
                await client.post(f"{receiver.url}/hook", content=body)
    finally:
        stuck.release.set()
        await stuck_task
        await stopping
        if which == "_writer_task":
            real.cancel()
            await asyncio.gather(real, return_exceptions=True)
    assert store.count() >= 1  # what was acknowledged stays stored


@pytest.mark.parametrize("spelling", ["{url}/hook", "{url}/hook?attempt=2", "{url_upper}/hook", "{localhost}/hook"])
async def test_a_replay_to_the_receivers_own_url_is_one_capture(store: CaptureStore, spelling: str) -> None:
    """Edit & replay pre-fills this receiver's URL: sending there is a replay to self, not a send elsewhere."""
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT, "salt")]), port=0)
    await receiver.start()
    try:
        body = canonical_body("transaction_created", 3, 7)
        async with httpx.AsyncClient() as client:
            original = (
                await client.post(f"{receiver.url}/hook", content=body, headers=signed_headers(body, [SALT]))
            ).json()["id"]
        url = spelling.format(
            url=receiver.url,
            url_upper=receiver.url.upper().replace("HTTP://", "http://"),
            localhost=f"http://localhost:{receiver.port}",
        )
        edited = body.replace(b"7", b"8")
        result = await receiver.replay(original, url, body=edited)
        assert result.status == 200 and result.capture_id is not None
        assert store.count() == 2  # the original and one replay, no "sent by Benji Desktop" twin
        replayed = store.get(result.capture_id)
        assert replayed is not None
        assert (replayed.source, replayed.parent_id, replayed.body) == ("replay", original, edited)
        assert replayed.remote != "(sent by Benji Desktop)"
        assert replayed.verdict == "INVALID"  # the body changed under the old signature
        assert replayed.duplicate_of is None  # an edited replay repeats nothing
        assert any(f"Replay of #{original}" in note for note in replayed.notes)
    finally:
        await receiver.stop()
