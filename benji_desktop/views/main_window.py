"""The main window: environment banner and switcher, the five tabs, status bar, menus and shortcuts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QToolButton, QWidget

from benji_desktop import __version__
from benji_desktop.domain.environments import Environment
from benji_desktop.views.clipboard import copy_text
from benji_desktop.views.generated.ui_main_window import Ui_MainWindow
from benji_desktop.views.lifetime import while_alive
from benji_desktop.views.presentation import PresentationMode

if TYPE_CHECKING:  # the tabs (and asyncio, with the status bar's action runner) load after the first paint
    import asyncio

    from benji_desktop.app.services import AppServices
    from benji_desktop.views.actions import ActionRunner
    from benji_desktop.views.api_keys_tab import ApiKeysTab
    from benji_desktop.views.environment_dialog import EnvironmentDialog
    from benji_desktop.views.integrations_tab import IntegrationsTab
    from benji_desktop.views.ip_whitelist_tab import IpWhitelistTab
    from benji_desktop.views.settings_tab import SettingsTab
    from benji_desktop.views.webhooks_tab import WebhooksTab

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+N", "Add (key, webhook, IP address; Connect on Integrations)"),
    ("F2 / Ctrl+E", "Edit the selected row (in the Inspector, Ctrl+E is Edit and replay)"),
    ("Delete", "Delete the selected row (asks first)"),
    ("F5 / Ctrl+R", "Refresh the current tab"),
    ("Ctrl+T", "Send a test webhook to the selected subscription"),
    ("Ctrl+1 … Ctrl+5", "Switch to API Tokens, Webhooks, IP Whitelist, Integrations, Inspector"),
    ("Ctrl+Shift+P", "Presentation mode: mask every secret on screen"),
    ("Ctrl+Q", "Quit"),
    ("Inspector: J / K", "Next / previous capture"),
    ("Inspector: Ctrl+F", "Search the captures"),
    ("Inspector: Ctrl+Shift+R", "Replay the selected capture as-is"),
)

INSPECTOR_TITLE = "Inspector"


def spawn(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """`tasks.spawn`, imported on first use: asyncio is not needed for the window's first paint."""
    from benji_desktop.views.tasks import spawn as spawn_task

    return spawn_task(coroutine)


# (attribute, tab title) in tab order; each tab's contents are built when it is first shown, or one per loop
# turn once the window has painted (`build_remaining_tabs`), never all before the first paint.
TABS: tuple[tuple[str, str], ...] = (
    ("api_keys_tab", "API Tokens"),
    ("webhooks_tab", "Webhooks"),
    ("ip_whitelist_tab", "IP Whitelist"),
    ("integrations_tab", "Integrations"),
    ("inspector_tab", INSPECTOR_TITLE),
)
SETTINGS_TAB_ATTRIBUTES = tuple(attribute for attribute, _title in TABS if attribute != "inspector_tab")


def environment_where(environment: Environment) -> str:
    if environment.is_embedded:
        return "local"
    if not environment.is_configured:
        return "not configured — open Settings…"
    return urlsplit(environment.api_base_url).hostname or environment.api_base_url


def banner_text(environment: Environment) -> str:
    return f"{environment.name} — {environment_where(environment)}"


