"""The users, reward transactions and partnerships the webhooks refer to, in the documented shapes."""

from __future__ import annotations

import random
import uuid
from typing import Any

from benji_desktop.domain.entities import EntityType
from benji_desktop.sandbox.store import SandboxStore, iso

# Resource kinds behind GET /users/{id}, /transactions/{id}, /partnerships/{id}.
USER = "user"
TRANSACTION = "reward_transaction"
PARTNERSHIP = "partnership"

_NAMESPACE = uuid.UUID("6f1c1f4e-1c62-4f44-9d6a-0b7c2c1a5e11")
_FIRST = ("Test", "Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken")
_LAST = ("User", "Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson")

# Transaction statuses as documented: PENDING 1, CONFIRMED 2, FAILED 3.
PENDING, CONFIRMED, FAILED = 1, 2, 3


def stable_uuid(kind: str, entity_id: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{entity_id}"))


def make_user(user_id: int) -> dict[str, Any]:
    rng = random.Random(user_id)
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    external = str(rng.randrange(10**15, 10**16))
    earned = rng.randrange(0, 20000)
    redeemed = rng.randrange(0, earned + 1)
    created = iso()
    return {
        "id": user_id,
        "uuid_id": stable_uuid(USER, user_id),
        "first_name": first,
        "last_name": last,
        "email": f"{first}.{last}.{user_id}@example.com".lower(),
        "phone_number": None,
        "external_id": None,
        "created_date": created,
        "merchants": [
            {
                "id": user_id + 41,
                "user_id": user_id,
                "merchant_id": 85,
                "external_id": external,
                "total_rewards_earned": 0,
                "total_rewards_redeemed": 0,
                "created_date": created,
            }
        ],
        "partner_status_tiers": [
            {
                "id": user_id + 132,
                "user_id": user_id,
                "partner_id": 61,
                "partner_status_tier_id": 92,
                "external_id": external,
                "first_name": first,
                "last_name": last,
                "total_rewards": earned - redeemed,
                "total_rewards_earned": earned,
                "total_rewards_redeemed": redeemed,
                "created_date": created,
            }
        ],
    }


def make_transaction(transaction_id: int, user_uuid: str) -> dict[str, Any]:
    rng = random.Random(transaction_id)
    amount = round(rng.uniform(5, 250), 2)
    return {
        "id": transaction_id,
        "campaign_id": stable_uuid("campaign", rng.randrange(1, 20)),
        "created_date": iso(),
        "external_id": None,
        "external_order_id": f"order-{transaction_id}",
        "external_partner_transaction_id": None,
        "merchant_id": 41,
        "partner_id": 5,
        "partnership_uuid": stable_uuid(PARTNERSHIP, 1),
        "trigger_event_id": 12000 + transaction_id,
        "trigger_event_uuid_id": stable_uuid("trigger_event", transaction_id),
        "reward_amount": int(amount * 10),
        "transaction_amount": amount,
        "transaction_status": PENDING,
        "transaction_type": 1,
        "user_uuid": user_uuid,
    }


def make_partnership(partnership_id: int) -> dict[str, Any]:
    return {
        "id": partnership_id,
        "uuid_id": stable_uuid(PARTNERSHIP, partnership_id),
        "name": "Test Partnership" if partnership_id == 1 else f"Partnership {partnership_id}",
        "description": "A partnership in the Benji Sandbox.",
        "img": "https://example.com/logo.png",
        "merchant_id": 1,
        "related_partner_id": None,
        "partner_id": 3,
        "is_active": 1,
        "is_deleted": 0,
        "owner_id": 5,
        "total_rewards_earned": 15000,
        "total_rewards_redeemed": 3200,
        "num_of_transactions": 142,
        "is_demo": 1,
        "created_date": iso(),
        "campaigns": None,
    }


class EntityWorld:
    """Keeps what the events say consistent with what the GET endpoints return."""

    def __init__(self, store: SandboxStore) -> None:
        self._store = store
        # Its own generator: the global one belongs to whoever embeds the Sandbox (tests, hypothesis).
        self._rng = random.Random()

    def seed(self) -> None:
        """The ids of the documented samples exist from the first start."""
        if self._store.get_meta("entities_seeded"):
            return
        self.ensure_user(155)
        self.ensure_transaction(5924)
        self.ensure_transaction(243)
        self.ensure_partnership(1)
        self._store.set_meta("entities_seeded", "1")

    def ensure_user(self, user_id: int) -> dict[str, Any]:
        user = self._store.get_entity(USER, user_id)
        if user is None:
            user = make_user(user_id)
            self._store.put_entity(USER, user_id, user)
        return user

    def ensure_transaction(self, transaction_id: int) -> dict[str, Any]:
        transaction = self._store.get_entity(TRANSACTION, transaction_id)
        if transaction is None:
            users = self._store.entity_ids(USER)
            user_id = random.Random(transaction_id).choice(users) if users else 155
            transaction = make_transaction(transaction_id, self.ensure_user(user_id)["uuid_id"])
            self._store.put_entity(TRANSACTION, transaction_id, transaction)
        return transaction

    def ensure_partnership(self, partnership_id: int) -> dict[str, Any]:
        partnership = self._store.get_entity(PARTNERSHIP, partnership_id)
        if partnership is None:
            partnership = make_partnership(partnership_id)
            self._store.put_entity(PARTNERSHIP, partnership_id, partnership)
        return partnership

    def entity_for_event(self, event: str, entity_type: int, entity_id: int | None) -> int:
        """Pick (or honour) the entity an event is about and make sure it can be fetched afterwards."""
        if entity_type == EntityType.USER:
            user_id = entity_id or self._store.next_entity_id(USER, 156)
            self.ensure_user(user_id)
            return user_id
        if entity_type == EntityType.TRANSACTION:
            existing = self._store.entity_ids(TRANSACTION)
            if entity_id is None:
                creates = event in {"transaction_created", "transaction_authenticated"} or not existing
                entity_id = self._store.next_entity_id(TRANSACTION, 5925) if creates else self._rng.choice(existing)
            transaction = self.ensure_transaction(entity_id)
            if event in {"transaction_status_updated", "reward_transaction_updated"}:
                transaction["transaction_status"] = (
                    CONFIRMED
                    if transaction["transaction_status"] == PENDING
                    else (FAILED if self._rng.random() < 0.1 else CONFIRMED)
                )
                self._store.put_entity(TRANSACTION, entity_id, transaction)
            return entity_id
        # Campaigns have no documented GET endpoint; any id will do.
        return entity_id or self._rng.randrange(1, 500)
