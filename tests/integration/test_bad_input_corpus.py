"""A corpus of malformed and hostile requests over raw sockets: the receiver classifies each, the Sandbox never 5xx.

Each case is sent to Benji's receiver and to the Sandbox. Every exchange is bounded by a timeout; the receiver
must record the capture with the expected classification (or, for the few requests that never complete, record
nothing), the Sandbox must answer below 500 or close, and both must still answer a good request afterwards.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from benji_desktop.receiver import Receiver, StaticSaltSource
from benji_desktop.sandbox import SandboxServer
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.signature import canonical_body, signed_headers
from benji_desktop.signature.signing import encode_signature
from benji_desktop.storage.captures import Capture, CaptureStore

SALT = "salt_YmFkIGlucHV0IGNvcnB1cyBzYWx0IDEy"
MAX_BODY = 256 * 1024
EXCHANGE_TIMEOUT = 3.0
GOOD_BODY = canonical_body("transaction_created", 3, 7)


@dataclass(frozen=True)
class Target:
    """Where a case is sent: the receiver's webhook path, or an authenticated Sandbox endpoint."""

    path: str
    auth: tuple[tuple[str, str], ...] = ()


Chunks = list[bytes | float]  # bytes to send, or seconds to pause


def http(
    target: Target,
    *,
    method: str = "POST",
    path: str | None = None,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = GOOD_BODY,
    content_length: bool = True,
    signed: bool = True,
    raw_headers: bytes = b"",
) -> bytes:
    """A request in bytes: signed JSON by default, every part replaceable."""
    lines = [f"{method} {path or target.path} HTTP/1.1", "Host: 127.0.0.1"]
    all_headers = list(target.auth) + (headers if headers is not None else [("Content-Type", "application/json")])
    if signed and not any(name.lower() == "x-benji-signature" for name, _ in all_headers):
        all_headers += list(signed_headers(body, [SALT]).items())[1:]  # signature and datetime, not Content-Type
    if content_length:
        all_headers.append(("Content-Length", str(len(body))))
    lines += [f"{name}: {value}" for name, value in all_headers]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1") + raw_headers + b"\r\n" + body


def signature_only(value: str) -> list[tuple[str, str]]:
    return [("Content-Type", "application/json"), ("x-benji-signature", value)]


def chunked(target: Target, chunks_text: bytes, **kwargs: object) -> bytes:
    head = http(target, body=b"", content_length=False, signed=False, **kwargs)  # type: ignore[arg-type]
    return head[:-2] + b"Transfer-Encoding: chunked\r\n\r\n" + chunks_text


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Target], Chunks]
    # Classifications the receiver may record; None: the request never completes, so nothing is stored.
    expect: frozenset[str] | None
    verdict: str | None = None
    half_close: bool = False  # the client shuts its side after sending

    @property
    def head_only(self) -> bool:
        return self.name == "HEAD"


def case(
    name: str,
    build: Callable[[Target], Chunks],
    expect: str | set[str] | None,
    verdict: str | None = None,
    half_close: bool = False,
) -> Case:
    codes = None if expect is None else frozenset({expect} if isinstance(expect, str) else expect)
    return Case(name, build, codes, verdict, half_close)


def good(target: Target) -> Chunks:
    return [http(target)]


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
HUGE_NUMBER = b'{"event":"transaction_created","entity_type":3,"entity_id":' + b"9" * 50_000 + b"}"
GZIP_BOMB = gzip.compress(b"0" * (20 * 1024 * 1024))
DIGEST = bytes.fromhex(signed_headers(GOOD_BODY, [SALT])["x-benji-signature"])
REJECTED = {"bad_request_line", "bad_headers", "bad_framing", "bad_request", "rejected", "headers_too_large"}

