"""Sniff what a pasted or dropped file is (HAR, our JSON export, a cURL command, raw HTTP) and read it."""

from __future__ import annotations

import json
import re
from typing import Any

from benji_desktop.interchange.curl import parse_curl
from benji_desktop.interchange.har import har_to_exchanges
from benji_desktop.interchange.json_export import FORMAT_NAME, json_to_exchanges
from benji_desktop.interchange.model import HttpExchange, InterchangeError
from benji_desktop.interchange.raw_http import parse_raw_http

_REQUEST_LINE = re.compile(rb"^[A-Z][A-Z-]*[ \t]+\S+([ \t]+HTTP/\d(\.\d)?)?[ \t]*\r?$", re.MULTILINE)
_CURL_START = re.compile(rb"^(?:\$\s+)?(?:curl(?:\.exe)?|printf|echo)\s")


def detect_format(data: bytes) -> str:
    """ "har", "json", "curl" or "raw"; raises InterchangeError when it is none of them."""
    text = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")):
        try:
            doc = json.loads(text.decode("utf-8"))
        except (ValueError, RecursionError):
            raise InterchangeError("The file looks like JSON but is not valid JSON.") from None
        if isinstance(doc, dict) and isinstance(doc.get("log"), dict):
            return "har"
        if isinstance(doc, dict) and doc.get("format") == FORMAT_NAME:
            return "json"
        raise InterchangeError("The JSON is neither a HAR file nor a Benji Desktop export.")
    if _CURL_START.match(text):
        return "curl"
    first_line = text.split(b"\n", 1)[0]
    if _REQUEST_LINE.match(first_line):
        return "raw"
    raise InterchangeError(
        "The input is not recognised: expected a HAR file, a Benji Desktop JSON export, a curl command "
        "or a raw HTTP request."
    )


def detect_and_parse(data: bytes) -> list[HttpExchange]:
    kind = detect_format(data)
    text = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if kind in ("har", "json"):
        doc: Any = json.loads(text.decode("utf-8"))
        exchanges = har_to_exchanges(doc) if kind == "har" else json_to_exchanges(doc)
    elif kind == "curl":
        try:
            command = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InterchangeError("The curl command is not UTF-8 text.") from None
        command = re.sub(r"^\$\s+", "", command)  # a copied shell prompt
        exchanges = [HttpExchange(parse_curl(command))]
    else:
        exchanges = [HttpExchange(parse_raw_http(text))]
    for exchange in exchanges:
        exchange.meta.setdefault("source_format", kind)
    return exchanges
