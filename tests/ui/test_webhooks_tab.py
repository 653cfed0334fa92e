"""Webhooks tab on the real Sandbox: the foundation flow, the subscription dialog's checks, salts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_harness import Answers, running_window, settle, wait_until
from PySide6.QtWidgets import QApplication

from benji_desktop.domain.entities import EntityType
from benji_desktop.domain.environments import SANDBOX_ID
from benji_desktop.secretstore import salt_name
from benji_desktop.storage.captures import CaptureFilter
from benji_desktop.views.subscription_dialog import ALL_EVENTS, SubscriptionDialog, check_endpoint


def fill_with_local_receiver(entity: EntityType, event: str | None) -> Any:
    def script(dialog: SubscriptionDialog) -> None:
        dialog.ui.use_local_receiver_button.click()
        dialog.ui.entity_type_combo.setCurrentIndex(dialog.ui.entity_type_combo.findData(int(entity)))
        dialog.set_event(event)
        dialog.ui.button_box.accepted.emit()

    return script


async def test_foundation_flow_subscribe_local_receiver_send_test_inspector_shows_valid(
    data_dir: Path, monkeypatch
) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.USER, "user_partner_connected"))
        created = await tab.add_subscription()
        assert created is not None
        assert created.endpoint == window.services.local_receiver_endpoint
        assert created.endpoint.startswith("http://127.0.0.1:") and created.endpoint.endswith("/webhooks/benji")
        # The salt went to the secret store and to the receiver's salt source at once.
        assert window.services.secret_store.get(salt_name(SANDBOX_ID, created.id)) == created.salt
        assert tab.selected_subscription().id == created.id

        attempt = await tab.send_test_selected()
        assert attempt is not None and attempt.response_status == 200
        assert "Delivered: HTTP 200" in tab.ui.test_result_label.text()

        inspector = window.inspector_tab
        await wait_until(lambda: window.ui.tab_widget.currentWidget() is inspector)
        await wait_until(lambda: inspector.selected_capture_id() is not None)
        capture = window.services.captures.get(inspector.selected_capture_id())
        assert capture is not None and capture.verdict == "VALID"
        summaries = window.services.captures.page(CaptureFilter(), 0, 10)
        assert [s.verdict for s in summaries] == ["VALID"]
        # The Inspector's list shows that row with its verdict.
        model = inspector.model
        texts = {str(model.index(0, c).data()) for c in range(model.columnCount())}
        assert "VALID" in texts


async def test_the_event_list_follows_the_entity_type(qapp: QApplication) -> None:
    dialog = SubscriptionDialog("http://127.0.0.1:8787/webhooks/benji")
    dialog.ui.entity_type_combo.setCurrentIndex(dialog.ui.entity_type_combo.findData(int(EntityType.USER)))
    assert dialog.event_choices() == [ALL_EVENTS, "user_partner_connected"]
    dialog.set_event("user_partner_connected")
    dialog.ui.entity_type_combo.setCurrentIndex(dialog.ui.entity_type_combo.findData(int(EntityType.TRANSACTION)))
    assert dialog.event_choices()[0] == ALL_EVENTS
    assert "transaction_created" in dialog.event_choices()
    assert "user_partner_connected" not in dialog.event_choices()
    assert dialog.event_name() is None, "a USER event does not survive a switch to TRANSACTION"
    # Custom names are allowed and survive a switch; "All events" means none.
    dialog.ui.event_combo.setEditText("loyalty_tier_changed")
    dialog.ui.entity_type_combo.setCurrentIndex(dialog.ui.entity_type_combo.findData(int(EntityType.USER)))
    assert dialog.event_name() == "loyalty_tier_changed"
    dialog.set_event(None)
    assert dialog.event_name() is None
    dialog.deleteLater()


async def test_invalid_urls_are_refused_with_a_message(qapp: QApplication) -> None:
    dialog = SubscriptionDialog("http://127.0.0.1:8787/webhooks/benji")
    for bad in (
        "",
        "example.com/hook",
        "ftp://example.com/hook",
        "https://",
        "http://exa mple.com/x",
        "https://h:99999/",
    ):
        dialog.ui.endpoint_edit.setText(bad)
        dialog.accept()
        assert dialog.result() != SubscriptionDialog.DialogCode.Accepted, bad
        assert dialog.message(), f"no message for {bad!r}"
    dialog.ui.endpoint_edit.setText("http://hooks.example.com/benji")
    assert "unencrypted" in dialog.message()
    dialog.accept()
    assert dialog.result() == SubscriptionDialog.DialogCode.Accepted, "plain http is a warning, not a refusal"
    assert check_endpoint("http://localhost:3000/hook").warning == ""
    assert check_endpoint("https://example.com/hook").ok
    dialog.deleteLater()


async def test_salt_is_masked_revealed_on_demand_and_rotation_keeps_the_old_one(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.TRANSACTION, None))
        created = await tab.add_subscription()
        assert created.salt not in tab.secret_values_on_screen()
        row = tab.model.row_of(lambda s: s.id == created.id)
        assert tab.model.data(tab.model.index(row, tab.model.SALT)) == f"{created.salt[:4]}…{created.salt[-4:]}"
        assert tab.ui.reveal_salt_button.text() == "Reveal"
        tab.ui.reveal_salt_button.setChecked(True)
        assert tab.model.data(tab.model.index(row, tab.model.SALT)) == created.salt
        assert tab.ui.reveal_salt_button.text() == "Hide"  # says what pressing it now does
        tab.ui.reveal_salt_button.setChecked(False)
        assert tab.ui.reveal_salt_button.text() == "Reveal"

        rotated = await tab.rotate_salt_selected()
        assert rotated.salt != created.salt and rotated.previous_salt == created.salt
        assert any("two signatures" in question for question in answers.asked)
        salts = window.services.salt_source.salts_for("127.0.0.1", "/webhooks/benji")
        assert {s.salt for s in salts} >= {created.salt, rotated.salt}

        assert await tab.delete_selected()
        await settle()
        assert tab.model.rowCount() == 0
        assert window.services.secret_store.get(salt_name(SANDBOX_ID, created.id)) is None


async def test_deliveries_dialog_lists_attempts(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.USER, None))
        await tab.add_subscription()
        await tab.send_test_selected()
        dialog = await tab.show_deliveries()
        assert dialog is not None and dialog.model.rowCount() >= 1
        assert "attempt" in dialog.ui.summary_label.text()
        dialog.close()


async def test_an_open_delivery_log_reloads_when_the_sandbox_logs_an_attempt(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.USER, None))
        await tab.add_subscription()
        dialog = await tab.show_deliveries()
        assert dialog.model.rowCount() == 0
        client = await window.services.client()
        await client.send_test(tab.selected_subscription().id)  # sent by something other than this dialog
        await wait_until(lambda: dialog.model.rowCount() == 1)
        dialog.close()


async def test_captures_button_shows_only_that_subscriptions_captures(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.USER, "user_partner_connected"))
        user_hook = await tab.add_subscription()
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.TRANSACTION, "transaction_created"))
        transaction_hook = await tab.add_subscription()
        assert user_hook is not None and transaction_hook is not None
        for subscription in (user_hook, transaction_hook, user_hook):
            window.select_tab(tab)
            tab.select_subscription(subscription.id)
            assert (await tab.send_test_selected()).response_status == 200
        await wait_until(lambda: window.services.captures.count() == 3)

        window.select_tab(tab)
        tab.select_subscription(user_hook.id)
        assert tab.ui.show_captures_button.isEnabled()
        tab.ui.show_captures_button.click()
        inspector = window.inspector_tab
        assert window.ui.tab_widget.currentWidget() is inspector
        await wait_until(lambda: inspector.model.rowCount() == 2)
        events = {str(inspector.model.index(row, 3).data()) for row in range(inspector.model.rowCount())}
        assert events == {"user_partner_connected"}
