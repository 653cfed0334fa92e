"""Webhooks tab: the selection survives a reload (by subscription id) and the buttons follow the selection."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app_harness import Answers, running_window, settle, wait_until

from benji_desktop.domain.entities import EntityType


async def test_send_test_keeps_the_selection_and_the_buttons_follow_it(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        client = await window.services.client()
        endpoint = window.services.local_receiver_endpoint
        first = await client.create_subscription(endpoint, int(EntityType.USER), "user_partner_connected")
        second = await client.create_subscription(endpoint, int(EntityType.TRANSACTION), None)
        await tab.refresh()
        tab.select_subscription(second.id)
        assert tab.selected_subscription().id == second.id

        # A reload while the test is in flight (the window reloads the tab when it comes back into view).
        sending = asyncio.ensure_future(tab.send_test_selected())
        reloading = asyncio.ensure_future(tab.refresh())
        attempt = await sending
        await reloading
        assert attempt is not None and attempt.response_status == 200
        await wait_until(lambda: window.ui.tab_widget.currentWidget() is window.inspector_tab)
        window.select_tab(tab)
        await settle()

        assert tab.selected_subscription() is not None and tab.selected_subscription().id == second.id
        assert tab.ui.send_test_button.isEnabled()

        # Reloads keep the subscription selected, by id, wherever it sorts to.
        await tab.refresh()
        assert tab.selected_subscription().id == second.id
        tab.model.set_records(list(reversed(tab.model.records())))
        assert tab.selected_subscription().id == second.id

        # With nothing selected, every selection-bound button is off, even right after an action ran.
        tab.ui.subscriptions_view.clearSelection()
        tab.ui.subscriptions_view.setCurrentIndex(tab.proxy.index(-1, -1))
        await settle()
        assert tab.selected_subscription() is None
        for button in (tab.ui.send_test_button, tab.ui.edit_subscription_button, tab.ui.deliveries_button):
            assert not button.isEnabled()
        assert first.id != second.id


async def test_a_reload_that_loses_the_subscription_disables_the_buttons(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.webhooks_tab
        window.select_tab(tab)
        client = await window.services.client()
        endpoint = window.services.local_receiver_endpoint
        only = await client.create_subscription(endpoint, int(EntityType.USER), "user_partner_connected")
        await tab.refresh()
        tab.select_subscription(only.id)
        assert tab.ui.send_test_button.isEnabled()

        tab.model.set_records([])  # deleted elsewhere (the CLI, another window): the next list lacks it
        assert tab.selected_subscription() is None
        assert not tab.ui.send_test_button.isEnabled() and not tab.ui.rotate_salt_button.isEnabled()
