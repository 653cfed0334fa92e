"""Integrations tab: Square, Stripe (whatever the platform lists), status, Connect with credentials, Disconnect."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.views import prompts
from benji_desktop.views.actions import ActionRunner
from benji_desktop.views.connect_integration_dialog import ConnectIntegrationDialog
from benji_desktop.views.generated.ui_integrations_tab import Ui_IntegrationsTab
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.settings_tab import SettingsTab
from benji_desktop.views.table_models import IntegrationsModel, sorted_proxy
from benji_desktop.views.tasks import spawn


def integration_field_name(environment_id: str, slug: str, field: str) -> str:
    from benji_desktop.secretstore.names import integration_field_name as name  # keyring loads after start-up

    return name(environment_id, slug, field)


class IntegrationsTab(SettingsTab):
    feature = "Integration management"
    title = "Integrations"

    def __init__(
        self,
        services: AppServices,
        runner: ActionRunner,
        presentation: PresentationMode,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, runner, presentation, parent)
        self.ui = Ui_IntegrationsTab()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.model = IntegrationsModel(presentation, self)
        self.proxy = sorted_proxy(self.model)
        view = self.ui.integrations_view
        view.setModel(self.proxy)
        self.fit_columns(view, IntegrationsModel.CREDENTIALS)
        self.ui.connect_button.clicked.connect(lambda: spawn(self.connect_selected()))
        self.ui.disconnect_button.clicked.connect(lambda: spawn(self.disconnect_selected()))
        self.ui.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        view.doubleClicked.connect(lambda _index: spawn(self.connect_selected()))
        self.keep_selection_across_reloads(view, self.proxy, lambda integration: integration.slug)
        self.follow_selection(view, self._update_buttons)
        self._update_buttons()

    def selected_integration(self) -> Any:
        return self.selected_record(self.ui.integrations_view)

    def select_integration(self, slug: str) -> None:
        self.select_row_where(self.ui.integrations_view, self.proxy, self.model.row_of(lambda i: i.slug == slug))

    def platform_controls(self) -> list[QWidget]:
        return [self.ui.refresh_button]  # Connect… follows the selection, which goes with the rows

    def _update_buttons(self, *_: object) -> None:
        integration = self.selected_integration()
        connected = integration is not None and integration.status == "connected"
        self.ui.connect_button.setEnabled(integration is not None)
        self.ui.connect_button.setText("Re&connect…" if connected else "&Connect…")
        self.ui.disconnect_button.setEnabled(connected)

    async def refresh(self) -> None:
        outcome = await self.act(self._list(), "load the integrations", self.ui.refresh_button)
        if outcome.ok:
            self.model.set_records(outcome.value or [])  # the same integration stays selected
        elif outcome.not_available:
            self.model.set_records([])
        self._update_buttons()

    async def _list(self) -> list[Any]:
        return list(await (await self.client()).list_integrations())

    async def connect_selected(self, credentials: Mapping[str, str] | None = None) -> Any:
        integration = self.selected_integration()
        if integration is None:
            return None
        if credentials is not None:
            connected, value = await self._connect_and_keep(integration, dict(credentials))
            return value if connected else None

        async def submit(values: dict[str, str]) -> tuple[bool, Any]:
            return await self._connect_and_keep(integration, values, on_error=lambda _sentence: None)

        # The dialog sends the credentials itself and stays open on a refusal, so nothing typed is lost.
        dialog = ConnectIntegrationDialog(integration, self.presentation, parent=self, submit=submit)
        await prompts.show_dialog(dialog)
        connected_value = await dialog.submitted()
        dialog.deleteLater()
        return connected_value

    async def _connect_and_keep(
        self, integration: Any, credentials: dict[str, str], on_error: Callable[[str], None] | None = None
    ) -> tuple[bool, Any]:
        """Connect, then keep the secret fields in the keychain. (True, result) or (False, the sentence why not)."""
        outcome = await self.act(
            self._connect(integration.slug, credentials),
            f"connect {integration.name}",
            self.ui.connect_button,
            on_error=on_error,
        )
        if not outcome.ok:
            return False, outcome.message
        secret_names = {f.name for f in integration.fields if f.secret}
        for name, value in credentials.items():
            if name in secret_names:
                field_name = integration_field_name(self.environment.id, integration.slug, name)
                await self.services.set_secret(field_name, value)
        await self.refresh()
        self.runner.show_status(f"{integration.name} is connected.")
        return True, outcome.value

    async def _connect(self, slug: str, credentials: dict[str, str]) -> Any:
        return await (await self.client()).connect_integration(slug, credentials)

    async def disconnect_selected(self) -> bool:
        integration = self.selected_integration()
        if integration is None:
            return False
        if not await self.confirm_destructive(
            f"Disconnect {integration.name}",
            f"Disconnect {integration.name}? The platform stops using its credentials at once.",
            yes_text="Disconnect",
        ):
            return False
        outcome = await self.act(
            self._disconnect(integration.slug), f"disconnect {integration.name}", self.ui.disconnect_button
        )
        if outcome.ok:
            for spec in integration.fields:
                await self.services.delete_secret(
                    integration_field_name(self.environment.id, integration.slug, spec.name)
                )
            await self.refresh()
        return outcome.ok

    async def _disconnect(self, slug: str) -> Any:
        return await (await self.client()).disconnect_integration(slug)

    def add_action(self) -> None:
        spawn(self.connect_selected())

    def edit_action(self) -> None:
        spawn(self.connect_selected())

    def delete_action(self) -> None:
        spawn(self.disconnect_selected())
