"""Captures to and from the interchange layer's neutral exchanges (export, import, copy as cURL)."""

from __future__ import annotations

import time
from typing import Any

from benji_desktop.interchange import HttpExchange, HttpRequest
from benji_desktop.storage.captures import Capture

_META_FIELDS = (
    "id",
    "classification",
    "event",
    "entity_type",
    "entity_id",
    "verdict",
    "matched_salt_label",
    "subscription_id",
    "environment",
    "source",
    "parent_id",
    "duplicate_of",
    "notes",
    "forward",
    "body_size",
    "declared_size",
)


def capture_to_request(capture: Capture) -> HttpRequest:
    return HttpRequest(
        method=capture.method,
        scheme=capture.scheme,
        host=capture.host,
        path=capture.path,
        query=capture.query,
        headers=list(capture.headers),
        body=capture.body,
        remote=capture.remote or None,
        received_at=capture.received_at,
    )


def capture_to_exchange(capture: Capture) -> HttpExchange:
    """The stored report holds only salt labels and masked salts, so it can travel as it is."""
    meta: dict[str, Any] = {name: getattr(capture, name) for name in _META_FIELDS}
    return HttpExchange(
        request=capture_to_request(capture),
        response_status=capture.response_status,
        response_headers=list(capture.response_headers),
        response_body=capture.response_body,
        verification=capture.report,
        meta=meta,
    )


def exchange_to_capture(exchange: HttpExchange, *, source: str = "imported") -> Capture:
    """A capture for an imported request; verify it afterwards (`apply_verification`) with the known salts."""
    request = exchange.request
    return Capture(
        received_at=request.received_at if request.received_at is not None else time.time(),
        method=request.method,
        scheme=request.scheme,
        host=request.host,
        path=request.path or "/",
        query=request.query,
        headers=list(request.headers),
        body=request.body,
        body_size=len(request.body),
        declared_size=None,
        remote=request.remote or "",
        response_status=exchange.response_status,
        response_headers=list(exchange.response_headers),
        response_body=exchange.response_body,
        source=source,
        notes=["Imported."],
    )
