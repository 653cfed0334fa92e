"""An environment without an extension: the tab says so in place ("manage it in Pilot"), no error dialog."""

from __future__ import annotations

from pathlib import Path

import httpx
from app_harness import Answers, running_window

from benji_desktop.domain.environments import CUSTOM_ID


async def test_missing_extension_is_explained_in_the_tab(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        services = window.services

        def documented_only(request: httpx.Request) -> httpx.Response:
            return httpx.Response(404, text="Not Found")

        services._client_transport = httpx.MockTransport(documented_only)
        await services.set_environment_urls(CUSTOM_ID, "https://benji.example.test", "https://notify.example.test")
        await services.set_api_key(CUSTOM_ID, "bk_custom_" + "1" * 32)
        await window.switch_environment(CUSTOM_ID)
        assert window.ui.environment_banner.text() == "Custom — benji.example.test"
        tab = window.api_keys_tab
        await tab.refresh()
        assert tab.ui.message_label.isVisibleTo(tab)
        assert tab.ui.message_label.text() == (
            "API key management is not available in this environment — manage it in Pilot."
        )
        assert answers.messages == [], "not a dialog"
        assert tab.model.rowCount() == 0
