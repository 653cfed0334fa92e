"""The Inspector tab against a real capture store (and a real receiver on 127.0.0.1 port 0 where it replays)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from benji_desktop.interchange import parse_curl
from benji_desktop.receiver import Receiver, StaticSaltSource
from benji_desktop.receiver.verification import apply_verification
from benji_desktop.signature import KnownSalt, canonical_body, sign, signed_headers
from benji_desktop.storage.captures import Capture, CaptureStore
from benji_desktop.views.inspector import InspectorTab

SALT = "salt_" + "A" * 32
OTHER_SALT = "salt_" + "B" * 32
EVENTS = ("transaction_created", "transaction_status_updated", "user_partner_connected", "reward_transaction_updated")
VERDICTS = ("VALID", "INVALID", "STALE", "UNSIGNED", "VALID")


@pytest.fixture(autouse=True)
def no_modal_warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The busy/error helper shows a modal warning; record it instead of blocking the test."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: shown.append(text))
    return shown


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


def stored_bytes(store: CaptureStore) -> bytes:
    """Everything the store has on disk: the database and its write-ahead log."""
    files = [store.path, store.path.with_name(store.path.name + "-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


def generated(i: int, base: float) -> Capture:
    """Capture number i of a synthetic history: every field follows from i, so a filter's answer is known."""
    event = EVENTS[i % len(EVENTS)]
    body = canonical_body(event, 3 if event.startswith(("transaction", "reward")) else 1, 1000 + i)
    return Capture(
        received_at=base + i,
        path="/webhooks/benji" if i % 3 else "/hooks/other",
        headers=[("Content-Type", "application/json"), ("x-benji-signature", "0" * 64)],
        body=body,
        body_size=len(body),
        remote="127.0.0.1",
        event=event,
        entity_type=3 if event.startswith(("transaction", "reward")) else 1,
        entity_id=str(1000 + i),
        verdict=VERDICTS[i % len(VERDICTS)],
        response_status=200,
    )


def signed_capture(salt_used: str, known: list[KnownSalt], *, entity_id: int = 7) -> Capture:
    body = canonical_body("transaction_created", 3, entity_id)
    headers = list(signed_headers(body, [salt_used]).items())
    capture = Capture(
        received_at=time.time(),
        host="127.0.0.1:8787",
        path="/webhooks/benji",
        headers=headers,
        body=body,
        body_size=len(body),
        remote="127.0.0.1",
        event="transaction_created",
        entity_type=3,
        entity_id=str(entity_id),
        response_status=200,
        response_headers=[("Content-Type", "application/json")],
        response_body=b'{"received":true}',
    )
    apply_verification(capture, known, 300.0)
    return capture


def test_ten_thousand_captures_are_paged_and_filtered_in_sql(store: CaptureStore, qtbot) -> None:
    base = time.time() - 20_000
    store.add_many([generated(i, base) for i in range(10_000)])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    qtbot.waitExposed(tab)

    model = tab.model
    assert model.rowCount() == 10_000
    qtbot.waitUntil(lambda: model.cached_row_count() > 0)  # the view painted its first rows
    assert model.cached_row_count() <= 6 * 200  # only what was painted, never the whole store
    tab.move_selection(+1)
    assert tab.selected_capture_id() == store.page(model.capture_filter, 0, 1)[0].id

    # Verdict + event + path through the filter bar; the expectation comes from how the data was made.
    tab.ui.verdict_combo.setCurrentIndex(tab.ui.verdict_combo.findData("INVALID"))
    tab.ui.event_combo.setCurrentText("transaction_created")
    tab.ui.path_edit.setText("/webhooks")
    tab.apply_filter()
    expected = {
        i for i in range(10_000) if VERDICTS[i % 5] == "INVALID" and EVENTS[i % 4] == "transaction_created" and i % 3
    }
    assert model.rowCount() == len(expected)
    shown_entities = {int(model.summary_at(row).entity_id) - 1000 for row in range(model.rowCount())}
    assert shown_entities == expected

    # Free text (an entity id inside the body) narrows to exactly one capture.
    tab.clear_filter()
    tab.ui.search_edit.setText('"entity_id":4242')
    tab.apply_filter()
    assert model.rowCount() == 1
    assert model.summary_at(0).entity_id == "4242"
    assert "1 capture matches the filter" in tab.ui.count_label.text()


