"""Entity types and the (open) webhook event catalogue, as documented by Benji."""

from __future__ import annotations

from enum import IntEnum


class EntityType(IntEnum):
    USER = 1
    CAMPAIGN = 2
    TRANSACTION = 3


# Pilot's Add Webhook form offers USER and TRANSACTION only; CAMPAIGN has no documented event.
PILOT_ENTITY_TYPES: tuple[EntityType, ...] = (EntityType.USER, EntityType.TRANSACTION)

EVENT_CATALOGUE: dict[EntityType, tuple[str, ...]] = {
    EntityType.USER: ("user_partner_connected",),
    EntityType.CAMPAIGN: (),
    EntityType.TRANSACTION: (
        "transaction_authenticated",
        "transaction_created",
        "transaction_status_updated",
        "reward_transaction_updated",
    ),
}


def entity_label(value: int | None) -> str:
    """Human label for an entity type number; unknown numbers stay visible as "Unknown (n)"."""
    if value is None:
        return "Any"
    try:
        return EntityType(value).name.title()
    except ValueError:
        return f"Unknown ({value})"


def events_for(entity_type: int) -> tuple[str, ...]:
    try:
        return EVENT_CATALOGUE[EntityType(entity_type)]
    except ValueError:
        return ()


def entity_type_for_event(event: str) -> EntityType | None:
    for entity_type, events in EVENT_CATALOGUE.items():
        if event in events:
            return entity_type
    return None
