"""Listeners the views hand to the Qt-free services must not touch a widget after it is deleted."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel
from shiboken6 import delete

from benji_desktop.views.lifetime import while_alive


def test_a_listener_is_dropped_once_its_widget_is_deleted(qapp: QApplication) -> None:
    label = QLabel()
    seen: list[str] = []
    listener = while_alive(label, lambda url: (seen.append(url), label.setText(url)))
    listener("http://127.0.0.1:8787")
    assert seen == ["http://127.0.0.1:8787"] and label.text() == "http://127.0.0.1:8787"
    delete(label)  # what closing the window does to its children
    listener("https://localhost:8787")  # the receiver restarting during shutdown: must not crash or run
    assert seen == ["http://127.0.0.1:8787"]


def test_a_window_deleted_before_its_first_paint_timer_fires_is_left_alone(qapp: QApplication) -> None:
    """The first-paint hook never runs for a window that is already gone (it would build tabs on a dead window)."""
    import time

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMainWindow

    from benji_desktop.views.gui import FIRST_PAINT_FALLBACK_MS, AfterFirstPaint

    called: list[bool] = []
    window = QMainWindow()
    AfterFirstPaint(window, lambda: called.append(True))
    delete(window)  # closed and deleted before the first paint and before the fallback delay
    deadline = time.monotonic() + FIRST_PAINT_FALLBACK_MS / 1000 + 0.3
    while time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    assert called == []
