"""Our own JSON export: every body base64, headers as ordered `[name, value]` pairs — exact in both ways."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from benji_desktop.interchange.model import HttpExchange, HttpRequest, InterchangeError

FORMAT_NAME = "benji-desktop-exchanges"
FORMAT_VERSION = 1


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def exchanges_to_json(exchanges: list[HttpExchange]) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exchanges": [
            {
                "request": {
                    "method": exchange.request.method,
                    "scheme": exchange.request.scheme,
                    "host": exchange.request.host,
                    "path": exchange.request.path,
                    "query": exchange.request.query,
                    "headers": [[name, value] for name, value in exchange.request.headers],
                    "body_base64": _b64(exchange.request.body),
                    "remote": exchange.request.remote,
                    "received_at": exchange.request.received_at,
                },
                "response": {
                    "status": exchange.response_status,
                    "headers": [[name, value] for name, value in exchange.response_headers],
                    "body_base64": _b64(exchange.response_body),
                },
                "verification": exchange.verification,
                "meta": exchange.meta,
            }
            for exchange in exchanges
        ],
    }


def _field(record: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str, default: Any = None) -> Any:
    value = record.get(name, default)
    if value is None and default is None:
        return None
    if not isinstance(value, kind):
        raise InterchangeError(f"{where}: {name} has the wrong type.")
    return value


def _headers(value: Any, where: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair) for pair in value
    ):
        raise InterchangeError(f"{where}: headers must be a list of [name, value] pairs.")
    return [(pair[0], pair[1]) for pair in value]


def _body(value: Any, where: str) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        raise InterchangeError(f"{where}: body_base64 is not a string.")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InterchangeError(f"{where}: body_base64 is not valid base64.") from None


def json_to_exchanges(doc: dict[str, Any]) -> list[HttpExchange]:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise InterchangeError("This is not a Benji Desktop JSON export (its format field is missing or different).")
    if not isinstance(doc.get("version"), int) or doc["version"] > FORMAT_VERSION:
        raise InterchangeError(f"This export is version {doc.get('version')!r}; this app reads up to {FORMAT_VERSION}.")
    items = doc.get("exchanges")
    if not isinstance(items, list):
        raise InterchangeError("The export has no exchanges list.")
    exchanges: list[HttpExchange] = []
    for number, item in enumerate(items, start=1):
        where = f"Exchange {number}"
        if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
            raise InterchangeError(f"{where} has no request.")
        request = item["request"]
        response = _mapping(item.get("response"))
        received_at = _field(request, "received_at", (int, float), where)
        exchanges.append(
            HttpExchange(
                request=HttpRequest(
                    method=_field(request, "method", str, where, "GET"),
                    scheme=_field(request, "scheme", str, where, "http"),
                    host=_field(request, "host", str, where, ""),
                    path=_field(request, "path", str, where, "/"),
                    query=_field(request, "query", str, where, ""),
                    headers=_headers(request.get("headers"), where),
                    body=_body(request.get("body_base64"), where),
                    remote=_field(request, "remote", str, where),
                    received_at=float(received_at) if received_at is not None else None,
                ),
                response_status=_field(response, "status", int, where),
                response_headers=_headers(response.get("headers"), f"{where} response"),
                response_body=_body(response.get("body_base64"), f"{where} response"),
                verification=item.get("verification") if isinstance(item.get("verification"), dict) else None,
                meta=dict(item["meta"]) if isinstance(item.get("meta"), dict) else {},
            )
        )
    return exchanges
