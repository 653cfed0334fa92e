"""The receiver over real loopback HTTP: stored before answering, verified, every bad request classified."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from benji_desktop.receiver import (
    PortInUseError,
    Receiver,
    ResponseRule,
    ResponseRules,
    StaticSaltSource,
    ensure_self_signed_cert,
)
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers
from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore, CaptureSummary

SALT = "salt_Q2xhcmEgaXMgYSBnb29kIGRvZyBhbmQg"
OTHER_SALT = "salt_b3RoZXIgc2FsdCBmb3IgYW5vdGhlciBz"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CaptureStore]:
    opened = CaptureStore(tmp_path / "captures.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
async def receiver(store: CaptureStore) -> AsyncIterator[Receiver]:
    started = Receiver(
        store, StaticSaltSource([KnownSalt(SALT, "test salt", subscription_id=7, environment="sandbox")]), port=0
    )
    started.body_timeout = 1.0
    await started.start()
    yield started
    await started.stop()


def signed(event: str = "transaction_created", entity_id: int = 42, salt: str = SALT) -> tuple[bytes, dict[str, str]]:
    body = canonical_body(event, 3, entity_id)
    return body, signed_headers(body, [salt])


async def raw_exchange(port: int, data: bytes, *, then: bytes | None = None, pause: float = 0.2) -> bytes:
    """Send raw bytes (optionally more after a pause), read whatever comes back until close or 3 s."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        if then is not None:
            await asyncio.sleep(pause)
            writer.write(then)
            await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(65536), 3.0)
        except TimeoutError:
            return b""
    finally:
        writer.close()


async def newest(store: CaptureStore, receiver: Receiver, count_before: int) -> Capture:
    for _ in range(100):
        if store.count() > count_before:
            break
        await asyncio.sleep(0.02)
    (row,) = store.page(CaptureFilter(), 0, 1)
    capture = store.get(row.id)
    assert capture is not None
    return capture


async def still_serves(receiver: Receiver) -> None:
    body, headers = signed()
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{receiver.url}/after", content=body, headers=headers)
    assert response.status_code == 200


async def test_a_valid_delivery_is_stored_byte_exact_and_verified(receiver: Receiver, store: CaptureStore) -> None:
    seen: list[CaptureSummary] = []
    receiver.add_listener(seen.append)
    body, headers = signed()
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{receiver.url}/webhooks/benji?x=1", content=body, headers=[("X-Trace", "a"), *headers.items()]
        )
    assert response.status_code == 200
    capture_id = response.json()["id"]
    assert response.json() == {"received": True, "id": capture_id}
    # Committed before the response: a second connection sees it at once.
    with CaptureStore(store.path) as other:
        capture = other.get(capture_id)
    assert capture is not None
    assert capture.body == body
    assert capture.verdict == "VALID"
    assert capture.matched_salt_label == "test salt"
    assert (capture.subscription_id, capture.environment) == (7, "sandbox")
    assert (capture.event, capture.entity_type, capture.entity_id) == ("transaction_created", 3, "42")
    assert (capture.method, capture.path, capture.query) == ("POST", "/webhooks/benji", "x=1")
    assert capture.classification == "ok"
    names = [name for name, _ in capture.headers]
    assert names.index("X-Trace") < names.index("x-benji-signature")
    assert capture.response_status == 200
    assert json.loads(capture.response_body) == {"received": True, "id": capture_id}
    assert SALT not in json.dumps(capture.report)
    assert [summary.id for summary in seen] == [capture_id]


async def test_a_wrong_salt_is_invalid_and_the_report_says_why(receiver: Receiver, store: CaptureStore) -> None:
    body, headers = signed(salt=OTHER_SALT)
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{receiver.url}/hook", content=body, headers=headers)
    assert response.status_code == 200  # the verdict never turns into an error status
    capture = store.get(response.json()["id"])
    assert capture is not None and capture.report is not None
    assert capture.verdict == "INVALID"
    assert capture.report["reasons"]
    assert capture.matched_salt_label is None


async def test_every_method_and_path_is_captured(receiver: Receiver, store: CaptureStore) -> None:
    async with httpx.AsyncClient() as client:
        for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
            response = await client.request(method, f"{receiver.url}/any/{method.lower()}")
            assert response.status_code == 200
    methods = {row.method for row in store.page(CaptureFilter(), 0, 10)}
    assert methods == {"GET", "PUT", "DELETE", "PATCH", "OPTIONS"}


