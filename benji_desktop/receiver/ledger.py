"""The duplicate and order ledger: a request that repeats an earlier one, or a status older than one seen."""

from __future__ import annotations

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


@dataclass(frozen=True)
class LedgerFinding:
    duplicate_of: int | None
    notes: list[str]


class DeliveryLedger:
    """Remembers what has been seen; `observe` is called in id order, one capture at a time."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._by_delivery: OrderedDict[tuple[str, str, str, str], int] = OrderedDict()
        self._by_signature: OrderedDict[str, int] = OrderedDict()
        self._latest: OrderedDict[tuple[str, str, str], tuple[datetime, int]] = OrderedDict()

    def _remember(self, table: OrderedDict, key: object, value: object) -> None:  # type: ignore[type-arg]
        if key in table:
            table.move_to_end(key)
        table[key] = value
        while len(table) > self.max_entries:
            table.popitem(last=False)

    def observe(self, capture: Capture) -> LedgerFinding:
        """Flag a repeat (same event + entity + datetime, or the same signature) and an out-of-order status."""
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
        if event is not None and entity_id is not None and datetime_text:
            key = (event, str(capture.entity_type), entity_id, datetime_text)
            earlier = self._by_delivery.get(key)
            if earlier is not None:
                duplicate_of = earlier
                notes.append(f"Repeats #{earlier}: same event, entity and x-webhook-datetime (a retry or a resend).")
            else:
                self._remember(self._by_delivery, key, capture.id)
        if signature:
            earlier = self._by_signature.get(signature)
            if earlier is not None:
                if duplicate_of is None:
                    duplicate_of = earlier
                    notes.append(f"Repeats #{earlier}: the same x-benji-signature (the same body and salt).")
            else:
                self._remember(self._by_signature, signature, capture.id)
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
