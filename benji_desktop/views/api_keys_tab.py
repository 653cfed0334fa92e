"""API Tokens tab: list masked keys; add (value shown once), rename, rotate, delete."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.views import prompts
from benji_desktop.views.actions import ActionRunner
from benji_desktop.views.generated.ui_api_keys_tab import Ui_ApiKeysTab
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.settings_tab import SettingsTab
from benji_desktop.views.show_once_dialog import ShowOnceSecretDialog
from benji_desktop.views.table_models import ApiKeysModel, sorted_proxy
from benji_desktop.views.tasks import spawn

NAME_REQUIRED = "A name is required."


def key_matches_masked(key: str, masked: str) -> bool:
    """Whether a full key is the one a masked form (`prefix…last4`) stands for."""
    prefix, separator, suffix = masked.partition("…")
    return bool(separator) and key.startswith(prefix) and key.endswith(suffix)


class ApiKeysTab(SettingsTab):
    feature = "API key management"
    title = "API Tokens"

    def __init__(
        self,
        services: AppServices,
        runner: ActionRunner,
        presentation: PresentationMode,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, runner, presentation, parent)
        self.ui = Ui_ApiKeysTab()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.model = ApiKeysModel(presentation, self)
        self.proxy = sorted_proxy(self.model)
        self.ui.api_keys_view.setModel(self.proxy)
        self.ui.api_keys_view.sortByColumn(ApiKeysModel.CREATED, Qt.SortOrder.DescendingOrder)
        self.fit_columns(self.ui.api_keys_view, ApiKeysModel.NAME)
        self.ui.add_key_button.clicked.connect(lambda: spawn(self.add_key()))
        self.ui.edit_key_button.clicked.connect(lambda: spawn(self.rename_selected()))
        self.ui.rotate_key_button.clicked.connect(lambda: spawn(self.rotate_selected()))
        self.ui.delete_key_button.clicked.connect(lambda: spawn(self.delete_selected()))
        self.ui.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        self.ui.api_keys_view.doubleClicked.connect(lambda _index: spawn(self.rename_selected()))
        self.keep_selection_across_reloads(self.ui.api_keys_view, self.proxy, lambda key: key.id)
        self.follow_selection(self.ui.api_keys_view, self._update_buttons)
        self._update_buttons()

    def platform_controls(self) -> list[QWidget]:
        return [self.ui.add_key_button, self.ui.refresh_button]

    def _update_buttons(self, *_: object) -> None:
        has_selection = self.selected_key() is not None
        for button in (self.ui.edit_key_button, self.ui.rotate_key_button, self.ui.delete_key_button):
            button.setEnabled(has_selection)

    def selected_key(self) -> Any:
        return self.selected_record(self.ui.api_keys_view)

    def select_key(self, key_id: int) -> None:
        self.select_row_where(self.ui.api_keys_view, self.proxy, self.model.row_of(lambda k: k.id == key_id))

    # ----- work (tests await these directly) ----------------------------------------------------------

    async def refresh(self) -> None:
        outcome = await self.act(self._list(), "load the API keys", self.ui.refresh_button)
        if outcome.ok:
            self.model.set_records(outcome.value or [])  # the same key stays selected
        elif outcome.not_available:
            self.model.set_records([])
        self._update_buttons()

    async def _list(self) -> list[Any]:
        return list(await (await self.client()).list_api_keys())

    async def add_key(self, name: str | None = None) -> Any:
        if name is None:
            name = await prompts.ask_text(
                self, "Add API key", "A name that says where the key will be used:", required=NAME_REQUIRED
            )
        if not name:
            return None
        outcome = await self.act(self._create(name), "create the API key", self.ui.add_key_button)
        if not outcome.ok or outcome.value is None:
            return None
        created = outcome.value
        await self.show_secret_once(f"API key “{created.name}” was created. Its value:", created.key)
        await self.refresh()
        self.select_key(created.id)
        return created

    async def _create(self, name: str) -> Any:
        return await (await self.client()).create_api_key(name)

    async def show_secret_once(self, heading: str, secret: str) -> None:
        dialog = ShowOnceSecretDialog(
            heading,
            secret,
            clipboard_clear_seconds=self.services.settings.clipboard_clear_seconds,
            presentation=self.presentation,
            parent=self,
        )
        await prompts.show_dialog(dialog)
        dialog.deleteLater()

    async def rename_selected(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        name = await prompts.ask_text(self, "Rename API key", "New name:", key.name, required=NAME_REQUIRED)
        if not name or name == key.name:
            return
        outcome = await self.act(self._rename(key.id, name), "rename the API key", self.ui.edit_key_button)
        if outcome.ok:
            await self.refresh()
            self.select_key(key.id)

    async def _rename(self, key_id: int, name: str) -> Any:
        return await (await self.client()).rename_api_key(key_id, name)

    async def is_own_key(self, key: Any) -> bool:
        """Whether this is the key Benji Desktop itself uses for the current environment."""
        own = await self.services.api_key(self.environment.id)
        return bool(own) and key_matches_masked(own or "", key.masked)

    async def delete_selected(self) -> bool:
        key = self.selected_key()
        if key is None:
            return False
        own = await self.is_own_key(key)
        if own and not await prompts.ask_yes_no(
            self,
            "Delete the key this app uses?",
            f"“{key.name}” is the key Benji Desktop uses for {self.environment.name}. After deleting it, "
            "the app cannot reach this environment until you give it another key.",
            yes_text="Continue",
        ):
            return False
        if not await self.confirm_destructive(
            "Delete API key",
            f"Delete “{key.name}” ({key.masked})? It stops working at once: every program using it will be refused.",
            yes_text="Delete",
        ):
            return False
        outcome = await self.act(self._delete(key.id), "delete the API key", self.ui.delete_key_button)
        if not outcome.ok:
            return False
        if own:
            await self.services.set_api_key(self.environment.id, None)
            new_key = await prompts.ask_text(
                self,
                "A new API key for this app",
                f"Paste another API key for {self.environment.name} (create one in Pilot or with Add Key "
                "in another session):",
                secret=True,
            )
            if new_key:
                await self.services.set_api_key(self.environment.id, new_key)
        await self.refresh()
        return True

    async def _delete(self, key_id: int) -> Any:
        return await (await self.client()).delete_api_key(key_id)

    async def rotate_selected(self) -> Any:
        key = self.selected_key()
        if key is None:
            return None
        if not await self.confirm_destructive(
            "Rotate API key",
            f"Rotate “{key.name}”? A new value is generated and shown once; the old value stops working at once.",
            yes_text="Rotate",
        ):
            return None
        own = await self.is_own_key(key)
        outcome = await self.act(self._rotate(key.id), "rotate the API key", self.ui.rotate_key_button)
        if not outcome.ok or outcome.value is None:
            return None
        rotated = outcome.value
        if own:
            # The app knows the new value: keep using it instead of locking itself out.
            await self.services.set_api_key(self.environment.id, rotated.key)
        await self.show_secret_once(f"API key “{rotated.name}” was rotated. Its new value:", rotated.key)
        await self.refresh()
        self.select_key(rotated.id)
        return rotated

    async def _rotate(self, key_id: int) -> Any:
        return await (await self.client()).rotate_api_key(key_id)

    # ----- shortcuts (the window calls these) -------------------------------------------------------------

    def add_action(self) -> None:
        spawn(self.add_key())

    def edit_action(self) -> None:
        spawn(self.rename_selected())

    def delete_action(self) -> None:
        spawn(self.delete_selected())
