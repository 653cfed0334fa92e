"""The Inspector's list when a live insert races the first page load (a capture must never show twice)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore
from benji_desktop.views.inspector.capture_table_model import CaptureTableModel


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


def capture_at(moment: float, path: str = "/webhooks/benji") -> Capture:
    body = b'{"event":"transaction_created","entity_type":3,"entity_id":1}'
    return Capture(received_at=moment, path=path, body=body, body_size=len(body), remote="127.0.0.1")


def shown_ids(model: CaptureTableModel) -> list[int | None]:
    return [model.capture_id_at(row) for row in range(model.rowCount())]


@pytest.mark.parametrize("text", ["", "transaction_created"])
def test_a_capture_committed_between_the_count_and_the_first_page_is_listed_once(
    store: CaptureStore, qtbot, text: str
) -> None:
    now = time.time()
    store.add_many([capture_at(now - 10 + i) for i in range(3)])  # ids 1-3
    model = CaptureTableModel(store)
    model.set_filter(CaptureFilter(text=text))
    assert model.rowCount() == 3
    # The receiver commits #4 after the model counted its rows but before the view read the first page;
    # the listener's notification is still queued.
    (new_id,) = store.add_many([capture_at(now)])
    model.enqueue(store.summary(new_id))
    assert shown_ids(model) == [3, 2, 1]  # the page the view reads now is the one that was counted
    model.flush_pending()
    assert shown_ids(model) == [4, 3, 2, 1]


def test_a_notification_for_a_capture_already_counted_adds_nothing(store: CaptureStore, qtbot) -> None:
    now = time.time()
    store.add_many([capture_at(now - 10 + i) for i in range(3)])
    (new_id,) = store.add_many([capture_at(now)])
    model = CaptureTableModel(store)  # counted after #4 was committed, before its notification ran
    model.enqueue(store.summary(new_id))
    model.flush_pending()
    assert shown_ids(model) == [4, 3, 2, 1]


def test_captures_stored_without_a_notification_arrive_with_the_next_flush(store: CaptureStore, qtbot) -> None:
    now = time.time()
    store.add_many([capture_at(now - 10 + i) for i in range(2)])
    model = CaptureTableModel(store)
    assert shown_ids(model) == [2, 1]
    silent, notified = store.add_many([capture_at(now - 1), capture_at(now)])
    model.enqueue(store.summary(notified))
    model.flush_pending()
    assert shown_ids(model) == [notified, silent, 2, 1]
    assert model.rowCount() == store.count(model.capture_filter)


def test_selecting_a_capture_newer_than_the_listing_lists_it_once(store: CaptureStore, qtbot) -> None:
    from benji_desktop.views.inspector import InspectorTab

    now = time.time()
    store.add_many([capture_at(now - 10 + i) for i in range(3)])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    (new_id,) = store.add_many([capture_at(now)])
    tab.model.enqueue(store.summary(new_id))
    assert tab.select_capture(new_id)  # e.g. "show capture" from another tab before the flush timer fired
    assert tab.selected_capture_id() == new_id
    tab.model.flush_pending()
    assert shown_ids(tab.model) == [4, 3, 2, 1]
