"""Parsing `x-webhook-datetime` tolerantly: IMF-fixdate, RFC 850, asctime, ISO-8601 — always aware UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

_IMF_FIXDATE = re.compile(r"^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$")
_RFC850 = re.compile(r"^[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$")
_ASCTIME = re.compile(r"^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$")
# The form every Benji delivery uses, read without email.utils (ASCII digits only; anything else falls back).
_STRICT_IMF_FIXDATE = re.compile(
    r"[A-Za-z]{3}, ([0-9]{2}) ([A-Za-z]{3}) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}


@dataclass(frozen=True)
class ParsedDatetime:
    moment: datetime  # aware, UTC
    form: str  # "IMF-fixdate", "RFC 850", "asctime", "RFC 2822", "ISO-8601", "ISO-8601 without offset"


@lru_cache(maxsize=256)  # deliveries sent in the same second carry the same text
def _strict_imf_fixdate(text: str) -> ParsedDatetime | None:
    """The usual `Tue, 22 Oct 2024 21:57:02 GMT`, read the way `email.utils` reads it, or None to fall back."""
    match = _STRICT_IMF_FIXDATE.fullmatch(text)
    if match is None:
        return None
    day, month_name, year, hour, minute, second = match.groups()
    month = _MONTHS.get(month_name.lower())
    # email.utils maps two-digit years (and so "0024") into 1969-2068; leave such text to it.
    if month is None or year < "1000":
        return None
    try:
        moment = datetime(int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError:
        return None
    return ParsedDatetime(moment, "IMF-fixdate")


def _http_date(text: str) -> ParsedDatetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if _IMF_FIXDATE.match(text):
        form = "IMF-fixdate"
    elif _RFC850.match(text):
        form = "RFC 850"
    elif _ASCTIME.match(text):
        form = "asctime"
    else:
        form = "RFC 2822"
    if parsed.tzinfo is None:
        # RFC 850 / asctime forms carry no zone and are defined as GMT.
        parsed = parsed.replace(tzinfo=UTC)
    return ParsedDatetime(parsed.astimezone(UTC), form)


def _iso_date(text: str) -> ParsedDatetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    form = "ISO-8601"
    if parsed.tzinfo is None:
        # The contract asks for an offset; a bare ISO time is read as UTC and the doctor says so.
        parsed = parsed.replace(tzinfo=UTC)
        form = "ISO-8601 without offset"
    return ParsedDatetime(parsed.astimezone(UTC), form)


def parse_webhook_datetime_detail(text: str | None) -> ParsedDatetime | None:
    """The moment and the format it was written in, or None when missing or unparseable. Never raises."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text:
        return None
    try:
        return _strict_imf_fixdate(text) or _http_date(text) or _iso_date(text)
    except (ValueError, OverflowError, TypeError):
        # Moments at the edge of datetime's range (year 1 or 9999 with an offset) overflow on conversion.
        return None


def parse_webhook_datetime(text: str | None) -> datetime | None:
    """Return an aware UTC datetime, or None when the text is missing or unparseable."""
    parsed = parse_webhook_datetime_detail(text)
    return parsed.moment if parsed else None