class MainWindow(QMainWindow):
    """A light shell shown before the services start (so it paints fast); tabs fill in after; `services_started()`."""

    def __init__(
        self,
        services: AppServices,
        *,
        inspector_factory: Callable[[AppServices, ActionRunner], QWidget] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.services = services
        self._closed: asyncio.Event | None = None
        self._runner: ActionRunner | None = None
        settings = services.settings
        self.presentation = PresentationMode(settings.presentation_mode, self)

        # The Inspector pulls in the receiver (aiohttp), the other tabs their forms and dialogs: each tab is a
        # "Loading…" placeholder until it is built (`built_tab`), so the first paint shows the banner and tab bar.
        self._inspector_factory = inspector_factory or _default_inspector
        self._built: dict[str, QWidget] = {}
        self._placeholders: dict[str, QLabel] = {}
        for attribute, title in TABS:
            placeholder = QLabel("Loading the Inspector…" if attribute == "inspector_tab" else "Loading…")
            placeholder.setObjectName("tab_loading_label")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._placeholders[attribute] = placeholder
            self.ui.tab_widget.addTab(placeholder, title)
        self._loaded: dict[int, str] = {}  # tab -> environment id it last loaded
        self._closing = False

        self._build_status_bar()
        self._build_environment_switcher()
        self._build_actions()
        self._receiver_https: Any = None  # the View menu's HTTPS entries, added right after the first paint
        self._restore_state()  # before listening: the remembered tab is built after the first paint, not here
        self.ui.tab_widget.currentChanged.connect(self._tab_changed)
        self.show_environment(services.current_environment)

    # ----- building --------------------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        self.secrets_status_label = QLabel()
        self.secrets_status_label.setObjectName("secrets_status_label")
        self.secrets_status_label.hide()
        self.receiver_label = QLabel("Receiver: starting…")
        self.receiver_label.setObjectName("receiver_label")
        self.receiver_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_receiver_button = QToolButton()
        self.ui.action_copy_receiver_url.setIconText("Copy URL")
        self.copy_receiver_button.setDefaultAction(self.ui.action_copy_receiver_url)
        self.ui.action_copy_receiver_url.setEnabled(False)
        self.ui.action_copy_receiver_url.triggered.connect(self.copy_receiver_url)
        self.ui.status_bar.addPermanentWidget(self.secrets_status_label)
        self.ui.status_bar.addPermanentWidget(self.receiver_label)
        self.ui.status_bar.addPermanentWidget(self.copy_receiver_button)

    def _build_environment_switcher(self) -> None:
        combo = self.ui.environment_combo
        for environment in self.services.environments():
            combo.addItem(environment.name, environment.id)
        combo.setCurrentIndex(max(combo.findData(self.services.current_environment.id), 0))
        combo.activated.connect(lambda index: spawn(self.switch_environment(combo.itemData(index))))
        self.ui.environment_settings_button.clicked.connect(lambda: spawn(self.edit_environment()))
        self.ui.action_environment_settings.triggered.connect(lambda: spawn(self.edit_environment()))
        self.ui.action_known_salts.triggered.connect(self.open_known_salts)
        self.ui.action_known_salts.setEnabled(False)  # the salts live in the secret store, open after start

    def _build_actions(self) -> None:
        ui = self.ui
        ui.action_quit.triggered.connect(self.close)
        ui.action_presentation_mode.setChecked(self.presentation.enabled)
        ui.action_presentation_mode.toggled.connect(self.set_presentation_mode)
        ui.action_refresh.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        ui.action_refresh.triggered.connect(lambda: spawn(self.refresh_current()))
        ui.action_shortcuts.setShortcut(QKeySequence("Ctrl+/"))
        ui.action_shortcuts.triggered.connect(self.show_shortcuts)
        ui.action_about.triggered.connect(self.show_about)

        def window_action(text: str, keys: list[str], slot: Callable[[], None]) -> QAction:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.add_action = window_action("Add", ["Ctrl+N"], lambda: self._dispatch("add_action"))
        self.edit_action = window_action("Edit", ["F2", "Ctrl+E"], lambda: self._dispatch("edit_action"))
        self.delete_action = window_action("Delete", ["Delete"], lambda: self._dispatch("delete_action"))
        self.send_test_action = window_action("Send test", ["Ctrl+T"], lambda: self._dispatch("send_test_action"))
        self.tab_actions = [
            window_action(f"Tab {n}", [f"Ctrl+{n}"], self._tab_switcher(n - 1))
            for n in range(1, self.ui.tab_widget.count() + 1)
        ]
        self._update_action_state()

    def _tab_switcher(self, index: int) -> Callable[[], None]:
        return lambda: self.ui.tab_widget.setCurrentIndex(index)

    def _dispatch(self, name: str) -> None:
        handler = getattr(self.ui.tab_widget.currentWidget(), name, None)
        if callable(handler):
            handler()

    def _update_action_state(self) -> None:
        # The Inspector owns Ctrl+E while it is shown; a disabled window action leaves the key to it.
        current = self.ui.tab_widget.currentWidget()
        for action, name in (
            (self.add_action, "add_action"),
            (self.edit_action, "edit_action"),
            (self.delete_action, "delete_action"),
            (self.send_test_action, "send_test_action"),
        ):
            action.setEnabled(callable(getattr(current, name, None)))

    def _restore_state(self) -> None:
        settings = self.services.settings
        if settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(settings.window_geometry.encode("ascii")))
        titles = [self.ui.tab_widget.tabText(i) for i in range(self.ui.tab_widget.count())]
        if settings.last_tab in titles:
            self.ui.tab_widget.setCurrentIndex(titles.index(settings.last_tab))
        self._update_action_state()

    @property
    def receiver_https(self) -> Any:
        """View → Serve HTTPS (self-signed) and Receiver certificate… (views/receiver_https.py)."""
        if self._receiver_https is None:
            from benji_desktop.views.receiver_https import install_https_controls

            self._receiver_https = install_https_controls(self)
        return self._receiver_https

    @property
    def closed(self) -> asyncio.Event:
        """Set when the window closes; the main coroutine waits for it, then tears the services down."""
        if self._closed is None:
            import asyncio

            self._closed = asyncio.Event()
        return self._closed

    @property
    def runner(self) -> ActionRunner:
        """Runs actions with the status bar's progress and messages; made with the first tab, after the paint."""
        if self._runner is None:
            from benji_desktop.views.actions import ActionRunner

            self._runner = ActionRunner(self.ui.status_bar, self)
            progress = self._runner.progress
            self.ui.status_bar.removeWidget(progress)  # first of the permanent widgets, as before
            self.ui.status_bar.insertPermanentWidget(0, progress)
            progress.hide()
        return self._runner

    # ----- tabs built on demand ---------------------------------------------------------------------------

    @property
    def api_keys_tab(self) -> ApiKeysTab:
        return cast("ApiKeysTab", self.built_tab("api_keys_tab"))

    @property
    def webhooks_tab(self) -> WebhooksTab:
        return cast("WebhooksTab", self.built_tab("webhooks_tab"))

    @property
    def ip_whitelist_tab(self) -> IpWhitelistTab:
        return cast("IpWhitelistTab", self.built_tab("ip_whitelist_tab"))

    @property
    def integrations_tab(self) -> IntegrationsTab:
        return cast("IntegrationsTab", self.built_tab("integrations_tab"))

    @property
    def inspector_tab(self) -> QWidget:
        return self.built_tab("inspector_tab")

    @property
    def settings_tabs(self) -> list[SettingsTab]:
        return [cast("SettingsTab", self.built_tab(attribute)) for attribute in SETTINGS_TAB_ATTRIBUTES]

    def _built_settings_tabs(self) -> list[SettingsTab]:
        return [cast("SettingsTab", self._built[a]) for a in SETTINGS_TAB_ATTRIBUTES if a in self._built]

    def _new_tab(self, attribute: str) -> QWidget:
        if attribute == "inspector_tab":
            return self._inspector_factory(self.services, self.runner)
        if attribute == "api_keys_tab":
            from benji_desktop.views.api_keys_tab import ApiKeysTab as tab_class
        elif attribute == "webhooks_tab":
            from benji_desktop.views.webhooks_tab import WebhooksTab as tab_class  # type: ignore[assignment]
        elif attribute == "ip_whitelist_tab":
            from benji_desktop.views.ip_whitelist_tab import IpWhitelistTab as tab_class  # type: ignore[assignment]
        else:
            from benji_desktop.views.integrations_tab import IntegrationsTab as tab_class  # type: ignore[assignment]
        return tab_class(self.services, self.runner, self.presentation)

    def built_tab(self, attribute: str) -> QWidget:
        """The tab's real widget, built now (in place of its "Loading…" placeholder) if it was not yet."""
        built = self._built.get(attribute)
        if built is not None:
            return built
        tab = self._new_tab(attribute)
        self._built[attribute] = tab
        placeholder = self._placeholders.pop(attribute)
        tabs = self.ui.tab_widget
        index = tabs.indexOf(placeholder)
        was_current = tabs.currentIndex() == index
        tabs.blockSignals(True)
        tabs.removeTab(index)
        tabs.insertTab(index, tab, dict(TABS)[attribute])
        if was_current:
            tabs.setCurrentIndex(index)
        tabs.blockSignals(False)
        placeholder.deleteLater()
        self._connect_tab(attribute, tab)
        self._update_action_state()
        return tab

    def _connect_tab(self, attribute: str, tab: Any) -> None:
        if attribute == "webhooks_tab":
            tab.local_capture_received.connect(lambda capture_id: spawn(self.show_capture(capture_id)))
            tab.captures_requested.connect(self.show_subscription_captures)
        if self.services.started:
            self._connect_started(attribute, tab)

    def build_current_tab(self) -> QWidget:
        """The tab the user sees first (the one remembered), right after the first paint."""
        _ = self.receiver_https  # its menu entries; it loads the task helpers (asyncio), so not before the paint
        return self.built_tab(self._attribute_at(self.ui.tab_widget.currentIndex()))

    async def build_remaining_tabs(self) -> None:
        """Each tab not built yet, one per loop turn, so input and painting go on in between."""
        import asyncio

        for attribute, _title in TABS:
            await asyncio.sleep(0)
            if self._closing:
                return
            self.built_tab(attribute)

    def _attribute_at(self, index: int) -> str:
        widget = self.ui.tab_widget.widget(index)
        for attribute, tab in (*self._built.items(), *self._placeholders.items()):
            if tab is widget:
                return attribute
        return TABS[max(index, 0)][0]

    def install_inspector(self) -> QWidget:
        """The real Inspector in place of its placeholder (once); keeps the tab's place and the current tab."""
        return self.built_tab("inspector_tab")

    # ----- services ------------------------------------------------------------------------------------

    def services_started(self) -> None:
        """The receiver and sandbox are up: show the receiver URL, the secrets warning, and load the tab."""
        for attribute, tab in list(self._built.items()):
            self._connect_started(attribute, tab)
        self.ui.action_known_salts.setEnabled(True)
        _ = self.receiver_https
        self.show_receiver()
        self.show_secrets_backend()
        self.show_environment(self.services.current_environment)
        self.show_retarget_report()
        spawn(self.refresh_current())
        spawn(self.build_remaining_tabs())

    def _connect_started(self, attribute: str, tab: Any) -> None:
        if attribute == "webhooks_tab" and self.services.sandbox is not None:
            self.services.sandbox.add_delivery_listener(while_alive(tab, tab.delivery_logged))
        elif attribute == "inspector_tab":
            set_receiver = getattr(tab, "set_receiver", None)
            if callable(set_receiver):
                set_receiver(self.services.receiver)

    def show_receiver(self) -> None:
        url = self.services.local_receiver_endpoint
        note = self.services.receiver_port_note
        self.receiver_label.setText(f"Receiver: {url}" if url else "Receiver: not running")
        self.receiver_label.setToolTip(note or "Subscribe this URL to see deliveries in the Inspector")
        self.ui.action_copy_receiver_url.setEnabled(bool(url))
        if note:
            # Said in the permanent label, not a transient message the next "Done: …" would replace; derived
            # from the services each time, so it holds after the HTTPS toggle restarts the receiver.
            busy = self.services.receiver_busy_port
            self.receiver_label.setText(f"Receiver: {url} ⚠ ({busy} was busy)" if busy else f"Receiver: {url} ⚠")

    def show_retarget_report(self) -> None:
        """The receiver moved (another port, or HTTPS): say which subscriptions followed and which did not."""
        report = self.services.last_retarget_report
        if report is not None and report.message:
            self.runner.show_status(report.message, 20000)

    def show_secrets_backend(self) -> None:
        store = self.services.secret_store
        if store.is_secure:
            self.ui.secrets_warning_label.hide()
            self.secrets_status_label.hide()
            return
        self.ui.secrets_warning_label.setText("⚠ " + store.backend_description)
        self.ui.secrets_warning_label.show()
        self.secrets_status_label.setText("⚠ Secrets: encrypted file")
        self.secrets_status_label.setToolTip(store.backend_description)
        self.secrets_status_label.show()

    def copy_receiver_url(self) -> None:
        url = self.services.local_receiver_endpoint
        if url:
            copy_text(url)
            self.runner.show_status(f"Copied {url}")

    # ----- environment ---------------------------------------------------------------------------------

    def show_environment(self, environment: Environment) -> None:
        banner = self.ui.environment_banner
        presenting = " · presentation mode (secrets masked)" if self.presentation.enabled else ""
        banner.setText(banner_text(environment) + presenting)
        banner.setToolTip("Live environment: destructive actions ask for confirmation." if environment.is_live else "")
        banner.setStyleSheet(f"QLabel#environment_banner {{ background-color: {environment.colour}; color: white; }}")
        # Qt appends the application display name ("— Benji Desktop") itself.
        self.setWindowTitle(environment.name)
        combo = self.ui.environment_combo
        combo.setCurrentIndex(max(combo.findData(environment.id), 0))

    async def switch_environment(self, environment_id: str) -> None:
        if environment_id == self.services.current_environment.id:
            return
        environment = await self.services.switch_environment(environment_id)
        self._loaded.clear()
        for tab in self._built_settings_tabs():  # a tab built later starts in the current environment
            tab.environment_changed(environment)
        self.show_environment(environment)
        await self.refresh_current()

    async def edit_environment(self) -> EnvironmentDialog | None:
        from benji_desktop.views.environment_dialog import EnvironmentDialog

        environment = self.services.current_environment
        dialog = EnvironmentDialog(self.services, self.runner, environment, self.presentation, self)
        await dialog.load()
        from benji_desktop.views import prompts

        accepted = await prompts.show_dialog(dialog) == EnvironmentDialog.DialogCode.Accepted
        if accepted:
            await dialog.save()
            self._loaded.clear()
            self.show_environment(self.services.current_environment)
            await self.refresh_current()
        dialog.deleteLater()
        return dialog if accepted else None

    # ----- tabs ----------------------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        self.built_tab(self._attribute_at(index))  # the user asked for it: build it now, not on a later turn
        self._update_action_state()
        if self.services.started and self._loaded.get(index) != self.services.current_environment.id:
            spawn(self.refresh_current())

    async def refresh_current(self) -> None:
        from benji_desktop.views.settings_tab import SettingsTab

        index = self.ui.tab_widget.currentIndex()
        tab = self.built_tab(self._attribute_at(index))
        if isinstance(tab, SettingsTab):
            environment = self.services.current_environment
            missing = self.setup_missing(environment, bool(await self.services.api_key(environment.id)))
            if missing:
                tab.show_setup_needed(missing)
                self.runner.show_status(missing, 15000)
                return
            self._loaded[index] = environment.id
            await tab.refresh()
        else:
            apply_filter = getattr(tab, "apply_filter", None)
            if callable(apply_filter):
                apply_filter()

    @staticmethod
    def setup_missing(environment: Environment, has_key: bool) -> str:
        """What must be set before this environment can be called, as a sentence; empty when nothing."""
        if not environment.is_configured:
            return f"{environment.name} has no base URL yet: open Settings… (next to the environment) to set it."
        if not has_key:
            return f"{environment.name} has no API key yet: open Settings… (next to the environment) to add one."
        return ""

    def select_tab(self, widget: QWidget) -> None:
        self.ui.tab_widget.setCurrentWidget(widget)

    def show_subscription_captures(self, subscription_id: int, endpoint: str) -> None:
        """Webhooks → Captures: the Inspector, showing only what that subscription's salt verified."""
        inspector: Any = self.inspector_tab
        self.select_tab(inspector)
        inspector.filter_by_subscription(subscription_id, endpoint)

    async def show_capture(self, capture_id: int) -> bool:
        """After a test to the local receiver: the Inspector, with that capture selected (once it is listed)."""
        self.select_tab(self.inspector_tab)
        select: Any = getattr(self.inspector_tab, "select_capture", None)
        if not callable(select):
            return False
        model: Any = getattr(self.inspector_tab, "model", None)
        selected: Any = getattr(self.inspector_tab, "selected_capture_id", lambda: capture_id)
        for _attempt in range(60):  # the list takes new rows in batches; give it up to ~3 s
            row = model.row_of(capture_id) if model is not None else 0
            listed = row is not None and (model is None or row < model.rowCount())
            if listed and select(capture_id) and selected() == capture_id:
                focus_captures: Any = getattr(self.inspector_tab, "focus_captures", None)
                if callable(focus_captures):
                    focus_captures()  # else the first text field (Forward to:) has the keys, Ctrl+E among them
                return True
            import asyncio

            await asyncio.sleep(0.05)
        return False

    def open_known_salts(self) -> None:
        """Environment → Known salts…: pick or type the salts signatures are checked with."""
        from benji_desktop.views.known_salts_dialog import KnownSaltsDialog

        dialog = KnownSaltsDialog(self.services, self.presentation, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # not exec(): a nested loop would re-enter the asyncio loop from the dialog's own tasks

    # ----- presentation, help ---------------------------------------------------------------------------

    def set_presentation_mode(self, enabled: bool) -> None:
        self.presentation.set_enabled(enabled)
        if self.ui.action_presentation_mode.isChecked() != enabled:
            self.ui.action_presentation_mode.setChecked(enabled)
        set_inspector = getattr(self._built.get("inspector_tab"), "set_presentation_mode", None)
        if callable(set_inspector):
            set_inspector(enabled)
        self.services.settings_store.update(presentation_mode=enabled)
        self.show_environment(self.services.current_environment)
        self.runner.show_status(
            "Presentation mode: every key, salt and credential is masked." if enabled else "Presentation mode off."
        )

    def shortcuts_text(self) -> str:
        rows = "".join(f"<tr><td><b>{keys}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
        return f"<table>{rows}</table>"

    def show_shortcuts(self) -> None:
        from benji_desktop.views import prompts

        box = prompts.show_message(self, "Keyboard shortcuts", self.shortcuts_text(), warning=False)
        box.setTextFormat(Qt.TextFormat.RichText)

    def about_text(self) -> str:
        import platform

        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        versions = [f"Benji Desktop {__version__}", f"Python {platform.python_version()}"]
        versions.append(f"Qt {qVersion()}, PySide6 {pyside_version}")
        for module in ("qasync", "aiohttp", "httpx"):
            loaded = sys.modules.get(module)
            version = getattr(loaded, "__version__", None) if loaded else None
            if version:
                versions.append(f"{module} {version}")
        layout = self.services.layout
        store_line = self.services.secret_store.backend_description if self.services.started else ""
        locations = [
            f"Data folder: {layout.root}",
            f"Captures: {layout.captures_db}",
            f"Sandbox state: {layout.sandbox_dir}",
            f"Settings: {layout.settings_file}",
            f"Logs: {layout.log_dir}",
        ]
        parts = ["\n".join(versions), "\n".join(locations)]
        if store_line:
            parts.append(f"Secrets: {store_line}")
        return "\n\n".join(parts)

    def show_about(self) -> None:
        from benji_desktop.views import prompts

        prompts.show_message(self, "About Benji Desktop", self.about_text(), warning=False)

    # ----- closing -------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Saves where the window was; the main coroutine sees `closed` and tears the services down."""
        try:
            geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
            current = self.ui.tab_widget.tabText(self.ui.tab_widget.currentIndex())
            self.services.settings_store.update(window_geometry=geometry, last_tab=current)
        finally:
            self._closing = True
            self.closed.set()
            super().closeEvent(event)


def _default_inspector(services: AppServices, runner: ActionRunner) -> QWidget:
    from benji_desktop.views.inspector.inspector_tab import InspectorTab

    return InspectorTab.from_services(services, action_runner=runner)
