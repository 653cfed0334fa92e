"""The shape of a webhook payload: `{"event", "entity_type", "entity_id"}`, read tolerantly, problems named."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

EXPECTED_FIELDS = ("event", "entity_type", "entity_id")
ENTITY_ALIAS = "entity"


@dataclass
class PayloadInfo:
    """What the receiver shows in its event/entity columns, and what is wrong with the shape."""

    event: str | None = None
    entity_type: int | None = None
    entity_id: int | str | None = None
    problems: list[str] = field(default_factory=list)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _read_entity_type(payload: dict[str, object], info: PayloadInfo) -> None:
    if "entity_type" in payload:
        key = "entity_type"
        if ENTITY_ALIAS in payload:
            info.problems.append('Both "entity_type" and its alias "entity" are present; "entity_type" is used.')
    elif ENTITY_ALIAS in payload:
        key = ENTITY_ALIAS
        info.problems.append('"entity" is used instead of "entity_type" (accepted as an alias).')
    else:
        info.problems.append('The field "entity_type" is missing.')
        return
    value = payload[key]
    if isinstance(value, int) and not isinstance(value, bool):
        info.entity_type = value
    elif isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        info.entity_type = int(value.strip())
        info.problems.append(f'"{key}" is a string ("{value}"); Benji sends an integer.')
    else:
        info.problems.append(f'"{key}" is {_describe(value)}; Benji sends an integer (1 user, 3 transaction).')


def parse_payload(body: bytes) -> PayloadInfo:
    """Read event, entity type and entity id from a body; every deviation is a sentence. Never raises."""
    info = PayloadInfo()
    if not body:
        info.problems.append("The body is empty; Benji sends a JSON object.")
        return info
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        info.problems.append(
            f"The body is not UTF-8 (byte 0x{body[error.start]:02x} at offset {error.start} is invalid)."
        )
        return info
    if text.startswith("\ufeff"):
        info.problems.append("The body starts with a UTF-8 byte-order mark, which JSON does not allow.")
        text = text[1:]
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as error:
        detail = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        info.problems.append(f"The body is not valid JSON ({detail}).")
        return info
    if not isinstance(payload, dict):
        info.problems.append(f"The body is JSON but {_describe(payload)}, not an object.")
        return info

    event = payload.get("event")
    if "event" not in payload:
        info.problems.append('The field "event" is missing.')
    elif isinstance(event, str):
        info.event = event
    else:
        info.problems.append(f'"event" is {_describe(event)}; Benji sends a string.')

    _read_entity_type(payload, info)

    entity_id = payload.get("entity_id")
    if "entity_id" not in payload:
        info.problems.append('The field "entity_id" is missing.')
    elif (isinstance(entity_id, int) and not isinstance(entity_id, bool)) or isinstance(entity_id, str):
        info.entity_id = entity_id
    else:
        info.problems.append(f'"entity_id" is {_describe(entity_id)}; Benji sends an integer.')

    extra = [key for key in payload if key not in (*EXPECTED_FIELDS, ENTITY_ALIAS)]
    if extra:
        names = ", ".join(f'"{key}"' for key in extra[:10]) + (" …" if len(extra) > 10 else "")
        info.problems.append(f"Extra field{'s' if len(extra) > 1 else ''} not in Benji's payload: {names}.")
    return info
