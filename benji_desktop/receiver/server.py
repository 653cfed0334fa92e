"""The embedded webhook receiver: store every request raw before answering, verify it, answer by rule."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import http_exceptions, web

from benji_desktop.receiver.classify import TransportFacts, classify
from benji_desktop.receiver.ledger import DeliveryLedger
from benji_desktop.receiver.protocol import CapturingServer, rejection_code
from benji_desktop.receiver.rules import ResponseRule, ResponseRules
from benji_desktop.receiver.salts import SaltSource
from benji_desktop.receiver.tls import SelfSignedCert
from benji_desktop.receiver.verification import apply_verification, reverify_captures
from benji_desktop.signature import DATETIME_HEADER, SIGNATURE_HEADER, format_http_date, sign
from benji_desktop.signature.verify import KnownSalt
from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore, CaptureSummary

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MAX_BODY = 10 * MiB
OVERSIZE_KEEP_BYTES = 64 * 1024  # what an oversize capture keeps of its body
FORWARD_BODY_KEEP = 16 * 1024
LARGE_BODY_OFF_LOOP = 256 * 1024  # verify bodies larger than this in a thread, not on the loop
# Allow headers well past aiohttp's 8 KiB so a large one is captured and named instead of refused.
MAX_HEADER_BYTES = 64 * 1024
REPLAY_MARKER = "x-benji-desktop-replay"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
RECORD_TASK = "record-refused-request"
CHECKPOINT_INTERVAL = 1.0  # seconds between WAL checkpoints when commits run on the loop
# Shutdown never waits for ever on one of the receiver's tasks: a task whose wake-up failed (a GUI's nested
# event loop re-entering the asyncio loop does that) stays pending and would hold the process open.
TASK_STOP_SECONDS = 3.0
WRITER_STOP_SECONDS = 15.0  # the writer may still be committing a large last batch
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",  # httpx sets it from the exact body
    }
)

Listener = Callable[[CaptureSummary], None]
UpdateListener = Callable[[int], None]


class PortInUseError(OSError):
    """The port asked for is taken by another program."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"{host}:{port} is already in use")
        self.host = host
        self.port = port


@dataclass
class ReplayResult:
    """What a replay got back; `capture_id` is the new capture linked to the original by `parent_id`."""

    url: str
    capture_id: int | None = None
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    latency_ms: float | None = None
    error: str | None = None


def summary_of(capture: Capture) -> CaptureSummary:
    assert capture.id is not None
    return CaptureSummary(
        id=capture.id,
        received_at=capture.received_at,
        method=capture.method,
        path=capture.path,
        event=capture.event,
        entity_type=capture.entity_type,
        entity_id=capture.entity_id,
        verdict=capture.verdict,
        response_status=capture.response_status,
        classification=capture.classification,
        source=capture.source,
        duplicate_of=capture.duplicate_of,
    )


def forwardable_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The original headers in order, minus hop-by-hop ones and Host (the client sets those)."""
    return [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]


def _decode_header(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # reversible: every byte maps to one character


def _request_line_guess(first_bytes: bytes) -> tuple[str, str]:
    """Method and path from a refused request's first line when it looks like one, else "?"."""
    line = first_bytes.split(b"\n", 1)[0].strip().decode("latin-1")
    parts = line.split(" ")
    if len(parts) == 3 and parts[2].startswith("HTTP/") and parts[0].isalpha() and len(parts[0]) <= 16:
        return parts[0], parts[1].partition("?")[0][:2000]
    return "?", "?"


def iter_queue(queue: asyncio.Queue[Any]) -> Iterator[Any]:
    """What is in the queue now, taken out without waiting."""
    while not queue.empty():
        yield queue.get_nowait()


async def _end_tasks(tasks: Sequence[asyncio.Task[Any]], what: str, seconds: float) -> bool:
    """Wait up to `seconds` for the tasks, then cancel the rest and give them one more second; True if all
    ended. A task that still has not ended is logged and left behind rather than awaited for ever."""
    if not tasks:
        return True
    _done, pending = await asyncio.wait(tasks, timeout=seconds)
    if pending:
        for task in pending:
            task.cancel()
        _done, pending = await asyncio.wait(pending, timeout=1.0)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            logger.warning("%s ended with %s", what, type(task.exception()).__name__)
    if pending:
        logger.warning("%s did not end at shutdown; left behind", what)
    return not pending


@dataclass
class _Pending:
    capture: Capture
    rule: ResponseRule | None
    future: asyncio.Future[int]


