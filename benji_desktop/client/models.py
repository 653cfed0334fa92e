"""Typed, immutable views of the platform contract's JSON shapes (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from benji_desktop.domain.entities import entity_label as label_for_entity


def parse_time(value: object) -> datetime | None:
    """ISO-8601 to an aware UTC datetime; anything unreadable becomes None rather than an error."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _optional_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _entity_id(value: object) -> int | str | None:
    # Documented as an integer, but newer endpoints use UUIDs: keep whatever the platform sent.
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)


@dataclass(frozen=True)
class Subscription:
    id: int
    endpoint: str
    entity_type: int | None
    event_name: str | None  # None: every event of the entity type
    active: bool = True
    salt: str | None = field(default=None, repr=False)
    previous_salt: str | None = field(default=None, repr=False)
    previous_salt_expires_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def entity_label(self) -> str:
        return label_for_entity(self.entity_type)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Subscription:
        return cls(**_subscription_fields(data))


def _subscription_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": _int(data.get("id")),
        "endpoint": _str(data.get("endpoint")),
        "entity_type": _optional_int(data.get("entity_type", data.get("entity"))),
        "event_name": data.get("event_name") or None,
        "active": bool(data.get("active", True)),
        "salt": _optional_str(data.get("salt")),
        "previous_salt": _optional_str(data.get("previous_salt")),
        "previous_salt_expires_at": parse_time(data.get("previous_salt_expires_at")),
        "created_at": parse_time(data.get("created_at")),
        "updated_at": parse_time(data.get("updated_at")),
    }


@dataclass(frozen=True)
class CreatedSubscription(Subscription):
    """The answer to a create: the subscription and, this once, its salt (store it in the keychain)."""

    subscribed: bool = True

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreatedSubscription:
        return cls(**_subscription_fields(data), subscribed=bool(data.get("subscribed", True)))


@dataclass(frozen=True)
class SubscribeResult:
    """The documented `PUT /webhooks/subscribe` answer; a salt only if the platform chose to send one."""

    subscribed: bool
    salt: str | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubscribeResult:
        return cls(subscribed=bool(data.get("subscribed", False)), salt=_optional_str(data.get("salt")))


@dataclass(frozen=True)
class DeliveryAttempt:
    id: int
    delivery_id: int
    subscription_id: int | None
    event: str
    entity_type: int | None
    entity_id: int | str | None
    attempt: int
    status: str  # succeeded | failed | retry_scheduled | gave_up | pending
    response_status: int | None = None
    latency_ms: float | None = None
    response_body: str = ""
    error: str | None = None
    attempted_at: datetime | None = None
    next_attempt_at: datetime | None = None
    endpoint: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def entity_label(self) -> str:
        return label_for_entity(self.entity_type)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeliveryAttempt:
        return cls(
            id=_int(data.get("id")),
            delivery_id=_int(data.get("delivery_id")),
            subscription_id=_optional_int(data.get("subscription_id")),
            event=_str(data.get("event")),
            entity_type=_optional_int(data.get("entity_type", data.get("entity"))),
            entity_id=_entity_id(data.get("entity_id")),
            attempt=_int(data.get("attempt"), 1),
            status=_str(data.get("status")) or "pending",
            response_status=_optional_int(data.get("response_status")),
            latency_ms=_optional_float(data.get("latency_ms")),
            response_body=_str(data.get("response_body")),
            error=_optional_str(data.get("error")),
            attempted_at=parse_time(data.get("attempted_at")),
            next_attempt_at=parse_time(data.get("next_attempt_at")),
            endpoint=_str(data.get("endpoint")),
        )


@dataclass(frozen=True)
class LocalDelivery(DeliveryAttempt):
    """A webhook this computer signed and sent itself; `body` and `headers` are exactly what went out."""

    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    masked: str
    created_at: datetime | None = None
    last_used_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiKey:
        return cls(**_api_key_fields(data))


def _api_key_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": _int(data.get("id")),
        "name": _str(data.get("name")),
        "masked": _str(data.get("masked")),
        "created_at": parse_time(data.get("created_at")),
        "last_used_at": parse_time(data.get("last_used_at")),
    }


@dataclass(frozen=True)
class CreatedApiKey(ApiKey):
    """Create and rotate answers: the full key, shown once."""

    key: str = field(default="", repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreatedApiKey:
        return cls(**_api_key_fields(data), key=_str(data.get("key")))


@dataclass(frozen=True)
class IpEntry:
    id: int
    ip: str
    note: str
    status: str  # pending | approved | rejected
    requested_at: datetime | None = None
    reviewed_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IpEntry:
        return cls(
            id=_int(data.get("id")),
            ip=_str(data.get("ip")),
            note=_str(data.get("note")),
            status=_str(data.get("status")) or "pending",
            requested_at=parse_time(data.get("requested_at")),
            reviewed_at=parse_time(data.get("reviewed_at")),
        )


@dataclass(frozen=True)
class IntegrationField:
    name: str
    label: str
    secret: bool
    hint: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IntegrationField:
        name = _str(data.get("name"))
        label = _str(data.get("label")) or name
        return cls(name=name, label=label, secret=bool(data.get("secret")), hint=_str(data.get("hint")))


@dataclass(frozen=True)
class Integration:
    slug: str
    name: str
    status: str  # connected | disconnected
    fields: tuple[IntegrationField, ...] = ()
    credentials_masked: Mapping[str, str] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def connected(self) -> bool:
        return self.status == "connected"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Integration:
        raw_fields = data.get("fields") or []
        masked = data.get("credentials_masked") or {}
        return cls(
            slug=_str(data.get("slug")),
            name=_str(data.get("name")) or _str(data.get("slug")).title(),
            status=_str(data.get("status")) or "disconnected",
            fields=tuple(IntegrationField.from_json(f) for f in raw_fields if isinstance(f, Mapping)),
            credentials_masked={str(k): _str(v) for k, v in masked.items()} if isinstance(masked, Mapping) else {},
            updated_at=parse_time(data.get("updated_at")),
        )


@dataclass(frozen=True)
class TriggerResult:
    event: str
    entity_type: int | None
    entity_id: int | str | None
    deliveries: tuple[DeliveryAttempt, ...] = ()

    @property
    def entity_label(self) -> str:
        return label_for_entity(self.entity_type)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TriggerResult:
        return cls(
            event=_str(data.get("event")),
            entity_type=_optional_int(data.get("entity_type", data.get("entity"))),
            entity_id=_entity_id(data.get("entity_id")),
            deliveries=tuple(
                DeliveryAttempt.from_json(d) for d in data.get("deliveries") or [] if isinstance(d, Mapping)
            ),
        )


@dataclass(frozen=True)
class ConnectionCheck:
    """One line of "Test connection": what was tried and, in a sentence, how it went."""

    name: str
    ok: bool
    sentence: str


@dataclass(frozen=True)
class ConnectionReport:
    environment_id: str
    checks: tuple[ConnectionCheck, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def summary(self) -> str:
        return " ".join(check.sentence for check in self.checks)
