"""HAR and JSON export/import round trips are byte-exact; detection picks the right reader."""

from __future__ import annotations

import json

import pytest

from benji_desktop.interchange import (
    HttpExchange,
    HttpRequest,
    InterchangeError,
    detect_and_parse,
    detect_format,
    exchanges_to_har,
    exchanges_to_json,
    har_to_exchanges,
    json_to_exchanges,
    to_curl,
)

BODIES = [
    b'{"event":"user_partner_connected","entity_type":1,"entity_id":155}',
    "Zoë — ünïcode".encode(),
    b"\x00\x01\xfe\xff\x80 not utf-8",
    b"",
    bytes(range(256)),
]


def exchange(body: bytes, response_body: bytes = b"ok") -> HttpExchange:
    return HttpExchange(
        request=HttpRequest(
            method="POST",
            scheme="http",
            host="127.0.0.1:8787",
            path="/hooks/benji",
            query="a=1&a=2",
            headers=[("content-TYPE", "application/json"), ("X-Dup", "1"), ("x-dup", "2"), ("X-Empty", "")],
            body=body,
            remote="127.0.0.1:50312",
            received_at=1729634222.125,
        ),
        response_status=200,
        response_headers=[("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
        response_body=response_body,
        verification={"verdict": "VALID", "reasons": []},
        meta={"capture_id": 7, "source": "receiver"},
    )


def same(a: HttpExchange, b: HttpExchange) -> None:
    assert a.request == b.request
    assert (a.response_status, a.response_headers, a.response_body) == (
        b.response_status,
        b.response_headers,
        b.response_body,
    )
    assert a.verification == b.verification


@pytest.mark.parametrize("body", BODIES, ids=["json", "unicode", "non-utf8", "empty", "all-bytes"])
def test_json_round_trip_through_text(body: bytes) -> None:
    original = [exchange(body, response_body=body)]
    text = json.dumps(exchanges_to_json(original))
    imported = json_to_exchanges(json.loads(text))
    same(imported[0], original[0])
    assert imported[0].meta == original[0].meta
    assert detect_and_parse(text.encode())[0].request == original[0].request


@pytest.mark.parametrize("body", BODIES, ids=["json", "unicode", "non-utf8", "empty", "all-bytes"])
def test_har_round_trip_through_text(body: bytes) -> None:
    original = [exchange(body, response_body=body), exchange(BODIES[0])]
    har = exchanges_to_har(original, creator_version="0.1.0")
    assert har["log"]["version"] == "1.2" and har["log"]["creator"]["version"] == "0.1.0"
    text = json.dumps(har)
    imported = har_to_exchanges(json.loads(text))
    assert len(imported) == 2
    same(imported[0], original[0])
    same(imported[1], original[1])


def test_har_marks_non_utf8_request_bodies() -> None:
    entry = exchanges_to_har([exchange(b"\xff\x00")], "1")["log"]["entries"][0]
    assert entry["request"]["postData"] == {
        "mimeType": "application/json",
        "text": "/wA=",
        "_benji": {"encoding": "base64"},
    }
    assert entry["response"]["content"]["text"] == "ok"


def test_browser_har_is_read() -> None:
    har = {
        "log": {
            "version": "1.2",
            "entries": [
                {
                    "startedDateTime": "2024-10-22T21:57:02.000Z",
                    "request": {
                        "method": "POST",
                        "url": "https://example.com/hook",
                        "headers": [
                            {"name": ":authority", "value": "example.com"},
                            {"name": "x-benji-signature", "value": "ab"},
                        ],
                        "postData": {
                            "mimeType": "application/x-www-form-urlencoded",
                            "params": [{"name": "a", "value": "b c"}],
                        },
                    },
                    "response": {"status": 204, "headers": [], "content": {"size": 0}},
                }
            ],
        }
    }
    [imported] = detect_and_parse(json.dumps(har).encode())
    assert imported.request.headers == [("x-benji-signature", "ab")]
    assert imported.request.body == b"a=b+c"
    assert imported.response_status == 204
    assert imported.request.received_at == 1729634222.0
    assert imported.meta["source_format"] == "har"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"  curl http://h/p", "curl"),
        (b"$ curl http://h/p", "curl"),
        (b"printf 'x' | curl -d @- http://h/p", "curl"),
        (b"POST /p HTTP/1.1\r\nHost: h\r\n\r\n", "raw"),
        (b'\xef\xbb\xbf{"log": {"entries": []}}', "har"),
        (b'{"format": "benji-desktop-exchanges", "version": 1, "exchanges": []}', "json"),
    ],
)
def test_detection(data: bytes, kind: str) -> None:
    assert detect_format(data) == kind
    detect_and_parse(data)


def test_curl_from_an_exchange_detects_back() -> None:
    original = exchange(b"\x00binary\xff").request
    [imported] = detect_and_parse(to_curl(original).encode())
    assert imported.request.body == original.body and imported.meta["source_format"] == "curl"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "not recognised"),
        (b"{not json", "not valid JSON"),
        (b'{"a": 1}', "neither a HAR"),
        (b'{"log": {"entries": [{"request": {}}]}}', "HAR entry 1 has no request URL"),
        (b'{"format": "benji-desktop-exchanges", "version": 9, "exchanges": []}', "version 9"),
        (
            b'{"format": "benji-desktop-exchanges", "version": 1, "exchanges": [{"request": {"body_base64": "!"}}]}',
            "not valid base64",
        ),
    ],
)
def test_readable_errors(data: bytes, message: str) -> None:
    with pytest.raises(InterchangeError, match=message):
        detect_and_parse(data)
