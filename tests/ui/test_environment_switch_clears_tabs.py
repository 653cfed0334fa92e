"""Switching to an environment without a key leaves no stale rows, results or revealed salts, and no live buttons."""

from __future__ import annotations

from pathlib import Path

from app_harness import Answers, running_window, settle
from test_webhooks_tab import fill_with_local_receiver

from benji_desktop.domain.entities import EntityType
from benji_desktop.domain.environments import SANDBOX_ID, STAGING_ID


async def test_staging_without_a_key_shows_nothing_of_the_sandbox(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        webhooks = window.webhooks_tab
        window.select_tab(webhooks)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.USER, "user_partner_connected"))
        created = await webhooks.add_subscription()
        assert created is not None
        await webhooks.send_test_selected()
        assert "Delivered" in webhooks.ui.test_result_label.text()
        webhooks.ui.reveal_salt_button.setChecked(True)
        assert webhooks.model.is_revealed(created.id)

        keys = window.api_keys_tab
        window.select_tab(keys)
        await keys.refresh()
        keys.ui.api_keys_view.selectRow(0)
        assert keys.ui.delete_key_button.isEnabled()

        await window.switch_environment(STAGING_ID)
        await settle()
        for button in (keys.ui.edit_key_button, keys.ui.rotate_key_button, keys.ui.delete_key_button):
            assert not button.isEnabled(), button.objectName()
        window.select_tab(webhooks)
        await settle()
        assert webhooks.model.rowCount() == 0
        for button in (
            webhooks.ui.edit_subscription_button,
            webhooks.ui.delete_subscription_button,
            webhooks.ui.toggle_active_button,
            webhooks.ui.send_test_button,
            webhooks.ui.deliveries_button,
            webhooks.ui.rotate_salt_button,
            webhooks.ui.copy_salt_button,
            webhooks.ui.reveal_salt_button,
        ):
            assert not button.isEnabled(), button.objectName()
        assert "Delivered" not in webhooks.ui.test_result_label.text()
        assert webhooks.ui.test_response_view.toPlainText() == ""
        assert webhooks.last_test is None
        assert not webhooks.ui.reveal_salt_button.isChecked()

        await window.switch_environment(SANDBOX_ID)
        await settle()
        await webhooks.refresh()
        webhooks.select_subscription(created.id)
        # Revealed before the switch; masked again after it.
        assert not webhooks.model.is_revealed(created.id)
        assert created.salt not in webhooks.model.all_display_text()


async def test_a_revealed_salt_masks_again_on_another_selection_and_after_a_while(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        webhooks = window.webhooks_tab
        window.select_tab(webhooks)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.USER, "user_partner_connected"))
        first = await webhooks.add_subscription()
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.TRANSACTION, None))
        second = await webhooks.add_subscription()
        assert first is not None and second is not None
        webhooks.select_subscription(first.id)
        webhooks.ui.reveal_salt_button.setChecked(True)
        assert first.salt in webhooks.model.all_display_text()
        webhooks.select_subscription(second.id)
        assert first.salt not in webhooks.model.all_display_text()
        assert not webhooks.ui.reveal_salt_button.isChecked()

        webhooks.ui.reveal_salt_button.setChecked(True)
        assert second.salt in webhooks.model.all_display_text()
        webhooks.reveal_timer.timeout.emit()  # the short timeout ran out
        assert second.salt not in webhooks.model.all_display_text()
        assert not webhooks.ui.reveal_salt_button.isChecked()