class Receiver:
    """Listens (loopback by default), records each request before answering, verifies, answers by rule."""

    def __init__(
        self,
        store: CaptureStore,
        salt_source: SaltSource,
        *,
        host: str = "127.0.0.1",
        port: int = 8787,
        max_body: int = DEFAULT_MAX_BODY,
        rules: ResponseRules | None = None,
        forward_to: str | None = None,
        tls: SelfSignedCert | None = None,
        tolerance_seconds: float = 300.0,
        body_timeout: float = 30.0,
        write_in_thread: bool = False,
    ) -> None:
        self.store = store
        self.salt_source = salt_source
        self.host = host
        self.requested_port = port
        self.port = port
        self.max_body = max_body
        self.rules = rules or ResponseRules()
        self.forward_to = forward_to
        self.tls = tls
        self.tolerance_seconds = tolerance_seconds
        self.body_timeout = body_timeout
        # Inline (default): each batch is committed on the loop — measured ~20 % less CPU per request than
        # a writer thread (no GIL hand-offs) — and the WAL checkpoints, the only step that fsyncs, run on a
        # worker thread. With write_in_thread the commits themselves move to a dedicated thread too.
        self.write_in_thread = write_in_thread
        self._checkpoint_task: asyncio.Task[None] | None = None
        self.port_note: str | None = None
        self._listeners: list[Listener] = []
        self._update_listeners: list[UpdateListener] = []
        self._runner: web.ServerRunner | None = None
        self._site: web.TCPSite | None = None
        self._queue: asyncio.Queue[_Pending | None] | None = None
        self._writer_task: asyncio.Task[None] | None = None
        # One thread owns every SQLite write, so the loop never waits on the disk.
        self._executor: ThreadPoolExecutor | None = None
        self._http: Any = None  # httpx.AsyncClient, made on first forward/replay
        self._background: set[asyncio.Task[Any]] = set()
        self._ledger = DeliveryLedger()
        self._replay_waiters: dict[str, asyncio.Future[int]] = {}

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def url(self) -> str:
        host = "localhost" if self.tls and self.host == "127.0.0.1" else self.host
        host = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{host}:{self.port}"

    def is_own_url(self, url: str) -> bool:
        """Whether `url` reaches this receiver: same scheme and port, and its host or a loopback name for it."""
        parts = urlsplit(url.strip())
        try:
            port = parts.port
        except ValueError:
            return False
        scheme = parts.scheme.lower()
        if port is None:
            port = {"http": 80, "https": 443}.get(scheme)
        if scheme != self.scheme or port != self.port:
            return False
        host = (parts.hostname or "").lower()  # lower case, IPv6 brackets removed
        own = self.host.lower().strip("[]")
        if host == own:
            return True
        return host in LOOPBACK_NAMES and (own in LOOPBACK_NAMES or own in ANY_ADDRESS)

    @property
    def tls_fingerprint(self) -> str | None:
        return self.tls.fingerprint_sha256 if self.tls else None

    @property
    def running(self) -> bool:
        return self._runner is not None

    def add_listener(self, callback: Listener) -> None:
        """`callback(summary)` runs on the loop after each capture is committed."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(callback)

    def add_update_listener(self, callback: UpdateListener) -> None:
        """`callback(capture_id)` runs on the loop after a stored capture changed (forward result, re-verify)."""
        self._update_listeners.append(callback)

    async def start(self, *, fallback_to_free_port: bool = False) -> None:
        """Bind and serve. Raises PortInUseError, unless `fallback_to_free_port` (then see `.port_note`)."""
        if self._runner is not None:
            return
        loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capture-writer")
        await loop.run_in_executor(self._executor, self._seed_ledger)
        self._queue = asyncio.Queue()
        self._writer_task = loop.create_task(self._write_batches(), name="capture-writer")
        if not self.write_in_thread:
            self.store.set_auto_checkpoint(False)
            self._checkpoint_task = loop.create_task(self._checkpoint_periodically(), name="capture-checkpoint")
        server = CapturingServer(
            self._handle,
            rejected_callback=self._record_rejected,
            head_timeout=self.body_timeout,
            max_line_size=MAX_HEADER_BYTES,
            max_field_size=MAX_HEADER_BYTES,
            auto_decompress=False,  # keep the wire bytes: signatures are over them
            access_log=None,
        )
        runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        ssl_context = self.tls.server_context() if self.tls else None
        self.port_note = None
        try:
            site = await self._bind(runner, self.requested_port, ssl_context)
        except PortInUseError:
            if not fallback_to_free_port or self.requested_port == 0:
                await runner.cleanup()
                await self._stop_writer()
                raise
            site = await self._bind(runner, 0, ssl_context)
            self.port_note = (
                f"Port {self.requested_port} is in use by another program; listening on port {site.port} instead."
            )
        self._runner, self._site = runner, site
        self.port = site.port

    async def _bind(self, runner: web.ServerRunner, port: int, ssl_context: Any) -> web.TCPSite:
        site = web.TCPSite(runner, self.host, port, ssl_context=ssl_context)
        try:
            await site.start()
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(self.host, port) from None
            raise
        return site

    async def stop(self) -> None:
        """Close the listening socket at once, let in-flight requests finish briefly, flush the writer."""
        runner, self._runner, self._site = self._runner, None, None
        if runner is not None:
            await runner.cleanup()
        # Records of refused requests only wait for the writer: let them land. Forwards are cut short.
        for task in list(self._background):
            if task.get_name() != RECORD_TASK:
                task.cancel()
        if self._background:
            await _end_tasks(list(self._background), "request tasks", TASK_STOP_SECONDS)
        await self._stop_writer()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _checkpoint_periodically(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(CHECKPOINT_INTERVAL)
            try:
                await loop.run_in_executor(None, self.store.checkpoint)
            except Exception:
                logger.exception("WAL checkpoint failed")

    async def _stop_writer(self) -> None:
        if self._checkpoint_task is not None:
            self._checkpoint_task.cancel()
            await _end_tasks([self._checkpoint_task], "the WAL checkpoint task", TASK_STOP_SECONDS)
            self._checkpoint_task = None
            with contextlib.suppress(Exception):
                self.store.set_auto_checkpoint(True)
        if self._writer_task is not None:
            assert self._queue is not None
            self._queue.put_nowait(None)  # the writer finishes what is queued, then ends
            if not await _end_tasks([self._writer_task], "the capture writer", WRITER_STOP_SECONDS):
                self._write_what_is_queued()
            self._writer_task = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def __aenter__(self) -> Receiver:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- the group-committing writer ---------------------------------------------------------------

    def _seed_ledger(self) -> None:
        recent = self.store.page(CaptureFilter(), 0, 2000)
        for capture in self.store.get_many([summary.id for summary in reversed(recent)]):
            self._ledger.observe(capture)

    async def _commit(self, capture: Capture, rule: ResponseRule | None) -> int:
        """Queue the capture and wait until it is durably committed; returns its id."""
        assert self._queue is not None, "the receiver is not started"
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(capture, rule, future))
        return await future

    async def _write_batches(self) -> None:
        """Everything queued while the previous batch was being written goes in the next transaction."""
        assert self._queue is not None and self._executor is not None
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            batch: list[_Pending] = []
            item = await self._queue.get()
            while True:
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
                if self._queue.empty():
                    break
                item = self._queue.get_nowait()
            if not batch:
                continue
            try:
                if self.write_in_thread:
                    await loop.run_in_executor(self._executor, self._write, batch)
                else:
                    self._write(batch)
            except Exception as error:
                logger.exception("could not store %d captures", len(batch))
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(error)
                continue
            for pending in batch:
                assert pending.capture.id is not None
                if not pending.future.done():
                    pending.future.set_result(pending.capture.id)
            if self._listeners:
                for pending in batch:
                    self._notify(summary_of(pending.capture))

    def _write(self, batch: list[_Pending]) -> None:
        rules = {id(pending.capture): pending.rule for pending in batch}

        def finalise(capture: Capture) -> None:
            assert capture.id is not None
            finding = self._ledger.observe(capture)
            if finding.duplicate_of is not None:
                capture.duplicate_of = finding.duplicate_of
            capture.notes.extend(finding.notes)
            rule = rules.get(id(capture))
            if rule is not None:
                # The response is decided now that the id is known, and recorded in the same commit.
                capture.response_body = rule.render_body(capture.id)

        self.store.add_many([pending.capture for pending in batch], before_insert=finalise)

    def _write_what_is_queued(self) -> None:
        """The writer task could not run to the end: commit what is still queued here, so nothing acknowledged
        later is lost and no request waits for ever."""
        assert self._queue is not None
        batch = [item for item in iter_queue(self._queue) if item is not None]
        if not batch:
            return
        try:
            self._write(batch)
        except Exception as error:
            logger.exception("could not store %d captures at shutdown", len(batch))
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(error)
            return
        for pending in batch:
            if not pending.future.done():
                pending.future.set_result(pending.capture.id or 0)

    def _notify(self, summary: CaptureSummary) -> None:
        for listener in list(self._listeners):
            try:
                listener(summary)
            except Exception:
                logger.exception("a capture listener failed")

    def _notify_update(self, capture_id: int) -> None:
        for listener in list(self._update_listeners):
            try:
                listener(capture_id)
            except Exception:
                logger.exception("a capture update listener failed")

    def _spawn(self, coro: Any, name: str | None = None) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- the request handler -----------------------------------------------------------------------

    async def _read_body(self, request: web.BaseRequest, declared: int | None) -> tuple[bytes, int, TransportFacts]:
        facts = TransportFacts()
        if declared is not None and declared > self.max_body:
            # Refuse without reading megabytes we will not keep; the connection is closed after the 413.
            facts.oversize = True
            return b"", 0, facts
        content = request.content
        if content.is_eof() and content.exception() is None:
            # The whole body arrived with the headers (the usual small webhook): no waiting, no timer.
            body = content.read_nowait(-1)
            if len(body) <= self.max_body:
                return body, len(body), facts
            facts.oversize = True
            return body[:OVERSIZE_KEEP_BYTES], len(body), facts
        chunks: list[bytes] = []
        received = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                while True:
                    chunk = await request.content.readany()
                    if not chunk:
                        break
                    received += len(chunk)
                    chunks.append(chunk)
                    if received > self.max_body:
                        facts.oversize = True
                        break
        except TimeoutError:
            facts.stalled = True
        except http_exceptions.ContentLengthError:
            facts.disconnected = True
        except http_exceptions.HttpProcessingError as error:
            facts.framing_error = (error.message or type(error).__name__).strip().splitlines()[0][:200]
        except (ConnectionError, asyncio.IncompleteReadError):
            facts.disconnected = True
        except Exception as error:  # whatever the parser raises, the request is still recorded
            facts.framing_error = type(error).__name__
        body = b"".join(chunks)
        if facts.oversize:
            body = body[:OVERSIZE_KEEP_BYTES]
        return body, received, facts

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        received_at = time.time()
        raw_headers = request.raw_headers
        try:
            headers = [(name.decode("utf-8"), value.decode("utf-8")) for name, value in raw_headers]
            non_utf8 = False
        except UnicodeDecodeError:
            headers = [(_decode_header(name), _decode_header(value)) for name, value in raw_headers]
            non_utf8 = True
        replay_marker = next((value for name, value in headers if name.lower() == REPLAY_MARKER), None)
        if replay_marker is not None:
            headers = [(name, value) for name, value in headers if name.lower() != REPLAY_MARKER]
        path, _, query = request.raw_path.partition("?")
        declared: int | None
        try:
            declared = request.content_length
        except ValueError:
            declared = None
        body, received, facts = await self._read_body(request, declared)
        capture = Capture(
            received_at=received_at,
            method=request.method,
            scheme=self.scheme,
            host=request.host,
            path=path,
            query=query,
            headers=headers,
            body=body,
            body_size=received,
            declared_size=declared,
            remote=request.remote or "",
        )
        truncated = facts.oversize or facts.framing_error or facts.stalled or facts.disconnected
        payload = None
        if not truncated:
            salts = self.salt_source.salts_for(capture.host, path)
            if len(body) > LARGE_BODY_OFF_LOOP:
                report = await asyncio.get_running_loop().run_in_executor(
                    None, apply_verification, capture, salts, self.tolerance_seconds, None
                )
            else:
                report = apply_verification(capture, salts, self.tolerance_seconds, None)
            payload = report.payload
        classification = classify(capture.method, headers, body, facts, payload)
        capture.classification = classification.code
        capture.notes = list(classification.notes)
        if truncated:
            capture.notes.append("Not verified: the body was not received completely.")
        if non_utf8:
            capture.notes.append("A header holds bytes that are not UTF-8; it is shown as Latin-1.")
        payload = classification.payload
        capture.event = payload.event
        capture.entity_type = payload.entity_type
        capture.entity_id = str(payload.entity_id) if payload.entity_id is not None else None
        if replay_marker is not None:
            parent = replay_marker.partition(":")[0]
            capture.source = "replay"
            capture.parent_id = int(parent) if parent.isdigit() else None
            capture.notes.append(f"Replayed by Benji Desktop from #{parent}.")

        rule: ResponseRule | None
        if facts.oversize:
            rule = None
            capture.response_status = 413
            capture.response_headers = [("Content-Type", "application/json"), ("Connection", "close")]
            capture.response_body = (
                b'{"code":"payload_too_large","message":"The body is larger than the receiver accepts."}'
            )
        elif truncated:
            rule = None
            capture.response_status = 408 if facts.stalled else 400
            capture.response_headers = [("Content-Type", "application/json"), ("Connection", "close")]
            capture.response_body = b'{"code":"invalid_request","message":"The body was not received completely."}'
        else:
            rule = self.rules.rule_for(path)
            capture.response_status = rule.status
            capture.response_headers = rule.response_headers()
        try:
            capture_id = await self._commit(capture, rule)
        except Exception:
            # Not stored means not acknowledged: a 503 makes the platform retry the delivery later.
            response = web.Response(
                status=503,
                body=b'{"code":"store_unavailable","message":"The request could not be stored; retry later."}',
                content_type="application/json",
            )
            response.force_close()
            return response
        if replay_marker is not None:
            waiter = self._replay_waiters.pop(replay_marker.partition(":")[2], None)
            if waiter is not None and not waiter.done():
                waiter.set_result(capture_id)
        if rule is not None and rule.delay_seconds > 0:
            await asyncio.sleep(rule.delay_seconds)
        # StreamResponse copies the headers into its own CIMultiDict: hand it the list as is.
        response = web.Response(
            status=capture.response_status or 200, body=capture.response_body, headers=capture.response_headers
        )
        if rule is None:
            response.force_close()
        elif self.forward_to:
            self._spawn(self._forward(capture, self.forward_to))
        return response

    def _record_rejected(
        self, remote: str | None, status: int, exc: BaseException | None, message: str | None, first_bytes: bytes
    ) -> None:
        """A request aiohttp's parser refused, or one stalled before its head was complete: record what is known.
        The parser keeps no headers or body of such a request; the connection's first bytes are kept when
        they belong to it (the first request on the connection) and stored as the body."""
        if self._queue is None:
            return
        detail = (message or (str(exc) if exc else "") or "rejected by the HTTP parser").strip()
        method, path = _request_line_guess(first_bytes)
        notes = [
            "The HTTP parser refused this request before it could be read; its headers and body are not available."
            if status != 408
            else "The client stopped sending before the request head was complete.",
            f"Parser said: {' '.join(detail.split())[:300]}",
        ]
        if first_bytes:
            notes.append(f"The body shown holds the first {len(first_bytes)} bytes of the connection, as received.")
        capture = Capture(
            received_at=time.time(),
            method=method,
            scheme=self.scheme,
            host=f"{self.host}:{self.port}",
            path=path,
            body=first_bytes,
            body_size=len(first_bytes),
            remote=remote or "",
            classification=rejection_code(exc),
            notes=notes,
            response_status=status if status != 408 else None,
            response_headers=[("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")]
            if status != 408
            else [],
            response_body=(message or "").encode("utf-8", errors="replace")[:1024] if status != 408 else b"",
        )

        async def record() -> None:
            with contextlib.suppress(Exception):
                await self._commit(capture, None)

        self._spawn(record(), RECORD_TASK)

    # -- forward, replay, re-verify ----------------------------------------------------------------

    def _client(self) -> Any:
        if self._http is None:
            import httpx

            # trust_env off: a corporate proxy must not swallow a request meant for localhost.
            self._http = httpx.AsyncClient(timeout=10.0, trust_env=False, follow_redirects=False)
        return self._http

    async def _send(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int | None, list[tuple[str, str]], bytes, float, str | None]:
        import httpx

        started = time.perf_counter()
        try:
            response = await self._client().request(method, url, headers=headers, content=body)
        except httpx.HTTPError as error:
            latency = (time.perf_counter() - started) * 1000
            return None, [], b"", latency, f"{type(error).__name__}: {error}"[:300]
        latency = (time.perf_counter() - started) * 1000
        headers = [(_decode_header(name), _decode_header(value)) for name, value in response.headers.raw]
        return response.status_code, headers, response.content, latency, None

    async def _forward(self, capture: Capture, url: str) -> None:
        assert capture.id is not None
        status, headers, body, latency, error = await self._send(
            capture.method, url, forwardable_headers(capture.headers), capture.body
        )
        result = {
            "url": url,
            "status": status,
            "headers": headers,
            "body": body[:FORWARD_BODY_KEEP].decode("utf-8", errors="replace"),
            "body_truncated": len(body) > FORWARD_BODY_KEEP,
            "latency_ms": round(latency, 2),
            "error": error,
        }
        capture.forward = result
        await self._run_store(self.store.update, capture.id, forward=result)
        self._notify_update(capture.id)

    async def _run_store(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Store work other than the request batches, on the default pool: a long re-verify must not hold
        up the writer thread (and with it every response)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, lambda: function(*args, **kwargs))

    async def replay(
        self,
        capture_id: int,
        url: str | None = None,
        *,
        headers: Sequence[tuple[str, str]] | None = None,
        body: bytes | None = None,
        resign_salt: str | KnownSalt | None = None,
    ) -> ReplayResult:
        """Send a stored request again (to this receiver, or to `url`), as-is or edited and re-signed."""
        original: Capture | None = await self._run_store(self.store.get, capture_id)
        if original is None:
            raise KeyError(f"no capture #{capture_id}")
        send_body = original.body if body is None else body
        send_headers = forwardable_headers(list(headers) if headers is not None else original.headers)
        if resign_salt is not None:
            salt = resign_salt.salt if isinstance(resign_salt, KnownSalt) else resign_salt
            names = {SIGNATURE_HEADER, DATETIME_HEADER}
            send_headers = [(n, v) for n, v in send_headers if n.lower() not in names]
            send_headers += [(SIGNATURE_HEADER, sign(send_body, salt)), (DATETIME_HEADER, format_http_date())]
        # The edit dialog pre-fills this receiver's URL: a send there is a replay to self (one capture, linked
        # by the marker header), not a send elsewhere recorded a second time.
        to_self = url is None or self.is_own_url(url)
        if to_self and not self.running:
            raise RuntimeError("the receiver is not running")
        own_path = original.path + (f"?{original.query}" if original.query else "")
        target = url if url is not None else f"{self.url}{own_path}"
        result = ReplayResult(url=target)
        waiter: asyncio.Future[int] | None = None
        if to_self:
            token = secrets.token_hex(8)
            waiter = asyncio.get_running_loop().create_future()
            self._replay_waiters[token] = waiter
            send_headers.append((REPLAY_MARKER, f"{capture_id}:{token}"))
        try:
            status, response_headers, response_body, latency, error = await self._send(
                original.method, target, send_headers, send_body
            )
        finally:
            if waiter is not None:
                self._replay_waiters.pop(send_headers[-1][1].partition(":")[2], None)
        result.status, result.headers, result.body = status, response_headers, response_body
        result.latency_ms, result.error = round(latency, 2), error
        if waiter is not None:
            if waiter.done():
                result.capture_id = waiter.result()
            return result
        replayed = Capture(
            received_at=time.time(),
            method=original.method,
            scheme=target.split("://", 1)[0],
            host=target.split("://", 1)[-1].split("/", 1)[0],
            path="/" + target.split("://", 1)[-1].partition("/")[2].partition("?")[0],
            query=target.partition("?")[2],
            headers=send_headers,
            body=send_body,
            body_size=len(send_body),
            declared_size=len(send_body),
            remote="(sent by Benji Desktop)",
            response_status=status,
            response_headers=response_headers,
            response_body=response_body[:FORWARD_BODY_KEEP],
            source="replay",
            parent_id=capture_id,
            notes=[f"Replay of #{capture_id} to {target}."] + ([f"Send failed: {error}"] if error else []),
        )
        classification = classify(replayed.method, send_headers, send_body, TransportFacts())
        replayed.classification = classification.code
        replayed.event = classification.payload.event
        replayed.entity_type = classification.payload.entity_type
        if classification.payload.entity_id is not None:
            replayed.entity_id = str(classification.payload.entity_id)
        apply_verification(replayed, self.salt_source.salts_for(replayed.host, replayed.path), self.tolerance_seconds)
        if self._queue is not None:
            result.capture_id = await self._commit(replayed, None)
        else:
            result.capture_id = await self._run_store(self.store.add, replayed)
        return result

    async def reverify(self, capture_ids: Sequence[int] | None = None, salt_source: SaltSource | None = None) -> int:
        """Verify stored captures again (after a salt was added); returns how many were updated."""
        source = salt_source or self.salt_source
        changed: list[int] = await self._run_store(
            reverify_captures, self.store, capture_ids, source, self.tolerance_seconds
        )
        for capture_id in changed:
            self._notify_update(capture_id)
        return len(changed)
