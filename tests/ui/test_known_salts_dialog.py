"""Known salts: add a typed salt (label listed, value only in the secret store), re-verify, reveal, remove."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit

from benji_desktop.app import AppServices
from benji_desktop.app.services import manual_salt_name
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.signature import canonical_body, signed_headers
from benji_desktop.storage.captures import Capture
from benji_desktop.views import prompts
from benji_desktop.views.inspector import InspectorTab
from benji_desktop.views.known_salts_dialog import KnownSaltsDialog
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.tasks import wait_for_running_tasks

PARTNER_SALT = "salt_" + "P" * 32


def signed_by_partner() -> Capture:
    body = canonical_body("transaction_created", 3, 5)
    return Capture(
        received_at=time.time(),
        path="/webhooks/partner",
        headers=list(signed_headers(body, [PARTNER_SALT]).items()),
        body=body,
        body_size=len(body),
        verdict="NO_SALT",
    )


async def test_a_typed_salt_is_listed_by_label_and_explains_old_captures(
    data_dir: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    async def answer_yes(_parent, _title, text, **_kw):
        asked.append(text)
        return True

    monkeypatch.setattr(prompts, "ask_yes_no", answer_yes)
    secrets = MemorySecretStore()
    services = AppServices.create(data_dir, secret_store=secrets, receiver_port=0, with_sandbox=False)
    (capture_id,) = services.captures.add_many([signed_by_partner()])
    await services.start()
    try:
        presentation = PresentationMode(False)
        dialog = KnownSaltsDialog(services, presentation)
        qtbot.addWidget(dialog)
        assert dialog.labels() == [] and not dialog.ui.add_button.isEnabled()

        dialog.ui.label_edit.setText("Acme partner")
        dialog.ui.new_salt_field.setText(PARTNER_SALT)
        assert dialog.ui.new_salt_field.line_edit.echoMode() == QLineEdit.EchoMode.Password
        assert await dialog.add_salt()

        assert dialog.labels() == ["Acme partner"] and dialog.selected_label() == "Acme partner"
        assert secrets.get(manual_salt_name("Acme partner")) == PARTNER_SALT
        assert services.settings.salt_labels == ("Acme partner",)
        assert PARTNER_SALT not in (data_dir / "settings.json").read_text()
        assert asked and "1 capture" in asked[0]  # it offered to re-verify the NO_SALT capture
        assert services.captures.get(capture_id).verdict == "VALID"
        assert services.captures.get(capture_id).matched_salt_label == "typed salt “Acme partner”"

        # The value is in the masked field only, hidden until Show, and Show is off in presentation mode.
        shown_text = " ".join(
            [dialog.ui.salts_list.item(0).text(), dialog.ui.salts_list.item(0).toolTip(), dialog.ui.error_label.text()]
        )
        assert PARTNER_SALT not in shown_text
        assert not dialog.ui.value_field.revealed and dialog.ui.value_field.text() == PARTNER_SALT
        dialog.ui.value_field.reveal_button.click()
        assert dialog.ui.value_field.revealed
        presentation.set_enabled(True)
        assert not dialog.ui.value_field.revealed and not dialog.ui.value_field.reveal_button.isEnabled()

        assert await dialog.remove_selected()
        assert dialog.labels() == [] and secrets.get(manual_salt_name("Acme partner")) is None
        assert services.salt_source.manual_salt("Acme partner") is None
    finally:
        await services.stop()
        services.close()


async def test_the_inspector_opens_it_and_a_duplicate_label_is_refused(
    data_dir: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def answer_no(*_a, **_kw):
        return False

    monkeypatch.setattr(prompts, "ask_yes_no", answer_no)
    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0, with_sandbox=False)
    await services.start()
    try:
        await services.add_manual_salt("Staging #12", PARTNER_SALT)
        tab = InspectorTab.from_services(services)
        qtbot.addWidget(tab)
        opened: list[KnownSaltsDialog] = []

        async def show(dialog):
            opened.append(dialog)
            return 0

        monkeypatch.setattr(prompts, "show_dialog", show)
        assert tab.ui.salts_button.isEnabled()
        tab.ui.salts_button.click()
        await wait_for_running_tasks()
        (dialog,) = opened
        assert dialog.labels() == ["Staging #12"]
        dialog.ui.label_edit.setText("Staging #12")
        dialog.ui.new_salt_field.setText("salt_" + "Z" * 32)
        assert not await dialog.add_salt()
        assert "already" in dialog.ui.error_label.text()
        assert services.salt_source.manual_salt("Staging #12") == PARTNER_SALT
    finally:
        await services.stop()
        services.close()
