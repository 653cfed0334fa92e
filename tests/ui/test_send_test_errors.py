"""A send test to an unreachable endpoint says so in one clean sentence, not the transport's wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_harness import Answers, running_window

from benji_desktop.domain.entities import EntityType
from benji_desktop.views.subscription_dialog import SubscriptionDialog


def fill_endpoint(url: str) -> Any:
    def script(dialog: SubscriptionDialog) -> None:
        dialog.ui.endpoint_edit.setText(url)
        dialog.ui.entity_type_combo.setCurrentIndex(dialog.ui.entity_type_combo.findData(int(EntityType.USER)))
        dialog.set_event("user_partner_connected")
        dialog.ui.button_box.accepted.emit()

    return script


async def test_refused_connection_reads_as_a_sentence(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        answers.dialog_scripts.append(fill_endpoint("http://127.0.0.1:1/hook"))
        created = await tab.add_subscription()
        assert created is not None
        await tab.send_test_selected()
        text = tab.ui.test_result_label.text()
        assert "Could not connect to 127.0.0.1:1 (connection refused)." in text, text
        assert "ssl:default" not in text and "Error:" not in text and "[" not in text
