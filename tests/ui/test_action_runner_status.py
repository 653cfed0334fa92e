"""The status bar: a notice (an approval, a copy, an error) is not wiped out by a background refresh's progress."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QMainWindow, QStatusBar

from benji_desktop.views.actions import ActionRunner


async def _quick() -> int:
    await asyncio.sleep(0)
    return 1


async def test_a_background_refresh_does_not_replace_a_notice(qapp) -> None:
    window = QMainWindow()
    status = QStatusBar(window)
    window.setStatusBar(status)
    runner = ActionRunner(status)
    runner.show_status("IP 127.0.0.1 was approved: API calls from it are now accepted.", 15000)
    outcome = await runner.run(_quick(), what="load the IP whitelist")
    assert outcome.ok
    assert status.currentMessage().startswith("IP 127.0.0.1 was approved")


async def test_routine_progress_shows_when_no_notice_is_up(qapp) -> None:
    window = QMainWindow()
    status = QStatusBar(window)
    window.setStatusBar(status)
    runner = ActionRunner(status)
    await runner.run(_quick(), what="load the API keys")
    assert status.currentMessage() == "Done: load the API keys."
    runner.show_status("Copied http://127.0.0.1:8787/webhooks/benji", 0)  # a notice with no timeout
    await runner.run(_quick(), what="load the API keys")
    assert status.currentMessage() == "Done: load the API keys."  # an untimed notice yields to the next step
