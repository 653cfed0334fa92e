"""Runs the real GUI entry point and, from plain Qt timers, opens and cancels the Inspector's dialogs, then quits.

Started as a child process by test_quit_after_dialogs.py: argv is the data folder; the exit code is the app's.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from benji_desktop.storage.captures import Capture, CaptureStore
from benji_desktop.storage.paths import DataLayout
from benji_desktop.views.gui import launch_gui

STEP_MS = 400


def main_window() -> QMainWindow | None:
    return next((w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)


def script() -> None:
    """Inspector tab, Import… then Cancel, Edit & replay… then Cancel, then Quit — as a user clicks."""
    window: object = main_window()
    if window is None or not getattr(window, "services", None) or not window.services.started:  # type: ignore[attr-defined]
        QTimer.singleShot(100, script)
        return
    tab = window.inspector_tab  # type: ignore[attr-defined]
    window.select_tab(tab)  # type: ignore[attr-defined]
    tab.select_capture(tab.model.capture_id_at(0))
    steps = [
        lambda: tab.import_action.trigger(),
        reject_modal,
        lambda: tab.edit_replay_action.trigger() if tab.edit_replay_action.isEnabled() else None,
        reject_modal,
        lambda: window.close(),  # type: ignore[attr-defined]
    ]
    for number, step in enumerate(steps, start=1):
        QTimer.singleShot(STEP_MS * number, step)


def reject_modal() -> None:
    dialog = QApplication.activeModalWidget()
    if dialog is not None:
        print(f"cancelled {type(dialog).__name__}", flush=True)
        dialog.reject()  # type: ignore[attr-defined]


def seed_one_capture(data_dir: Path) -> None:
    """Edit & replay needs a capture to edit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with CaptureStore(DataLayout(data_dir).captures_db) as store:
        body = b'{"event":"transaction_created"}'
        store.add(Capture(received_at=time.time(), path="/webhooks/benji", body=body, body_size=len(body)))


if __name__ == "__main__":
    seed_one_capture(Path(sys.argv[1]))
    app = QApplication.instance() or QApplication(sys.argv)
    QTimer.singleShot(0, script)
    sys.exit(launch_gui(sys.argv[1]))
