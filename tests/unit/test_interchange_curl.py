"""cURL in and out: `to_curl` output reads back byte-exact, and the commands people paste are understood."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benji_desktop.interchange import HttpRequest, InterchangeError, parse_curl, to_curl

BODY = b'{"event":"user_partner_connected","entity_type":1,"entity_id":155}'


def request(body: bytes, headers: list[tuple[str, str]] | None = None, method: str = "POST") -> HttpRequest:
    return HttpRequest(
        method=method,
        scheme="http",
        host="127.0.0.1:8787",
        path="/hooks/benji",
        query="a=1&b=two",
        headers=headers if headers is not None else [("Content-Type", "application/json")],
        body=body,
    )


@pytest.mark.parametrize(
    "body",
    [
        BODY,
        b"",
        'Zoë — ünïcode, it\'s 100% \\ "quoted" $HOME `cmd`'.encode(),
        b"line one\nline two\n",
        b"crlf\r\nbody\r\n",
        b"\x00\x01\x02\xff\xfe binary",
        b"@not-a-file",
        bytes(range(256)),
    ],
)
def test_round_trip_is_byte_exact(body: bytes) -> None:
    original = request(body, [("Content-Type", "application/json"), ("X-Dup", "1"), ("x-dup", "2"), ("X-Empty", "")])
    parsed = parse_curl(to_curl(original))
    assert parsed.body == body
    assert parsed.method == "POST"
    assert parsed.url == original.url
    assert parsed.headers == original.headers


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=300),
    value=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40).map(str.strip),
)
def test_round_trip_of_arbitrary_bodies(body: bytes, value: str) -> None:
    original = request(body, [("Content-Type", "application/json"), ("X-Value", value)])
    parsed = parse_curl(to_curl(original))
    assert parsed.body == body
    assert parsed.headers == original.headers


def test_replay_to_another_url_drops_host_and_computed_headers() -> None:
    original = request(BODY, [("Host", "example.com"), ("Content-Length", "66"), ("Content-Type", "application/json")])
    command = to_curl(original, url="http://localhost:9000/mine")
    assert "Host" not in command and "Content-Length" not in command
    assert parse_curl(command).url == "http://localhost:9000/mine"


def test_method_is_explicit_when_not_the_default() -> None:
    assert "-X PUT" in to_curl(request(BODY, method="PUT"))
    assert "-X" not in to_curl(request(BODY))
    parsed = parse_curl(to_curl(request(b"", method="DELETE")))
    assert parsed.method == "DELETE" and parsed.body == b""


def test_chrome_style_copy_as_curl() -> None:
    command = """curl 'https://example.com/hook?x=1' \\
  -H 'accept: */*' \\
  -H 'content-type: application/json' \\
  -b 'session=abc' \\
  --data-raw $'{"name":"Zo\\u00eb","q":"it\\'s"}' \\
  --compressed"""
    parsed = parse_curl(command)
    assert parsed.method == "POST"
    assert parsed.url == "https://example.com/hook?x=1"
    assert parsed.body == '{"name":"Zoë","q":"it\'s"}'.encode()
    assert ("Cookie", "session=abc") in parsed.headers


@pytest.mark.parametrize(
    ("command", "method", "body"),
    [
        ("curl -XPOST http://h/p -d 'a=1'", "POST", b"a=1"),
        ("curl -X PUT --url http://h/p --data-binary x", "PUT", b"x"),
        ("curl --request=PATCH http://h/p --data=y", "PATCH", b"y"),
        ("curl -sSL -d a -d b http://h/p", "POST", b"a&b"),
        ('curl "http://h/p" -H "X-A: \\"q\\"" --data "$x"', "POST", b"$x"),
        ("curl -I http://h/p", "HEAD", b""),
        ("curl http://h/p", "GET", b""),
        ("curl --data-urlencode 'msg=a b&c' http://h/p", "POST", b"msg=a+b%26c"),
        ("curl --data-binary $'\\x00\\xff\\n' http://h/p", "POST", b"\x00\xff\n"),
        ("curl -d @- http://h/p <<< ignored" if False else "printf '%s' 'hi' | curl -d @- http://h/p", "POST", b"hi"),
        ("curl.exe -d x http://h/p", "POST", b"x"),
    ],
)
def test_common_forms(command: str, method: str, body: bytes) -> None:
    parsed = parse_curl(command)
    assert (parsed.method, parsed.body) == (method, body)


def test_json_option_and_basic_auth() -> None:
    parsed = parse_curl("curl --json '{\"a\":1}' -u user:pw localhost:8787/x")
    assert parsed.url == "http://localhost:8787/x"
    assert ("Content-Type", "application/json") in parsed.headers
    assert ("Authorization", "Basic " + base64.b64encode(b"user:pw").decode()) in parsed.headers


def test_get_mode_puts_data_in_the_query() -> None:
    parsed = parse_curl("curl -G -d a=1 -d b=2 http://h/p")
    assert (parsed.method, parsed.query, parsed.body) == ("GET", "a=1&b=2", b"")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("wget http://h/p", "should start with `curl`"),
        ("curl -d x", "has no URL"),
        ("curl http://a http://b", "2 URLs"),
        ("curl -d @body.json http://h/p", "reads the body from a file"),
        ("curl 'http://h/p", "not closed"),
        ("curl --frobnicate http://h/p", "--frobnicate is not understood"),
        ("curl -F a=b http://h/p", "not supported"),
        ("curl -H 'NoColon' http://h/p", "has no ':'"),
        ("curl -H", "needs a value"),
    ],
)
def test_readable_errors(command: str, message: str) -> None:
    with pytest.raises(InterchangeError, match=message.replace("(", r"\(")):
        parse_curl(command)
