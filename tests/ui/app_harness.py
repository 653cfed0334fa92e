"""A real window over real services (Sandbox and receiver on port 0, memory secrets) for the UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from benji_desktop.app import AppServices
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.views import prompts
from benji_desktop.views.main_window import MainWindow
from benji_desktop.views.tasks import wait_for_running_tasks


@asynccontextmanager
async def running_window(data_dir: Path, **create: Any) -> AsyncIterator[MainWindow]:
    services = AppServices.create(
        data_dir, secret_store=create.pop("secret_store", MemorySecretStore()), receiver_port=0, **create
    )
    window = MainWindow(services)
    window.show()
    await services.start()
    window.services_started()
    await settle()
    try:
        yield window
    finally:
        window.close()
        await wait_for_running_tasks()
        await services.stop()
        services.close()
        window.deleteLater()
        await asyncio.sleep(0)


async def settle(rounds: int = 5) -> None:
    """Let queued tasks (the first refresh after start) run."""
    await wait_for_running_tasks()
    for _ in range(rounds):
        await asyncio.sleep(0.01)
    await wait_for_running_tasks()


async def wait_until(condition: Callable[[], object], seconds: float = 5.0) -> None:
    """Poll on the qasync loop (never qtbot.waitUntil inside async tests)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


class Answers:
    """Replaces the modal prompts with scripted answers, and records what was asked."""

    def __init__(self, monkeypatch: Any) -> None:
        self.texts: list[str | None] = []
        self.yes_no: list[bool] = []
        self.asked: list[str] = []
        self.dialog_scripts: list[Callable[[Any], None]] = []
        self.dialogs: list[Any] = []
        monkeypatch.setattr(prompts, "ask_text", self._ask_text)
        monkeypatch.setattr(prompts, "ask_yes_no", self._ask_yes_no)
        monkeypatch.setattr(prompts, "show_dialog", self._show_dialog)
        self.messages: list[str] = []
        monkeypatch.setattr(prompts, "show_message", self._show_message)

    async def _ask_text(
        self, parent: Any, title: str, label: str, text: str = "", *, secret: bool = False, required: str = ""
    ) -> str | None:
        self.asked.append(title)
        return self.texts.pop(0) if self.texts else None

    async def _ask_yes_no(self, parent: Any, title: str, text: str, *, yes_text: str = "Yes") -> bool:
        self.asked.append(f"{title}: {text}")
        return self.yes_no.pop(0) if self.yes_no else True

    async def _show_dialog(self, dialog: Any) -> int:
        self.dialogs.append(dialog)
        if self.dialog_scripts:
            self.dialog_scripts.pop(0)(dialog)
        else:
            dialog.accept()
        return dialog.result()

    def _show_message(self, parent: Any, title: str, text: str, *, warning: bool = True) -> Any:
        self.messages.append(text)

        class _Box:
            def setTextFormat(self, *_: Any) -> None:
                pass

        return _Box()
