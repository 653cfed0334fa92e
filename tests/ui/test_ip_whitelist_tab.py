"""IP Whitelist tab on the real Sandbox: validation, duplicates, and the notice when a request is reviewed."""

from __future__ import annotations

from pathlib import Path

from app_harness import Answers, running_window

from benji_desktop.views.ip_whitelist_tab import normalise_ip


def test_addresses_are_normalised() -> None:
    assert normalise_ip(" 2001:DB8:0:0::1 ") == "2001:db8::1"
    assert normalise_ip("203.0.113.7") == "203.0.113.7"
    assert normalise_ip("203.0.113.300") is None
    assert normalise_ip("10.0.0.0/8") is None


async def test_invalid_and_duplicate_addresses_are_refused_with_a_message(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.ip_whitelist_tab
        window.select_tab(tab)
        assert await tab.add_ip("999.1.1.1", "typo") is None
        assert "is not an IPv4 or IPv6 address" in tab.ui.message_label.text()
        assert tab.ui.message_label.isVisible()
        assert tab.model.rowCount() == 0

        entry = await tab.add_ip("2001:DB8::0:1", "office")
        assert entry is not None and entry.ip == "2001:db8::1" and entry.status == "pending"
        assert not tab.ui.message_label.isVisible()
        assert await tab.add_ip("2001:db8::1", "again") is None
        assert "already on the list" in tab.ui.message_label.text()
        assert tab.model.rowCount() == 1


async def test_approval_produces_a_visible_notification(data_dir: Path, monkeypatch) -> None:
    Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.ip_whitelist_tab
        window.select_tab(tab)
        noticed: list[str] = []
        tab.review_noticed.connect(noticed.append)
        entry = await tab.add_ip("127.0.0.1", "this laptop")
        assert tab.ui.approve_button.isVisible(), "the Sandbox offers review buttons"
        # Reviewed elsewhere (another reviewer, or the auto-review): the background refresh notices.
        client = await window.services.client()
        await client.review_ip(entry.id, True)
        await tab.refresh()  # what the 5-second poll does (it waits if a poll is already under way)
        assert noticed == ["IP 127.0.0.1 was approved: API calls from it are now accepted."]
        assert "approved" in tab.banner_text()
        assert "approved" in window.ui.status_bar.currentMessage()

        second = await tab.add_ip("198.51.100.4", "vpn")
        tab.select_entry(second.id)
        await tab.review_selected(False)
        assert "198.51.100.4 was rejected" in noticed[-1]
        tab.dismiss_banner()
        assert tab.banner_text() == ""


async def test_approving_a_foreign_address_first_warns_that_the_app_would_be_locked_out(
    data_dir: Path, monkeypatch
) -> None:
    answers = Answers(monkeypatch)
    async with running_window(data_dir) as window:
        tab = window.ip_whitelist_tab
        window.select_tab(tab)
        entry = await tab.add_ip("203.0.113.7", "office")
        tab.select_entry(entry.id)
        answers.yes_no.append(False)
        assert await tab.review_selected(True) is None
        assert "127.0.0.1" in answers.asked[-1]
        await tab.refresh()
        assert tab.model.record(0).status == "pending"
