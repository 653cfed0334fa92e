"""The detail pane links a capture to its replays from the store, not from one session's memory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benji_desktop.storage.captures import Capture, CaptureStore
from benji_desktop.views.inspector import InspectorTab


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


def test_replays_made_in_an_earlier_session_are_linked(store: CaptureStore, qtbot) -> None:
    now = time.time()
    (original,) = store.add_many([Capture(received_at=now - 60, path="/webhooks/benji")])
    first, second = store.add_many(
        [
            Capture(received_at=now - 30, path="/webhooks/benji", source="replay", parent_id=original),
            Capture(received_at=now - 10, path="/webhooks/benji", source="replay", parent_id=original),
        ]
    )
    assert [child.id for child in store.children_of(original)] == [first, second]
    assert store.children_of(first) == []

    tab = InspectorTab(store, None)  # a new window: nothing was replayed in this session
    qtbot.addWidget(tab)
    assert tab.select_capture(original)
    overview = tab.detail.ui.overview_browser.toHtml()
    assert f"#{first}" in overview and f"#{second}" in overview
    assert f"#{first}" in tab.detail.ui.forward_browser.toHtml()
