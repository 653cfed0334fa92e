"""What the four settings tabs share: services, the action runner, confirmation rules and selection helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.domain.environments import Environment
from benji_desktop.views import prompts
from benji_desktop.views.actions import ActionRunner, Outcome
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.table_models import RECORD_ROLE
from benji_desktop.views.widgets.sort_arrows import show_sort_arrows

T = TypeVar("T")


class SettingsTab(QWidget):
    """A tab over one part of the platform; `refresh()` reloads it for the current environment."""

    #: Named in the "not available in this environment" sentence.
    feature = "This"
    title = ""

    def __init__(
        self,
        services: AppServices,
        runner: ActionRunner,
        presentation: PresentationMode,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.presentation = presentation
        self.setup_needed = False  # the environment has no URL or key: nothing here may call the platform

    # ----- environment --------------------------------------------------------------------------------

    @property
    def environment(self) -> Environment:
        return self.services.current_environment

    async def client(self) -> Any:
        return await self.services.client()

    async def refresh(self) -> None:
        """Reload from the platform; subclasses implement it."""

    def environment_changed(self, environment: Environment) -> None:
        """Called by the window after a switch; the window then refreshes the visible tab.

        Nothing of the previous environment stays: its rows, last results and revealed secrets go, and the
        buttons, which follow the selection, turn off with it. Subclasses extend `forget_environment`.
        """
        self.forget_environment()

    def forget_environment(self) -> None:
        model = getattr(self, "model", None)
        if model is not None:
            model.set_records([])

    def platform_controls(self) -> list[QWidget]:
        """The controls that call the platform whatever is selected (Add…, Refresh, their fields); subclasses
        list theirs. The ones that follow the selection go off with the rows, so they need no listing here."""
        return []

    def show_setup_needed(self, sentence: str) -> None:
        """The environment cannot be called yet (no URL or key): say so in the tab, show no stale rows, and
        offer nothing that would only fail with "Could not reach…" until a refresh finds it set up."""
        self.setup_needed = True
        model = getattr(self, "model", None)
        if model is not None:
            model.set_records([])
        for control in self.platform_controls():
            control.setEnabled(False)
        label = getattr(getattr(self, "ui", None), "message_label", None)
        if label is not None:
            label.setText(sentence)
            label.setVisible(True)

    def setup_done(self) -> None:
        """The environment has its URL and key now: the platform's actions come back."""
        if not self.setup_needed:
            return
        self.setup_needed = False
        for control in self.platform_controls():
            control.setEnabled(True)
        label = getattr(getattr(self, "ui", None), "message_label", None)
        if label is not None:
            label.setText("")

    async def setup_missing(self) -> str:
        """What must be set before the current environment can be called, as a sentence; empty when nothing."""
        from benji_desktop.views.main_window import MainWindow  # the one wording, shared with the status bar

        environment = self.environment
        return MainWindow.setup_missing(environment, bool(await self.services.api_key(environment.id)))

    # ----- actions ------------------------------------------------------------------------------------

    async def act(
        self,
        work: Awaitable[T],
        what: str,
        *controls: QWidget | QAction,
        message_label: QLabel | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Outcome[T]:
        label = (
            message_label if message_label is not None else getattr(getattr(self, "ui", None), "message_label", None)
        )
        # Every call to the platform passes here (a shortcut, Return in a field, a timer's refresh included):
        # without a URL or key it could only fail, so say what to set instead, and re-enable once it is set.
        missing = await self.setup_missing()
        if missing:
            if hasattr(work, "close"):
                work.close()  # never started: no "coroutine was never awaited" warning
            self.show_setup_needed(missing)
            if on_error is not None:
                on_error(missing)
            return Outcome(ok=False, message=missing)
        self.setup_done()
        return await self.runner.run(
            work,
            what=what,
            controls=controls,
            parent=self,
            message_label=label,
            feature=self.feature,
            on_error=on_error,
        )

    async def confirm_destructive(self, title: str, text: str, *, always: bool = True, yes_text: str = "Yes") -> bool:
        """Sandbox: asks only when `always`; a live environment always asks, and says it is live."""
        environment = self.environment
        if environment.is_live:
            text = f"{text}\n\nThis is {environment.name} — real data, not the Sandbox."
        elif not always:
            return True
        return await prompts.ask_yes_no(self, title, text, yes_text=yes_text)

    # ----- selection ----------------------------------------------------------------------------------

    @staticmethod
    def selected_record(view: QTableView) -> Any:
        selection = view.selectionModel()
        if selection is None:
            return None
        rows = selection.selectedRows()
        index: QModelIndex = rows[0] if rows else view.currentIndex()
        return index.data(RECORD_ROLE) if index.isValid() else None

    @staticmethod
    def follow_selection(view: QTableView, update: Callable[..., None]) -> None:
        """Call `update` whenever what is selected may have changed, including a reload or a cleared list:
        a model reset drops the selection without a selectionChanged signal."""
        view.selectionModel().selectionChanged.connect(update)
        view.selectionModel().currentChanged.connect(update)
        model = view.model()
        model.modelReset.connect(update)
        model.rowsRemoved.connect(update)
        model.layoutChanged.connect(update)

    def keep_selection_across_reloads(
        self, view: QTableView, proxy: QSortFilterProxyModel, key: Callable[[Any], Any]
    ) -> None:
        """A reload resets the model, which drops the selection: select the same record (by `key`) again."""
        kept: list[Any] = []

        def remember() -> None:
            record = self.selected_record(view)
            kept[:] = [key(record)] if record is not None else []

        def restore() -> None:
            if kept:
                wanted = kept.pop()
                source: Any = proxy.sourceModel()
                self.select_row_where(view, proxy, source.row_of(lambda record: key(record) == wanted))

        proxy.modelAboutToBeReset.connect(remember)
        proxy.modelReset.connect(restore)

    @staticmethod
    def select_row_where(view: QTableView, proxy: QSortFilterProxyModel, source_row: int) -> None:
        if source_row < 0:
            return
        index = proxy.mapFromSource(proxy.sourceModel().index(source_row, 0))
        view.selectRow(index.row())

    @staticmethod
    def fit_columns(view: QTableView, stretch_column: int) -> None:
        """Every column as wide as its content, one column taking the rest; rows one line high."""
        show_sort_arrows(view)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)

    def secret_values_on_screen(self) -> str:
        """Every text this tab shows (tables and labels), for tests that search for leaked secrets."""
        texts = [label.text() for label in self.findChildren(QLabel)]
        for view in self.findChildren(QTableView):
            model = view.model()
            if model is None:
                continue
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    texts.append(str(model.index(row, column).data()))
        return "\n".join(texts)
