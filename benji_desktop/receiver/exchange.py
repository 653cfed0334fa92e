"""Captures to and from the interchange layer's neutral exchanges (export, import, copy as cURL)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from benji_desktop.interchange import HttpExchange, HttpRequest
from benji_desktop.receiver.classify import TransportFacts, classify
from benji_desktop.receiver.verification import safe_report
from benji_desktop.signature import KnownSalt, verify
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


IMPORT_REMOTE = "(imported)"


def capture_to_request(capture: Capture) -> HttpRequest:
    """The request as the interchange formats write it; a capture without a scheme or host (an import of a
    bare path) gets `http://localhost` so a cURL command or a HAR entry still names a URL."""
    return HttpRequest(
        method=capture.method,
        scheme=capture.scheme or "http",
        host=capture.host or "localhost",
        path=capture.path or "/",
        query=capture.query,
        headers=list(capture.headers),
        body=capture.body,
        remote=capture.remote or None,
        received_at=capture.received_at,
    )


def capture_to_exchange(capture: Capture) -> HttpExchange:
    """The stored report holds only salt labels and masked salts, so it can travel as it is."""
    meta: dict[str, Any] = {name: getattr(capture, name) for name in _META_FIELDS}
    meta["notes"] = list(capture.notes)
    return HttpExchange(
        request=capture_to_request(capture),
        response_status=capture.response_status,
        response_headers=list(capture.response_headers),
        response_body=capture.response_body,
        verification=capture.report,
        meta=meta,
    )


def capture_from_exchange(
    exchange: HttpExchange,
    salts: Sequence[KnownSalt],
    *,
    tolerance_seconds: float = 300.0,
    ignore_timestamp: bool = False,
    imported_at: float | None = None,
    note: str = "Imported.",
) -> Capture:
    """An imported request as a capture, classified and verified like a received one and marked `imported`.

    It is listed at `imported_at` (now by default); the original time, when the file has one (HAR, our JSON),
    is kept in the notes and is the moment the timestamp is judged against. `note` comes first in the notes.
    """
    request = exchange.request
    listed_at = time.time() if imported_at is None else imported_at
    declared = next((value for name, value in request.headers if name.lower() == "content-length"), None)
    notes = [note]
    if request.received_at:
        original = datetime.fromtimestamp(request.received_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        notes.append(f"Originally received {original}.")
    capture = Capture(
        received_at=listed_at,
        method=request.method,
        scheme=request.scheme,
        host=request.host,
        path=request.path or "/",
        query=request.query,
        headers=list(request.headers),
        body=request.body,
        body_size=len(request.body),
        declared_size=int(declared) if declared and declared.strip().isdigit() else None,
        remote=request.remote or IMPORT_REMOTE,
        response_status=exchange.response_status,
        response_headers=list(exchange.response_headers),
        response_body=exchange.response_body,
        source="imported",
        notes=notes,
    )
    classification = classify(capture.method, capture.headers, capture.body, TransportFacts())
    capture.classification = classification.code
    capture.notes.extend(classification.notes)
    capture.event = classification.payload.event
    capture.entity_type = classification.payload.entity_type
    if classification.payload.entity_id is not None:
        capture.entity_id = str(classification.payload.entity_id)
    moment = datetime.fromtimestamp(request.received_at, UTC) if request.received_at else None
    report = verify(
        capture.body,
        capture.headers,
        list(salts),
        now=moment,
        tolerance_seconds=tolerance_seconds,
        ignore_timestamp=ignore_timestamp,
    )
    capture.verdict = report.verdict.value
    # The report is stored with every salt masked: a salt typed for this check never reaches the disk.
    capture.report = safe_report(report.to_json(), salts)
    if report.match is not None:
        matched = report.match.salt
        capture.matched_salt_label = matched.label
        subscription = str(matched.subscription_id or "").strip()
        capture.subscription_id = int(subscription) if subscription.isdigit() else None
        capture.environment = matched.environment
    return capture
