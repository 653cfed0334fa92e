"""HAR 1.2 export and import, byte-exact for our own files and tolerant of browsers' files.

HAR's `postData` has no `encoding` field (only `content` does). A request body that is not UTF-8 is written
as base64 in `postData.text` with `"_benji": {"encoding": "base64"}` beside it (HAR allows `_`-prefixed
custom fields), so our import is byte-exact; other tools show the base64 text. Per-entry extras (capture
time, client address, verification report, meta) live in the entry's `_benji` field.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from benji_desktop.interchange.model import HttpExchange, HttpRequest, InterchangeError

CREATOR_NAME = "Benji Desktop"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _header_list(headers: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def _mime_type(headers: list[tuple[str, str]]) -> str:
    return next((value for name, value in headers if name.lower() == "content-type"), "")


def _text_or_base64(body: bytes) -> tuple[str, bool]:
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def _started(received_at: float | None) -> str:
    moment = datetime.fromtimestamp(received_at, UTC) if received_at is not None else datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _entry(exchange: HttpExchange) -> dict[str, Any]:
    request = exchange.request
    post_data: dict[str, Any] | None = None
    if request.body or request.method not in ("GET", "HEAD"):
        text, encoded = _text_or_base64(request.body)
        post_data = {"mimeType": _mime_type(request.headers), "text": text}
        if encoded:
            post_data["_benji"] = {"encoding": "base64"}
    har_request: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _header_list(request.headers),
        "queryString": [{"name": n, "value": v} for n, v in parse_qsl(request.query, keep_blank_values=True)],
        "headersSize": -1,
        "bodySize": len(request.body),
    }
    if post_data is not None:
        har_request["postData"] = post_data
    text, encoded = _text_or_base64(exchange.response_body)
    content: dict[str, Any] = {
        "size": len(exchange.response_body),
        "mimeType": _mime_type(exchange.response_headers),
        "text": text,
    }
    if encoded:
        content["encoding"] = "base64"
    return {
        "startedDateTime": _started(request.received_at),
        "time": float(exchange.meta.get("time_ms", 0) or 0),
        "request": har_request,
        "response": {
            # HAR needs a number; 0 is the convention for "no response" (e.g. a capture still being answered).
            "status": exchange.response_status or 0,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _header_list(exchange.response_headers),
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(exchange.response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": float(exchange.meta.get("time_ms", 0) or 0), "receive": 0},
        "_benji": {
            "received_at": request.received_at,
            "remote": request.remote,
            "response_status": exchange.response_status,
            "verification": exchange.verification,
            "meta": exchange.meta,
        },
    }


def exchanges_to_har(exchanges: list[HttpExchange], creator_version: str) -> dict[str, Any]:
    """A HAR 1.2 document; request and response headers keep their order, case and duplicates."""
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": CREATOR_NAME, "version": creator_version},
            "entries": [_entry(exchange) for exchange in exchanges],
        }
    }


def _headers_from(items: Any, where: str) -> list[tuple[str, str]]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise InterchangeError(f"{where} headers are not a list.")
    headers: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InterchangeError(f"{where} has a header that is not {{name, value}}.")
        name = item["name"]
        if name.startswith(":"):
            continue  # HTTP/2 pseudo-headers in browsers' HARs are not real headers
        headers.append((name, str(item.get("value", ""))))
    return headers


def _decode_body(text: Any, base64_encoded: bool, where: str) -> bytes:
    if text is None:
        return b""
    if not isinstance(text, str):
        raise InterchangeError(f"{where} text is not a string.")
    if base64_encoded:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InterchangeError(f"{where} says base64 but is not valid base64.") from None
    return text.encode("utf-8", "surrogatepass")


def _parse_started(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _request_body(post_data: Any, where: str) -> bytes:
    if not isinstance(post_data, dict):
        return b""
    extension = _mapping(post_data.get("_benji"))
    encoded = extension.get("encoding") == "base64" or post_data.get("encoding") == "base64"
    if post_data.get("text") is None and isinstance(post_data.get("params"), list):
        # Browsers sometimes give only the parsed form fields.
        params = [(str(p.get("name", "")), str(p.get("value", ""))) for p in post_data["params"] if isinstance(p, dict)]
        return urlencode(params).encode("utf-8")
    return _decode_body(post_data.get("text"), encoded, f"{where} postData")


def har_to_exchanges(har: dict[str, Any]) -> list[HttpExchange]:
    """Every entry of a HAR document as an exchange; a malformed entry is an InterchangeError naming it."""
    log = har.get("log") if isinstance(har, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise InterchangeError("This is not a HAR file: it has no log.entries list.")
    exchanges: list[HttpExchange] = []
    for number, entry in enumerate(entries, start=1):
        where = f"HAR entry {number}"
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("url"), str):
            raise InterchangeError(f"{where} has no request URL.")
        extension = _mapping(entry.get("_benji"))
        received_at = extension.get("received_at")
        if not isinstance(received_at, int | float):
            received_at = _parse_started(entry.get("startedDateTime"))
        remote = extension.get("remote") if isinstance(extension.get("remote"), str) else None
        parsed = HttpRequest.from_url(
            str(request.get("method") or "GET"),
            request["url"],
            _headers_from(request.get("headers"), where),
            _request_body(request.get("postData"), where),
            remote=remote,
            received_at=float(received_at) if received_at is not None else None,
        )
        response = _mapping(entry.get("response"))
        content = _mapping(response.get("content"))
        status = extension.get("response_status", response.get("status"))
        meta = _mapping(extension.get("meta"))
        verification = extension.get("verification") if isinstance(extension.get("verification"), dict) else None
        exchanges.append(
            HttpExchange(
                request=parsed,
                response_status=status if type(status) is int and status > 0 else None,
                response_headers=_headers_from(response.get("headers"), f"{where} response"),
                response_body=_decode_body(
                    content.get("text"), content.get("encoding") == "base64", f"{where} response content"
                ),
                verification=verification,
                meta=dict(meta),
            )
        )
    return exchanges
