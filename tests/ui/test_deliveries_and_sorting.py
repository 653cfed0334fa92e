"""Delivery attempts each show their own outcome with second/millisecond times; sort arrows match the order shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionHeader, QTableView

from benji_desktop.client.models import DeliveryAttempt
from benji_desktop.views.table_models import DeliveriesModel, sorted_proxy
from benji_desktop.views.widgets.sort_arrows import SortArrowStyle, show_sort_arrows, sort_arrow_style

START = datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)


def attempt(number: int, status: str, seconds: float, http: int | None = 500, next_in: float | None = None) -> Any:
    return DeliveryAttempt(
        id=number,
        delivery_id=7,
        subscription_id=1,
        event="user_partner_connected",
        entity_type=1,
        entity_id=155,
        attempt=number,
        status=status,
        response_status=http,
        attempted_at=START + timedelta(seconds=seconds),
        next_attempt_at=START + timedelta(seconds=next_in) if next_in is not None else None,
    )


def texts(model: DeliveriesModel, column: int) -> list[str]:
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def test_each_attempt_shows_its_own_outcome() -> None:
    model = DeliveriesModel()
    # Newest first, as the platform lists them; both were logged as "retry_scheduled".
    model.set_records([attempt(2, "retry_scheduled", 5.1, next_in=35.1), attempt(1, "retry_scheduled", 0, next_in=5)])
    results = texts(model, DeliveriesModel.STATUS)
    assert results[1] == "failed (HTTP 500) — retried as attempt 2"
    assert results[0].startswith("failed (HTTP 500) — retry scheduled")
    nexts = texts(model, DeliveriesModel.NEXT)
    assert nexts[1] == ""  # already retried: no "next attempt" for it
    assert nexts[0] != ""


def test_times_show_seconds_and_milliseconds() -> None:
    model = DeliveriesModel()
    model.set_records([attempt(2, "succeeded", 5.1, http=200), attempt(1, "retry_scheduled", 0, next_in=5)])
    first, second = texts(model, DeliveriesModel.ATTEMPTED)[1], texts(model, DeliveriesModel.ATTEMPTED)[0]
    assert first != second
    local = (START + timedelta(seconds=5.1)).astimezone()
    assert second.endswith(local.strftime("%H:%M:%S.") + f"{local.microsecond // 1000:03d}")
    assert texts(model, DeliveriesModel.STATUS)[0] == "succeeded (HTTP 200)"


def render_arrow(style: QStyle, direction: QStyleOptionHeader.SortIndicator) -> QImage:
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(0)
    option = QStyleOptionHeader()
    option.rect = QRect(0, 0, 16, 16)
    option.sortIndicator = direction
    painter = QPainter(image)
    style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorHeaderArrow, option, painter)
    painter.end()
    return image


def test_descending_order_draws_a_down_arrow(qtbot: Any) -> None:
    base = QApplication.style()
    style = sort_arrow_style()
    # Qt's header asks for SortUp when the order is descending; we draw the down arrow for it.
    up_request = render_arrow(style, QStyleOptionHeader.SortIndicator.SortUp)
    assert up_request == render_arrow(base, QStyleOptionHeader.SortIndicator.SortDown)
    assert up_request != render_arrow(base, QStyleOptionHeader.SortIndicator.SortUp)


def test_every_settings_table_uses_the_arrows(qtbot: Any) -> None:
    view = QTableView()
    qtbot.addWidget(view)
    model = DeliveriesModel(parent=view)  # the view's model must live as long as the view
    view.setModel(sorted_proxy(model))
    show_sort_arrows(view)
    assert isinstance(view.horizontalHeader().style(), SortArrowStyle)
    view.sortByColumn(DeliveriesModel.ATTEMPTED, Qt.SortOrder.DescendingOrder)
    assert view.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