async def test_a_burst_through_the_receiver_is_inserted_in_batches_and_the_selection_stays(
    store: CaptureStore, qtbot
) -> None:
    base = time.time() - 1000
    store.add_many([generated(i, base) for i in range(50)])
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT, "test salt")]), port=0)
    await receiver.start()
    try:
        tab = InspectorTab(store, receiver)
        qtbot.addWidget(tab)
        assert tab.select_capture(store.page(tab.model.capture_filter, 10, 1)[0].id)
        selected = tab.selected_capture_id()
        inserts: list[tuple[int, int]] = []
        tab.model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
        notified: list[int] = []
        receiver.add_listener(lambda summary: notified.append(summary.id))
        flushes: list[int] = []
        tab.model.rows_inserted_in_batch.connect(lambda n: flushes.append(n) if n else None)

        burst = 300
        limits = httpx.Limits(max_connections=16)
        async with httpx.AsyncClient(limits=limits) as client:

            async def deliver(n: int) -> int:
                body = canonical_body("transaction_created", 3, n)
                response = await client.post(
                    f"{receiver.url}/webhooks/benji", content=body, headers=signed_headers(body, [SALT])
                )
                return response.status_code

            statuses = await asyncio.gather(*(deliver(n) for n in range(burst)))
        assert statuses == [200] * burst
        for _ in range(100):
            if tab.model.rowCount() == 50 + burst:
                break
            await asyncio.sleep(0.05)

        assert len(notified) == burst
        assert tab.model.rowCount() == 50 + burst
        assert sum(last - first + 1 for first, last in inserts) == burst
        assert all(first == 0 for first, _ in inserts)  # newest first: every batch lands on top
        # One notification per flush (at most every ~100 ms), never one per capture; how many captures share
        # a flush depends on the machine's speed, so the test only asserts that they do share.
        assert len(inserts) == len(flushes) < burst
        assert max(last - first + 1 for first, last in inserts) > 1
        assert tab.selected_capture_id() == selected
        assert tab.model.capture_id_at(tab.ui.table_view.currentIndex().row()) == selected
    finally:
        await receiver.stop()


def test_captures_queued_between_flushes_arrive_in_one_insert(store: CaptureStore, qtbot) -> None:
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    inserts: list[tuple[int, int]] = []
    tab.model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
    ids = store.add_many([generated(i, time.time()) for i in range(500)])
    for capture_id in ids:  # what the receiver's listener does, once per committed capture
        tab.model.enqueue(store.summary(capture_id))
    assert inserts == []  # nothing repaints until the flush timer fires
    qtbot.waitUntil(lambda: tab.model.rowCount() == 500)
    assert inserts == [(0, 499)]


def test_detail_pane_explains_an_invalid_capture(store: CaptureStore, qtbot) -> None:
    known = [KnownSalt(SALT, "Sandbox subscription #1")]
    capture = signed_capture(OTHER_SALT, known)
    assert capture.verdict == "INVALID"
    (capture_id,) = store.add_many([capture])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    assert tab.select_capture(capture_id)

    overview = tab.detail.ui.overview_browser.toPlainText()
    assert capture.report is not None and capture.report["cause"]
    assert capture.report["cause"] in overview
    assert "INVALID" in overview
    for reason in capture.report["reasons"]:
        assert reason in overview
    headers_table = tab.detail.ui.headers_table
    shown = [
        (headers_table.item(r, 0).text(), headers_table.item(r, 1).text()) for r in range(headers_table.rowCount())
    ]
    assert shown == capture.headers  # received order and case
    assert SALT not in overview and OTHER_SALT not in overview


