"""The Inspector tab: the live, filterable list of captured requests, their details, and what to do with them."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFontMetrics, QKeyEvent, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)

from benji_desktop.domain.entities import EVENT_CATALOGUE
from benji_desktop.signature import KnownSalt, Verdict
from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore
from benji_desktop.views import prompts
from benji_desktop.views.actions import ActionRunner
from benji_desktop.views.clipboard import copy_text
from benji_desktop.views.generated.ui_inspector_tab import Ui_InspectorTab
from benji_desktop.views.inspector import capture_io, support_bundle
from benji_desktop.views.inspector.capture_table_model import (
    COLUMN_ENTITY,
    COLUMN_EVENT,
    COLUMN_FLAGS,
    COLUMN_METHOD,
    COLUMN_PATH,
    COLUMN_STATUS,
    COLUMN_TIME,
    COLUMN_VERDICT,
    SUMMARY_ROLE,
    CaptureTableModel,
    ModelIndex,
    verdict_colour,
)
from benji_desktop.views.inspector.detail_pane import CaptureDetailPane
from benji_desktop.views.inspector.dialogs import ImportDialog, ReplayDialog, ReplayRequest, ResponseRulesDialog
from benji_desktop.views.lifetime import while_alive
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.tasks import spawn

if TYPE_CHECKING:
    from benji_desktop.app.services import AppServices
    from benji_desktop.storage.settings import SettingsStore

log = logging.getLogger(__name__)

SaltProvider = Callable[[], Sequence[KnownSalt] | Awaitable[Sequence[KnownSalt]]]

TIME_CHOICES: tuple[tuple[str, float | None], ...] = (
    ("Any time", None),
    ("Last 5 minutes", 5 * 60),
    ("Last hour", 3600),
    ("Last 24 hours", 86400),
    ("Last 7 days", 7 * 86400),
)
ANY_VERDICT = "Any verdict"
ANY_EVENT = "Any event"
SEARCH_DEBOUNCE_MS = 250


class VerdictBadgeDelegate(QStyledItemDelegate):
    """Paints the verdict as a coloured, rounded badge so INVALID rows stand out in a long list."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        summary = index.data(SUMMARY_ROLE)
        if summary is None or not summary.verdict:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        text = summary.verdict
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 12
        height = metrics.height() + 2
        rect = QRect(option.rect.left() + 4, option.rect.center().y() - height // 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(verdict_colour(text))
        painter.drawRoundedRect(rect, 4, 4)
        font = option.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    @staticmethod
    def badge_width(metrics: QFontMetrics) -> int:
        """Room for the widest badge (bold MALFORMED) and its margins."""
        return metrics.horizontalAdvance("MALFORMED") * 11 // 10 + 12

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(max(size.width(), self.badge_width(option.fontMetrics)), size.height())


class ControlKeysOverFields(QObject):
    """A text field claims some Ctrl keys for editing (Ctrl+E is end-of-line on Linux) before any shortcut sees
    them; in the Inspector its actions' Ctrl shortcuts win, wherever the focus is. Plain letters still type."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False
        pressed = QKeySequence(event.keyCombination())
        for action in self._owner.actions():
            if action.isEnabled() and any(
                pressed.matches(key) == QKeySequence.SequenceMatch.ExactMatch for key in action.shortcuts()
            ):
                event.ignore()  # not overridden: the shortcut map gets the key
                return True
        return False


class InspectorTab(QWidget):
    """The window onto the receiver's captures.

    `store` is the `CaptureStore`; `receiver` may be None until the services start (`set_receiver`).
    `salt_provider()` returns the known salts (or an awaitable of them) for import, re-verify and re-sign.
    """

    capture_selected = Signal(int)

    def __init__(
        self,
        store: CaptureStore,
        receiver: Any = None,
        *,
        salt_provider: SaltProvider | None = None,
        settings_store: SettingsStore | None = None,
        action_runner: ActionRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_InspectorTab()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._store = store
        self._receiver: Any = None
        self._salt_provider = salt_provider
        self._settings_store = settings_store
        self._runner = action_runner or ActionRunner(parent=self)
        self._filters_running = 0  # background filter listings under way (the busy bar shows while any are)
        self._runner_busy = False
        self._runner.busy_changed.connect(self._on_runner_busy)
        self._services: AppServices | None = None  # set by from_services: the Known salts dialog needs it
        self._presentation = PresentationMode(False, self)
        self._selected_id: int | None = None
        self._subscription_id: int | None = None  # "show captures for subscription #n" (cleared with the filter)

        self.model = CaptureTableModel(store, parent=self)
        # The receiver calls this from the loop, also while it stops after the window has gone.
        self._enqueue = while_alive(self.model, self.model.enqueue)
        self.ui.table_view.setModel(self.model)
        self.ui.table_view.setItemDelegateForColumn(COLUMN_VERDICT, VerdictBadgeDelegate(self.ui.table_view))
        self._size_columns()
        self.detail = CaptureDetailPane(self.ui.detail_container)
        self.ui.detail_layout.addWidget(self.detail)
        # The list gets most of the room, and most of any extra: at the default 1100 px window it shows every
        # column without a horizontal scroll bar and the detail tabs still fit.
        self.ui.splitter.setStretchFactor(0, 2)
        self.ui.splitter.setStretchFactor(1, 1)
        self.ui.splitter.setSizes([660, 340])

        self._fill_filter_choices()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.ui.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.ui.path_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.ui.verdict_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.ui.event_combo.currentTextChanged.connect(lambda _t: self._search_timer.start())
        self.ui.time_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.ui.clear_filter_button.clicked.connect(self.clear_filter)
        # The subscription filter has no control of its own in the bar: this chip shows it for as long as it
        # applies (a status line would be replaced by the next message) and removes only it when clicked.
        self.subscription_chip = QToolButton(self)
        self.subscription_chip.setObjectName("subscription_chip")
        self.subscription_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.subscription_chip.clicked.connect(self.clear_subscription_filter)
        self.subscription_chip.hide()
        clear_at = self.ui.filter_layout.indexOf(self.ui.clear_filter_button)
        self.ui.filter_layout.insertWidget(clear_at, self.subscription_chip)

        self.ui.table_view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.model.modelReset.connect(self._after_reset)
        self.model.rows_inserted_in_batch.connect(self._after_batch)
        self.detail.capture_link_activated.connect(self.select_capture)
        self.ui.forward_edit.editingFinished.connect(self._apply_forward_url)

        self._create_actions()
        self._control_keys = ControlKeysOverFields(self)
        for field in self.findChildren(QLineEdit):
            field.installEventFilter(self._control_keys)
        self.set_receiver(receiver)
        self._update_count_label()
        self._update_action_state()

    @classmethod
    def from_services(
        cls, services: AppServices, *, action_runner: ActionRunner | None = None, parent: QWidget | None = None
    ) -> InspectorTab:
        """The composition root's way in: the store, the receiver (once started), every known salt."""
        tab = cls(
            services.captures,
            services.receiver,
            salt_provider=lambda: services.salt_source.salts_for("", ""),
            settings_store=services.settings_store,
            action_runner=action_runner,
            parent=parent,
        )
        # The periodic retention run drops the oldest captures: recount so the list's end is right.
        services.add_retention_listener(while_alive(tab, lambda _deleted: tab.model.refresh()))
        tab._services = services
        tab._presentation.set_enabled(services.settings.presentation_mode)
        tab.ui.salts_button.setEnabled(True)
        return tab

    # ----- set-up -----------------------------------------------------------------------------------

    def _size_columns(self) -> None:
        header = self.ui.table_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Widths from the font (not fixed pixels): each column fits a usual value or its title. Event takes the
        # room that is left (eliding a long name, whole in its tooltip), so the list never scrolls sideways.
        metrics = self.fontMetrics()
        padding = metrics.horizontalAdvance("M")
        samples = {
            COLUMN_TIME: "00:00:00.000",
            COLUMN_METHOD: "Method",
            COLUMN_PATH: "/webhooks/benji",  # the local receiver's own path, shown whole
            COLUMN_ENTITY: "Transaction 0000",
            COLUMN_STATUS: "Response",
            COLUMN_FLAGS: "replay…",
        }
        for column, sample in samples.items():
            self.ui.table_view.setColumnWidth(column, metrics.horizontalAdvance(sample) + padding)
        self.ui.table_view.setColumnWidth(COLUMN_VERDICT, VerdictBadgeDelegate.badge_width(metrics) + padding // 2)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COLUMN_EVENT, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(padding * 3)
        # A fixed row height lets the view skip measuring rows it never shows (100,000 rows stay cheap).
        vertical = self.ui.table_view.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)

    def _fill_filter_choices(self) -> None:
        self.ui.verdict_combo.addItem(ANY_VERDICT, None)
        for verdict in Verdict:
            self.ui.verdict_combo.addItem(verdict.value, verdict.value)
        self.ui.event_combo.addItem(ANY_EVENT)
        for events in EVENT_CATALOGUE.values():
            for event in events:
                self.ui.event_combo.addItem(event)
        for label, seconds in TIME_CHOICES:
            self.ui.time_combo.addItem(label, seconds)
        export_menu = QMenu(self.ui.export_button)
        for text, selected_only, fmt in (
            ("Selected as HAR…", True, "har"),
            ("Selected as JSON…", True, "json"),
            ("All shown as HAR…", False, "har"),
            ("All shown as JSON…", False, "json"),
        ):
            export_menu.addAction(text, partial(self._start_export, selected_only, fmt))
        # Support bundle (views/inspector/support_bundle.py): the selected captures, or all shown if none is.
        export_menu.addSeparator()
        self.support_bundle_action = export_menu.addAction(
            "Support bundle…", lambda: self._start(support_bundle.support_bundle_dialog(self))
        )
        self.ui.export_button.setMenu(export_menu)

    def _create_actions(self) -> None:
        def action(text: str, shortcuts: Sequence[str], slot: Callable[[], object]) -> QAction:
            created = QAction(text, self)
            created.setShortcuts([QKeySequence(s) for s in shortcuts])
            # Only while the Inspector (or a child) has focus: the other tabs keep their own keys.
            created.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            created.triggered.connect(slot)
            self.addAction(created)
            return created

        self.next_action = action("Next capture", ["J", "Alt+Down"], lambda: self.move_selection(+1))
        self.previous_action = action("Previous capture", ["K", "Alt+Up"], lambda: self.move_selection(-1))
        self.replay_action = action("Replay as-is", ["Ctrl+Shift+R"], lambda: self._start(self.replay_selected()))
        self.edit_replay_action = action("Edit and replay…", ["Ctrl+E"], lambda: self._start(self.edit_and_replay()))
        self.copy_curl_action = action("Copy as cURL", ["Ctrl+Shift+C"], self.copy_selected_as_curl)
        self.focus_filter_action = action("Search", ["Ctrl+F", "/"], self.focus_filter)
        self.import_action = action("Import…", ["Ctrl+I"], lambda: self._start(self.import_dialog()))
        self.reverify_action = action("Re-verify", ["Ctrl+Shift+V"], lambda: self._start(self.reverify_selected()))
        self.ui.replay_button.clicked.connect(self.replay_action.trigger)
        self.ui.edit_replay_button.clicked.connect(self.edit_replay_action.trigger)
        self.ui.copy_curl_button.clicked.connect(self.copy_curl_action.trigger)
        self.ui.import_button.clicked.connect(self.import_action.trigger)
        self.ui.reverify_button.clicked.connect(self.reverify_action.trigger)
        self.ui.rules_button.clicked.connect(self.edit_receiver_settings)
        self.ui.salts_button.clicked.connect(self.open_known_salts)
        self.ui.salts_button.setEnabled(False)  # until the composition root hands over the services

    def _on_runner_busy(self, busy: bool) -> None:
        self._runner_busy = busy
        self.ui.busy_bar.setVisible(busy or self._filters_running > 0)

    def _start_export(self, selected_only: bool, fmt: str) -> None:
        self._start(self.export_dialog(selected_only=selected_only, fmt=fmt))

    def _start(self, work: Coroutine[Any, Any, object]) -> None:
        """Slots are one line deep: they start the coroutine that does the work (tests await it directly)."""
        spawn(work)

    def set_presentation_mode(self, enabled: bool) -> None:
        """For screen sharing: signatures, credentials in headers and the doctor's quoted values are masked."""
        self.detail.set_presentation_mode(enabled)
        self._presentation.set_enabled(enabled)

    def open_known_salts(self) -> None:
        self._start(self.known_salts_dialog())

    async def known_salts_dialog(self) -> None:
        """Pick or type the salts signatures are checked with (the same dialog as Environment → Known salts…)."""
        if self._services is None:
            return
        from benji_desktop.views.known_salts_dialog import KnownSaltsDialog

        dialog = KnownSaltsDialog(self._services, self._presentation, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        await prompts.show_dialog(dialog)
        if self._selected_id is not None:
            self._show_selected()  # a re-verification may have changed the selected capture's verdict

    # ----- receiver ---------------------------------------------------------------------------------

    def set_receiver(self, receiver: Any) -> None:
        """The receiver starts after the window shows; the composition root hands it over then."""
        if receiver is self._receiver:
            return
        if self._receiver is not None and hasattr(self._receiver, "remove_listener"):
            self._receiver.remove_listener(self._enqueue)
        self._receiver = receiver
        if receiver is not None:
            receiver.add_listener(self._enqueue)
            if hasattr(receiver, "add_update_listener"):
                receiver.add_update_listener(while_alive(self, self._on_capture_updated))
            self.ui.receiver_label.setText(f"Receiver listening on <b>{receiver.url}</b>")
            forward = getattr(receiver, "forward_to", None)
            self.ui.forward_edit.setText(forward or "")
        else:
            self.ui.receiver_label.setText("Receiver: not running")
        self.ui.forward_edit.setEnabled(receiver is not None)
        self.ui.rules_button.setEnabled(receiver is not None)
        self._update_action_state()

    def _on_capture_updated(self, capture_id: int) -> None:
        """A forward result or a re-verification landed: repaint the row, and the detail if it is shown."""
        self.model.capture_changed(capture_id)
        if capture_id == self._selected_id:
            self._show_selected()

    def _apply_forward_url(self) -> None:
        if self._receiver is None:
            return
        url = self.ui.forward_edit.text().strip()
        if url and not url.lower().startswith(("http://", "https://")):
            self.ui.error_label.setText("Forward to: the URL must start with http:// or https://.")
            return
        self._receiver.forward_to = url or None
        self.ui.error_label.setText(f"Forwarding to {url}." if url else "Not forwarding.")

    # ----- filter -----------------------------------------------------------------------------------

    def current_filter(self) -> CaptureFilter:
        event = self.ui.event_combo.currentText().strip()
        seconds = self.ui.time_combo.currentData()
        return CaptureFilter(
            text=self.ui.search_edit.text().strip(),
            verdict=self.ui.verdict_combo.currentData(),
            event=None if event in ("", ANY_EVENT) else event,
            path=self.ui.path_edit.text().strip() or None,
            since=None if seconds is None else time.time() - float(seconds),
            subscription_id=self._subscription_id,
        )

    def apply_filter(self, *, inline: bool = False) -> None:
        """Show what the filter bar asks for. On the app's loop the count and first page are read on a worker
        thread (a free-text scan of 100,000 captures takes a noticeable fraction of a second); `inline` (for
        cheap filters the caller needs at once, like none at all) or no running loop reads them here."""
        self._search_timer.stop()
        flt = self.current_filter()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            inline = True
        if inline:
            self.model.set_filter(flt)  # also makes any listing still running for an older filter stale
            self._update_count_label()
            return
        self._start(self.apply_filter_async(flt))

    async def apply_filter_async(self, flt: CaptureFilter | None = None) -> bool:
        """Filter off the loop, with the busy bar and "Searching…" shown meanwhile. False when a newer filter
        was asked for before this one's answer came (the older answer is dropped, never shown)."""
        wanted = self.current_filter() if flt is None else flt
        self._filters_running += 1
        self.ui.busy_bar.setVisible(True)
        self.ui.count_label.setText("Searching…")
        try:
            shown = await self.model.set_filter_async(wanted)
        except Exception as error:  # a database error must not leave the bar spinning; say what happened
            log.warning("filter failed: %s", type(error).__name__)
            self.ui.error_label.setText(f"The filter could not be applied ({type(error).__name__}).")
            shown = False
        finally:
            self._filters_running -= 1
            if self._filters_running == 0:
                self.ui.busy_bar.setVisible(self._runner_busy)
            if shown or self._filters_running == 0:
                self._update_count_label()
        return shown

    def clear_filter(self) -> None:
        for widget in (
            self.ui.search_edit,
            self.ui.path_edit,
            self.ui.verdict_combo,
            self.ui.event_combo,
            self.ui.time_combo,
        ):
            widget.blockSignals(True)
        self._subscription_id = None
        self.ui.search_edit.clear()
        self.ui.path_edit.clear()
        self.ui.verdict_combo.setCurrentIndex(0)
        self.ui.event_combo.setCurrentIndex(0)
        self.ui.time_combo.setCurrentIndex(0)
        for widget in (
            self.ui.search_edit,
            self.ui.path_edit,
            self.ui.verdict_combo,
            self.ui.event_combo,
            self.ui.time_combo,
        ):
            widget.blockSignals(False)
        self._update_subscription_chip()
        # No filter is a cheap count, and callers (select_capture) need the full list right away.
        self.apply_filter(inline=True)

    def clear_subscription_filter(self) -> None:
        """The chip's ✕: show every subscription's captures again, keeping the rest of the filter bar."""
        self._subscription_id = None
        self._update_subscription_chip()
        self.apply_filter()

    def _update_subscription_chip(self) -> None:
        subscription_id = self._subscription_id
        self.subscription_chip.setVisible(subscription_id is not None)
        if subscription_id is not None:
            self.subscription_chip.setText(f"Subscription #{subscription_id} ✕")
            self.subscription_chip.setToolTip(
                f"Only captures verified with subscription #{subscription_id}'s salt are shown. Click to show all."
            )

    def filter_by_subscription(self, subscription_id: int, endpoint: str = "") -> None:
        """Show what arrived for one subscription: the captures whose signature matched its salt (an indexed
        column, so other subscriptions posting to the same endpoint stay out). Clear removes it."""
        self.clear_filter()
        self._subscription_id = subscription_id
        self._update_subscription_chip()
        self.apply_filter(inline=True)  # an indexed column: as cheap as no filter
        where = f" ({endpoint})" if endpoint else ""
        self.ui.error_label.setText(f"Showing captures for subscription #{subscription_id}{where}; Clear shows all.")
        self.focus_captures()  # J/K move through what the jump shows

    def focus_captures(self) -> None:
        """The list takes the keyboard (J/K, Ctrl+E…) when the window shows a capture, not the first text field."""
        self.ui.table_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_filter(self) -> None:
        self.ui.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.ui.search_edit.selectAll()

    def _update_count_label(self) -> None:
        shown = self.model.rowCount()
        filtered = self.model.capture_filter != CaptureFilter()
        noun, verb = ("capture", "matches") if shown == 1 else ("captures", "match")
        self.ui.count_label.setText(f"{shown:,} {noun}" + (f" {verb} the filter" if filtered else ""))

    # ----- selection --------------------------------------------------------------------------------

    def selected_capture_id(self) -> int | None:
        return self._selected_id

    def selected_capture_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.ui.table_view.selectionModel().selectedRows()})
        ids = [self.model.capture_id_at(row) for row in rows]
        return [i for i in ids if i is not None]

    def select_capture(self, capture_id: int) -> bool:
        """Select and show a capture; clears the filter when the filter hides it. False if it is gone."""
        if capture_id > self.model.snapshot_id:
            self.model.flush_pending(through=capture_id)  # newer than the listing: its live insert is due now
        row = self.model.row_of(capture_id)
        if row is None and self.model.capture_filter != CaptureFilter():
            self.clear_filter()
            row = self.model.row_of(capture_id)
        if row is None:
            self.ui.error_label.setText(f"Capture #{capture_id} is no longer stored.")
            return False
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.ui.table_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.ui.table_view.scrollTo(index)

    def move_selection(self, step: int) -> None:
        count = self.model.rowCount()
        if count == 0:
            return
        current = self.ui.table_view.currentIndex()
        row = 0 if not current.isValid() else min(max(current.row() + step, 0), count - 1)
        self._select_row(row)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        capture_id = self.model.capture_id_at(current.row()) if current.isValid() else None
        if capture_id == self._selected_id and capture_id is not None:
            return
        self._selected_id = capture_id
        self._show_selected()
        if capture_id is not None:
            self.capture_selected.emit(capture_id)
        self._update_action_state()

    def _show_selected(self) -> None:
        capture = self._store.get(self._selected_id) if self._selected_id is not None else None
        # Replays and forwards made from it, in any session (they carry its id as parent_id).
        child_ids = [child.id for child in self._store.children_of(capture.id)] if capture and capture.id else []
        self.detail.show_capture(capture, child_ids)

    def _after_batch(self, _inserted: int) -> None:
        self._update_count_label()
        current = self.ui.table_view.currentIndex()
        # Near-simultaneous arrivals can sort a row or two differently from the insert; keep the same capture.
        selected = self._selected_id
        if selected is not None and current.isValid() and self.model.capture_id_at(current.row()) != selected:
            row = self.model.row_of(selected)
            if row is not None:
                self._select_row(row)

    def _after_reset(self) -> None:
        # A reset (filter, import, retention) forgets the view's selection: put the same capture back.
        self._update_count_label()
        if self._selected_id is None:
            return
        row = self.model.row_of(self._selected_id)
        if row is not None:
            self._select_row(row)
        else:
            self._selected_id = None
            self.detail.show_capture(None)
            self._update_action_state()

    def _update_action_state(self) -> None:
        has_selection = self._selected_id is not None
        has_receiver = self._receiver is not None
        for control in (self.replay_action, self.edit_replay_action, self.ui.replay_button, self.ui.edit_replay_button):
            control.setEnabled(has_selection and has_receiver)
        for control in (self.copy_curl_action, self.ui.copy_curl_button, self.reverify_action, self.ui.reverify_button):
            control.setEnabled(has_selection)

    # ----- salts ------------------------------------------------------------------------------------

    async def known_salts(self) -> list[KnownSalt]:
        if self._salt_provider is None:
            return []
        salts = self._salt_provider()
        if inspect.isawaitable(salts):
            salts = await salts
        return list(salts)

    # ----- copy as cURL -----------------------------------------------------------------------------

    def copy_selected_as_curl(self) -> str | None:
        capture = self._store.get(self._selected_id) if self._selected_id is not None else None
        if capture is None:
            return None
        command = capture_io.curl_for(capture)
        copy_text(command)
        self.ui.error_label.setText(f"Copied a cURL command for #{capture.id} ({len(capture.body):,} body bytes).")
        return command

    # ----- replay -----------------------------------------------------------------------------------

    def default_replay_url(self, capture: Capture) -> str:
        base = (self._receiver.url if self._receiver is not None else "").rstrip("/")
        return base + capture.path + (f"?{capture.query}" if capture.query else "")

    async def replay_selected(self) -> int | None:
        if self._selected_id is None:
            return None
        return await self.replay_capture(self._selected_id, ReplayRequest(None, None, None, None))

    async def edit_and_replay(self) -> int | None:
        capture = self._store.get(self._selected_id) if self._selected_id is not None else None
        if capture is None or capture.id is None:
            return None
        dialog = ReplayDialog(capture, self.default_replay_url(capture), await self.known_salts(), self)
        accepted = await prompts.show_dialog(dialog) == ReplayDialog.DialogCode.Accepted
        request = dialog.replay_request() if accepted else None
        dialog.deleteLater()
        if request is None:
            return None
        new_id = await self.replay_capture(capture.id, request)
        if new_id is not None:
            self.select_capture(new_id)  # the user edited it to see what happens: show that
        return new_id

    async def replay_capture(self, capture_id: int, request: ReplayRequest) -> int | None:
        """Replay through the receiver; the new capture is linked to its parent. Returns its id."""
        if self._receiver is None:
            self.ui.error_label.setText("The receiver is not running, so there is nothing to replay with.")
            return None
        controls: list[QWidget | QAction] = [
            self.ui.replay_button,
            self.ui.edit_replay_button,
            self.replay_action,
            self.edit_replay_action,
        ]
        outcome = await self._runner.run(
            self._receiver.replay(
                capture_id, request.url, headers=request.headers, body=request.body, resign_salt=request.resign_salt
            ),
            what=f"replay capture #{capture_id}",
            controls=controls,
            parent=self,
        )
        if not outcome.ok:
            self.ui.error_label.setText(outcome.message)
            return None
        new_id = capture_io.capture_id_of(outcome.value)
        answer = capture_io.replay_answer(outcome.value)
        if new_id is not None:
            self.model.flush_pending()
            self.ui.error_label.setText(f"Replayed #{capture_id} as #{new_id}: {answer}.")
            if self._selected_id == capture_id:
                self._show_selected()
        else:
            self.ui.error_label.setText(f"Replayed #{capture_id}: {answer}.")
        return new_id

    # ----- re-verify --------------------------------------------------------------------------------

    async def reverify_selected(self) -> str | None:
        if self._selected_id is None:
            return None
        capture_id = self._selected_id
        salts = await self.known_salts()
        outcome = await self._runner.run(
            capture_io.reverify(self._store, self._receiver, capture_id, salts),
            what=f"re-verify capture #{capture_id}",
            controls=[self.ui.reverify_button, self.reverify_action],
            parent=self,
        )
        if not outcome.ok:
            self.ui.error_label.setText(outcome.message)
            return None
        self.model.capture_changed(capture_id)
        self._show_selected()
        self.ui.error_label.setText(f"Re-verified #{capture_id}: {outcome.value}.")
        return str(outcome.value)

    # ----- import -----------------------------------------------------------------------------------

    async def import_dialog(self) -> list[int]:
        dialog = ImportDialog(await self.known_salts(), self)
        accepted = await prompts.show_dialog(dialog) == ImportDialog.DialogCode.Accepted
        choice = dialog.import_request() if accepted else None
        dialog.deleteLater()
        if choice is None:
            return []
        return await self.import_captures(choice.text, choice.file_path, choice.salts, choice.ignore_timestamp)

    async def import_captures(
        self, text: str | None, file_path: Path | None, salts: Sequence[KnownSalt], ignore_timestamp: bool = True
    ) -> list[int]:
        """Parse pasted text or a file, verify each request with `salts`, store them as imported, select the first."""
        loop = asyncio.get_running_loop()
        outcome = await self._runner.run(
            loop.run_in_executor(
                None, capture_io.import_into_store, self._store, text, file_path, list(salts), ignore_timestamp
            ),
            what="import and verify",
            controls=[self.ui.import_button, self.import_action],
            parent=self,
        )
        if not outcome.ok or not outcome.value:
            self.ui.error_label.setText(outcome.message or "Nothing to import.")
            return []
        ids: list[int] = list(outcome.value)
        self.model.refresh()
        self.select_capture(ids[0])
        verdicts = capture_io.verdict_counts(self._store, ids)
        self.ui.error_label.setText(f"Imported {len(ids)} request{'s' if len(ids) != 1 else ''}: {verdicts}.")
        return ids

    # ----- export -----------------------------------------------------------------------------------

    async def export_dialog(self, *, selected_only: bool, fmt: str) -> Path | None:
        ids = self.selected_capture_ids() if selected_only else None
        if selected_only and not ids:
            self.ui.error_label.setText("Select one or more captures to export.")
            return None
        suffix = ".har" if fmt == "har" else ".json"
        name = await prompts.choose_save_file(
            self, "Export captures", "HAR (*.har)" if fmt == "har" else "JSON (*.json)", f"captures{suffix}"
        )
        if not name:
            return None
        return await self.export_captures(Path(name), fmt=fmt, capture_ids=ids)

    async def export_captures(self, path: Path, *, fmt: str, capture_ids: list[int] | None = None) -> Path | None:
        """Write the given captures (or every one the filter shows) as HAR or JSON, off the event loop."""
        loop = asyncio.get_running_loop()
        flt = self.model.capture_filter
        outcome = await self._runner.run(
            loop.run_in_executor(None, capture_io.export_to_file, self._store, path, fmt, capture_ids, flt),
            what="export captures",
            controls=[self.ui.export_button],
            parent=self,
        )
        if not outcome.ok:
            self.ui.error_label.setText(outcome.message)
            return None
        self.ui.error_label.setText(f"Exported {outcome.value:,} captures to {path}.")
        return path

    # ----- response rules, forward, retention -------------------------------------------------------

    def retention_limits(self) -> tuple[int, int]:
        if self._settings_store is None:
            return 0, 0
        settings = self._settings_store.settings
        return settings.retention_max_captures, settings.retention_max_age_days

    def edit_receiver_settings(self) -> None:
        if self._receiver is None:
            return
        from benji_desktop.receiver.rules import ResponseRules

        rules = getattr(self._receiver, "rules", None) or ResponseRules()
        max_count, max_age_days = self.retention_limits()
        dialog = ResponseRulesDialog(rules, max_count, max_age_days, self)
        if dialog.exec() != ResponseRulesDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        self._receiver.rules = choice.rules
        if self._settings_store is not None:
            from benji_desktop.app.receiver_settings import save_response_rules

            save_response_rules(self._settings_store, choice.rules)  # the next start answers the same way
        self.apply_retention(choice.max_count, choice.max_age_days)

    def apply_retention(self, max_count: int, max_age_days: int) -> int:
        """Keep the setting and drop the oldest captures beyond it now (0 means no limit)."""
        if self._settings_store is not None:
            self._settings_store.update(retention_max_captures=max_count, retention_max_age_days=max_age_days)
        deleted = self._store.apply_retention(max_count or None, max_age_days * 86400.0 if max_age_days else None)
        if deleted:
            self.model.refresh()
        self.ui.error_label.setText(f"Retention applied: {deleted:,} oldest captures dropped." if deleted else "")
        return deleted
