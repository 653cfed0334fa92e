"""Live environments ask before destructive actions; integrations connect with masked credentials and disconnect."""

from __future__ import annotations

from pathlib import Path

from app_harness import Answers, running_window, settle
from test_webhooks_tab import fill_with_local_receiver

from benji_desktop.domain.entities import EntityType
from benji_desktop.domain.environments import CUSTOM_ID, SANDBOX_ID
from benji_desktop.secretstore import api_key_name, integration_field_name
from benji_desktop.views.widgets.masked_field import MaskedField

SQUARE_TOKEN = "EAAAE" + "x7" * 16


async def test_pausing_asks_only_on_a_live_environment(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        services, tab = window.services, window.webhooks_tab
        window.select_tab(tab)
        answers.dialog_scripts.append(fill_with_local_receiver(EntityType.USER, None))
        created = await tab.add_subscription()
        await tab.toggle_active_selected()
        assert answers.asked == [], "the Sandbox pauses without asking"
        await tab.toggle_active_selected()

        # The same server as a Custom environment counts as live: real data may be behind it.
        url = services.current_environment.api_base_url
        await services.set_environment_urls(CUSTOM_ID, url, url)
        await services.set_api_key(CUSTOM_ID, services.secret_store.get(api_key_name(SANDBOX_ID)))
        await window.switch_environment(CUSTOM_ID)
        window.select_tab(tab)
        await settle()
        tab.select_subscription(created.id)
        answers.yes_no.append(False)
        await tab.toggle_active_selected()
        assert "real data, not the Sandbox" in answers.asked[-1]
        await tab.refresh()
        assert tab.selected_subscription().active, "answering No changed nothing"


async def test_connect_with_masked_credentials_then_disconnect(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.integrations_tab
        window.select_tab(tab)
        await tab.refresh()
        assert {tab.model.record(r).slug for r in range(tab.model.rowCount())} >= {"square", "stripe"}
        tab.select_integration("square")
        secret_fields: list[str] = []

        def fill(dialog) -> None:
            for spec_name, field in dialog.inputs.items():
                if isinstance(field, MaskedField):
                    secret_fields.append(spec_name)
                    assert not field.revealed
                    field.setText(SQUARE_TOKEN)
                else:
                    field.setText("L8E9Z1K5H3V2Q")
            dialog.accept()

        answers.dialog_scripts.append(fill)
        connected = await tab.connect_selected()
        assert connected.status == "connected"
        assert secret_fields == ["access_token"]
        name = integration_field_name(SANDBOX_ID, "square", "access_token")
        assert window.services.secret_store.get(name) == SQUARE_TOKEN
        assert SQUARE_TOKEN not in tab.secret_values_on_screen()
        assert tab.ui.disconnect_button.isEnabled()

        assert await tab.disconnect_selected()
        assert any(q.startswith("Disconnect Square") for q in answers.asked)
        assert window.services.secret_store.get(name) is None
        row = tab.model.row_of(lambda i: i.slug == "square")
        assert tab.model.record(row).status == "disconnected"
