"""Captures in and out of the Inspector: cURL, import with verification, HAR/JSON export (no Qt; run off the loop)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from benji_desktop import __version__
from benji_desktop.interchange import (
    HttpExchange,
    InterchangeError,
    detect_and_parse,
    exchanges_to_har,
    exchanges_to_json,
    to_curl,
)
from benji_desktop.receiver.bundle import import_bundle, is_bundle, read_bundle
from benji_desktop.receiver.exchange import capture_from_exchange, capture_to_exchange, capture_to_request
from benji_desktop.receiver.salts import StaticSaltSource
from benji_desktop.receiver.verification import reverify_captures
from benji_desktop.signature import KnownSalt
from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore

EXPORT_CHUNK = 500


def curl_for(capture: Capture) -> str:
    """A cURL command that sends exactly the captured bytes to the captured URL."""
    return to_curl(capture_to_request(capture))


def capture_id_of(result: Any) -> int | None:
    """The new capture's id from whatever a replay returned (a `ReplayResult`, or a bare id)."""
    if isinstance(result, int):
        return result
    value = getattr(result, "capture_id", None)
    return value if isinstance(value, int) else None


def replay_answer(result: Any) -> str:
    """One phrase for the status line: what the target answered, or why nothing came back."""
    error = getattr(result, "error", None)
    if error:
        return f"no answer ({error})"
    status = getattr(result, "status", None)
    latency = getattr(result, "latency_ms", None)
    timing = f" in {latency:.0f} ms" if isinstance(latency, int | float) else ""
    return f"{getattr(result, 'url', 'the target')} answered {status}{timing}" if status is not None else "sent"


async def reverify(store: CaptureStore, receiver: Any, capture_id: int, salts: Sequence[KnownSalt]) -> str:
    """Verify one capture again with the salts known now; returns its verdict afterwards."""
    import asyncio

    if receiver is not None:
        await receiver.reverify([capture_id])
    else:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, reverify_captures, store, [capture_id], StaticSaltSource(salts))
    capture = store.get(capture_id)
    return (capture.verdict if capture else None) or "not verified"


def import_into_store(
    store: CaptureStore,
    text: str | None,
    file_path: Path | None,
    salts: Sequence[KnownSalt],
    ignore_timestamp: bool,
) -> list[int]:
    """Parse pasted text or a file (raw HTTP, cURL, HAR, our JSON), verify each request, store them. Blocking."""
    if file_path is not None:
        try:
            data = file_path.read_bytes()
        except OSError as error:
            raise InterchangeError(f"{file_path.name} cannot be read ({error.strerror}).") from error
    elif text is not None:
        data = text.encode("utf-8")
    else:
        return []
    if is_bundle(data):
        # A support bundle keeps the sender's verdicts; a salt typed in the Import dialog verifies them here.
        from benji_desktop.views.inspector.dialogs import TYPED_SALT_LABEL

        bundle = read_bundle(data, file_path.name if file_path is not None else None)
        return import_bundle(store, bundle, [salt for salt in salts if salt.label == TYPED_SALT_LABEL])
    exchanges = detect_and_parse(data)
    if not exchanges:
        raise InterchangeError("No request was found in what was given.")
    imported_at = time.time()
    note = f"Imported at {datetime.fromtimestamp(imported_at).strftime('%Y-%m-%d %H:%M:%S')}."
    captures = [
        capture_from_exchange(exchange, salts, ignore_timestamp=ignore_timestamp, imported_at=imported_at, note=note)
        for exchange in exchanges
    ]
    return store.add_many(captures)


def verdict_counts(store: CaptureStore, capture_ids: Sequence[int]) -> str:
    counts = Counter((c.verdict or "not verified") for c in store.get_many(list(capture_ids)[:1000]))
    return ", ".join(f"{count} {verdict}" for verdict, count in counts.most_common())


def export_to_file(
    store: CaptureStore, path: Path, fmt: str, capture_ids: Sequence[int] | None, flt: CaptureFilter
) -> int:
    """Write captures as HAR or JSON. With no ids, every capture the filter shows, read in pages. Blocking."""
    if capture_ids is None:
        ids: list[int] = []
        offset = 0
        while True:
            page = store.page(flt, offset, EXPORT_CHUNK)
            ids.extend(summary.id for summary in page)
            if len(page) < EXPORT_CHUNK:
                break
            offset += EXPORT_CHUNK
    else:
        ids = list(capture_ids)
    exchanges: list[HttpExchange] = []
    for start in range(0, len(ids), EXPORT_CHUNK):
        exchanges.extend(capture_to_exchange(capture) for capture in store.get_many(ids[start : start + EXPORT_CHUNK]))
    document = exchanges_to_har(exchanges, __version__) if fmt == "har" else exchanges_to_json(exchanges)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # a half-written export never takes the real name
    return len(exchanges)
