"""At the default 1100×720 window the Inspector fits: one-line status, no sideways scrolling, every detail tab shown."""

from __future__ import annotations

from pathlib import Path

import httpx
from app_harness import running_window, settle, wait_until
from PySide6.QtWidgets import QTabBar

from benji_desktop.signature import canonical_body


async def test_the_inspector_fits_the_default_window(data_dir: Path) -> None:
    async with running_window(data_dir) as window:
        window.resize(1100, 720)
        tab = window.inspector_tab
        window.select_tab(tab)
        receiver = window.services.receiver
        assert receiver is not None
        body = canonical_body("transaction_created", 3, 5)
        async with httpx.AsyncClient() as client:
            await client.post(f"{receiver.url}/webhooks/benji", content=body)
        await wait_until(lambda: tab.model.rowCount() == 1)
        tab.select_capture(tab.model.capture_id_at(0))
        table_height = tab.ui.table_view.height()
        long_status = f"Replayed #1 as #3: {receiver.url}/webhooks/benji/some/longer/path answered 200 in 44 ms."
        tab.ui.error_label.setText(long_status * 2)
        await settle()

        label = tab.ui.error_label
        assert label.height() < 2 * label.fontMetrics().height(), "the status wraps onto several lines"
        assert label.text() == long_status * 2  # the whole text is kept…
        assert label.toolTip() == long_status * 2  # …and shown on hover when it does not fit
        assert tab.ui.table_view.height() == table_height, "a status message resized the list"
        assert not tab.ui.table_view.horizontalScrollBar().isVisible(), "the list scrolls sideways"
        header = tab.ui.table_view.horizontalHeader()
        response = tab.model.headerData(6, header.orientation())
        assert header.sectionSize(6) >= header.fontMetrics().horizontalAdvance(str(response)), "Response is cut"
        tab_bar = tab.detail.ui.detail_tabs.findChild(QTabBar)
        assert tab_bar is not None
        assert tab_bar.sizeHint().width() <= tab_bar.width(), "the detail tabs need scroll arrows"
        forward = tab.ui.forward_edit
        assert forward.fontMetrics().horizontalAdvance(forward.placeholderText()) < forward.width() - 8