BODY_CASES = [
    (b'{"event": ', "application/json", "invalid_json"),
    (b'{"event":"caf\xe9"}', "application/json", "non_utf8"),
    (b"", "application/json", "empty_body"),
    (b'{"event":"x","entity_type":3,"entity_id":1}', "text/plain", "not_json_content_type"),
    (b'{"hello":"world"}', "application/json", "unexpected_shape"),
]


@pytest.mark.parametrize(("body", "content_type", "code"), BODY_CASES, ids=[c[2] for c in BODY_CASES])
async def test_bad_bodies_are_classified_and_answered(
    receiver: Receiver, store: CaptureStore, body: bytes, content_type: str, code: str
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{receiver.url}/hook", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200
    capture = store.get(response.json()["id"])
    assert capture is not None
    assert capture.classification == code
    assert capture.body == body
    assert capture.notes


RAW_CASES = [
    (b"GARBAGE\r\n\r\n", "bad_request_line"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\nContent-Length: 0\r\n\r\n", "bad_headers"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "bad_framing"),
    (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "bad_framing",
    ),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n", "bad_framing"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", "headers_too_large"),
    (
        b"POST / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(200)) + b"\r\n",
        "too_many_headers",
    ),
]


@pytest.mark.parametrize(("data", "code"), RAW_CASES, ids=[c[1] + str(i) for i, c in enumerate(RAW_CASES)])
async def test_requests_the_parser_refuses_are_recorded(
    receiver: Receiver, store: CaptureStore, data: bytes, code: str
) -> None:
    before = store.count()
    reply = await raw_exchange(receiver.port, data)
    assert reply.startswith(b"HTTP/1.")
    assert b" 400 " in reply.split(b"\r\n", 1)[0]
    capture = await newest(store, receiver, before)
    assert capture.classification == code
    assert capture.response_status == 400
    assert any("refused" in note for note in capture.notes)
    assert capture.body == data[: len(capture.body)] and capture.body  # the bytes as they arrived
    await still_serves(receiver)


async def test_a_refused_request_keeps_its_request_line(receiver: Receiver, store: CaptureStore) -> None:
    before = store.count()
    await raw_exchange(receiver.port, b"POST /hooks/x?a=1 HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n")
    capture = await newest(store, receiver, before)
    assert (capture.method, capture.path, capture.classification) == ("POST", "/hooks/x", "bad_headers")


async def test_a_client_stalling_inside_the_request_head_is_recorded_and_cut_off(
    receiver: Receiver, store: CaptureStore
) -> None:
    before = store.count()
    reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
    writer.write(b"POST /half HTTP/1.1\r\nHost: x\r\nX-Incompl")
    await writer.drain()
    await still_serves(receiver)
    closed = await asyncio.wait_for(reader.read(), 5.0)  # the receiver hangs up after its head timeout
    writer.close()
    assert closed == b""
    for _ in range(100):  # recorded as the connection is cut, committed a moment later
        if store.count(CaptureFilter(path="/half")):
            break
        await asyncio.sleep(0.02)
    rows = store.page(CaptureFilter(path="/half"), 0, 5)
    assert [row.classification for row in rows] == ["stalled"]
    capture = store.get(rows[0].id)
    assert capture is not None and capture.body.startswith(b"POST /half HTTP/1.1")
    assert store.count() == before + 2  # the stalled head and the request served meanwhile


async def test_headers_over_8_kib_are_captured_and_named(receiver: Receiver, store: CaptureStore) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{receiver.url}/hook", content=b"{}", headers={"X-Big": "b" * 20_000})
    assert response.status_code == 200
    capture = store.get(response.json()["id"])
    assert capture is not None
    assert capture.classification == "oversized_headers"
    assert ("X-Big", "b" * 20_000) in capture.headers


async def test_duplicate_signature_headers_are_flagged(receiver: Receiver, store: CaptureStore) -> None:
    body, headers = signed()
    data = (
        b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"x-benji-signature: {headers['x-benji-signature']}\r\nX-Benji-Signature: deadbeef\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    before = store.count()
    reply = await raw_exchange(receiver.port, data)
    assert b" 200 " in reply.split(b"\r\n", 1)[0]
    capture = await newest(store, receiver, before)
    assert capture.classification == "duplicate_headers"
    assert [v for n, v in capture.headers if n.lower() == "x-benji-signature"] == [
        headers["x-benji-signature"],
        "deadbeef",
    ]


async def test_broken_chunking_after_the_headers_is_classified(receiver: Receiver, store: CaptureStore) -> None:
    head = b'POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n'
    before = store.count()
    await raw_exchange(receiver.port, head, then=b"QQ\r\nnot hex\r\n")
    capture = await newest(store, receiver, before)
    assert capture.classification == "bad_framing"
    assert capture.body == b'{"a"'
    assert capture.verdict is None
    await still_serves(receiver)


async def test_a_stalled_client_is_cut_off_without_blocking_others(receiver: Receiver, store: CaptureStore) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
    writer.write(b'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half')
    await writer.drain()
    await still_serves(receiver)  # answered while the other client stalls
    reply = await asyncio.wait_for(reader.read(4096), 5.0)
    writer.close()
    assert b" 408 " in reply.split(b"\r\n", 1)[0]
    stalled = store.page(CaptureFilter(path="/slow"), 0, 5)
    assert [row.classification for row in stalled] == ["stalled"]
    capture = store.get(stalled[0].id)
    assert capture is not None
    assert (capture.body, capture.body_size, capture.declared_size) == (b'{"half', 6, 100)


async def test_a_client_that_hangs_up_mid_body_is_recorded(receiver: Receiver, store: CaptureStore) -> None:
    before = store.count()
    _reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
    writer.write(b'POST /gone HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"par')
    await writer.drain()
    await asyncio.sleep(0.1)
    writer.close()
    capture = await newest(store, receiver, before)
    assert capture.classification == "client_disconnected"
    assert capture.body == b'{"par'
    await still_serves(receiver)


async def test_an_oversize_body_gets_413_and_is_recorded(store: CaptureStore) -> None:
    receiver = Receiver(store, StaticSaltSource(), port=0, max_body=1000)
    await receiver.start()
    try:
        async with httpx.AsyncClient() as client:
            declared = await client.post(f"{receiver.url}/big", content=b"x" * 5000)

            async def chunks() -> AsyncIterator[bytes]:
                for _ in range(10):
                    yield b"y" * 500

            chunked = await client.post(f"{receiver.url}/big-chunked", content=chunks())
        assert declared.status_code == 413
        assert chunked.status_code == 413
        rows = {row.path: row for row in store.page(CaptureFilter(path="/big"), 0, 5)}
        first = store.get(rows["/big"].id)
        second = store.get(rows["/big-chunked"].id)
        assert first is not None and second is not None
        assert (first.classification, first.declared_size, first.response_status) == ("oversize", 5000, 413)
        assert second.classification == "oversize"
        assert second.declared_size is None
        assert second.body_size > 1000
        assert second.body.startswith(b"y" * 500)
        await still_serves(receiver)
    finally:
        await receiver.stop()


async def test_response_rules_set_status_headers_body_and_delay(receiver: Receiver, store: CaptureStore) -> None:
    receiver.rules = ResponseRules(
        rules=(
            ResponseRule("/fail", status=503, body="try again {id}", headers=(("Retry-After", "5"),)),
            ResponseRule("/slow", delay_seconds=3.0),
        )
    )
    async with httpx.AsyncClient() as client:
        failed = await client.post(f"{receiver.url}/fail/now", content=b"{}")
        assert failed.status_code == 503
        assert failed.headers["Retry-After"] == "5"
        stored = store.get(int(failed.text.rsplit(" ", 1)[1]))
        assert stored is not None and stored.response_status == 503
        assert stored.response_body == failed.content

        slow = asyncio.create_task(client.post(f"{receiver.url}/slow", content=b"{}", timeout=0.5))
        fast = await client.post(f"{receiver.url}/fast", content=b"{}")
        assert fast.status_code == 200
        with pytest.raises(httpx.TimeoutException):
            await slow
    # The slow request was stored before the sender gave up.
    assert store.count(CaptureFilter(path="/slow")) == 1


async def echo_server(received: list[tuple[list[tuple[str, str]], bytes]]) -> web.AppRunner:
    async def handle(request: web.Request) -> web.Response:
        headers = [(k.decode(), v.decode()) for k, v in request.raw_headers]
        received.append((headers, await request.read()))
        return web.Response(status=202, text="forwarded ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def test_forward_sends_the_request_on_byte_exact(receiver: Receiver, store: CaptureStore) -> None:
    received: list[tuple[list[tuple[str, str]], bytes]] = []
    target = await echo_server(received)
    try:
        port = target.addresses[0][1]
        receiver.forward_to = f"http://127.0.0.1:{port}/mine"
        body = b'{"event":"transaction_created",  "entity_type":3,"entity_id":1}\n'
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{receiver.url}/hook", content=body, headers=[("X-First", "1"), ("x-benji-signature", "abc")]
            )
        capture_id = response.json()["id"]
        for _ in range(100):
            capture = store.get(capture_id)
            if capture is not None and capture.forward is not None:
                break
            await asyncio.sleep(0.02)
        assert capture is not None and capture.forward is not None
        assert capture.forward["status"] == 202
        assert capture.forward["body"] == "forwarded ok"
        assert capture.forward["error"] is None
        ((headers, forwarded_body),) = received
        assert forwarded_body == body
        assert ("X-First", "1") in headers and ("x-benji-signature", "abc") in headers
    finally:
        await target.cleanup()


async def test_forward_failure_is_recorded_not_raised(receiver: Receiver, store: CaptureStore) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    receiver.forward_to = f"http://127.0.0.1:{dead_port}/"
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{receiver.url}/hook", content=b"{}")
    capture_id = response.json()["id"]
    for _ in range(200):
        capture = store.get(capture_id)
        if capture is not None and capture.forward is not None:
            break
        await asyncio.sleep(0.02)
    assert capture is not None and capture.forward is not None
    assert capture.forward["status"] is None
    assert capture.forward["error"]


async def test_replay_to_itself_links_the_new_capture(receiver: Receiver, store: CaptureStore) -> None:
    body, headers = signed()
    async with httpx.AsyncClient() as client:
        original = (await client.post(f"{receiver.url}/hook", content=body, headers=headers)).json()["id"]
    result = await receiver.replay(original)
    assert result.status == 200 and result.error is None
    assert result.capture_id is not None and result.capture_id != original
    replayed = store.get(result.capture_id)
    assert replayed is not None
    assert (replayed.source, replayed.parent_id) == ("replay", original)
    assert replayed.body == body
    assert replayed.verdict == "VALID"
    assert not any(name.lower() == "x-benji-desktop-replay" for name, _ in replayed.headers)
    assert replayed.duplicate_of == original  # the same signature, delivered again


async def test_edit_and_replay_elsewhere_with_a_new_signature(receiver: Receiver, store: CaptureStore) -> None:
    received: list[tuple[list[tuple[str, str]], bytes]] = []
    target = await echo_server(received)
    try:
        port = target.addresses[0][1]
        body, headers = signed()
        async with httpx.AsyncClient() as client:
            original = (await client.post(f"{receiver.url}/hook", content=body, headers=headers)).json()["id"]
        edited = canonical_body("transaction_status_updated", 3, 42)
        result = await receiver.replay(
            original, f"http://127.0.0.1:{port}/mine", body=edited, resign_salt=KnownSalt(SALT, "test salt")
        )
        assert result.status == 202
        assert result.body == b"forwarded ok"
        ((sent_headers, sent_body),) = received
        assert sent_body == edited
        replay = store.get(result.capture_id or 0)
        assert replay is not None
        assert (replay.source, replay.parent_id, replay.response_status) == ("replay", original, 202)
        assert replay.verdict == "VALID"  # re-signed with the salt
        assert replay.event == "transaction_status_updated"
        signature = next(v for n, v in sent_headers if n.lower() == "x-benji-signature")
        assert signature != headers["x-benji-signature"]
    finally:
        await target.cleanup()


async def test_repeats_and_out_of_order_statuses_are_flagged(receiver: Receiver, store: CaptureStore) -> None:
    body = canonical_body("transaction_status_updated", 3, 9)
    newer = signed_headers(body, [SALT])
    older = dict(newer)
    older["x-webhook-datetime"] = "Mon, 01 Jan 2024 00:00:00 GMT"
    async with httpx.AsyncClient() as client:
        first = (await client.post(f"{receiver.url}/hook", content=body, headers=newer)).json()["id"]
        again = (await client.post(f"{receiver.url}/hook", content=body, headers=newer)).json()["id"]
        late = (await client.post(f"{receiver.url}/hook", content=body, headers=older)).json()["id"]
    repeated = store.get(again)
    out_of_order = store.get(late)
    assert repeated is not None and out_of_order is not None
    assert repeated.duplicate_of == first
    assert any(f"#{first}" in note for note in repeated.notes)
    assert any("Out of order" in note for note in out_of_order.notes)


async def test_reverify_after_a_salt_is_added(store: CaptureStore) -> None:
    receiver = Receiver(store, StaticSaltSource(), port=0)
    await receiver.start()
    try:
        body, headers = signed()
        async with httpx.AsyncClient() as client:
            capture_id = (await client.post(f"{receiver.url}/hook", content=body, headers=headers)).json()["id"]
        assert (store.get(capture_id) or Capture()).verdict == "NO_SALT"
        updated: list[int] = []
        receiver.add_update_listener(updated.append)
        changed = await receiver.reverify(None, StaticSaltSource([KnownSalt(SALT, "added later")]))
        assert changed == 1 and updated == [capture_id]
        capture = store.get(capture_id)
        assert capture is not None
        assert (capture.verdict, capture.matched_salt_label) == ("VALID", "added later")
    finally:
        await receiver.stop()


async def test_a_taken_port_raises_or_falls_back_with_a_note(receiver: Receiver, store: CaptureStore) -> None:
    second = Receiver(store, StaticSaltSource(), port=receiver.port)
    with pytest.raises(PortInUseError):
        await second.start()
    await second.start(fallback_to_free_port=True)
    try:
        assert second.port != receiver.port
        assert second.port_note and str(receiver.port) in second.port_note
    finally:
        await second.stop()


async def test_stop_frees_the_port_at_once(store: CaptureStore) -> None:
    first = Receiver(store, StaticSaltSource(), port=0)
    await first.start()
    port = first.port
    async with httpx.AsyncClient() as client:
        await client.post(f"{first.url}/x", content=b"{}")  # a kept-alive connection stays open
        await first.stop()
        again = Receiver(store, StaticSaltSource(), port=port)
        await again.start()
        try:
            assert again.port == port
        finally:
            await again.stop()


async def test_https_with_a_self_signed_certificate(store: CaptureStore, tmp_path: Path) -> None:
    cert = ensure_self_signed_cert(tmp_path / "tls")
    assert len(cert.fingerprint_sha256.split(":")) == 32
    assert ensure_self_signed_cert(tmp_path / "tls").fingerprint_sha256 == cert.fingerprint_sha256  # kept
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT)]), port=0, tls=cert)
    await receiver.start()
    try:
        assert receiver.url.startswith("https://localhost:")
        assert receiver.tls_fingerprint == cert.fingerprint_sha256
        body, headers = signed()
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(cert.cert_path))) as client:
            response = await client.post(f"{receiver.url}/hook", content=body, headers=headers)
        capture = store.get(response.json()["id"])
        assert capture is not None
        assert (capture.scheme, capture.verdict) == ("https", "VALID")
    finally:
        await receiver.stop()


