"""The delivery engine: signed POSTs with a timeout, retries on a schedule, a persisted log of every attempt."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from benji_desktop import __version__
from benji_desktop.sandbox.store import SandboxStore, iso
from benji_desktop.signature import signed_headers

log = logging.getLogger(__name__)

RETRY_SCHEDULE_SECONDS: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0, 3600.0)
RESPONSE_BODY_LIMIT = 2048
DEFAULT_CONCURRENCY = 8

DeliveryListener = Callable[[dict[str, Any]], None]


async def read_limited(response: aiohttp.ClientResponse, limit: int = RESPONSE_BODY_LIMIT) -> str:
    """The first `limit` bytes of the response body; the rest is not read into memory."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.content.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def attempt_json(row: dict[str, Any]) -> dict[str, Any]:
    """The DeliveryAttempt shape of the contract."""
    return {
        "id": row["id"],
        "delivery_id": row["delivery_id"],
        "subscription_id": row["subscription_id"],
        "event": row["event"],
        "entity_type": row["entity_type"],
        "entity_id": row["entity_id"],
        "attempt": row["attempt"],
        "status": row["status"],
        "response_status": row["response_status"],
        "latency_ms": row["latency_ms"],
        "response_body": row["response_body"],
        "error": row["error"],
        "attempted_at": row["attempted_at"],
        "next_attempt_at": row["next_attempt_at"],
        "endpoint": row["endpoint"],
    }


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connection_problem(error: BaseException, endpoint: str) -> str:
    """One sentence a user reads ("Could not connect to 127.0.0.1:1 (connection refused)."), not the
    transport's wording with its class name, "ssl:default" and socket tuples."""
    where = urlsplit(endpoint).netloc or endpoint
    cause: BaseException | None = getattr(error, "os_error", None) or error
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno:
            return f"Could not connect to {where} ({os.strerror(cause.errno).lower()})."
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, aiohttp.InvalidURL | ValueError):
        return f"The endpoint {endpoint} is not a URL that can be called."
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return f"{where} closed the connection without answering."
    if isinstance(error, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return f"{where} sent an answer that is not valid HTTP."
    return f"Could not connect to {where}."


class DeliveryEngine:
    """One task per scheduled retry, a semaphore around the HTTP work, state in SQLite so retries survive."""

    def __init__(
        self,
        store: SandboxStore,
        *,
        timeout: float = 10.0,
        time_scale: float = 1.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        schedule: tuple[float, ...] = RETRY_SCHEDULE_SECONDS,
        trusted_cert_file: Path | None = None,
    ) -> None:
        self._store = store
        # The app's own receiver may serve HTTPS with a self-signed certificate: deliveries to loopback
        # endpoints trust that one certificate in addition to the system's authorities.
        self._trusted_cert_file = trusted_cert_file
        self._loopback_ssl: tuple[float, ssl.SSLContext] | None = None
        self.timeout = timeout
        self.time_scale = time_scale
        self.schedule = schedule
        self._semaphore = asyncio.Semaphore(concurrency)
        self._listeners: list[DeliveryListener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._stopping = False

    def add_listener(self, listener: DeliveryListener) -> None:
        self._listeners.append(listener)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": f"Benji-Sandbox/{__version__}"},
            # The receiver decides how to read the body; never re-encode or decompress what we send.
            auto_decompress=False,
        )
        self._store.discard_unfinished_attempts()
        for pending in self._store.pending_deliveries():
            self._schedule(pending.id, pending.next_attempt_at or time.time())

    async def stop(self) -> None:
        """Cancel scheduled and in-flight work; the deliveries stay pending in the store for the next start."""
        self._stopping = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _ssl_for(self, endpoint: str) -> ssl.SSLContext | bool:
        """System trust for every endpoint; plus the local receiver's certificate for loopback ones."""
        cert = self._trusted_cert_file
        if cert is None or not is_loopback_url(endpoint):
            return True
        try:
            mtime = cert.stat().st_mtime
        except OSError:
            return True
        if self._loopback_ssl is None or self._loopback_ssl[0] != mtime:
            context = ssl.create_default_context()
            context.load_verify_locations(cafile=str(cert))
            self._loopback_ssl = (mtime, context)
        return self._loopback_ssl[1]

    @property
    def scheduled_count(self) -> int:
        return len(self._tasks)

    def _schedule(self, delivery_id: int, due_epoch: float) -> None:
        if self._stopping:
            return
        task = asyncio.create_task(self._attempt_when_due(delivery_id, due_epoch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attempt_when_due(self, delivery_id: int, due_epoch: float) -> None:
        await asyncio.sleep(max(0.0, due_epoch - time.time()))
        try:
            await self.attempt(delivery_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery %s: the attempt failed unexpectedly", delivery_id)

    async def deliver_first(self, delivery_ids: list[int], wait: float) -> list[dict[str, Any]]:
        """Start the first attempt of each delivery and wait for them up to `wait` seconds; an attempt still
        queued or in flight by then is returned as logged so far (status `pending`) and finishes on its own."""
        tasks = [asyncio.create_task(self.attempt(d)) for d in delivery_ids]
        for task in tasks:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if tasks:
            # Not cancelled when the caller gives up: the attempts belong to the engine now.
            await asyncio.shield(asyncio.wait(tasks, timeout=wait))
        results: list[dict[str, Any]] = []
        for delivery_id, task in zip(delivery_ids, tasks, strict=True):
            attempt = task.result() if task.done() and not task.cancelled() and not task.exception() else None
            if attempt is None and not task.done():
                attempt = self._store.latest_attempt(delivery_id)
                attempt = attempt_json(attempt) if attempt else None
            if attempt is not None:
                results.append(attempt)
        return results

    async def attempt(self, delivery_id: int) -> dict[str, Any] | None:
        delivery = self._store.get_pending_delivery(delivery_id)
        if delivery is None:  # finished, or its subscription was deleted
            return None
        target = self._store.delivery_target(delivery.subscription_id)
        if target is None:
            return None
        number = delivery.attempts + 1
        row: dict[str, Any] = {
            "delivery_id": delivery.id,
            "subscription_id": delivery.subscription_id,
            "event": delivery.event,
            "entity_type": delivery.entity_type,
            "entity_id": delivery.entity_id,
            "attempt": number,
            "status": "pending",
            "response_status": None,
            "latency_ms": None,
            "response_body": "",
            "error": None,
            "attempted_at": iso(),
            "next_attempt_at": None,
            "endpoint": target.endpoint,
        }
        row["id"] = self._store.open_attempt(row)
        try:
            async with self._semaphore:
                # Read again: the subscription may have changed (or gone) while this attempt was queued.
                target = self._store.delivery_target(delivery.subscription_id)
                if target is None:
                    self._store.discard_attempt(row["id"])
                    return None
                row["endpoint"] = target.endpoint
                if not target.active and not delivery.is_test:
                    row.update(status="gave_up", error="The subscription is inactive; the delivery was dropped.")
                    return self._finish(row, finished=True, next_epoch=None)
                await self._post(delivery.body, target.endpoint, target.salts, row)
        except asyncio.CancelledError:
            self._store.discard_attempt(row["id"])
            raise

        status = row["response_status"]
        if status is not None and 200 <= status < 300:
            row["status"] = "succeeded"
            return self._finish(row, finished=True, next_epoch=None)
        if status == 410:
            self._store.deactivate_subscription(delivery.subscription_id)
            row["status"] = "failed"
            row["error"] = "The endpoint answered 410 Gone: the subscription was deactivated."
            return self._finish(row, finished=True, next_epoch=None)
        if number <= len(self.schedule):
            next_epoch = time.time() + self.schedule[number - 1] / self.time_scale
            row["status"] = "retry_scheduled"
            row["next_attempt_at"] = iso(next_epoch)
            result = self._finish(row, finished=False, next_epoch=next_epoch)
            self._schedule(delivery_id, next_epoch)
            return result
        row["status"] = "gave_up"
        return self._finish(row, finished=True, next_epoch=None)

    async def _post(self, body: bytes, endpoint: str, salts: tuple[str, ...], row: dict[str, Any]) -> None:
        assert self._session is not None, "the delivery engine is not started"
        # Serialised once when the event happened; these exact bytes are signed and sent.
        headers = signed_headers(body, list(salts))
        started = time.perf_counter()
        try:
            async with self._session.post(
                endpoint,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                allow_redirects=False,
                ssl=self._ssl_for(endpoint),
            ) as response:
                row["response_body"] = await read_limited(response)
                row["response_status"] = response.status
        except TimeoutError:
            row["error"] = f"No answer within {self.timeout:g} s."
        except (aiohttp.ClientError, ValueError, OSError) as error:
            row["error"] = connection_problem(error, endpoint)[:500]
        row["latency_ms"] = round((time.perf_counter() - started) * 1000, 3)
        if row["error"] is None and not 200 <= row["response_status"] < 300:
            row["error"] = f"The endpoint answered HTTP {row['response_status']}."

    def _finish(self, row: dict[str, Any], *, finished: bool, next_epoch: float | None) -> dict[str, Any]:
        self._store.close_attempt(row, finished=finished, next_attempt_epoch=next_epoch)
        attempt = attempt_json(row)
        for listener in list(self._listeners):
            try:
                listener(dict(attempt))
            except Exception:
                log.exception("a delivery listener failed")
        return attempt


async def cancel_quietly(task: asyncio.Task[Any] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
