"""Add Key with an empty name keeps the dialog open and says a name is required, instead of closing silently."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app_harness import running_window, settle, wait_until
from PySide6.QtWidgets import QApplication, QInputDialog


def open_input_dialog() -> QInputDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible()]
    return found[0] if found else None


async def test_empty_key_name_keeps_the_dialog_and_says_why(data_dir: Path) -> None:
    async with running_window(data_dir) as window:
        tab = window.api_keys_tab
        window.select_tab(tab)
        adding = asyncio.ensure_future(tab.add_key())
        await wait_until(lambda: open_input_dialog() is not None)
        dialog = open_input_dialog()
        assert dialog is not None
        dialog.setTextValue("   ")
        dialog.accept()
        await settle()
        assert dialog.isVisible()
        assert "A name is required" in dialog.labelText()
        assert not adding.done()
        dialog.reject()
        assert await adding is None
