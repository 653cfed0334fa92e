"""The capture store: every request the receiver saw, in SQLite (WAL), paged and filtered in SQL."""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import orjson

from benji_desktop.storage.paths import ensure_private_file

# How much of a body goes into the search column: enough for any webhook, small enough to scan fast.
SEARCH_BODY_CHARS = 2048
SEARCH_HEADERS_CHARS = 2048

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at REAL NOT NULL,
    method TEXT NOT NULL,
    scheme TEXT NOT NULL,
    host TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    body_size INTEGER NOT NULL,
    declared_size INTEGER,
    remote TEXT NOT NULL,
    classification TEXT NOT NULL,
    event TEXT,
    entity_type INTEGER,
    entity_id TEXT,
    verdict TEXT,
    report TEXT,
    matched_salt_label TEXT,
    subscription_id INTEGER,
    environment TEXT,
    response_status INTEGER,
    response_headers TEXT NOT NULL,
    response_body BLOB NOT NULL,
    source TEXT NOT NULL,
    parent_id INTEGER,
    duplicate_of INTEGER,
    notes TEXT NOT NULL,
    forward TEXT
);
CREATE INDEX IF NOT EXISTS captures_received ON captures (received_at);
CREATE INDEX IF NOT EXISTS captures_verdict ON captures (verdict, received_at);
CREATE INDEX IF NOT EXISTS captures_event ON captures (event, received_at);
CREATE INDEX IF NOT EXISTS captures_path ON captures (path, received_at);
-- Partial indexes: a row without a subscription or a parent (most received ones) costs no index write.
CREATE INDEX IF NOT EXISTS captures_subscription ON captures (subscription_id, received_at)
    WHERE subscription_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS captures_parent ON captures (parent_id) WHERE parent_id IS NOT NULL;
-- The search text lives in its own narrow table so a LIKE scan never reads body BLOB pages.
CREATE TABLE IF NOT EXISTS capture_search (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL
);
"""

_JSON_FIELDS = {"headers", "report", "response_headers", "notes", "forward"}
_SUMMARY_COLUMNS = (
    "id, received_at, method, path, event, entity_type, entity_id, verdict, response_status, "
    "classification, source, duplicate_of"
)


@dataclass
class Capture:
    """One HTTP request as received (or imported, or replayed), with what was made of it."""

    id: int | None = None
    received_at: float = 0.0  # epoch seconds
    method: str = "POST"
    scheme: str = "http"
    host: str = ""
    path: str = "/"
    query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # received order and case, duplicates kept
    body: bytes = b""  # raw bytes as received (first bytes only when oversize)
    body_size: int = 0
    declared_size: int | None = None
    remote: str = ""
    classification: str = "ok"
    event: str | None = None
    entity_type: int | None = None
    entity_id: str | None = None
    verdict: str | None = None
    report: dict[str, Any] | None = None
    matched_salt_label: str | None = None
    subscription_id: int | None = None
    environment: str | None = None
    response_status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    source: str = "received"  # "received" | "imported" | "replay"
    parent_id: int | None = None
    duplicate_of: int | None = None
    notes: list[str] = field(default_factory=list)
    forward: dict[str, Any] | None = None  # {url, status, headers, body (text, truncated), latency_ms, error}


@dataclass(frozen=True)
class CaptureFilter:
    """What the Inspector's filter bar asks for; every field narrows, empty means everything."""

    text: str = ""
    verdict: str | None = None
    event: str | None = None
    path: str | None = None  # a prefix
    since: float | None = None
    until: float | None = None
    subscription_id: int | None = None
    # The newest id a listing may show: a list pages up to the id it counted, so a capture committed since
    # is neither in a page nor counted (it arrives as a live insert instead).
    max_id: int | None = None


@dataclass(frozen=True)
class CaptureSummary:
    """The columns of one row of the Inspector's list (no headers, no bodies)."""

    id: int
    received_at: float
    method: str
    path: str
    event: str | None
    entity_type: int | None
    entity_id: str | None
    verdict: str | None
    response_status: int | None
    classification: str
    source: str
    duplicate_of: int | None


@dataclass(frozen=True)
class Listing:
    """A filter's answer as the Inspector first shows it: the newest id it counted, the count, the first page."""

    max_id: int
    count: int
    first_page: list[CaptureSummary]


