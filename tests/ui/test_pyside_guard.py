"""Guard against PySide6 builds that drop a reference to None per Python callback (6.12.0 on 3.11 aborts)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

CALLBACKS = 2000


def test_qt_callbacks_do_not_leak_references_to_none(qapp: QApplication) -> None:
    calls = 0

    def callback() -> None:
        nonlocal calls
        calls += 1

    before = sys.getrefcount(None)
    for _ in range(CALLBACKS):
        QTimer.singleShot(0, callback)
    for _ in range(100):
        QCoreApplication.processEvents()
        if calls == CALLBACKS:
            break
    assert calls == CALLBACKS
    # Other code may take a few references meanwhile; a broken build loses one per callback (thousands).
    assert sys.getrefcount(None) >= before - 50