CASES: list[Case] = [
    # --- framing ---------------------------------------------------------------------------------------
    case(
        "content-length longer than the body, then close",
        lambda t: [http(t).replace(f"Content-Length: {len(GOOD_BODY)}".encode(), b"Content-Length: 500")],
        {"client_disconnected", "stalled"},
        half_close=True,
    ),
    case(
        "content-length longer than the body, client stalls",
        lambda t: [http(t).replace(f"Content-Length: {len(GOOD_BODY)}".encode(), b"Content-Length: 500")],
        "stalled",
    ),
    case("chunk size not hex", lambda t: [chunked(t, b"zz\r\nhello\r\n0\r\n\r\n")], "bad_framing"),
    case("chunk without its CRLF", lambda t: [chunked(t, b"5\r\nhelloXX0\r\n\r\n")], "bad_framing"),
    case(
        "chunked body cut off, then close",
        lambda t: [chunked(t, b'40\r\n{"event"')],
        {"client_disconnected", "bad_framing"},
        half_close=True,
    ),
    case("valid chunked body", lambda t: [chunked(t, b"%x\r\n%s\r\n0\r\n\r\n" % (len(GOOD_BODY), GOOD_BODY))], {"ok"}),
    case(
        "both Content-Length and Transfer-Encoding",
        lambda t: [
            chunked(
                t, b"5\r\nhello\r\n0\r\n\r\n", headers=[("Content-Type", "application/json"), ("Content-Length", "5")]
            )
        ],
        REJECTED,
    ),
    case(
        "negative Content-Length",
        lambda t: [http(t, content_length=False, raw_headers=b"Content-Length: -5\r\n")],
        REJECTED,
    ),
    case(
        "Content-Length not a number",
        lambda t: [http(t, content_length=False, raw_headers=b"Content-Length: abc\r\n")],
        REJECTED,
    ),
    case(
        "two different Content-Lengths",
        lambda t: [
            http(
                t,
                content_length=False,
                raw_headers=f"Content-Length: {len(GOOD_BODY)}\r\nContent-Length: 3\r\n".encode(),
            )
        ],
        REJECTED | {"duplicate_headers"},
    ),
    case(
        "Transfer-Encoding nobody knows",
        lambda t: [http(t, raw_headers=b"Transfer-Encoding: gzip, zigzag\r\n")],
        REJECTED | {"ok"},
    ),
    # --- headers ---------------------------------------------------------------------------------------
    case("header line without a colon", lambda t: [http(t, raw_headers=b"NoColonHere\r\n")], REJECTED),
    case("space inside a header name", lambda t: [http(t, raw_headers=b"Bad Name: x\r\n")], REJECTED),
    case("control byte in a header value", lambda t: [http(t, raw_headers=b"X-Odd: a\x01b\r\n")], REJECTED | {"ok"}),
    case(
        "obsolete folded header line",
        lambda t: [http(t, raw_headers=b"X-Folded: first\r\n  second\r\n")],
        REJECTED | {"ok"},
    ),
    case(
        "a 20 KB header (captured and named)",
        lambda t: [http(t, raw_headers=b"X-Big: " + b"a" * 20_000 + b"\r\n")],
        "oversized_headers",
    ),
    case(
        "a 100 KB header (refused by the parser)",
        lambda t: [http(t, raw_headers=b"X-Huge: " + b"a" * 100_000 + b"\r\n")],
        REJECTED,
    ),
    case(
        "300 headers",
        lambda t: [http(t, raw_headers=b"".join(b"X-H%d: v\r\n" % n for n in range(300)))],
        REJECTED | {"too_many_headers", "ok"},
    ),
    case(
        "non-UTF-8 bytes in a header value",
        lambda t: [http(t, raw_headers=b"X-Latin: caf\xe9\r\n")],
        {"ok"},
        verdict="VALID",
    ),
    case(
        "x-benji-signature sent twice",
        lambda t: [http(t, raw_headers=b"x-benji-signature: " + DIGEST.hex().encode() + b"\r\n")],
        "duplicate_headers",
    ),
    case(
        "Content-Type sent twice",
        lambda t: [http(t, raw_headers=b"Content-Type: text/plain\r\n")],
        {"duplicate_headers", "bad_headers"},
    ),
    # --- request line and path -------------------------------------------------------------------------
    case("garbage request line", lambda t: [b"HELLO THERE\r\n\r\n"], REJECTED),
    case(
        "HTTP/2 preface on an HTTP/1.1 port", lambda t: [b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"], REJECTED | {"empty_body"}
    ),
    case("space inside the method", lambda t: [b"PO ST /x HTTP/1.1\r\nHost: a\r\n\r\n"], REJECTED),
    case("HTTP version 9.9", lambda t: [http(t).replace(b"HTTP/1.1", b"HTTP/9.9", 1)], REJECTED | {"ok"}),
    case("a 100 KB URL", lambda t: [http(t, path="/" + "a" * 100_000)], REJECTED),
    case("broken percent-escapes in the path", lambda t: [http(t, path=t.path + "/%zz%%/..%2f")], {"ok"}),
    case(
        "non-UTF-8 bytes in the path",
        lambda t: [http(t).replace(t.path.encode(), t.path.encode() + b"/\xff\xfe", 1)],
        REJECTED | {"ok"},
    ),
    # --- methods ---------------------------------------------------------------------------------------
    case(
        "GET without a body",
        lambda t: [http(t, method="GET", body=b"", signed=False, headers=[])],
        "empty_body",
        verdict="UNSIGNED",
    ),
    case("DELETE with a signed JSON body", lambda t: [http(t, method="DELETE")], {"ok"}, verdict="VALID"),
    case("a made-up method", lambda t: [http(t, method="BREW")], REJECTED | {"ok"}),
    case("HEAD", lambda t: [http(t, method="HEAD", body=b"", signed=False, headers=[])], "empty_body"),
    case(
        "OPTIONS *",
        lambda t: [b"OPTIONS * HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"],
        {"empty_body"} | REJECTED,
    ),
    # --- bodies and encodings --------------------------------------------------------------------------
    case("empty POST body", lambda t: [http(t, body=b"")], "empty_body"),
    case("not JSON", lambda t: [http(t, body=b"{not json")], "invalid_json", verdict="VALID"),
    case("not UTF-8", lambda t: [http(t, body=b'{"event":"\xff\xfe"}')], "non_utf8"),
    case("UTF-16 JSON with a byte-order mark", lambda t: [http(t, body='{"event":"x"}'.encode("utf-16"))], "non_utf8"),
    case("JSON nested 100,000 deep", lambda t: [http(t, body=DEEP_JSON)], "invalid_json"),
    case("a 50,000-digit number", lambda t: [http(t, body=HUGE_NUMBER)], {"invalid_json", "unexpected_shape"}),
    case("a JSON array, not an object", lambda t: [http(t, body=b"[1,2,3]")], "unexpected_shape"),
    case(
        "duplicate JSON keys",
        lambda t: [http(t, body=b'{"event":"a","event":"b","entity_type":3,"entity_id":1}')],
        {"ok", "unexpected_shape"},
    ),
    case(
        "JSON sent as text/plain",
        lambda t: [http(t, headers=[("Content-Type", "text/plain")])],
        "not_json_content_type",
        verdict="VALID",
    ),
    case(
        "gzip body, decoded for reading",
        lambda t: [
            http(
                t,
                headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                body=gzip.compress(GOOD_BODY),
            )
        ],
        {"ok"},
    ),
    case(
        "says gzip, is not",
        lambda t: [http(t, headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip")])],
        {"ok"},
        verdict="VALID",
    ),
    case(
        "gzip bomb (20 MB of zeros in 20 KB)",
        lambda t: [
            http(t, headers=[("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body=GZIP_BOMB)
        ],
        {"non_utf8", "invalid_json"},
    ),
    # --- sizes -----------------------------------------------------------------------------------------
    case(
        "declares 11 MB",
        lambda t: [http(t, content_length=False, raw_headers=b"Content-Length: 11534336\r\n")],
        "oversize",
    ),
    case(
        "streams past the limit without declaring it",
        lambda t: [chunked(t, b"".join(b"10000\r\n" + b"a" * 0x10000 + b"\r\n" for _ in range(6)) + b"0\r\n\r\n")],
        "oversize",
    ),
    # --- signature and datetime header abuse -----------------------------------------------------------
    case("empty signature", lambda t: [http(t, headers=signature_only(""))], "ok", verdict="UNSIGNED"),
    case(
        "signature that is no digest",
        lambda t: [http(t, headers=signature_only("not-a-signature"))],
        "ok",
        verdict="MALFORMED",
    ),
    case("wrong signature", lambda t: [http(t, headers=signature_only("0" * 64))], "ok", verdict="INVALID"),
    case(
        "1,000 signatures in one header",
        lambda t: [http(t, headers=signature_only(",".join(["0" * 64] * 1000)))],
        "oversized_headers",
        verdict="INVALID",
    ),
    case(
        "uppercase hex",
        lambda t: [http(t, headers=[*signature_only(DIGEST.hex().upper()), _now()])],
        "ok",
        verdict="VALID",
    ),
    case(
        "base64",
        lambda t: [http(t, headers=[*signature_only(encode_signature(DIGEST, "base64")), _now()])],
        "ok",
        verdict="VALID",
    ),
    case(
        "sha256= prefix",
        lambda t: [http(t, headers=[*signature_only("sha256=" + DIGEST.hex()), _now()])],
        "ok",
        verdict="VALID",
    ),
    case(
        "datetime is garbage",
        lambda t: [http(t, headers=[*signature_only(DIGEST.hex()), ("x-webhook-datetime", "yesterday-ish")])],
        "ok",
        verdict="STALE",
    ),
    case(
        "datetime in the year 9999",
        lambda t: [
            http(t, headers=[*signature_only(DIGEST.hex()), ("x-webhook-datetime", "Fri, 31 Dec 9999 23:59:59 GMT")])
        ],
        "ok",
        verdict="STALE",
    ),
    case(
        "a 50 KB signature header",
        lambda t: [http(t, headers=signature_only("a" * 50_000))],
        "oversized_headers",
        verdict="MALFORMED",
    ),
    # --- slow and vanishing clients --------------------------------------------------------------------
    case("headers one byte at a time", lambda t: _trickle(http(t), 0.002), {"ok"}, verdict="VALID"),
    case("body in slow pieces, complete in time", lambda t: _split(http(t), 4, 0.15), {"ok"}, verdict="VALID"),
    # Recorded as stalled (with the bytes that came) once the receiver's head timeout passes; half-closing
    # says nothing more is coming, so it is that or nothing, depending on which the receiver notices first.
    case(
        "headers never finished",
        lambda t: [http(t)[:40], 1.5],
        {"stalled", "client_disconnected", "none"},
        half_close=True,
    ),
    case("connects and closes at once", lambda t: [], None, half_close=True),
]


def _now() -> tuple[str, str]:
    return ("x-webhook-datetime", signed_headers(b"", [SALT])["x-webhook-datetime"])


def _trickle(data: bytes, pause: float) -> Chunks:
    head, _, body = data.partition(b"\r\n\r\n")
    pieces: Chunks = []
    for byte in head[:120]:
        pieces += [bytes([byte]), pause]
    return [*pieces, head[120:] + b"\r\n\r\n" + body]


def _split(data: bytes, parts: int, pause: float) -> Chunks:
    size = -(-len(data) // parts)
    pieces: Chunks = []
    for start in range(0, len(data), size):
        pieces += [data[start : start + size], pause]
    return pieces


async def exchange(
    port: int, chunks: Chunks, *, half_close: bool, head_only: bool = False, read_within: float = EXCHANGE_TIMEOUT
) -> bytes:
    """Send the chunks (pausing where asked), then read the answer until close or the timeout."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = b""
    try:
        for chunk in chunks:
            if isinstance(chunk, float):
                await asyncio.sleep(chunk)
            else:
                writer.write(chunk)
                await writer.drain()
        if half_close and writer.can_write_eof():
            writer.write_eof()
        async with asyncio.timeout(read_within):
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                answer += data
                if _complete(answer, head_only):
                    break
    except TimeoutError:
        pass
    except ConnectionError:
        pass  # the server may reset a connection it refused; what it recorded is checked separately
    finally:
        writer.close()
    return answer


def _complete(answer: bytes, head_only: bool) -> bool:
    head, separator, body = answer.partition(b"\r\n\r\n")
    if not separator:
        return False
    if head_only:  # the answer to HEAD has a Content-Length but no body
        return True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip() or 0)
    return False


def status_of(answer: bytes) -> int | None:
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() else None


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[Receiver]:
    store = CaptureStore(tmp_path / "captures.sqlite3")
    started = Receiver(store, StaticSaltSource.from_values([SALT]), port=0, max_body=MAX_BODY, body_timeout=1.0)
    await started.start()
    yield started
    await started.stop()
    store.close()


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxServer]:
    server = SandboxServer(tmp_path / "sandbox", MemorySecretStore(), port=0)
    await server.start()
    yield server
    await server.stop()


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


async def _new_captures(store: CaptureStore, after: int, want_any: bool) -> list[Capture]:
    """Captures with ids above `after`; waits for at least one when one is expected (the writer batches)."""
    for _ in range(100 if want_any else 10):
        ids = [i for i in store.all_ids() if i > after]
        if ids and want_any:
            break
        await asyncio.sleep(0.03)
    return store.get_many([i for i in store.all_ids() if i > after])


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
async def test_the_receiver_records_and_classifies(bad: Case, receiver: Receiver) -> None:
    store = receiver.store
    before = max(store.all_ids(), default=0)
    target = Target("/webhooks/benji")
    answer = await exchange(receiver.port, bad.build(target), half_close=bad.half_close, head_only=bad.head_only)
    status = status_of(answer)
    assert status is None or status < 500, answer[:200]

    captures = await _new_captures(store, before, want_any=bad.expect is not None and "none" not in bad.expect)
    if bad.expect is None or (not captures and "none" in bad.expect):
        assert captures == []
    else:
        assert len(captures) == 1, [c.classification for c in captures]
        (capture,) = captures
        assert capture.classification in bad.expect, (capture.classification, capture.notes)
        assert capture.notes or capture.classification == "ok"  # every problem comes with a sentence
        assert capture.response_status is None or capture.response_status < 500  # None: nobody left to answer
        if status is not None:
            assert status == capture.response_status  # what was answered is what was recorded
        if bad.verdict is not None:
            assert capture.verdict == bad.verdict, (capture.verdict, (capture.report or {}).get("cause"))

    # Whatever came before, the receiver still takes a good signed request.
    async with httpx.AsyncClient(timeout=EXCHANGE_TIMEOUT) as client:
        reply = await client.post(
            f"{receiver.url}/webhooks/benji", content=GOOD_BODY, headers=signed_headers(GOOD_BODY, [SALT])
        )
    assert reply.status_code == 200
    last = store.get(max(store.all_ids()))
    assert last is not None and last.verdict == "VALID"


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
async def test_the_sandbox_never_answers_5xx(bad: Case, sandbox: SandboxServer) -> None:
    target = Target("/sandbox/events", auth=(("x-api-key", sandbox.api_key),))
    answer = await exchange(_port(sandbox.url), bad.build(target), half_close=bad.half_close, head_only=bad.head_only)
    status = status_of(answer)
    assert status is None or status < 500, answer[:300]
    head, _, body = answer.partition(b"\r\n\r\n")
    if status is not None and 400 <= status < 500 and body and b"application/json" in head.lower():
        envelope = json.loads(body)
        assert "message" in envelope  # a readable reason, not a bare status
    async with httpx.AsyncClient(timeout=EXCHANGE_TIMEOUT) as client:
        reply = await client.get(f"{sandbox.url}/developer/api-keys", headers={"x-api-key": sandbox.api_key})
    assert reply.status_code == 200
    assert sandbox.state.unexpected_errors == 0


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


async def test_the_sandbox_refuses_a_declared_oversize_body_at_once(sandbox: SandboxServer) -> None:
    target = Target("/sandbox/events", auth=(("x-api-key", sandbox.api_key),))
    head = http(target, body=b"", content_length=False, raw_headers=b"Content-Length: 11534336\r\n")
    answer = await exchange(_port(sandbox.url), [head], half_close=False, read_within=1.5)
    assert status_of(answer) == 413
    assert b"payload_too_large" in answer


async def test_a_stalled_client_does_not_hold_up_the_others(receiver: Receiver, sandbox: SandboxServer) -> None:
    """While a client sits on half a request, both servers keep answering everybody else."""
    target = Target("/webhooks/benji")
    held: list[asyncio.StreamWriter] = []
    for port in (receiver.port, _port(sandbox.url)):
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(http(target)[:30])
        await writer.drain()
        held.append(writer)
    try:
        async with httpx.AsyncClient(timeout=EXCHANGE_TIMEOUT) as client:
            for _ in range(5):
                reply = await client.post(
                    f"{receiver.url}/webhooks/benji", content=GOOD_BODY, headers=signed_headers(GOOD_BODY, [SALT])
                )
                assert reply.status_code == 200
                assert (await client.get(f"{sandbox.url}/openapi.json")).status_code == 200
    finally:
        for writer in held:
            writer.close()