class ListingInterrupted(Exception):
    """A listing was cancelled by `interrupt_listing` (a newer filter replaced it)."""


_CAPTURE_FIELDS = tuple(f.name for f in fields(Capture))
_ALL_COLUMNS = ", ".join(_CAPTURE_FIELDS)
_UPDATABLE = frozenset(_CAPTURE_FIELDS) - {"id"}
_INSERT = f"INSERT INTO captures ({_ALL_COLUMNS}) VALUES ({', '.join('?' for _ in _CAPTURE_FIELDS)})"  # noqa: S608


def search_text(capture: Capture) -> str:
    """The lowercased text a free-text filter looks in: path, query, event, entity, headers, body."""
    header_text = "\n".join(f"{name}: {value}" for name, value in capture.headers)[:SEARCH_HEADERS_CHARS]
    body_text = capture.body[: SEARCH_BODY_CHARS * 4].decode("utf-8", errors="replace")[:SEARCH_BODY_CHARS]
    parts = [
        capture.method,
        capture.path,
        capture.query,
        capture.event or "",
        capture.entity_id or "",
        capture.classification,
        header_text,
        body_text,
    ]
    return "\n".join(parts).lower()


_encode_json_any = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _encode_json(value: Any) -> str:
    """Compact JSON with non-ASCII kept, as `json` writes it. orjson does it several times faster (this runs
    for four columns per request); what it refuses (an integer past 64 bits, a lone surrogate) goes to `json`."""
    if isinstance(value, list) and not value:
        return "[]"
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return _encode_json_any(value)


def _all_finite(values: Iterable[Any]) -> bool:
    """orjson writes NaN and infinity as null; `json` keeps them (a tolerance of inf must read back as inf)."""
    for value in values:
        kind = type(value)
        if kind is float:
            if not math.isfinite(value):
                return False
        elif kind is str or not value:
            continue
        elif kind is dict:
            if not _all_finite(value.values()):
                return False
        elif (kind is list or kind is tuple) and not _all_finite(value):
            return False
    return True


