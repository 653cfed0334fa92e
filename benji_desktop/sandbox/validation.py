"""Reading request bodies strictly: JSON objects with known fields of the right types, or a clean 400."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
MAX_TEXT_LENGTH = 500
EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:\-]{0,99}")
MAX_JSON_ID = 2**53 - 1


class RequestError(Exception):
    """An error the client caused; becomes a 4xx envelope with this code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str, code: str = "invalid_request") -> RequestError:
    return RequestError(400, code, message)


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = False
    nullable: bool = False
    check: Callable[[Any], Any] | None = None  # returns the cleaned value or raises RequestError


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _all_text_encodable(value: Any) -> bool:
    """JSON may carry lone surrogates that no UTF-8 store can hold."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_all_text_encodable(k) and _all_text_encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_text_encodable(v) for v in value)
    return True


def parse_json_object(raw: bytes, *, allow_empty: bool) -> dict[str, Any]:
    if not raw.strip():
        if allow_empty:
            return {}
        raise invalid("The request needs a JSON object body.")
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise invalid(f"The body is not valid JSON: {str(error)[:120]}") from None
    if not isinstance(value, dict):
        raise invalid("The body must be a JSON object.")
    if not _all_text_encodable(value):
        raise invalid("The body contains text that is not valid Unicode.")
    return value


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {bool: "a boolean", int: "an integer", str: "a string", dict: "an object", float: "a number"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def read_fields(data: dict[str, Any], fields: dict[str, Field], *, at_least_one: bool = False) -> dict[str, Any]:
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise invalid(f"Unknown field(s): {', '.join(repr(u[:50]) for u in unknown[:5])}.")
    cleaned: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            if field.required:
                raise invalid(f"The field {name!r} is required.")
            continue
        value = data[name]
        if value is None:
            if not field.nullable:
                raise invalid(f"The field {name!r} may not be null.")
        else:
            kinds = field.kind if isinstance(field.kind, tuple) else (field.kind,)
            # bool is an int in Python but not in JSON; an integral float is not an integer either.
            wrong_bool = isinstance(value, bool) and bool not in kinds
            if wrong_bool or not isinstance(value, kinds):
                raise invalid(f"The field {name!r} must be {_type_name(field.kind)}.")
            if field.check is not None:
                value = field.check(value)
        cleaned[name] = value
    if at_least_one and not cleaned:
        raise invalid(f"Give at least one of: {', '.join(fields)}.")
    return cleaned


def check_endpoint(value: str, code: str = "invalid_subscription") -> str:
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise invalid(f"The endpoint URL is longer than {MAX_URL_LENGTH} characters.", code)
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise invalid("The endpoint URL contains spaces or control characters.", code)
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise invalid("The endpoint is not a valid URL.", code) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise invalid("The endpoint must be an http:// or https:// URL with a host.", code)
    if port == 0:
        raise invalid("The endpoint URL has port 0.", code)
    return value


def check_event_name(value: str, code: str = "invalid_subscription") -> str:
    if not EVENT_NAME.fullmatch(value):
        raise invalid(
            "An event name starts with a letter and holds letters, digits, '_', '.', ':' or '-' (at most 100).",
            code,
        )
    return value


def check_entity_type(value: int, code: str = "invalid_subscription") -> int:
    if value not in (1, 2, 3):
        raise invalid("entity_type must be 1 (USER), 2 (CAMPAIGN) or 3 (TRANSACTION).", code)
    return value


def check_entity_id(value: int) -> int:
    if not 1 <= value <= MAX_JSON_ID:
        raise invalid(f"entity_id must be between 1 and {MAX_JSON_ID}.")
    return value


def check_name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 100:
        raise invalid("A name has 1 to 100 characters.")
    if any(ord(ch) < 32 for ch in value):
        raise invalid("A name may not contain control characters.")
    return value


def check_note(value: str) -> str:
    if len(value) > MAX_TEXT_LENGTH:
        raise invalid(f"A note has at most {MAX_TEXT_LENGTH} characters.")
    return value


def normalise_ip(value: str) -> str:
    """An IPv4 or IPv6 address, or a network in CIDR notation, in its canonical (compressed) form."""
    text = value.strip()
    try:
        if "/" in text:
            network = ipaddress.ip_network(text, strict=False)
            if network.num_addresses == 1:
                return str(network.network_address)
            return str(network)
        address = ipaddress.ip_address(text)
    except ValueError:
        raise invalid(f"{text[:60]!r} is not an IPv4 or IPv6 address.") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def address_allowed(source: str | None, approved: list[str]) -> bool:
    if source is None:
        return False
    try:
        address = ipaddress.ip_address(source.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for entry in approved:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def positive_number(low: float, high: float, name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not low <= value <= high:
            raise invalid(f"{name} must be between {low:g} and {high:g}.")
        return value

    return check
