"""An environment without a key (or URL) offers no action that would go to the platform, until the key is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_harness import Answers, running_window, settle

from benji_desktop.domain.environments import STAGING_ID


def platform_controls(window: Any) -> dict[str, list[Any]]:
    """Per tab: the controls that always call the platform (selection buttons are off with no rows anyway)."""
    keys, ips = window.api_keys_tab.ui, window.ip_whitelist_tab.ui
    hooks, integrations = window.webhooks_tab.ui, window.integrations_tab.ui
    return {
        "api_keys_tab": [keys.add_key_button, keys.refresh_button],
        "ip_whitelist_tab": [ips.add_ip_button, ips.ip_edit, ips.note_edit, ips.refresh_button],
        "webhooks_tab": [hooks.add_subscription_button, hooks.refresh_button],
        "integrations_tab": [integrations.connect_button, integrations.refresh_button],
    }


@pytest.mark.parametrize("tab_name", ["api_keys_tab", "ip_whitelist_tab", "webhooks_tab", "integrations_tab"])
async def test_no_key_disables_platform_actions_until_a_key_is_set(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, tab_name: str
) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = getattr(window, tab_name)
        window.select_tab(tab)
        await settle()
        await window.switch_environment(STAGING_ID)
        await settle()
        controls = platform_controls(window)[tab_name]
        for control in controls:
            assert not control.isEnabled(), control.objectName()
        assert "no API key" in tab.ui.message_label.text()
        for sibling in ("api_keys_tab", "ip_whitelist_tab", "webhooks_tab", "integrations_tab"):
            window.select_tab(getattr(window, sibling))  # every tab, once shown, is in the same state
            await settle()
            other = platform_controls(window)[sibling]
            assert not any(control.isEnabled() for control in other), sibling

        async def nothing_listed() -> list[Any]:
            return []

        monkeypatch.setattr(tab, "_list", nothing_listed)  # staging is not reachable from the tests
        await window.services.set_api_key(STAGING_ID, "bk_staging_" + "1" * 32)
        window.select_tab(tab)
        await window.refresh_current()
        await settle()
        for control in controls[:1] + controls[-1:]:  # Add (or Connect with a row) and Refresh
            if control is not window.integrations_tab.ui.connect_button:
                assert control.isEnabled(), control.objectName()


async def test_a_shortcut_without_a_key_does_not_call_the_platform(data_dir: Path, monkeypatch) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        await window.switch_environment(STAGING_ID)
        await settle()
        tab = window.ip_whitelist_tab
        assert await tab.add_ip("203.0.113.7", "office") is None
        assert "no API key" in tab.ui.message_label.text()
        assert not any("Could not reach" in text for text in answers.messages)
