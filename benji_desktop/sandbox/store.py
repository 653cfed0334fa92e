"""The Sandbox's state in one SQLite file (WAL): keys, subscriptions, deliveries, whitelist, integrations."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benji_desktop.sandbox.vault import Vault, hash_api_key, mask_api_key, new_api_key, new_salt
from benji_desktop.storage.paths import ensure_private_file

SCHEMA_VERSION = 1
MAX_ID = 2**63 - 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
    last4 TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT);
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, entity_type INTEGER NOT NULL,
    event_name TEXT, active INTEGER NOT NULL, salt_enc TEXT NOT NULL, previous_salt_enc TEXT,
    previous_salt_expires_at REAL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, subscription_id INTEGER NOT NULL, event TEXT NOT NULL,
    entity_type INTEGER NOT NULL, entity_id INTEGER NOT NULL, body BLOB NOT NULL, is_test INTEGER NOT NULL,
    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(state, next_attempt_at);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id INTEGER NOT NULL, subscription_id INTEGER NOT NULL,
    event TEXT NOT NULL, entity_type INTEGER NOT NULL, entity_id INTEGER NOT NULL, attempt INTEGER NOT NULL,
    status TEXT NOT NULL, response_status INTEGER, latency_ms REAL, response_body TEXT NOT NULL,
    error TEXT, attempted_at TEXT NOT NULL, next_attempt_at TEXT, endpoint TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_subscription ON attempts(subscription_id, id);
CREATE TABLE IF NOT EXISTS ip_whitelist (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ip TEXT NOT NULL UNIQUE, note TEXT NOT NULL, status TEXT NOT NULL,
    requested_at TEXT NOT NULL, requested_epoch REAL NOT NULL, reviewed_at TEXT);
CREATE TABLE IF NOT EXISTS integrations (
    slug TEXT PRIMARY KEY, credentials_enc TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    kind TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id));
"""

VAULT_CANARY = "benji-sandbox-vault-check"


def iso(moment: float | None = None) -> str:
    """ISO-8601 UTC, the platform's `created_date` style."""
    return datetime.fromtimestamp(time.time() if moment is None else moment, UTC).isoformat()


class Conflict(Exception):
    """A unique constraint the caller should report as 409."""


@dataclass(frozen=True)
class PendingDelivery:
    id: int
    subscription_id: int
    event: str
    entity_type: int
    entity_id: int
    body: bytes
    is_test: bool
    attempts: int
    next_attempt_at: float | None


@dataclass(frozen=True)
class SubscriptionTarget:
    id: int
    endpoint: str
    active: bool
    salts: tuple[str, ...]  # current first, then the previous one during an overlap


