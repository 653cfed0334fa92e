"""Header sort arrows that point the way the rows run: down when the largest or newest is on top."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionHeader,
    QTableView,
    QWidget,
)

_shared: list[SortArrowStyle] = []


class SortArrowStyle(QProxyStyle):
    """QHeaderView asks for SortUp when the order is descending (an old platform convention); swap the two."""

    def drawPrimitive(
        self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: Any, widget: QWidget | None = None
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow and isinstance(option, QStyleOptionHeader):
            arrow = QStyleOptionHeader.SortIndicator
            flipped = {arrow.SortUp: arrow.SortDown, arrow.SortDown: arrow.SortUp}
            if option.sortIndicator in flipped:
                option = QStyleOptionHeader(option)  # a copy: the header reuses its option for the next section
                option.sortIndicator = flipped[option.sortIndicator]
        super().drawPrimitive(element, option, painter, widget)


def sort_arrow_style() -> SortArrowStyle:
    """One instance for every header, living as long as the application (a style must outlive its widgets)."""
    if not _shared:
        style = SortArrowStyle()
        style.setParent(QApplication.instance())
        _shared.append(style)
    return _shared[0]


def show_sort_arrows(view: QTableView) -> None:
    view.horizontalHeader().setStyle(sort_arrow_style())
