"""The Inspector's filter runs off the event loop; an older filter's late answer never replaces a newer one."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore, Listing
from benji_desktop.views.inspector import InspectorTab


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


def captures(base: float) -> list[Capture]:
    made = []
    for i in range(40):
        event = "user_partner_connected" if i % 4 == 0 else "transaction_created"
        body = f'{{"event":"{event}","entity_type":3,"entity_id":{i}}}'.encode()
        made.append(Capture(received_at=base + i, path="/webhooks/benji", body=body, body_size=len(body), event=event))
    return made


def shown_events(tab: InspectorTab) -> set[str | None]:
    return {tab.model.summary_at(row).event for row in range(tab.model.rowCount())}


async def test_a_slow_older_filter_never_overwrites_a_newer_one(
    store: CaptureStore, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_many(captures(time.time() - 100))
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    real_listing = store.listing
    release = threading.Event()
    started = threading.Event()

    def listing(flt: CaptureFilter, limit: int, newest_first: bool = True) -> Listing:
        if flt.text == "user_partner":  # the first filter's scan is slow; the second one's is not
            started.set()
            release.wait(10)
        return real_listing(flt, limit, newest_first)

    monkeypatch.setattr(store, "listing", listing)

    tab.ui.search_edit.setText("user_partner")
    older = asyncio.ensure_future(tab.apply_filter_async())
    for _ in range(200):
        if started.is_set():
            break
        await asyncio.sleep(0.01)
    assert started.is_set()
    # While it runs, the loop is free and the tab says it is searching.
    assert tab.ui.busy_bar.isVisibleTo(tab) and tab.ui.count_label.text() == "Searching…"
    assert tab.model.rowCount() == 40

    tab.ui.search_edit.setText("transaction_created")
    assert await tab.apply_filter_async() is True
    assert tab.model.rowCount() == 30 and shown_events(tab) == {"transaction_created"}

    release.set()
    assert await older is False  # its answer came last, and was dropped
    assert tab.model.rowCount() == 30 and shown_events(tab) == {"transaction_created"}
    assert tab.model.capture_filter.text == "transaction_created"
    assert not tab.ui.busy_bar.isVisibleTo(tab)
    assert tab.ui.count_label.text() == "30 captures match the filter"


async def test_going_back_to_the_shown_filter_cancels_a_pending_one(
    store: CaptureStore, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_many(captures(time.time() - 100))
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    real_listing = store.listing
    release = threading.Event()

    def listing(flt: CaptureFilter, limit: int, newest_first: bool = True) -> Listing:
        release.wait(10)
        return real_listing(flt, limit, newest_first)

    monkeypatch.setattr(store, "listing", listing)
    tab.ui.search_edit.setText("user_partner")
    typed = asyncio.ensure_future(tab.apply_filter_async())
    await asyncio.sleep(0.05)
    tab.ui.search_edit.clear()  # the user deletes what they typed before the answer came
    assert await tab.apply_filter_async() is True
    release.set()
    assert await typed is False
    assert tab.model.rowCount() == 40 and tab.model.capture_filter == CaptureFilter()


async def test_live_inserts_during_a_filter_are_listed_once(store: CaptureStore, qtbot) -> None:
    store.add_many(captures(time.time() - 100))
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.ui.search_edit.setText("transaction")
    pending = asyncio.ensure_future(tab.apply_filter_async())
    new_ids = store.add_many(captures(time.time())[1:4])  # three transaction_created arrive meanwhile
    for capture_id in new_ids:
        tab.model.enqueue(store.summary(capture_id))
    tab.model.flush_pending()
    assert await pending is True
    tab.model.flush_pending()
    ids = [tab.model.capture_id_at(row) for row in range(tab.model.rowCount())]
    assert len(ids) == len(set(ids)) == 33
    assert tab.model.rowCount() == store.count(tab.model.capture_filter)


def test_the_store_listing_can_be_interrupted(store: CaptureStore) -> None:
    store.add_many(captures(time.time() - 100))
    listing = store.listing(CaptureFilter(text="transaction"), 10)
    assert (listing.count, len(listing.first_page), listing.max_id) == (30, 10, 40)
    store.interrupt_listing()  # nothing running: harmless
    assert store.listing(CaptureFilter(text="user_partner"), 100).count == 10
