"""The whole window on real services: every tab, the environment banner, the receiver URL, shortcuts."""

from __future__ import annotations

from pathlib import Path

from app_harness import Answers, running_window, settle

from benji_desktop.views.main_window import INSPECTOR_TITLE


async def test_smoke_every_tab_and_the_sandbox_banner(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tabs = [window.ui.tab_widget.tabText(i) for i in range(window.ui.tab_widget.count())]
        assert tabs == ["API Tokens", "Webhooks", "IP Whitelist", "Integrations", INSPECTOR_TITLE]
        assert window.ui.environment_banner.text() == "Sandbox — local"
        assert window.ui.environment_banner.isVisible()
        assert window.receiver_label.text().startswith("Receiver: http://127.0.0.1:")
        assert window.receiver_label.text().endswith("/webhooks/benji")
        await settle()
        assert window.api_keys_tab.model.rowCount() >= 1, "the bootstrap key is listed on the first tab"
