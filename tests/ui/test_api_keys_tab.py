"""API Tokens tab on the real Sandbox: the value is shown once, the table is masked, delete/rotate bite at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_harness import Answers, running_window, settle

from benji_desktop.client import AuthError, PlatformClient
from benji_desktop.domain.environments import SANDBOX_ID
from benji_desktop.secretstore import api_key_name
from benji_desktop.views.api_keys_tab import key_matches_masked
from benji_desktop.views.show_once_dialog import ShowOnceSecretDialog


async def test_new_key_is_shown_once_and_the_table_shows_only_the_masked_form(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.api_keys_tab
        seen_in_dialog: list[str] = []

        def read_and_close(dialog: ShowOnceSecretDialog) -> None:
            seen_in_dialog.append(dialog.ui.value_edit.text())
            assert "will not be shown again" in dialog.ui.warning_label.text()
            dialog.ui.copy_button.click()
            dialog.reject()
            seen_in_dialog.append(dialog.ui.value_edit.text())

        answers.texts.append("CI deploys")
        answers.dialog_scripts.append(read_and_close)
        created = await tab.add_key()
        assert created is not None and created.key.startswith("bk_sandbox_")
        assert seen_in_dialog == [created.key, ""], "closing the dialog forgets the value"

        on_screen = tab.secret_values_on_screen()
        assert created.key not in on_screen
        assert key_matches_masked(
            created.key,
            tab.model.data(tab.model.index(tab.model.row_of(lambda k: k.id == created.id), tab.model.VALUE)),
        )
        assert tab.selected_key().id == created.id

        # Rename, refresh: the value never comes back, and no second dialog opens.
        answers.texts.append("CI deploys (prod runner)")
        await tab.rename_selected()
        await tab.refresh()
        assert len(answers.dialogs) == 1
        assert created.key not in tab.secret_values_on_screen()
        assert "CI deploys (prod runner)" in tab.secret_values_on_screen()


async def test_deleting_a_key_makes_it_fail_on_the_next_call(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.api_keys_tab
        answers.texts.append("throwaway")
        created = await tab.add_key()
        async with PlatformClient(window.services.current_environment, created.key) as other_program:
            assert await other_program.list_api_keys()
            tab.select_key(created.id)
            assert await tab.delete_selected()
            with pytest.raises(AuthError):
                await other_program.list_api_keys()
        assert any(q.startswith("Delete API key") for q in answers.asked)
        assert tab.model.row_of(lambda k: k.id == created.id) == -1


async def test_rotating_the_apps_own_key_keeps_the_app_working(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.api_keys_tab
        services = window.services
        old_key = services.secret_store.get(api_key_name(SANDBOX_ID))
        own_row = tab.model.row_of(lambda k: key_matches_masked(old_key, k.masked))
        assert own_row >= 0
        tab.select_key(tab.model.record(own_row).id)
        rotated = await tab.rotate_selected()
        assert rotated is not None and rotated.key != old_key
        assert services.secret_store.get(api_key_name(SANDBOX_ID)) == rotated.key
        await tab.refresh()
        assert tab.model.rowCount() >= 1, "the app still reaches the Sandbox with the rotated key"


async def test_deleting_the_apps_own_key_warns_then_asks_for_a_new_one(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.api_keys_tab
        services = window.services
        answers.texts.append("spare")
        spare = await tab.add_key()
        own_key = services.secret_store.get(api_key_name(SANDBOX_ID))
        tab.select_key(tab.model.record(tab.model.row_of(lambda k: key_matches_masked(own_key, k.masked))).id)
        answers.texts.append(spare.key)  # pasted when the app asks for a new key
        assert await tab.delete_selected()
        assert answers.asked[1].startswith("Delete the key this app uses?")
        assert services.secret_store.get(api_key_name(SANDBOX_ID)) == spare.key
        await settle()
        assert tab.model.row_of(lambda k: k.id == spare.id) >= 0


async def test_a_reload_keeps_the_selected_key_selected_in_every_settings_table(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.api_keys_tab
        for name in ("first", "second", "third"):
            answers.texts.append(name)
            answers.dialog_scripts.append(lambda dialog: dialog.reject())
            assert await tab.add_key() is not None
        second = tab.model.record(tab.model.row_of(lambda k: k.name == "second"))
        tab.select_key(second.id)
        await tab.refresh()
        assert tab.selected_key().id == second.id
        assert tab.ui.delete_key_button.isEnabled()

        integrations = window.integrations_tab
        await integrations.refresh()
        integrations.select_integration("stripe")
        await integrations.refresh()
        assert integrations.selected_integration().slug == "stripe"
