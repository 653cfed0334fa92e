"""Rules set in the Inspector's "Responses & retention…" dialog are kept in settings for the next start."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from benji_desktop.receiver.rules import ResponseRules
from benji_desktop.storage.captures import CaptureStore
from benji_desktop.storage.settings import ResponseRuleSetting, SettingsStore
from benji_desktop.views.inspector import InspectorTab
from benji_desktop.views.inspector.dialogs import ResponseRulesDialog


class FakeReceiver:
    url = "http://127.0.0.1:1"
    forward_to = None
    rules = ResponseRules()

    def add_listener(self, _callback: object) -> None: ...


def test_the_dialogs_rules_are_applied_and_saved(tmp_path: Path, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SettingsStore(tmp_path / "settings.json")
    settings.load()
    receiver = FakeReceiver()
    with CaptureStore(tmp_path / "captures.sqlite3") as store:
        tab = InspectorTab(store, receiver, settings_store=settings)
        qtbot.addWidget(tab)

        def fill_and_accept(dialog: ResponseRulesDialog) -> int:
            dialog.ui.add_rule_button.click()
            for column, text in enumerate(("/slow", "202", "1500", "later")):
                dialog.ui.rules_table.setItem(0, column, QTableWidgetItem(text))
            dialog.ui.max_count_spin.setValue(5000)
            return ResponseRulesDialog.DialogCode.Accepted

        monkeypatch.setattr(ResponseRulesDialog, "exec", fill_and_accept)
        tab.edit_receiver_settings()

    assert receiver.rules.rule_for("/slow/x").status == 202
    reloaded = SettingsStore(tmp_path / "settings.json").load()
    assert reloaded.receiver_response_rules == (
        ResponseRuleSetting(path_prefix="/slow", status=202, body="later", delay_ms=1500),
    )
    assert reloaded.retention_max_captures == 5000
