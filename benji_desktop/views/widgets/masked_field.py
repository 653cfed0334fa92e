"""The one widget that holds a secret on screen: masked by default, reveal on demand, never in presentation mode."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget

from benji_desktop.views.presentation import PresentationMode


class MaskedField(QWidget):
    """A password-style line edit with a Show toggle; presentation mode forces it masked and disables Show."""

    text_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line_edit = QLineEdit(self)
        self.line_edit.setEchoMode(QLineEdit.EchoMode.Password)
        # Secrets never go through the platform's input-method history or auto-completion.
        self.line_edit.setInputMethodHints(self.line_edit.inputMethodHints())
        self.reveal_button = QToolButton(self)
        self.reveal_button.setText("Show")
        self.reveal_button.setCheckable(True)
        self.reveal_button.setToolTip("Show or hide the value")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line_edit)
        layout.addWidget(self.reveal_button)
        self.setFocusProxy(self.line_edit)
        self._presentation: PresentationMode | None = None
        self.reveal_button.toggled.connect(self._apply_echo)
        self.line_edit.textChanged.connect(self.text_changed)

    def bind_presentation(self, presentation: PresentationMode) -> None:
        self._presentation = presentation
        presentation.changed.connect(self._apply_echo)
        self._apply_echo()

    def text(self) -> str:
        return self.line_edit.text()

    def setText(self, text: str) -> None:
        self.line_edit.setText(text)

    def setPlaceholderText(self, text: str) -> None:
        self.line_edit.setPlaceholderText(text)

    def setReadOnly(self, read_only: bool) -> None:
        self.line_edit.setReadOnly(read_only)

    @property
    def revealed(self) -> bool:
        return self.line_edit.echoMode() == QLineEdit.EchoMode.Normal

    def _apply_echo(self, *_: object) -> None:
        presenting = self._presentation is not None and self._presentation.enabled
        if presenting and self.reveal_button.isChecked():
            self.reveal_button.setChecked(False)  # re-enters here
            return
        self.reveal_button.setEnabled(not presenting)
        self.reveal_button.setText("Hide" if self.reveal_button.isChecked() else "Show")
        echo = QLineEdit.EchoMode.Normal if self.reveal_button.isChecked() else QLineEdit.EchoMode.Password
        self.line_edit.setEchoMode(echo)
