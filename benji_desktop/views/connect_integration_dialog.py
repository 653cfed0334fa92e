"""Connect an integration: one field per credential the platform asks for, secret ones masked."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QWidget

from benji_desktop.views.dialog_messages import prepare_message_label, show_message
from benji_desktop.views.generated.ui_connect_integration_dialog import Ui_ConnectIntegrationDialog
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.tasks import spawn
from benji_desktop.views.widgets.masked_field import MaskedField

#: Sends the credentials; returns (connected, the result or the sentence saying why not).
Submit = Callable[[dict[str, str]], Awaitable[tuple[bool, Any]]]


class ConnectIntegrationDialog(QDialog):
    """Built from the integration's `fields`; `credentials()` after it is accepted. Every field is required.

    With `submit`, OK sends the credentials while the dialog stays open: a refusal is shown inside it with the
    fields kept, and it closes only once connected (`submitted()` gives the result).
    """

    def __init__(
        self,
        integration: Any,
        presentation: PresentationMode,
        parent: QWidget | None = None,
        *,
        submit: Submit | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._submission: asyncio.Future[Any] | None = None
        self._result: Any = None
        self.ui = Ui_ConnectIntegrationDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.setWindowTitle(f"Connect {integration.name}")
        self.ui.intro_label.setText(
            f"Enter the credentials {integration.name} gave you. They are sent to the platform and kept in "
            "your keychain; they are never written to a file in clear."
        )
        prepare_message_label(self.ui.message_label)
        self.ui.message_label.setVisible(False)
        self.inputs: dict[str, QLineEdit | MaskedField] = {}
        self._labels: dict[str, str] = {}  # the platform's label for each field: what the user reads
        for spec in integration.fields:
            field: QLineEdit | MaskedField
            if spec.secret:
                field = MaskedField(self)
                field.bind_presentation(presentation)
            else:
                field = QLineEdit(self)
            if spec.hint:
                field.setPlaceholderText(spec.hint)
            field.setObjectName(f"{spec.name}_field")
            label = QLabel(f"{spec.label}:", self)
            label.setBuddy(field)
            self.ui.fields_layout.addRow(label, field)
            self.inputs[spec.name] = field
            self._labels[spec.name] = spec.label or spec.name
        self.ui.button_box.accepted.connect(self.accept)

    def credentials(self) -> dict[str, str]:
        return {name: field.text().strip() for name, field in self.inputs.items()}

    def accept(self) -> None:
        values = self.credentials()
        missing = [self._labels[name] for name, value in values.items() if not value]
        if missing:
            show_message(self, self.ui.message_label, "Fill in every field: " + ", ".join(missing) + ".")
            self.inputs[next(name for name, value in values.items() if not value)].setFocus()
            return
        if self._submit is None:
            super().accept()
            return
        if self._submission is not None and not self._submission.done():
            return  # already sending: a second OK must not connect twice
        show_message(self, self.ui.message_label, "")
        self._submission = spawn(self._send(values))

    async def _send(self, values: dict[str, str]) -> None:
        assert self._submit is not None
        ok_button = self.ui.button_box.button(QDialogButtonBox.StandardButton.Ok)
        if ok_button is not None:
            ok_button.setEnabled(False)
        try:
            connected, value = await self._submit(values)
        finally:
            if ok_button is not None:
                ok_button.setEnabled(True)
        if connected:
            self._result = value
            super().accept()
        else:
            show_message(self, self.ui.message_label, str(value))

    async def submitted(self) -> Any:
        """The platform's answer to the credentials that connected, once any sending has finished; else None."""
        if self._submission is not None:
            await self._submission
        return self._result
