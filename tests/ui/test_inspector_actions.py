"""Inspector actions a user reaches by keyboard and dialogs: navigation, re-verify, export, retention, forms."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from benji_desktop.interchange import detect_and_parse
from benji_desktop.receiver.rules import ResponseRule, ResponseRules
from benji_desktop.receiver.verification import apply_verification
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers
from benji_desktop.storage.captures import Capture, CaptureStore
from benji_desktop.views.inspector import InspectorTab
from benji_desktop.views.inspector.dialogs import ImportDialog, ReplayDialog, ResponseRulesDialog

SALT = "salt_" + "C" * 32


@pytest.fixture(autouse=True)
def no_modal_warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: shown.append(text))
    return shown


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


def delivery(
    entity_id: int, known: list[KnownSalt], *, received_at: float | None = None, path: str = "/webhooks/benji"
) -> Capture:
    body = canonical_body("transaction_created", 3, entity_id)
    capture = Capture(
        received_at=received_at or time.time(),
        host="127.0.0.1:8787",
        path=path,
        headers=list(signed_headers(body, [SALT]).items()),
        body=body,
        body_size=len(body),
        event="transaction_created",
        entity_type=3,
        entity_id=str(entity_id),
        response_status=200,
    )
    apply_verification(capture, known, 300.0)
    return capture


def test_j_and_k_move_through_the_list(store: CaptureStore, qtbot) -> None:
    ids = store.add_many([delivery(n, [], received_at=time.time() - 10 + n) for n in range(5)])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    with qtbot.waitActive(tab):  # shortcuts fire only in the active window
        tab.show()
        tab.activateWindow()
    newest_first = list(reversed(ids))
    tab.select_capture(newest_first[0])
    tab.ui.table_view.setFocus()
    from PySide6.QtWidgets import QApplication

    print("DEBUG", QApplication.activeWindow(), QApplication.focusWidget(), tab.isActiveWindow())
    qtbot.keyClick(tab.ui.table_view, Qt.Key.Key_J)
    assert tab.selected_capture_id() == newest_first[1]
    qtbot.keyClick(tab.ui.table_view, Qt.Key.Key_J)
    qtbot.keyClick(tab.ui.table_view, Qt.Key.Key_J)
    assert tab.selected_capture_id() == newest_first[3]
    qtbot.keyClick(tab.ui.table_view, Qt.Key.Key_K)
    assert tab.selected_capture_id() == newest_first[2]
    with qtbot.waitSignal(tab.capture_selected) as selected:
        qtbot.keyClick(tab.ui.table_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert selected.args == [newest_first[3]]
    qtbot.keyClick(tab.ui.table_view, Qt.Key.Key_Slash)
    assert tab.ui.search_edit.hasFocus()


async def test_reverify_after_adding_the_salt_turns_no_salt_into_valid(store: CaptureStore, qtbot) -> None:
    (capture_id,) = store.add_many([delivery(1, [])])
    assert store.get(capture_id).verdict == "NO_SALT"
    salts: list[KnownSalt] = []
    tab = InspectorTab(store, None, salt_provider=lambda: salts)
    qtbot.addWidget(tab)
    tab.select_capture(capture_id)

    salts.append(KnownSalt(SALT, "typed salt “partner”"))
    verdict = await tab.reverify_selected()

    assert verdict == "VALID"
    assert store.get(capture_id).matched_salt_label == "typed salt “partner”"
    assert "VALID" in tab.detail.ui.overview_browser.toPlainText()
    assert tab.model.summary_at(0).verdict == "VALID"


async def test_export_as_har_and_json_reads_back_byte_exact(store: CaptureStore, qtbot, tmp_path: Path) -> None:
    known = [KnownSalt(SALT, "sub #1")]
    ids = store.add_many([delivery(n, known) for n in range(3)] + [delivery(9, known, path="/other")])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.ui.path_edit.setText("/webhooks")
    await tab.apply_filter_async()  # on the loop a filter is read on a worker thread

    for fmt in ("har", "json"):
        target = tmp_path / f"out.{fmt}"
        assert await tab.export_captures(target, fmt=fmt) == target
        exchanges = detect_and_parse(target.read_bytes())
        assert sorted(e.request.body for e in exchanges) == sorted(store.get(i).body for i in ids[:3])
        assert all(e.request.header("x-benji-signature") for e in exchanges)

    selected = tmp_path / "one.har"
    await tab.export_captures(selected, fmt="har", capture_ids=[ids[1]])
    (only,) = detect_and_parse(selected.read_bytes())
    assert only.request.body == store.get(ids[1]).body


def test_retention_drops_the_oldest_and_the_list_follows(store: CaptureStore, qtbot) -> None:
    now = time.time()
    ids = store.add_many([delivery(n, [], received_at=now - 100 + n) for n in range(10)])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.select_capture(ids[-1])

    assert tab.apply_retention(max_count=4, max_age_days=0) == 6

    assert tab.model.rowCount() == 4
    assert [tab.model.capture_id_at(r) for r in range(4)] == list(reversed(ids[-4:]))
    assert tab.selected_capture_id() == ids[-1]


def test_filter_by_subscription_shows_exactly_its_captures(store: CaptureStore, qtbot) -> None:
    # Two subscriptions post to one endpoint: a path filter would show both; the subscription filter shows one.
    mine = [KnownSalt(SALT, "Sandbox subscription #7", subscription_id=7)]
    theirs = [KnownSalt(SALT, "Sandbox subscription #8", subscription_id=8)]
    ids = store.add_many([delivery(1, mine), delivery(2, theirs), delivery(3, mine), delivery(4, mine, path="/x")])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.filter_by_subscription(7, "http://127.0.0.1:8787/webhooks/benji")
    assert sorted(tab.model.capture_id_at(r) for r in range(tab.model.rowCount())) == [ids[0], ids[2], ids[3]]
    assert "subscription #7" in tab.ui.error_label.text()
    tab.clear_filter()
    assert tab.model.rowCount() == 4


def test_subscription_filter_stays_visible_as_a_chip_that_removes_it(store: CaptureStore, qtbot) -> None:
    # The transient status line is replaced by later messages; the chip says the list is filtered while it is.
    mine = [KnownSalt(SALT, "Sandbox subscription #1", subscription_id=1)]
    theirs = [KnownSalt(SALT, "Sandbox subscription #2", subscription_id=2)]
    ids = store.add_many([delivery(1, mine), delivery(2, theirs), delivery(3, theirs)])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    with qtbot.waitActive(tab):  # focus moves only in the active window
        tab.show()
        tab.activateWindow()
    tab.ui.search_edit.setFocus()
    assert tab.subscription_chip.isHidden()
    tab.filter_by_subscription(1, "http://127.0.0.1:8787/webhooks/benji")
    tab.ui.error_label.setText("Something else happened.")
    assert tab.subscription_chip.isVisible()
    assert "Subscription #1" in tab.subscription_chip.text()
    assert [tab.model.capture_id_at(r) for r in range(tab.model.rowCount())] == [ids[0]]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tab.ui.table_view, timeout=2000)  # J/K work
    tab.ui.search_edit.setText("transaction")
    tab.apply_filter(inline=True)
    qtbot.mouseClick(tab.subscription_chip, Qt.MouseButton.LeftButton)
    assert tab.subscription_chip.isHidden()
    assert tab.model.capture_filter.subscription_id is None
    assert tab.ui.search_edit.text() == "transaction"  # only the subscription filter goes
    assert tab.model.rowCount() == 3


def test_clear_removes_the_subscription_chip(store: CaptureStore, qtbot) -> None:
    store.add_many([delivery(1, [KnownSalt(SALT, "s", subscription_id=1)]), delivery(2, [])])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.filter_by_subscription(1)
    assert not tab.subscription_chip.isHidden()
    tab.ui.clear_filter_button.click()
    assert tab.subscription_chip.isHidden()
    assert tab.model.rowCount() == 2


def test_import_dialog_uses_the_typed_salt_and_never_offers_it_back(qtbot) -> None:
    dialog = ImportDialog([KnownSalt("salt_" + "D" * 32, "Sandbox subscription #3")])
    qtbot.addWidget(dialog)
    dialog.ui.source_edit.setPlainText("curl -X POST http://example/x -d '{}'")
    assert "cURL" in dialog.ui.format_label.text()
    assert "D" * 8 not in dialog.ui.salt_combo.itemText(1)  # the known salt is shown masked
    dialog.ui.typed_salt_edit.setText(SALT)
    choice = dialog.import_request()
    assert choice.salts == [KnownSalt(SALT, "typed salt")]
    assert choice.text is not None and choice.file_path is None


def test_replay_dialog_keeps_exact_bytes_unless_edited(qtbot) -> None:
    capture = delivery(5, [])
    capture.body = b'{"event":"x"}\n\xff'  # not UTF-8: only an edit may change it
    dialog = ReplayDialog(capture, "http://127.0.0.1:8787/webhooks/benji", [KnownSalt(SALT, "sub #1")])
    qtbot.addWidget(dialog)
    untouched = dialog.replay_request()
    assert (untouched.body, untouched.headers, untouched.resign_salt) == (None, None, None)

    dialog.ui.body_edit.setPlainText('{"event":"y"}')
    dialog.ui.target_url_edit.setText("http://127.0.0.1:3000/hook")
    dialog.ui.resign_group.setChecked(True)
    edited = dialog.replay_request()
    assert edited.body == b'{"event":"y"}'
    assert edited.url == "http://127.0.0.1:3000/hook"
    assert edited.resign_salt == SALT


def test_rules_dialog_reads_rules_and_refuses_a_bad_status(qtbot) -> None:
    rules = ResponseRules(rules=(ResponseRule(path_prefix="/webhooks", status=503, delay_seconds=1.5),))
    dialog = ResponseRulesDialog(rules, 1000, 7)
    qtbot.addWidget(dialog)
    choice = dialog.choice()
    assert choice.rules.rule_for("/webhooks/benji").status == 503
    assert choice.rules.rule_for("/webhooks/benji").delay_seconds == 1.5
    assert (choice.max_count, choice.max_age_days) == (1000, 7)
    dialog.ui.rules_table.item(0, 1).setText("abc")
    dialog._check_and_accept()
    assert "status" in dialog.ui.error_label.text()
    assert dialog.result() == 0


def test_credentials_in_headers_are_masked_and_presentation_mode_hides_signatures(store: CaptureStore, qtbot) -> None:
    capture = delivery(4, [KnownSalt("salt_" + "E" * 32, "sub #2")])
    api_key = "bk_sandbox_" + "0123456789abcdef" * 2
    capture.headers.append(("X-Api-Key", api_key))
    (capture_id,) = store.add_many([capture])
    tab = InspectorTab(store, None)
    qtbot.addWidget(tab)
    tab.select_capture(capture_id)
    table = tab.detail.ui.headers_table

    def shown() -> dict[str, str]:
        return {table.item(r, 0).text().lower(): table.item(r, 1).text() for r in range(table.rowCount())}

    signature = dict(capture.headers)["x-benji-signature"]
    assert api_key not in shown().values() and shown()["x-api-key"].endswith(api_key[-4:])
    assert shown()["x-benji-signature"] == signature

    tab.set_presentation_mode(True)
    assert signature not in shown().values()
    overview = tab.detail.ui.overview_browser.toPlainText()
    assert signature not in overview and capture.report["expected"] not in overview

    tab.set_presentation_mode(False)
    assert shown()["x-benji-signature"] == signature