async def test_a_burst_of_concurrent_deliveries_is_all_committed(receiver: Receiver, store: CaptureStore) -> None:
    async with httpx.AsyncClient() as client:

        async def deliver(n: int) -> int:
            body, headers = signed(entity_id=n)
            response = await client.post(f"{receiver.url}/hook", content=body, headers=headers)
            assert response.status_code == 200
            return int(response.json()["id"])

        ids = await asyncio.gather(*(deliver(n) for n in range(200)))
    assert len(set(ids)) == 200
    assert store.count(CaptureFilter(verdict="VALID")) == 200


async def test_a_request_that_cannot_be_stored_gets_503_not_2xx(
    receiver: Receiver, store: CaptureStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> list[int]:
        raise OSError("disk full")

    monkeypatch.setattr(store, "add_many", broken)
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{receiver.url}/hook", content=b"{}")
    assert response.status_code == 503
    monkeypatch.undo()
    await still_serves(receiver)


async def test_commits_on_a_writer_thread_work_the_same(store: CaptureStore) -> None:
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT)]), port=0, write_in_thread=True)
    await receiver.start()
    try:
        body, headers = signed()
        async with httpx.AsyncClient() as client:
            ids = [
                (await client.post(f"{receiver.url}/hook", content=body, headers=headers)).json()["id"]
                for _ in range(3)
            ]
        assert [(store.get(i) or Capture()).verdict for i in ids] == ["VALID"] * 3
    finally:
        await receiver.stop()


async def test_a_corpus_of_mangled_requests_never_stops_the_receiver(receiver: Receiver, store: CaptureStore) -> None:
    import random

    rng = random.Random(20241022)
    body, headers = signed()
    valid = (
        b"POST /fuzz HTTP/1.1\r\nHost: x\r\n"
        + b"".join(f"{name}: {value}\r\n".encode() for name, value in headers.items())
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    def mangle() -> bytes:
        data = bytearray(valid)
        for _ in range(rng.randint(1, 6)):
            position = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.4:
                data[position] = rng.randrange(256)
            elif choice < 0.7:
                del data[position : position + rng.randint(1, 8)]
            else:
                data[position:position] = rng.choice([b"\r\n", b"\x00", b":", b" ", b"\xff\xfe", b"0\r\n\r\n"])
        return bytes(data)

    async def send(data: bytes) -> None:
        try:
            await asyncio.wait_for(raw_exchange(receiver.port, data), 5.0)
        except (ConnectionError, TimeoutError):
            pass

    await asyncio.gather(*(send(mangle()) for _ in range(80)))
    await still_serves(receiver)
    assert store.count() >= 1
    for row in store.page(CaptureFilter(), 0, 100):
        assert row.classification  # every stored request carries a code
