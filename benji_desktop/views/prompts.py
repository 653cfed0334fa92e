"""Dialogs awaited without a nested event loop (a modal `exec()` inside a qasync task would re-enter it).

Tabs call these through the module (`prompts.ask_yes_no(...)`) so tests can monkeypatch them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


async def show_dialog(dialog: QDialog) -> int:
    """Open `dialog` window-modal and wait for it to finish; returns its result code."""
    finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_finished(result: int) -> None:
        if not finished.done():
            finished.set_result(result)

    dialog.finished.connect(on_finished)
    dialog.open()
    try:
        return await finished
    finally:
        # A dialog with WA_DeleteOnClose may be gone by now, and its connections with it.
        with contextlib.suppress(RuntimeError):
            dialog.finished.disconnect(on_finished)


async def ask_yes_no(parent: QWidget | None, title: str, text: str, *, yes_text: str = "Yes") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    await show_dialog(box)
    answered_yes = box.clickedButton() is yes
    box.deleteLater()
    return answered_yes


class _RequiredTextDialog(QInputDialog):
    """OK with nothing typed keeps the dialog open and says what is missing (it used to close silently)."""

    def __init__(self, parent: QWidget | None, label: str, required: str) -> None:
        super().__init__(parent)
        self._label = label
        self._required = required

    def done(self, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and self._required and not self.textValue().strip():
            self.setLabelText(f"{self._label}\n\n⚠ {self._required}")
            return
        super().done(result)


async def ask_text(
    parent: QWidget | None,
    title: str,
    label: str,
    text: str = "",
    *,
    secret: bool = False,
    required: str = "",
) -> str | None:
    """The entered text stripped, or None when cancelled or left empty; with `required` (the sentence to
    show), OK on an empty field keeps the dialog open with that sentence."""
    dialog = _RequiredTextDialog(parent, label, required)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    if secret:
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    result = await show_dialog(dialog)
    value = dialog.textValue().strip()
    dialog.deleteLater()
    return value if result == QDialog.DialogCode.Accepted and value else None


async def choose_open_file(parent: QWidget | None, title: str, name_filter: str, directory: str = "") -> str | None:
    """An existing file's path, or None when cancelled (the static `QFileDialog.get*` would nest a loop)."""
    return await _choose_file(parent, title, name_filter, directory, QFileDialog.AcceptMode.AcceptOpen)


async def choose_save_file(parent: QWidget | None, title: str, name_filter: str, suggested: str = "") -> str | None:
    """The path to write (the dialog asks before replacing a file), or None when cancelled."""
    return await _choose_file(parent, title, name_filter, suggested, QFileDialog.AcceptMode.AcceptSave)


def default_directory() -> str:
    """Where a file dialog opens: the user's Documents folder, or home when there is none."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and os.path.isdir(documents) else os.path.expanduser("~")


async def _choose_file(
    parent: QWidget | None, title: str, name_filter: str, start: str, mode: QFileDialog.AcceptMode
) -> str | None:
    dialog = QFileDialog(parent, title, "", name_filter)
    # A platform-native dialog runs its own loop whatever we call; Qt's own dialog honours open().
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(mode)
    dialog.setFileMode(
        QFileDialog.FileMode.ExistingFile if mode == QFileDialog.AcceptMode.AcceptOpen else QFileDialog.FileMode.AnyFile
    )
    # Documents (or home), never the process's working directory: under `make run` that is the git checkout.
    dialog.setDirectory(default_directory())
    if start:
        dialog.selectFile(start)
    result = await show_dialog(dialog)
    chosen = dialog.selectedFiles()
    dialog.deleteLater()
    return chosen[0] if result == QDialog.DialogCode.Accepted and chosen else None


def show_message(parent: QWidget | None, title: str, text: str, *, warning: bool = True) -> QMessageBox:
    """Non-blocking: the box opens and the coroutine carries on (errors after a failed action)."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box
