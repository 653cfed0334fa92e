"""The duplicate and order ledger: a request that repeats an earlier one, or a status older than one seen."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from benji_desktop.signature import DATETIME_HEADER, SIGNATURE_HEADER
from benji_desktop.signature.timestamps import parse_webhook_datetime
from benji_desktop.storage.captures import Capture

# Bounded so a long session cannot grow memory without end; old entries fall out first.
MAX_ENTRIES = 50_000


def _report_timestamp(capture: Capture) -> datetime | None:
    """The datetime verification already parsed (ISO text in the report), which is cheaper to read back."""
    text = (capture.report or {}).get("timestamp")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _body_digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).digest()


def _different_body_note(capture: Capture, earlier: int) -> str:
    if capture.parent_id is not None:
        return f"Replay of #{capture.parent_id} with an edited body: not a repeat of #{earlier}."
    return (
        f"Same delivery headers as #{earlier} but a different body: not a repeat (edited or forged; "
        "at most one of them can carry a valid signature)."
    )


@dataclass(frozen=True)
class LedgerFinding:
    duplicate_of: int | None
    notes: list[str]


class DeliveryLedger:
    """Remembers what has been seen; `observe` is called in id order, one capture at a time."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        # Each key remembers the first capture that had it and a digest of that capture's body.
        self._by_delivery: OrderedDict[tuple[str, str, str, str], tuple[int, bytes]] = OrderedDict()
        self._by_signature: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._latest: OrderedDict[tuple[str, str, str], tuple[datetime, int]] = OrderedDict()

    def _remember(self, table: OrderedDict, key: object, value: object) -> None:  # type: ignore[type-arg]
        if key in table:
            table.move_to_end(key)
        table[key] = value
        while len(table) > self.max_entries:
            table.popitem(last=False)

    def observe(self, capture: Capture) -> LedgerFinding:
        """Flag a repeat (same event + entity + datetime, or the same signature, over the same body) and an
        out-of-order status."""
        assert capture.id is not None
        notes: list[str] = []
        duplicate_of: int | None = None
        # Both headers in one pass (this runs per request); the first of each counts.
        signature_value: str | None = None
        datetime_value: str | None = None
        for header_name, value in capture.headers:
            name = header_name.lower()
            if name == SIGNATURE_HEADER:
                if signature_value is None:
                    signature_value = value
            elif name == DATETIME_HEADER and datetime_value is None:
                datetime_value = value
        signature = signature_value.strip() if signature_value else ""
        datetime_text = datetime_value.strip() if datetime_value else ""
        event, entity_id = capture.event, capture.entity_id
        digest = _body_digest(capture.body) if signature or datetime_text else b""
        # A repeat is the same delivery again: the same key AND the same body. The same headers over another
        # body (an edited replay, a forgery) repeats nothing; the note says what it is instead.
        differs_from: int | None = None
        if event is not None and entity_id is not None and datetime_text:
            key = (event, str(capture.entity_type), entity_id, datetime_text)
            seen = self._by_delivery.get(key)
            if seen is None:
                self._remember(self._by_delivery, key, (capture.id, digest))
            elif seen[1] == digest:
                duplicate_of = seen[0]
                notes.append(f"Repeats #{seen[0]}: same event, entity and x-webhook-datetime (a retry or a resend).")
            else:
                differs_from = seen[0]
        if signature:
            seen = self._by_signature.get(signature)
            if seen is None:
                self._remember(self._by_signature, signature, (capture.id, digest))
            elif seen[1] == digest:
                if duplicate_of is None:
                    duplicate_of = seen[0]
                    notes.append(f"Repeats #{seen[0]}: the same x-benji-signature (the same body and salt).")
            elif differs_from is None:
                differs_from = seen[0]
        if duplicate_of is None and differs_from is not None:
            notes.append(_different_body_note(capture, differs_from))
        if event is None or entity_id is None:
            return LedgerFinding(duplicate_of, notes)
        moment = _report_timestamp(capture) or (parse_webhook_datetime(datetime_text) if datetime_text else None)
        if moment is not None:
            entity_key = (event, str(capture.entity_type), entity_id)
            latest = self._latest.get(entity_key)
            if latest is not None and moment < latest[0]:
                notes.append(
                    f"Out of order: older (by x-webhook-datetime) than #{latest[1]} for the same event and entity."
                )
            elif latest is None or moment > latest[0]:
                self._remember(self._latest, entity_key, (moment, capture.id))
        return LedgerFinding(duplicate_of, notes)
