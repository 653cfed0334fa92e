"""Copying a secret: the clipboard is cleared after the configured delay if it still holds that secret."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def copy_secret(secret: str, clear_after_seconds: int) -> None:
    """Zero seconds keeps it (the user chose so in settings)."""
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(secret)
    if clear_after_seconds > 0:

        def clear_if_unchanged() -> None:
            if clipboard.text() == secret:
                clipboard.clear()

        QTimer.singleShot(clear_after_seconds * 1000, clear_if_unchanged)
