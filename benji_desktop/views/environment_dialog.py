"""Settings of one environment: its two base URLs, its API key (keychain, masked) and Test connection."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.domain.environments import Environment
from benji_desktop.views.actions import ActionRunner
from benji_desktop.views.generated.ui_environment_dialog import Ui_EnvironmentDialog
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.tasks import spawn


class EnvironmentDialog(QDialog):
    """`await load()` before showing it; `await save()` after it is accepted."""

    def __init__(
        self,
        services: AppServices,
        runner: ActionRunner,
        environment: Environment,
        presentation: PresentationMode,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_EnvironmentDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.services = services
        self.runner = runner
        self.environment = environment
        self.setWindowTitle(f"{environment.name} — environment settings")
        self.ui.api_key_field.bind_presentation(presentation)
        self.ui.api_key_label.setBuddy(self.ui.api_key_field)  # Designer cannot set a buddy on a custom widget
        self.ui.api_key_field.setPlaceholderText("bk_… (from Pilot → Developer → API Tokens)")
        self.ui.api_base_url_edit.setText(environment.api_base_url)
        self.ui.notification_base_url_edit.setText(environment.notification_base_url)
        intro = environment.note
        if environment.is_embedded:
            intro = "The Sandbox runs inside this app: both services are the local emulator, started with the app."
            for edit in (self.ui.api_base_url_edit, self.ui.notification_base_url_edit):
                edit.setReadOnly(True)
        self.ui.intro_label.setText(intro)
        self.ui.intro_label.setVisible(bool(intro))
        store = services.secret_store
        self.ui.secrets_note_label.setText(store.backend_description)
        self.ui.test_connection_button.clicked.connect(lambda: spawn(self.test_connection()))
        self.ui.button_box.accepted.connect(self.accept)
        self._stored_key: str | None = None

    async def load(self) -> None:
        self._stored_key = await self.services.api_key(self.environment.id)
        self.ui.api_key_field.setText(self._stored_key or "")

    def edited_environment(self) -> Environment:
        return self.environment.with_urls(
            self.ui.api_base_url_edit.text(), self.ui.notification_base_url_edit.text() or None
        )

    async def test_connection(self) -> Any:
        """With what is typed (not yet saved): reach both services, then check the key; says which worked."""
        from benji_desktop.client import PlatformClient

        self.ui.test_result_label.setText("Testing…")

        async def check() -> Any:
            async with PlatformClient(self.edited_environment(), self.ui.api_key_field.text().strip()) as client:
                return await client.test_connection()

        outcome = await self.runner.run(
            check(), what="test the connection", controls=[self.ui.test_connection_button], parent=self
        )
        if outcome.ok and outcome.value is not None:
            report = outcome.value
            lines = [("✔ " if c.ok else "✘ ") + c.sentence for c in report.checks]
            self.ui.test_result_label.setText("\n".join(lines))
        else:
            self.ui.test_result_label.setText(outcome.message)
        return outcome.value

    async def save(self) -> None:
        if not self.environment.is_embedded:
            await self.services.set_environment_urls(
                self.environment.id,
                self.ui.api_base_url_edit.text(),
                self.ui.notification_base_url_edit.text(),
            )
        key = self.ui.api_key_field.text().strip()
        if key != (self._stored_key or ""):
            await self.services.set_api_key(self.environment.id, key or None)
