"""The capture store: byte-exact round trip, paging and filtering in SQL, live ids, updates, retention."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore


def make_capture(n: int, *, at: float | None = None, **overrides: object) -> Capture:
    body = b'{"event":"transaction_created","entity_type":3,"entity_id":%d}' % n
    fields: dict[str, object] = {
        "received_at": 1_700_000_000.0 + n if at is None else at,
        "method": "POST",
        "host": "127.0.0.1:8787",
        "path": "/webhooks/benji",
        "headers": [("Host", "127.0.0.1:8787"), ("Content-Type", "application/json")],
        "body": body,
        "body_size": len(body),
        "remote": "127.0.0.1",
        "event": "transaction_created",
        "entity_type": 3,
        "entity_id": str(n),
        "verdict": "VALID",
        "response_status": 200,
    }
    fields.update(overrides)
    return Capture(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> CaptureStore:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened  # type: ignore[misc]


def test_a_capture_comes_back_exactly_as_stored(store: CaptureStore) -> None:
    headers = [("X-Dup", "1"), ("x-dup", "2"), ("Content-Type", "application/json"), ("X-Ünicode", "é")]
    body = b"\xff\x00not utf-8\r\n"
    capture = make_capture(
        1,
        headers=headers,
        body=body,
        query="a=1&b=%20",
        report={"verdict": "INVALID", "reasons": ["why"]},
        notes=["one", "two"],
        response_headers=[("Content-Type", "application/json")],
        response_body=b'{"received":true}',
        forward={"url": "http://127.0.0.1:9/x", "status": None, "error": "refused"},
    )
    capture_id = store.add(capture)
    loaded = store.get(capture_id)
    assert loaded is not None
    assert loaded.id == capture_id
    assert loaded.headers == headers
    assert loaded.body == body
    assert loaded.query == "a=1&b=%20"
    assert loaded.report == {"verdict": "INVALID", "reasons": ["why"]}
    assert loaded.notes == ["one", "two"]
    assert loaded.forward == {"url": "http://127.0.0.1:9/x", "status": None, "error": "refused"}
    assert loaded.response_body == b'{"received":true}'
    assert store.get(capture_id + 100) is None


def test_the_store_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "captures.sqlite3"
    with CaptureStore(path) as first:
        first.add(make_capture(1))
    with CaptureStore(path) as second:
        assert second.count() == 1
        assert second.add(make_capture(2)) == 2


def test_add_many_gives_ids_before_insert_in_one_batch(store: CaptureStore) -> None:
    seen: list[int | None] = []

    def before_insert(capture: Capture) -> None:
        seen.append(capture.id)
        capture.response_body = f"id {capture.id}".encode()

    ids = store.add_many([make_capture(n) for n in range(5)], before_insert=before_insert)
    assert ids == [1, 2, 3, 4, 5]
    assert seen == ids
    stored = store.get(3)
    assert stored is not None and stored.response_body == b"id 3"


def test_ids_are_not_reused_after_the_newest_is_deleted(store: CaptureStore) -> None:
    store.add_many([make_capture(n) for n in range(3)])
    store.apply_retention(max_count=0, max_age_seconds=None)
    assert store.add(make_capture(9)) == 4


def test_pages_are_newest_first_by_default_and_offset_works(store: CaptureStore) -> None:
    store.add_many([make_capture(n) for n in range(25)])
    first = store.page(CaptureFilter(), 0, 10)
    assert [row.entity_id for row in first] == [str(n) for n in range(24, 14, -1)]
    last = store.page(CaptureFilter(), 20, 10)
    assert [row.entity_id for row in last] == ["4", "3", "2", "1", "0"]
    oldest = store.page(CaptureFilter(), 0, 3, newest_first=False)
    assert [row.entity_id for row in oldest] == ["0", "1", "2"]
    assert store.count() == 25


def test_an_imported_old_capture_sorts_by_when_it_was_received(store: CaptureStore) -> None:
    store.add(make_capture(1, at=2_000_000_000.0))
    store.add(make_capture(2, at=1_000_000_000.0, source="imported"))
    assert [row.entity_id for row in store.page(CaptureFilter(), 0, 10)] == ["1", "2"]


def test_filters_narrow_by_verdict_event_path_and_time(store: CaptureStore) -> None:
    store.add(make_capture(1, verdict="VALID", event="transaction_created", path="/webhooks/benji"))
    store.add(make_capture(2, verdict="INVALID", event="user_partner_connected", path="/webhooks/other"))
    store.add(make_capture(3, verdict="INVALID", event="transaction_created", path="/elsewhere"))
    assert store.count(CaptureFilter(verdict="INVALID")) == 2
    assert store.count(CaptureFilter(event="transaction_created")) == 2
    assert store.count(CaptureFilter(path="/webhooks")) == 2
    assert store.count(CaptureFilter(path="/webhooks/benji")) == 1
    assert store.count(CaptureFilter(verdict="INVALID", event="transaction_created")) == 1
    since = store.page(CaptureFilter(since=1_700_000_002.0), 0, 10)
    assert [row.entity_id for row in since] == ["3", "2"]
    until = store.page(CaptureFilter(until=1_700_000_001.0), 0, 10)
    assert [row.entity_id for row in until] == ["1"]


def test_text_search_looks_in_headers_body_and_path_case_insensitively(store: CaptureStore) -> None:
    store.add(make_capture(1, headers=[("X-Request-Id", "Trace-ABC")]))
    store.add(make_capture(2, body=b'{"note":"100% sure_thing"}', path="/hooks/Special"))
    store.add(make_capture(3))
    assert [row.entity_id for row in store.page(CaptureFilter(text="trace-abc"), 0, 10)] == ["1"]
    assert store.count(CaptureFilter(text="100%")) == 1
    assert store.count(CaptureFilter(text="_thing")) == 1
    assert store.count(CaptureFilter(text="%")) == 1  # a literal percent sign, not a wildcard
    assert store.count(CaptureFilter(text="/HOOKS/special")) == 1
    assert store.count(CaptureFilter(text="  ")) == 3
    assert store.count(CaptureFilter(text='entity_id":3')) == 1


def test_ids_after_lists_new_matching_captures_oldest_first(store: CaptureStore) -> None:
    store.add_many([make_capture(n, verdict="VALID" if n % 2 else "INVALID") for n in range(6)])
    assert store.ids_after(2) == [3, 4, 5, 6]
    assert store.ids_after(2, CaptureFilter(verdict="VALID")) == [4, 6]  # n = 3, 5
    assert store.ids_after(6) == []


def test_update_changes_fields_and_keeps_search_in_step(store: CaptureStore) -> None:
    capture_id = store.add(make_capture(1))
    store.update(capture_id, forward={"url": "http://x", "status": 204}, notes=["forwarded"])
    store.update(capture_id, body=b'{"marker":"findme"}')
    loaded = store.get(capture_id)
    assert loaded is not None
    assert loaded.forward == {"url": "http://x", "status": 204}
    assert loaded.notes == ["forwarded"]
    assert store.count(CaptureFilter(text="findme")) == 1
    with pytest.raises(ValueError, match="unknown capture fields"):
        store.update(capture_id, no_such_field=1)


def test_summary_rows_carry_what_the_list_shows(store: CaptureStore) -> None:
    store.add(make_capture(7, duplicate_of=None, classification="invalid_json", verdict="UNSIGNED"))
    (row,) = store.page(CaptureFilter(), 0, 1)
    assert (row.method, row.path, row.event, row.entity_type, row.entity_id) == (
        "POST",
        "/webhooks/benji",
        "transaction_created",
        3,
        "7",
    )
    assert (row.verdict, row.response_status, row.classification, row.source) == (
        "UNSIGNED",
        200,
        "invalid_json",
        "received",
    )


def test_retention_by_count_keeps_the_newest(store: CaptureStore) -> None:
    store.add_many([make_capture(n) for n in range(10)])
    assert store.apply_retention(max_count=4, max_age_seconds=None) == 6
    assert [row.entity_id for row in store.page(CaptureFilter(), 0, 10)] == ["9", "8", "7", "6"]
    assert store.count(CaptureFilter(text='entity_id":1}')) == 0  # search rows go with them


def test_retention_by_age_drops_old_captures(store: CaptureStore) -> None:
    now = time.time()
    store.add(make_capture(1, at=now - 3600))
    store.add(make_capture(2, at=now - 10))
    assert store.apply_retention(max_count=None, max_age_seconds=600) == 1
    assert [row.entity_id for row in store.page(CaptureFilter(), 0, 10)] == ["2"]
    assert store.apply_retention(max_count=None, max_age_seconds=None) == 0


def test_ten_thousand_captures_page_and_filter_without_loading_them_all(store: CaptureStore) -> None:
    batch = [
        make_capture(n, verdict=("VALID", "INVALID", "STALE")[n % 3], path=("/a", "/b")[n % 2]) for n in range(10_000)
    ]
    for start in range(0, len(batch), 1000):
        store.add_many(batch[start : start + 1000])
    assert store.count() == 10_000
    page = store.page(CaptureFilter(verdict="INVALID", path="/b"), 0, 50)
    assert len(page) == 50
    assert all(row.verdict == "INVALID" and row.path == "/b" for row in page)
    assert page[0].entity_id == "9997"
    assert store.count(CaptureFilter(text='entity_id":4242}')) == 1
    assert len(store.page(CaptureFilter(), 9_990, 50)) == 10


def test_a_reader_pages_while_a_writer_thread_commits(store: CaptureStore) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for start in range(0, 2_000, 100):
                store.add_many([make_capture(n) for n in range(start, start + 100)])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    while writer.is_alive():
        store.page(CaptureFilter(text="transaction"), 0, 20)
        store.count()
    writer.join(timeout=30)
    assert not errors
    assert store.count() == 2_000
