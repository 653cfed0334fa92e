"""Integrations → Connect: a credential the platform refuses keeps the dialog open, the error in it, fields kept."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app_harness import Answers, running_window, settle, wait_until

from benji_desktop.secretstore.names import integration_field_name
from benji_desktop.views import prompts

STRIPE_KEY = "sk_test_" + "a1B2" * 6


async def test_refused_credentials_stay_in_the_open_dialog_until_accepted(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)

    seen: dict[str, Any] = {}

    async def drive(dialog: Any) -> None:
        await wait_until(dialog.isVisible)
        dialog.inputs["secret_key"].setText("abc")
        dialog.inputs["account_id"].setText("x")
        dialog.accept()
        await wait_until(lambda: dialog.ui.message_label.isVisible() and dialog.ui.message_label.text())
        seen["error"] = dialog.ui.message_label.text()
        seen["open_after_error"] = dialog.isVisible()
        seen["kept"] = (dialog.inputs["secret_key"].text(), dialog.inputs["account_id"].text())
        dialog.inputs["secret_key"].setText(STRIPE_KEY)
        dialog.inputs["account_id"].setText("acct_12345678")
        dialog.accept()

    async def show_for_real(dialog: Any) -> int:
        finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        dialog.finished.connect(lambda result: finished.done() or finished.set_result(result))
        dialog.open()
        driver = asyncio.ensure_future(drive(dialog))
        result = await finished
        await driver
        return result

    monkeypatch.setattr(prompts, "show_dialog", show_for_real)
    async with running_window(data_dir) as window:
        tab = window.integrations_tab
        window.select_tab(tab)
        await settle()
        tab.select_integration("stripe")
        connected = await tab.connect_selected()
        assert seen["open_after_error"]
        assert "does not look right" in seen["error"]
        assert seen["kept"] == ("abc", "x")
        assert answers.messages == []  # no message box over the dialog
        assert connected is not None and connected.status == "connected"
        name = integration_field_name(window.services.current_environment.id, "stripe", "secret_key")
        assert window.services.secret_store.get(name) == STRIPE_KEY