def _encode_json_mapping(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return _encode_json(value) if _all_finite(value.values()) else _encode_json_any(value)


def _insert_row(c: Capture) -> tuple[Any, ...]:
    """The INSERT parameters in `_CAPTURE_FIELDS` order, spelled out because this runs per request."""
    return (
        c.id, c.received_at, c.method, c.scheme, c.host, c.path, c.query, _encode_json(c.headers),
        bytes(c.body), c.body_size, c.declared_size, c.remote, c.classification, c.event, c.entity_type,
        c.entity_id, c.verdict, _encode_json_mapping(c.report), c.matched_salt_label,
        c.subscription_id, c.environment, c.response_status, _encode_json(c.response_headers),
        bytes(c.response_body), c.source, c.parent_id, c.duplicate_of, _encode_json(c.notes),
        _encode_json_mapping(c.forward),
    )  # fmt: skip


def _to_column(name: str, value: Any) -> Any:
    if name in _JSON_FIELDS:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if name in {"body", "response_body"}:
        return bytes(value)
    return value


def _from_column(name: str, value: Any) -> Any:
    if name in _JSON_FIELDS:
        if value is None:
            return [] if name in {"headers", "response_headers", "notes"} else None
        loaded = json.loads(value)
        if name in {"headers", "response_headers"}:
            return [(str(k), str(v)) for k, v in loaded]
        return loaded
    if name in {"body", "response_body"}:
        return bytes(value) if value is not None else b""
    return value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(flt: CaptureFilter, *, probe_text: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause. `probe_text` checks the search text row by row (EXISTS) instead of collecting every
    matching id first (IN): a page walking the time index then stops after its LIMIT, where IN would first scan
    and sort every match (1 s for a common term in 100,000 captures); a count is faster with IN (one scan)."""
    clauses: list[str] = []
    params: list[Any] = []
    if flt.verdict:
        clauses.append("c.verdict = ?")
        params.append(flt.verdict)
    if flt.event:
        clauses.append("c.event = ?")
        params.append(flt.event)
    if flt.path:
        # A range instead of LIKE so the (path, received_at) index serves a prefix.
        clauses.append("c.path >= ? AND c.path < ?")
        params.extend([flt.path, flt.path + "\U0010ffff"])
    if flt.subscription_id is not None:
        clauses.append("c.subscription_id = ?")
        params.append(flt.subscription_id)
    if flt.max_id is not None:
        # Unary + keeps the planner on a narrow index: as a rowid range, "id <= newest" reads every table page.
        clauses.append("+c.id <= ?")
        params.append(flt.max_id)
    if flt.since is not None:
        clauses.append("c.received_at >= ?")
        params.append(flt.since)
    if flt.until is not None:
        clauses.append("c.received_at <= ?")
        params.append(flt.until)
    text = flt.text.strip().lower()
    if text:
        if probe_text:
            clauses.append("EXISTS (SELECT 1 FROM capture_search s WHERE s.id = c.id AND s.text LIKE ? ESCAPE '\\')")
        else:
            clauses.append("c.id IN (SELECT s.id FROM capture_search s WHERE s.text LIKE ? ESCAPE '\\')")
        params.append(f"%{_escape_like(text)}%")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _count(connection: sqlite3.Connection, flt: CaptureFilter) -> int:
    if flt.max_id is not None and replace(flt, max_id=None) == CaptureFilter():
        # Everything up to an id: SQLite counts a whole table from its smallest index at once, and the few
        # rows above the id come from a rowid range (0 ms instead of 5 ms at 100,000 captures).
        sql = "SELECT (SELECT COUNT(*) FROM captures) - (SELECT COUNT(*) FROM captures WHERE id > ?)"
        return int(connection.execute(sql, (flt.max_id,)).fetchone()[0])
    where, params = _where(flt)
    return int(connection.execute(f"SELECT COUNT(*) FROM captures c{where}", params).fetchone()[0])  # noqa: S608


class CaptureStore:
    """SQLite (WAL) store of captures; safe to call from the loop thread and one writer thread at once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # Created private before SQLite opens it: SQLite would make it (and its -wal/-shm) 0644.
        ensure_private_file(self.path)
        # One connection for writes and one for reads: WAL lets a reader page while a batch commits.
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._writer = self._connect()
        with self._write_lock:
            self._writer.executescript(_SCHEMA)
        self._reader = self._connect()
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpoint_lock = threading.Lock()
        # Listings (a filter's count and first page) run on a worker thread on their own connection, so the
        # loop thread's page reads never wait behind a long free-text scan.
        self._lister: sqlite3.Connection | None = None
        self._listing_lock = threading.Lock()
        self._closed = False

    def set_auto_checkpoint(self, enabled: bool) -> None:
        """With auto-checkpoint off, the commit that crosses the WAL threshold no longer copies pages to
        the database (and fsyncs) itself: the caller runs `checkpoint()` from another thread instead."""
        with self._write_lock:
            self._writer.execute(f"PRAGMA wal_autocheckpoint={1000 if enabled else 0}")

    def checkpoint(self) -> None:
        """Copy committed WAL pages into the database without blocking writers or readers (PASSIVE)."""
        with self._checkpoint_lock:
            if self._closed:
                return
            if self._checkpointer is None:
                self._checkpointer = self._connect()
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30.0)
        connection.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process kill (only an OS crash can lose the last commits).
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=OFF")
        return connection

    # -- writes -------------------------------------------------------------------------------------

    def add(self, capture: Capture) -> int:
        """Insert one capture; it is committed when this returns."""
        return self.add_many([capture])[0]

    def add_many(
        self, captures: Sequence[Capture], *, before_insert: Callable[[Capture], None] | None = None
    ) -> list[int]:
        """Insert captures in one transaction. Each gets its id before `before_insert(capture)` runs,
        so a caller can put the id into the response it is about to record (and then send)."""
        if not captures:
            return []
        ids: list[int] = []
        with self._write_lock:
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                next_id = self._next_id(connection)
                rows: list[tuple[Any, ...]] = []
                search_rows: list[tuple[int, str]] = []
                for capture in captures:
                    if capture.id is None:
                        capture.id = next_id
                    next_id = max(next_id, capture.id + 1)
                    if before_insert is not None:
                        before_insert(capture)
                    rows.append(_insert_row(capture))
                    search_rows.append((capture.id, search_text(capture)))
                    ids.append(capture.id)
                connection.executemany(_INSERT, rows)
                connection.executemany("INSERT OR REPLACE INTO capture_search (id, text) VALUES (?, ?)", search_rows)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return ids

    @staticmethod
    def _next_id(connection: sqlite3.Connection) -> int:
        # Under BEGIN IMMEDIATE no other writer can take this id; sqlite_sequence keeps ids from being reused.
        row = connection.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'captures'), 0), "
            "COALESCE((SELECT MAX(id) FROM captures), 0))"
        ).fetchone()
        return int(row[0]) + 1

    def update(self, capture_id: int, **fields_to_set: Any) -> None:
        """Change some fields of a stored capture (forward result, re-verification, notes…)."""
        unknown = set(fields_to_set) - _UPDATABLE
        if unknown:
            raise ValueError(f"unknown capture fields: {', '.join(sorted(unknown))}")
        if not fields_to_set:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields_to_set)
        values = [_to_column(name, value) for name, value in fields_to_set.items()]
        with self._write_lock:
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute(
                    f"UPDATE captures SET {assignments} WHERE id = ?",  # noqa: S608 - names checked above
                    [*values, capture_id],
                )
                if {"headers", "body", "path", "query", "event", "entity_id", "classification"} & set(fields_to_set):
                    row = connection.execute(
                        f"SELECT {_ALL_COLUMNS} FROM captures WHERE id = ?",  # noqa: S608
                        (capture_id,),
                    ).fetchone()
                    if row is not None:
                        capture = self._row_to_capture(row)
                        connection.execute(
                            "INSERT OR REPLACE INTO capture_search (id, text) VALUES (?, ?)",
                            (capture_id, search_text(capture)),
                        )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def apply_retention(self, max_count: int | None, max_age_seconds: float | None, *, chunk_size: int = 500) -> int:
        """Delete the oldest captures beyond `max_count` and those older than `max_age_seconds`.

        The doomed ids are read first, then deleted `chunk_size` at a time, each chunk its own short write
        transaction: the receiver's commits slip in between, so a big clean-up never holds capture up.
        """
        doomed: set[int] = set()
        with self._read_lock:
            if max_age_seconds is not None:
                cutoff = time.time() - max_age_seconds
                doomed.update(
                    row[0] for row in self._reader.execute("SELECT id FROM captures WHERE received_at < ?", (cutoff,))
                )
            if max_count is not None:
                excess = _count(self._reader, CaptureFilter()) - max(max_count, 0)
                if excess > 0:
                    doomed.update(
                        row[0]
                        for row in self._reader.execute(
                            "SELECT id FROM captures ORDER BY received_at ASC, id ASC LIMIT ?", (excess,)
                        )
                    )
        ids = sorted(doomed)
        deleted = 0
        for start in range(0, len(ids), max(chunk_size, 1)):
            chunk = ids[start : start + max(chunk_size, 1)]
            marks = ", ".join("?" for _ in chunk)
            with self._write_lock:
                if self._closed:
                    break
                connection = self._writer
                connection.execute("BEGIN IMMEDIATE")
                try:
                    cursor = connection.execute(f"DELETE FROM captures WHERE id IN ({marks})", chunk)  # noqa: S608
                    connection.execute(f"DELETE FROM capture_search WHERE id IN ({marks})", chunk)  # noqa: S608
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
            deleted += max(cursor.rowcount, 0)
        return deleted

    # -- reads --------------------------------------------------------------------------------------

    @staticmethod
    def _row_to_capture(row: Sequence[Any]) -> Capture:
        return Capture(**{name: _from_column(name, value) for name, value in zip(_CAPTURE_FIELDS, row, strict=True)})

    def get(self, capture_id: int) -> Capture | None:
        with self._read_lock:
            row = self._reader.execute(
                f"SELECT {_ALL_COLUMNS} FROM captures WHERE id = ?",  # noqa: S608
                (capture_id,),
            ).fetchone()
            return self._row_to_capture(row) if row is not None else None

    def get_many(self, capture_ids: Iterable[int]) -> list[Capture]:
        """Full captures for the given ids, in the order asked (missing ids are skipped)."""
        wanted = list(capture_ids)
        found: dict[int, Capture] = {}
        with self._read_lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                for row in self._reader.execute(f"SELECT {_ALL_COLUMNS} FROM captures WHERE id IN ({marks})", chunk):  # noqa: S608
                    capture = self._row_to_capture(row)
                    assert capture.id is not None
                    found[capture.id] = capture
        return [found[i] for i in wanted if i in found]

    def count(self, flt: CaptureFilter = CaptureFilter()) -> int:
        with self._read_lock:
            return _count(self._reader, flt)

    @staticmethod
    def _page_sql(flt: CaptureFilter, offset: int, limit: int, newest_first: bool) -> tuple[str, list[Any]]:
        where, params = _where(flt, probe_text=True)
        order = "DESC" if newest_first else "ASC"
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM captures c{where} "  # noqa: S608
            f"ORDER BY c.received_at {order}, c.id {order} LIMIT ? OFFSET ?"
        )
        return sql, [*params, max(limit, 0), max(offset, 0)]

    def page(self, flt: CaptureFilter, offset: int, limit: int, newest_first: bool = True) -> list[CaptureSummary]:
        with self._read_lock:
            rows = self._reader.execute(*self._page_sql(flt, offset, limit, newest_first)).fetchall()
        return [CaptureSummary(*row) for row in rows]

    def summary(self, capture_id: int) -> CaptureSummary | None:
        with self._read_lock:
            row = self._reader.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM captures c WHERE c.id = ?",  # noqa: S608
                (capture_id,),
            ).fetchone()
        return CaptureSummary(*row) if row is not None else None

    def listing(self, flt: CaptureFilter, limit: int, newest_first: bool = True) -> Listing:
        """The newest id, the count up to it and the first page up to it, read together. Blocking (call it
        off the loop); raises `ListingInterrupted` when `interrupt_listing` cancels it."""
        with self._listing_lock:
            if self._closed:
                raise ListingInterrupted("the store is closed")
            if self._lister is None:
                self._lister = self._connect()
            connection = self._lister
            try:
                # One read transaction: the count and the page see the same committed rows.
                connection.execute("BEGIN")
                newest = int(connection.execute("SELECT COALESCE(MAX(id), 0) FROM captures").fetchone()[0])
                bounded = replace(flt, max_id=newest if flt.max_id is None else min(newest, flt.max_id))
                count = _count(connection, bounded)
                rows = connection.execute(*self._page_sql(bounded, 0, limit, newest_first)).fetchall()
                connection.execute("COMMIT")
            except sqlite3.OperationalError as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if "interrupt" in str(error).lower():
                    raise ListingInterrupted(str(error)) from None
                raise
        return Listing(bounded.max_id or 0, count, [CaptureSummary(*row) for row in rows])

    def interrupt_listing(self) -> None:
        """Cancel a listing that is running now (harmless when none is)."""
        lister = self._lister
        if lister is not None and lister.in_transaction:
            lister.interrupt()

    def max_id(self) -> int:
        """The newest committed capture id (0 when the store is empty)."""
        with self._read_lock:
            return int(self._reader.execute("SELECT COALESCE(MAX(id), 0) FROM captures").fetchone()[0])

    def children_of(self, capture_id: int) -> list[CaptureSummary]:
        """Replays and forwards made from a capture (linked by `parent_id`), oldest first."""
        with self._read_lock:
            rows = self._reader.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM captures c WHERE c.parent_id = ? ORDER BY c.id",  # noqa: S608
                (capture_id,),
            ).fetchall()
        return [CaptureSummary(*row) for row in rows]

    def ids_after(self, capture_id: int, flt: CaptureFilter = CaptureFilter()) -> list[int]:
        """Ids newer than `capture_id` that match the filter, oldest first (for live updates)."""
        where, params = _where(flt)
        joiner = " AND " if where else " WHERE "
        sql = f"SELECT c.id FROM captures c{where}{joiner}c.id > ? ORDER BY c.id ASC"  # noqa: S608
        with self._read_lock:
            return [row[0] for row in self._reader.execute(sql, [*params, capture_id])]

    def all_ids(self) -> list[int]:
        with self._read_lock:
            return [row[0] for row in self._reader.execute("SELECT id FROM captures ORDER BY id")]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._write_lock:
            self._writer.close()
        with self._read_lock:
            self._reader.close()
        with self._checkpoint_lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
        self.interrupt_listing()
        with self._listing_lock:
            if self._lister is not None:
                self._lister.close()

    def __enter__(self) -> CaptureStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
