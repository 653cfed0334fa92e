"""Connect an integration: one field per credential the platform asks for, secret ones masked."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QWidget

from benji_desktop.views.dialog_messages import prepare_message_label, show_message
from benji_desktop.views.generated.ui_connect_integration_dialog import Ui_ConnectIntegrationDialog
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.widgets.masked_field import MaskedField


class ConnectIntegrationDialog(QDialog):
    """Built from the integration's `fields`; `credentials()` after it is accepted. Every field is required."""

    def __init__(self, integration: Any, presentation: PresentationMode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        super().accept()
