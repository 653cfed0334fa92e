"""Delivery attempts of one subscription (retries included), refreshable, with each response body."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QHeaderView, QWidget

from benji_desktop.views.actions import ActionRunner
from benji_desktop.views.generated.ui_deliveries_dialog import Ui_DeliveriesDialog
from benji_desktop.views.table_models import RECORD_ROLE, DeliveriesModel, precise_time, sorted_proxy
from benji_desktop.views.tasks import spawn
from benji_desktop.views.widgets.sort_arrows import show_sort_arrows


def attempts_summary(count: int, failed: int) -> str:
    """ "3 attempts, 1 not successful." in plain words (no "(s)")."""
    if count == 0:
        return "No attempts yet."
    noun = "attempt" if count == 1 else "attempts"
    if failed == 0:
        return f"{count} {noun}, all successful." if count > 1 else f"1 {noun}, successful."
    if failed == count == 1:
        return "1 attempt, not successful."
    return f"{count} {noun}, {failed} not successful."


class DeliveriesDialog(QDialog):
    """Non-modal: it stays open while the user sends more tests; Refresh reloads the log."""

    def __init__(self, services: Any, runner: ActionRunner, subscription: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_DeliveriesDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.services = services
        self.runner = runner
        self.subscription = subscription
        self.setWindowTitle(f"Delivery attempts — {subscription.endpoint}")
        self.model = DeliveriesModel(parent=self)
        self.proxy = sorted_proxy(self.model)
        self.ui.deliveries_view.setModel(self.proxy)
        show_sort_arrows(self.ui.deliveries_view)
        self.ui.deliveries_view.sortByColumn(DeliveriesModel.ATTEMPTED, Qt.SortOrder.DescendingOrder)
        self.ui.deliveries_view.verticalHeader().hide()
        self.ui.deliveries_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ui.deliveries_view.selectionModel().currentRowChanged.connect(self._show_selected)
        self.ui.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        self.ui.button_box.rejected.connect(self.close)
        # Retries land in bursts: one reload for all the attempts logged within a short moment.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)
        self._refresh_timer.timeout.connect(lambda: spawn(self.refresh()))

    def schedule_refresh(self) -> None:
        self._refresh_timer.start()

    async def refresh(self) -> None:
        outcome = await self.runner.run(
            self._load(), what="load the delivery log", controls=[self.ui.refresh_button], parent=self
        )
        if outcome.ok:
            attempts = outcome.value or []
            self.model.set_records(attempts)
            failed = sum(1 for a in attempts if a.status not in ("succeeded", "pending"))
            scheduled = [
                a
                for a in attempts
                if a.status == "retry_scheduled" and a.next_attempt_at and not self.model.was_retried(a)
            ]
            summary = attempts_summary(len(attempts), failed)
            if scheduled:
                when = ", ".join(precise_time(a.next_attempt_at, milliseconds=False) for a in scheduled)
                summary += f" Next attempt at {when} (retries 5 s, 30 s, 2 min, 10 min, 1 h after failures)."
            self.ui.summary_label.setText(summary)
        elif outcome.not_available:
            self.ui.summary_label.setText(outcome.message)

    async def _load(self) -> list[Any]:
        return list(await (await self.services.client()).list_deliveries(self.subscription.id))

    def _show_selected(self, current: Any, _previous: Any = None) -> None:
        attempt = current.data(RECORD_ROLE) if current.isValid() else None
        if attempt is None:
            self.ui.response_body_view.clear()
            return
        lines = []
        if attempt.error:
            lines.append(f"Error: {attempt.error}")
        lines.append(attempt.response_body or "(empty response body)")
        self.ui.response_body_view.setPlainText("\n".join(lines))
