"""Whatever is pasted or dropped, the readers either return requests or raise InterchangeError — nothing else."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from benji_desktop.interchange import InterchangeError, detect_and_parse, parse_curl, parse_raw_http

FRAGMENTS = st.sampled_from([
    "curl ", "-X", "POST", "-H", "'", '"', "$'", "\\x", "\\", "\n", "|", "printf ", "%", "--data-binary", "@-",
    "http://h/p", " ", "-d", "--url", "=", "-XPUT", "\\\n", "--json", "-G", "\\u12", "\\777",
])  # fmt: skip
RAW_FRAGMENTS = st.sampled_from([
    b"POST / HTTP/1.1\r\n", b"Host: h\r\n", b"Content-Length: 5\r\n", b"Transfer-Encoding: chunked\r\n", b"\r\n",
    b"\n", b"5\r\n", b"0\r\n", b"abcde", b"\xff", b": ", b" folded\r\n", b"zz\r\n", b"GET http://x/ HTTP/1.0\n",
])  # fmt: skip


def only_interchange_errors(call: object, data: object) -> None:
    try:
        call(data)  # type: ignore[operator]
    except InterchangeError as error:
        assert str(error)


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS, max_size=20).map("".join) | st.text(max_size=200))
def test_parse_curl(text: str) -> None:
    only_interchange_errors(parse_curl, text)


@settings(max_examples=400, deadline=None)
@given(st.lists(RAW_FRAGMENTS, max_size=14).map(b"".join) | st.binary(max_size=200))
def test_parse_raw_http(data: bytes) -> None:
    only_interchange_errors(parse_raw_http, data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=15,
)
har_request = st.fixed_dictionaries(
    {"url": st.sampled_from(["http://h/p?q=1", "http://[::1", "//x", "h:99999/p", "https://"]) | st.text(max_size=20)},
    optional={
        "method": json_values,
        "headers": json_values | st.lists(st.fixed_dictionaries({"name": json_values, "value": json_values})),
        "postData": json_values
        | st.fixed_dictionaries(
            {"text": json_values},
            optional={"_benji": json_values, "encoding": st.just("base64"), "params": json_values},
        ),
    },
)
har_like = st.fixed_dictionaries(
    {"log": st.fixed_dictionaries({"entries": st.lists(
        st.fixed_dictionaries({"request": har_request}, optional={
            "response": json_values, "_benji": json_values, "startedDateTime": json_values,
        }) | json_values,
        max_size=3,
    )})}
)  # fmt: skip
export_like = st.fixed_dictionaries(
    {"format": st.just("benji-desktop-exchanges"), "version": st.integers(0, 2), "exchanges": json_values}
)


@settings(max_examples=300, deadline=None)
@given(har_like | export_like | json_values)
def test_detect_and_parse_json_documents(doc: object) -> None:
    only_interchange_errors(detect_and_parse, json.dumps(doc).encode())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_detect_and_parse_bytes(data: bytes) -> None:
    only_interchange_errors(detect_and_parse, data)