class SandboxStore:
    """Small synchronous calls on one connection: quick enough for the event loop, and a single writer."""

    def __init__(self, path: Path, vault: Vault) -> None:
        ensure_private_file(path)  # SQLite would create it (and its -wal/-shm, which copy its mode) as 0644
        self._vault = vault
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            self._db.executescript(SCHEMA)
            self._check_vault()
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    def _check_vault(self) -> None:
        canary = self.get_meta("vault_canary")
        if canary is None:
            self.set_meta("vault_canary", self._vault.encrypt(VAULT_CANARY))
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        else:
            self._vault.decrypt(canary)  # raises VaultError with the remedy

    def _tx(self) -> sqlite3.Connection:
        return self._db

    # --- meta and settings ---------------------------------------------------------------------------
    def get_meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, name: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)", (name, value))

    def get_settings(self) -> dict[str, Any]:
        text = self.get_meta("settings")
        return json.loads(text) if text else {}

    def save_settings(self, settings: dict[str, Any]) -> None:
        self.set_meta("settings", json.dumps(settings))

    # --- API keys ------------------------------------------------------------------------------------
    @staticmethod
    def _api_key_json(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "name": row["name"],
            "masked": mask_api_key(row["last4"]),
            "created_at": row["created_at"],
            "last_used_at": row["last_used_at"],
        }

    def list_api_keys(self) -> list[dict[str, Any]]:
        return [self._api_key_json(r) for r in self._db.execute("SELECT * FROM api_keys ORDER BY id")]

    def get_api_key(self, key_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        return None if row is None else self._api_key_json(row)

    def create_api_key(self, name: str) -> tuple[dict[str, Any], str]:
        value = new_api_key()
        cursor = self._db.execute(
            "INSERT INTO api_keys(name, key_hash, last4, created_at) VALUES (?, ?, ?, ?)",
            (name, hash_api_key(value), value[-4:], iso()),
        )
        key = self.get_api_key(int(cursor.lastrowid or 0))
        assert key is not None
        return key, value

    def rename_api_key(self, key_id: int, name: str) -> dict[str, Any] | None:
        self._db.execute("UPDATE api_keys SET name = ? WHERE id = ?", (name, key_id))
        return self.get_api_key(key_id)

    def rotate_api_key(self, key_id: int) -> tuple[dict[str, Any], str] | None:
        value = new_api_key()
        cursor = self._db.execute(
            "UPDATE api_keys SET key_hash = ?, last4 = ? WHERE id = ?", (hash_api_key(value), value[-4:], key_id)
        )
        if cursor.rowcount == 0:
            return None
        key = self.get_api_key(key_id)
        assert key is not None
        return key, value

    def delete_api_key(self, key_id: int) -> bool:
        return self._db.execute("DELETE FROM api_keys WHERE id = ?", (key_id,)).rowcount > 0

    def authenticate(self, value: str) -> int | None:
        """The key's id when the value is a live key; records when it was last used."""
        row = self._db.execute("SELECT id, last_used_at FROM api_keys WHERE key_hash = ?", (hash_api_key(value),))
        found = row.fetchone()
        if found is None:
            return None
        now = iso()
        # One write per second at most: a burst of calls should not become a burst of commits.
        if (found["last_used_at"] or "")[:19] != now[:19]:
            self._db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (now, found["id"]))
        return int(found["id"])

    def key_id_for_value(self, value: str) -> int | None:
        row = self._db.execute("SELECT id FROM api_keys WHERE key_hash = ?", (hash_api_key(value),)).fetchone()
        return None if row is None else int(row["id"])

    # --- subscriptions -------------------------------------------------------------------------------
    def _live_previous_salt(self, row: sqlite3.Row) -> tuple[str | None, float | None]:
        expires = row["previous_salt_expires_at"]
        if row["previous_salt_enc"] is None or expires is None or expires <= time.time():
            return None, None
        return self._vault.decrypt(row["previous_salt_enc"]), float(expires)

    def _subscription_json(self, row: sqlite3.Row) -> dict[str, Any]:
        previous, expires = self._live_previous_salt(row)
        return {
            "id": row["id"],
            "endpoint": row["endpoint"],
            "entity_type": row["entity_type"],
            "event_name": row["event_name"],
            "active": bool(row["active"]),
            "salt": self._vault.decrypt(row["salt_enc"]),
            "previous_salt": previous,
            "previous_salt_expires_at": None if expires is None else iso(expires),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def list_subscriptions(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT * FROM subscriptions ORDER BY id")
        return [self._subscription_json(r) for r in rows]

    def get_subscription(self, sub_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM subscriptions WHERE id = ?", (sub_id,)).fetchone()
        return None if row is None else self._subscription_json(row)

    def find_subscriptions(self, entity_type: int, event_name: str | None) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM subscriptions WHERE entity_type = ? AND event_name IS ? ORDER BY id",
            (entity_type, event_name),
        )
        return [int(r["id"]) for r in rows]

    def find_duplicate(self, endpoint: str, entity_type: int, event_name: str | None) -> int | None:
        row = self._db.execute(
            "SELECT id FROM subscriptions WHERE endpoint = ? AND entity_type = ? AND event_name IS ?",
            (endpoint, entity_type, event_name),
        ).fetchone()
        return None if row is None else int(row["id"])

    def create_subscription(
        self, endpoint: str, entity_type: int, event_name: str | None, active: bool
    ) -> dict[str, Any]:
        now = iso()
        cursor = self._db.execute(
            "INSERT INTO subscriptions(endpoint, entity_type, event_name, active, salt_enc, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (endpoint, entity_type, event_name, int(active), self._vault.encrypt(new_salt()), now, now),
        )
        created = self.get_subscription(int(cursor.lastrowid or 0))
        assert created is not None
        return created

    def update_subscription(self, sub_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        allowed = {"endpoint", "entity_type", "event_name", "active"}
        fields = {k: (int(v) if k == "active" else v) for k, v in changes.items() if k in allowed}
        if fields:
            assignments = ", ".join(f"{name} = ?" for name in fields)  # names come from the allow-list above
            self._db.execute(
                f"UPDATE subscriptions SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608
                (*fields.values(), iso(), sub_id),
            )
        return self.get_subscription(sub_id)

    def rotate_salt(self, sub_id: int, overlap_seconds: float) -> dict[str, Any] | None:
        row = self._db.execute("SELECT salt_enc FROM subscriptions WHERE id = ?", (sub_id,)).fetchone()
        if row is None:
            return None
        previous = row["salt_enc"] if overlap_seconds > 0 else None
        expires = time.time() + overlap_seconds if overlap_seconds > 0 else None
        self._db.execute(
            "UPDATE subscriptions SET salt_enc = ?, previous_salt_enc = ?, previous_salt_expires_at = ?,"
            " updated_at = ? WHERE id = ?",
            (self._vault.encrypt(new_salt()), previous, expires, iso(), sub_id),
        )
        return self.get_subscription(sub_id)

    def delete_subscription(self, sub_id: int) -> bool:
        self._db.execute("BEGIN")
        try:
            deleted = self._db.execute("DELETE FROM subscriptions WHERE id = ?", (sub_id,)).rowcount > 0
            self._db.execute("DELETE FROM deliveries WHERE subscription_id = ?", (sub_id,))
            self._db.execute("DELETE FROM attempts WHERE subscription_id = ?", (sub_id,))
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return deleted

    def matching_subscriptions(self, event: str, entity_type: int) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM subscriptions WHERE active = 1 AND entity_type = ?"
            " AND (event_name IS NULL OR event_name = ?) ORDER BY id",
            (entity_type, event),
        )
        return [int(r["id"]) for r in rows]

    def delivery_target(self, sub_id: int) -> SubscriptionTarget | None:
        row = self._db.execute("SELECT * FROM subscriptions WHERE id = ?", (sub_id,)).fetchone()
        if row is None:
            return None
        previous, _ = self._live_previous_salt(row)
        salts = (self._vault.decrypt(row["salt_enc"]),) + ((previous,) if previous else ())
        return SubscriptionTarget(int(row["id"]), str(row["endpoint"]), bool(row["active"]), salts)

    def deactivate_subscription(self, sub_id: int) -> None:
        self._db.execute("UPDATE subscriptions SET active = 0, updated_at = ? WHERE id = ?", (iso(), sub_id))

    # --- deliveries and attempts ---------------------------------------------------------------------
    def create_delivery(
        self, sub_id: int, event: str, entity_type: int, entity_id: int, body: bytes, *, is_test: bool
    ) -> int:
        cursor = self._db.execute(
            "INSERT INTO deliveries(subscription_id, event, entity_type, entity_id, body, is_test, state,"
            " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (sub_id, event, entity_type, entity_id, body, int(is_test), time.time(), iso()),
        )
        return int(cursor.lastrowid or 0)

    @staticmethod
    def _pending(row: sqlite3.Row) -> PendingDelivery:
        return PendingDelivery(
            id=row["id"],
            subscription_id=row["subscription_id"],
            event=row["event"],
            entity_type=row["entity_type"],
            entity_id=row["entity_id"],
            body=bytes(row["body"]),
            is_test=bool(row["is_test"]),
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
        )

    def get_pending_delivery(self, delivery_id: int) -> PendingDelivery | None:
        row = self._db.execute("SELECT * FROM deliveries WHERE id = ? AND state = 'pending'", (delivery_id,)).fetchone()
        return None if row is None else self._pending(row)

    def pending_deliveries(self) -> list[PendingDelivery]:
        rows = self._db.execute("SELECT * FROM deliveries WHERE state = 'pending' ORDER BY next_attempt_at, id")
        return [self._pending(r) for r in rows]

    _ATTEMPT_COLUMNS = (
        "delivery_id", "subscription_id", "event", "entity_type", "entity_id", "attempt", "status",
        "response_status", "latency_ms", "response_body", "error", "attempted_at", "next_attempt_at", "endpoint",
    )  # fmt: skip
    _ATTEMPT_OUTCOME = ("status", "response_status", "latency_ms", "response_body", "error", "next_attempt_at")

    def open_attempt(self, attempt: dict[str, Any]) -> int:
        """Log an attempt as `pending` while it is queued or in flight, so the log shows it at once."""
        columns = self._ATTEMPT_COLUMNS
        cursor = self._db.execute(
            f"INSERT INTO attempts({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",  # noqa: S608
            tuple(attempt[c] for c in columns),
        )
        return int(cursor.lastrowid or 0)

    def close_attempt(self, attempt: dict[str, Any], *, finished: bool, next_attempt_epoch: float | None) -> None:
        """Record the outcome and move the delivery on, in one transaction (a crash keeps both or neither)."""
        outcome = self._ATTEMPT_OUTCOME
        self._db.execute("BEGIN")
        try:
            self._db.execute(
                f"UPDATE attempts SET {', '.join(f'{c} = ?' for c in outcome)} WHERE id = ?",  # noqa: S608
                (*(attempt[c] for c in outcome), attempt["id"]),
            )
            self._db.execute(
                "UPDATE deliveries SET attempts = ?, state = ?, next_attempt_at = ? WHERE id = ?",
                (attempt["attempt"], "done" if finished else "pending", next_attempt_epoch, attempt["delivery_id"]),
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def discard_attempt(self, attempt_id: int) -> None:
        """An attempt cut short by a stop: the delivery stays pending and is attempted again at the next start."""
        self._db.execute("DELETE FROM attempts WHERE id = ? AND status = 'pending'", (attempt_id,))

    def discard_unfinished_attempts(self) -> None:
        """After a crash: attempts that never finished are redone, not shown as pending forever."""
        self._db.execute("DELETE FROM attempts WHERE status = 'pending'")

    def latest_attempt(self, delivery_id: int) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY id DESC LIMIT 1", (delivery_id,)
        ).fetchone()
        return None if row is None else dict(row)

    def list_attempts(self, sub_id: int, limit: int = 200) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT * FROM attempts WHERE subscription_id = ? ORDER BY id DESC LIMIT ?", (sub_id, limit)
        )
        return [dict(r) for r in rows]

    # --- IP whitelist --------------------------------------------------------------------------------
    @staticmethod
    def _ip_json(row: sqlite3.Row) -> dict[str, Any]:
        return {k: row[k] for k in ("id", "ip", "note", "status", "requested_at", "reviewed_at")}

    def list_ip_entries(self) -> list[dict[str, Any]]:
        return [self._ip_json(r) for r in self._db.execute("SELECT * FROM ip_whitelist ORDER BY id")]

    def get_ip_entry(self, entry_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM ip_whitelist WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else self._ip_json(row)

    def create_ip_entry(self, ip: str, note: str) -> dict[str, Any]:
        try:
            cursor = self._db.execute(
                "INSERT INTO ip_whitelist(ip, note, status, requested_at, requested_epoch)"
                " VALUES (?, ?, 'pending', ?, ?)",
                (ip, note, iso(), time.time()),
            )
        except sqlite3.IntegrityError as error:
            raise Conflict(f"{ip} is already on the whitelist.") from error
        entry = self.get_ip_entry(int(cursor.lastrowid or 0))
        assert entry is not None
        return entry

    def review_ip_entry(self, entry_id: int, status: str) -> dict[str, Any] | None:
        self._db.execute("UPDATE ip_whitelist SET status = ?, reviewed_at = ? WHERE id = ?", (status, iso(), entry_id))
        return self.get_ip_entry(entry_id)

    def delete_ip_entry(self, entry_id: int) -> bool:
        return self._db.execute("DELETE FROM ip_whitelist WHERE id = ?", (entry_id,)).rowcount > 0

    def auto_review(self, delay_seconds: float) -> list[dict[str, Any]]:
        """Approve the pending entries older than the delay; returns them (for notifications)."""
        cutoff = time.time() - delay_seconds
        rows = self._db.execute(
            "SELECT id FROM ip_whitelist WHERE status = 'pending' AND requested_epoch <= ?", (cutoff,)
        ).fetchall()
        return [e for e in (self.review_ip_entry(int(r["id"]), "approved") for r in rows) if e is not None]

    def approved_ips(self) -> list[str]:
        return [str(r["ip"]) for r in self._db.execute("SELECT ip FROM ip_whitelist WHERE status = 'approved'")]

    # --- integrations --------------------------------------------------------------------------------
    def get_integration_credentials(self, slug: str) -> tuple[dict[str, str], str] | None:
        row = self._db.execute("SELECT * FROM integrations WHERE slug = ?", (slug,)).fetchone()
        if row is None:
            return None
        credentials: dict[str, str] = json.loads(self._vault.decrypt(row["credentials_enc"]))
        return credentials, str(row["updated_at"])

    def set_integration_credentials(self, slug: str, credentials: dict[str, str]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO integrations(slug, credentials_enc, updated_at) VALUES (?, ?, ?)",
            (slug, self._vault.encrypt(json.dumps(credentials)), iso()),
        )

    def delete_integration(self, slug: str) -> None:
        self._db.execute("DELETE FROM integrations WHERE slug = ?", (slug,))

    # --- entities the webhooks refer to --------------------------------------------------------------
    def get_entity(self, kind: str, entity_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT body FROM entities WHERE kind = ? AND id = ?", (kind, entity_id)).fetchone()
        return None if row is None else dict(json.loads(row["body"]))

    def put_entity(self, kind: str, entity_id: int, body: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO entities(kind, id, body) VALUES (?, ?, ?)", (kind, entity_id, json.dumps(body))
        )

    def entity_ids(self, kind: str) -> list[int]:
        return [int(r["id"]) for r in self._db.execute("SELECT id FROM entities WHERE kind = ? ORDER BY id", (kind,))]

    def next_entity_id(self, kind: str, floor: int) -> int:
        row = self._db.execute("SELECT MAX(id) AS top FROM entities WHERE kind = ?", (kind,)).fetchone()
        return max(int(row["top"] or 0) + 1, floor)
