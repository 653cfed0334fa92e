"""Raw HTTP requests as pasted: line endings, Content-Length, chunked bodies, and readable errors."""

from __future__ import annotations

import pytest

from benji_desktop.interchange import InterchangeError, parse_raw_http

BODY = b'{"event":"user_partner_connected","entity_type":1,"entity_id":155}'
HEAD = (
    "POST /hooks/benji?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8787\r\nContent-Type: application/json\r\n"
    "X-Benji-Signature: abc\r\nx-benji-signature: def\r\nContent-Length: {n}\r\n\r\n"
)


def test_crlf_request_with_content_length() -> None:
    request = parse_raw_http(HEAD.format(n=len(BODY)).encode() + BODY + b"\r\n\r\n")
    assert request.body == BODY  # the trailing blank lines of a paste are not body
    assert (request.method, request.host, request.path, request.query) == (
        "POST",
        "127.0.0.1:8787",
        "/hooks/benji",
        "x=1",
    )
    assert [v for n, v in request.headers if n.lower() == "x-benji-signature"] == ["abc", "def"]
    assert request.headers[2] == ("X-Benji-Signature", "abc")  # case kept


def test_lf_line_endings() -> None:
    text = HEAD.format(n=len(BODY)).replace("\r\n", "\n").encode() + BODY
    assert parse_raw_http(text).body == BODY


def test_chunked_body_is_dechunked() -> None:
    head = b"POST /h HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunks = b"10\r\n" + BODY[:16] + b"\r\n" + f"{len(BODY) - 16:x};ext=1\r\n".encode() + BODY[16:] + b"\r\n0\r\n\r\n"
    assert parse_raw_http(head + chunks).body == BODY


def test_binary_body_and_latin1_headers_survive() -> None:
    data = b"PUT http://example.com:8080/p HTTP/1.1\r\nX-Name: caf\xe9\r\n\r\n\x00\xff\x80"
    request = parse_raw_http(data)
    assert request.body == b"\x00\xff\x80"
    assert request.url == "http://example.com:8080/p"
    assert request.headers == [("X-Name", "café")]


def test_folded_header_and_leading_blank_lines() -> None:
    request = parse_raw_http(b"\r\n\nGET / HTTP/1.1\nHost: h\nX-Long: a\n  b\n\n")
    assert request.headers[-1] == ("X-Long", "a b")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello world\r\n\r\n", "not an HTTP request line"),
        (b"POST / HTTP/1.1\r\nHost: h\r\nbroken header\r\n\r\n", "Line 3"),
        (b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", "no Host header"),
        (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99\r\n\r\nab", "only 2 follow"),
        (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\nab", "not a number"),
        (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab", "not a hexadecimal"),
        (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "only 2 follow"),
        (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", "before its last"),
    ],
)
def test_readable_errors(data: bytes, message: str) -> None:
    with pytest.raises(InterchangeError, match=message):
        parse_raw_http(data)
