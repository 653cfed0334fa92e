"""The Inspector's list during live traffic: a lone capture shows at once, a burst waits for the next flush."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from benji_desktop.storage.captures import Capture, CaptureStore
from benji_desktop.views.inspector.capture_table_model import COLUMN_VERDICT, CaptureTableModel


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


def capture_at(moment: float, verdict: str = "VALID") -> Capture:
    body = b'{"event":"transaction_created","entity_type":3,"entity_id":1}'
    return Capture(
        received_at=moment, path="/webhooks/benji", body=body, body_size=len(body), remote="127.0.0.1", verdict=verdict
    )


def add_live(store: CaptureStore, model: CaptureTableModel, moment: float) -> int:
    (capture_id,) = store.add_many([capture_at(moment)])
    summary = store.summary(capture_id)
    assert summary is not None
    model.enqueue(summary)
    return capture_id


def turn_loop(turns: int = 5) -> None:
    for _ in range(turns):
        QCoreApplication.processEvents()


def test_a_capture_after_a_quiet_spell_is_listed_on_the_next_loop_turn(store: CaptureStore, qtbot) -> None:
    model = CaptureTableModel(store, flush_interval_ms=60_000)  # a burst interval no test run could wait out
    add_live(store, model, time.time())
    turn_loop()  # the zero-delay flush runs; the 60 s interval would not have passed
    assert model.rowCount() == 1
    assert model.pending_count() == 0


def test_captures_right_after_a_flush_wait_for_the_next_one_and_all_arrive(store: CaptureStore, qtbot) -> None:
    model = CaptureTableModel(store, flush_interval_ms=60_000)
    now = time.time()
    add_live(store, model, now)
    turn_loop()
    ids = [add_live(store, model, now + 0.001 * n) for n in range(1, 6)]
    turn_loop()
    assert model.rowCount() == 1  # the burst is held back: one repaint for the lot, not one per capture
    assert model.pending_count() == 5
    model.flush_pending()  # what the timer does when the interval is up
    assert [model.capture_id_at(row) for row in range(5)] == ids[::-1]


def test_a_changed_verdict_is_shown_although_the_row_text_is_kept_between_repaints(store: CaptureStore, qtbot) -> None:
    (capture_id,) = store.add_many([capture_at(time.time(), verdict="NO_SALT")])
    model = CaptureTableModel(store)
    cell = model.index(0, COLUMN_VERDICT)
    assert model.data(cell, Qt.ItemDataRole.DisplayRole) == "NO_SALT"
    store.update(capture_id, verdict="VALID")  # a salt added later verified it
    model.capture_changed(capture_id)
    assert model.data(cell, Qt.ItemDataRole.DisplayRole) == "VALID"