def test_copy_as_curl_round_trips_byte_exact(store: CaptureStore, qtbot) -> None:
    body = b'{"event":"transaction_created","entity_type":3,"entity_id":9}\r\n\x00\xff\'"$`\\ end\n'
    capture = Capture(
        received_at=time.time(),
        host="127.0.0.1:8787",
        path="/webhooks/benji",
        query="a=1&b=two",
        headers=[
            ("Content-Type", "application/json"),
            ("X-Benji-Signature", sign(body, SALT)),
            ("x-odd", "a 'b' \"c\""),
        ],
        body=body,
        body_size=len(body),
    )
    (capture_id,) = store.add_many([capture])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.select_capture(capture_id)
    tab.copy_curl_action.trigger()

    command = QGuiApplication.clipboard().text()
    assert "curl " in command  # a binary body is piped in with printf
    parsed = parse_curl(command)
    assert parsed.body == body
    assert parsed.method == "POST"
    assert parsed.path == "/webhooks/benji" and parsed.query == "a=1&b=two"
    for header in capture.headers:
        assert header in parsed.headers


async def test_import_of_a_pasted_request_with_a_typed_salt_gives_the_verdict(store: CaptureStore, qtbot) -> None:
    body = canonical_body("transaction_status_updated", 3, 77)
    moment = datetime(2024, 10, 22, 21, 57, 2, tzinfo=UTC)
    headers = signed_headers(body, [SALT], moment)
    raw = "POST /partner/hook HTTP/1.1\r\nHost: partner.example\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    raw += f"Content-Length: {len(body)}\r\n\r\n" + body.decode()
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)

    valid_ids = await tab.import_captures(raw, None, [KnownSalt(SALT, "typed salt")], ignore_timestamp=True)
    invalid_ids = await tab.import_captures(raw, None, [KnownSalt(OTHER_SALT, "typed salt")], ignore_timestamp=True)

    valid, invalid = store.get(valid_ids[0]), store.get(invalid_ids[0])
    assert valid is not None and valid.verdict == "VALID" and valid.source == "imported"
    assert invalid is not None and invalid.verdict == "INVALID" and invalid.report["cause"]
    assert (valid.event, valid.entity_id) == ("transaction_status_updated", "77")
    assert tab.model.rowCount() == 2
    assert tab.selected_capture_id() == invalid_ids[0]  # the latest import is shown
    assert "INVALID" in tab.detail.ui.overview_browser.toPlainText()
    # A typed salt is for this check only: it is never written to the store in clear.
    assert SALT.encode() not in stored_bytes(store)


def test_screenshot_with_an_invalid_capture_selected(store: CaptureStore, qtbot) -> None:
    known = [KnownSalt(SALT, "Sandbox subscription #1")]
    captures = [signed_capture(SALT, known, entity_id=n) for n in range(1, 5)]
    captures.append(signed_capture(OTHER_SALT, known, entity_id=42))
    stale = signed_capture(SALT, known, entity_id=8)
    stale.headers = [(n, "Tue, 22 Oct 2024 21:57:02 GMT" if n == "x-webhook-datetime" else v) for n, v in stale.headers]
    apply_verification(stale, known, 300.0)
    captures.append(stale)
    unsigned = signed_capture(SALT, known, entity_id=9)
    unsigned.headers = [(n, v) for n, v in unsigned.headers if n != "x-benji-signature"]
    apply_verification(unsigned, known, 300.0)
    captures.append(unsigned)
    ids = store.add_many(captures)
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.resize(1280, 720)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.select_capture(ids[4])
    assert store.get(ids[4]).verdict == "INVALID"
    tab.grab().save("/tmp/inspector.png")
    assert Path("/tmp/inspector.png").stat().st_size > 0


def test_live_rows_keep_the_cache_and_match_sql_even_under_a_text_filter(store: CaptureStore, qtbot) -> None:
    base = time.time() - 5000
    store.add_many([generated(i, base) for i in range(1000)])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    model = tab.model
    for flt_text in ("", "user_partner_connected"):
        tab.ui.search_edit.setText(flt_text)
        tab.apply_filter()
        for row in range(min(400, model.rowCount())):  # the user has looked at the first two blocks
            model.summary_at(row)
        queries_before = model.page_queries
        start = 2000 if not flt_text else 3000
        ids = store.add_many([generated(i, time.time()) for i in range(start, start + 60)])
        for capture_id in ids:
            model.enqueue(store.summary(capture_id))
        model.flush_pending()

        assert model.page_queries == queries_before  # the insert moved the cached rows instead of refetching
        assert model.rowCount() == store.count(model.capture_filter)
        truth = [s.id for s in store.page(model.capture_filter, 0, 300)]
        assert [model.capture_id_at(row) for row in range(len(truth))] == truth
