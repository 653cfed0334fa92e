"""Shows a new secret exactly once, with Copy (clipboard cleared later) and the warning it won't come back."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLineEdit, QWidget

from benji_desktop.domain.masking import mask_secret
from benji_desktop.views.clipboard import copy_secret
from benji_desktop.views.generated.ui_show_once_secret_dialog import Ui_ShowOnceSecretDialog
from benji_desktop.views.presentation import PresentationMode


class ShowOnceSecretDialog(QDialog):
    """The value lives only in this dialog; closing it clears the field so nothing keeps it on screen."""

    def __init__(
        self,
        heading: str,
        secret: str,
        *,
        clipboard_clear_seconds: int,
        presentation: PresentationMode | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_ShowOnceSecretDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.ui.heading_label.setText(heading)
        self._secret = secret
        self._clear_seconds = clipboard_clear_seconds
        presenting = presentation is not None and presentation.enabled
        self.ui.value_edit.setText(secret)
        if presenting:
            # Screen sharing: the value is still copyable, but never drawn.
            self.ui.value_edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.ui.value_edit.setToolTip(f"Hidden in presentation mode ({mask_secret(secret)}); Copy still works")
        if clipboard_clear_seconds:
            self.ui.warning_label.setText(
                self.ui.warning_label.text() + f" Copy puts it on the clipboard for {clipboard_clear_seconds} seconds."
            )
        self.ui.copy_button.clicked.connect(self.copy)
        self.ui.button_box.rejected.connect(self.reject)
        self.ui.button_box.accepted.connect(self.accept)
        self.finished.connect(self._forget)

    def copy(self) -> None:
        if self._secret:
            copy_secret(self._secret, self._clear_seconds)
            self.ui.copy_button.setText("Copied")

    def _forget(self, *_: object) -> None:
        self._secret = ""
        self.ui.value_edit.clear()
