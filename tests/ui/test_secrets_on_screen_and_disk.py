"""Secrets made through the UI: masked in presentation mode everywhere, and never on disk or in the log in clear."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app_harness import Answers, running_window, settle
from test_webhooks_tab import fill_with_local_receiver

from benji_desktop.domain.entities import EntityType
from benji_desktop.domain.environments import STAGING_ID
from benji_desktop.domain.masking import mask_secret
from benji_desktop.secretstore import EncryptedFileSecretStore, api_key_name
from benji_desktop.storage.paths import DataLayout
from benji_desktop.views.environment_dialog import EnvironmentDialog
from benji_desktop.views.gui import configure_logging

STRIPE_SECRET = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
STAGING_KEY = "bk_staging_" + "9f" * 16


def read_every_file(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


async def make_secrets_through_the_ui(window: Any, answers: Answers) -> dict[str, str]:
    """An API key, a subscription salt, integration credentials and another environment's key."""
    secrets: dict[str, str] = {}
    keys = window.api_keys_tab
    answers.texts.append("leak test key")
    created_key = await keys.add_key()
    secrets["api key"] = created_key.key

    webhooks = window.webhooks_tab
    window.select_tab(webhooks)
    answers.dialog_scripts.append(fill_with_local_receiver(EntityType.TRANSACTION, "transaction_created"))
    subscription = await webhooks.add_subscription()
    secrets["salt"] = subscription.salt
    await webhooks.send_test_selected()

    integrations = window.integrations_tab
    window.select_tab(integrations)
    await integrations.refresh()
    stripe_row = integrations.model.row_of(lambda i: i.slug == "stripe")
    integrations.select_integration("stripe")
    stripe = integrations.model.record(stripe_row)
    values = {f.name: (STRIPE_SECRET if f.secret else "acct_1LeakTest01") for f in stripe.fields}

    def fill_credentials(dialog: Any) -> None:
        for name, value in values.items():
            dialog.inputs[name].setText(value)
        dialog.accept()

    answers.dialog_scripts.append(fill_credentials)
    connected = await integrations.connect_selected()
    assert connected is not None and connected.status == "connected"
    secrets["stripe credential"] = STRIPE_SECRET

    # Staging pointed at the local Sandbox, so nothing leaves this machine (the typed key is refused there).
    sandbox_url = window.services.current_environment.api_base_url
    await window.services.set_environment_urls(STAGING_ID, sandbox_url, sandbox_url)
    await window.switch_environment(STAGING_ID)

    def type_key(dialog: EnvironmentDialog) -> None:
        dialog.ui.api_key_field.setText(STAGING_KEY)
        dialog.accept()

    answers.dialog_scripts.append(type_key)
    await window.edit_environment()
    secrets["staging key"] = STAGING_KEY
    await window.switch_environment("sandbox")
    await settle()
    return secrets


async def test_presentation_mode_masks_every_secret_in_every_tab(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        secrets = await make_secrets_through_the_ui(window, answers)
        for tab in window.settings_tabs:
            await tab.refresh()
        window.webhooks_tab.ui.reveal_salt_button.setChecked(True)

        window.ui.action_presentation_mode.setChecked(True)
        assert window.presentation.enabled
        assert not window.webhooks_tab.ui.reveal_salt_button.isChecked()
        assert not window.webhooks_tab.ui.reveal_salt_button.isEnabled()
        for tab in window.settings_tabs:
            screen = tab.secret_values_on_screen()
            for what, secret in secrets.items():
                assert secret not in screen, f"{what} visible on {tab.title}"
                assert mask_secret(secret) not in screen, f"{what}'s masked form visible on {tab.title}"

        def inspect_dialog(dialog: EnvironmentDialog) -> None:
            field = dialog.ui.api_key_field
            field.reveal_button.setChecked(True)
            assert not field.revealed and not field.reveal_button.isEnabled()
            dialog.reject()

        answers.dialog_scripts.append(inspect_dialog)
        await window.edit_environment()
        assert window.services.settings.presentation_mode, "remembered for the next start"
        window.ui.action_presentation_mode.setChecked(False)
        assert not window.presentation.enabled


async def test_no_secret_reaches_the_data_folder_or_the_log(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    layout = DataLayout.at(data_dir)
    log_path = configure_logging(layout)
    # The real fallback store (as on a machine with no keychain): secrets end up in a file, encrypted.
    store = EncryptedFileSecretStore(layout.secrets_fallback_file)
    async with running_window(data_dir, secret_store=store) as window:
        assert window.ui.secrets_warning_label.isVisibleTo(window)
        assert "encrypted file" in window.secrets_status_label.text()
        secrets = await make_secrets_through_the_ui(window, answers)
        assert store.get(api_key_name(STAGING_ID)) == STAGING_KEY
    for handler in [h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_path)]:
        handler.close()
        logging.getLogger().removeHandler(handler)
    files = read_every_file(data_dir)
    assert b"done: create the API key" in files[log_path], "the log is written"
    assert layout.secrets_fallback_file in files
    for path, content in files.items():
        for what, secret in secrets.items():
            assert secret.encode() not in content, f"{what} in clear in {path.relative_to(data_dir)}"
