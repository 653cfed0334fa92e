"""UI tests run their `async def` tests on a qasync loop bound to the one QApplication."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest


def _qasync_loop() -> Any:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Mapping[str, Callable[[], Any]]:
    return {"qasync": _qasync_loop}
