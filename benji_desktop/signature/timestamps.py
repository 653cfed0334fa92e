"""Parsing `x-webhook-datetime` tolerantly: IMF-fixdate, RFC 850, asctime, ISO-8601 — always aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_webhook_datetime(text: str | None) -> datetime | None:
    """Return an aware UTC datetime, or None when the text is missing or unparseable."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        # RFC 850 / asctime forms carry no zone and are defined as GMT.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
