"""Known salts: pick or type the salts signatures are checked with (labels listed, values only in the keychain)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QListWidgetItem, QWidget

from benji_desktop.views import prompts
from benji_desktop.views.generated.ui_known_salts_dialog import Ui_KnownSaltsDialog
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.tasks import spawn

if TYPE_CHECKING:
    from benji_desktop.app.services import AppServices

log = logging.getLogger(__name__)

LABEL_ROLE = Qt.ItemDataRole.UserRole + 1


class KnownSaltsDialog(QDialog):
    """Lists typed salts by label; a selected one's value sits masked in the shared `MaskedField` (Show reveals
    it, except in presentation mode). Adding one offers to re-verify the captures no salt explained yet."""

    def __init__(
        self, services: AppServices, presentation: PresentationMode | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_KnownSaltsDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._services = services
        self._presentation = presentation or PresentationMode(services.settings.presentation_mode, self)
        for field in (self.ui.value_field, self.ui.new_salt_field):
            field.bind_presentation(self._presentation)
        self.ui.value_field.setReadOnly(True)
        self.ui.value_field.setPlaceholderText("Select a salt to see its value")
        self.ui.new_salt_field.setPlaceholderText("salt_…")
        self.ui.salts_list.currentItemChanged.connect(lambda _current, _previous: self._show_selected())
        self.ui.add_button.clicked.connect(lambda: spawn(self.add_salt()))
        self.ui.remove_button.clicked.connect(lambda: spawn(self.remove_selected()))
        self.ui.label_edit.textChanged.connect(lambda _text: self._update_buttons())
        self.ui.new_salt_field.text_changed.connect(lambda _text: self._update_buttons())
        self.ui.label_edit.returnPressed.connect(self.ui.new_salt_field.setFocus)
        self.reload()

    # ----- list ---------------------------------------------------------------------------------------

    def labels(self) -> list[str]:
        return [self.ui.salts_list.item(row).data(LABEL_ROLE) for row in range(self.ui.salts_list.count())]

    def reload(self, select: str | None = None) -> None:
        current = select or self.selected_label()
        self.ui.salts_list.clear()
        for label in self._services.settings.salt_labels:
            item = QListWidgetItem(label)
            item.setData(LABEL_ROLE, label)
            self.ui.salts_list.addItem(item)
            if label == current:
                self.ui.salts_list.setCurrentItem(item)
        if not self._services.settings.salt_labels:
            self.ui.error_label.setText("No typed salts yet. Subscriptions' salts are known without adding them.")
        self._show_selected()

    def selected_label(self) -> str | None:
        item = self.ui.salts_list.currentItem()
        label = item.data(LABEL_ROLE) if item is not None else None
        return label if isinstance(label, str) else None

    def _show_selected(self) -> None:
        label = self.selected_label()
        # The value goes into the masked field only; it is never put in the list, a tooltip or a label.
        self.ui.value_field.reveal_button.setChecked(False)
        self.ui.value_field.setText(self._services.salt_source.manual_salt(label) or "" if label else "")
        self.ui.value_field.line_edit.setCursorPosition(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.ui.remove_button.setEnabled(self.selected_label() is not None)
        self.ui.value_field.setEnabled(self.selected_label() is not None)
        self.ui.add_button.setEnabled(bool(self.ui.label_edit.text().strip() and self.ui.new_salt_field.text().strip()))

    # ----- add / remove --------------------------------------------------------------------------------

    async def add_salt(self) -> bool:
        label = self.ui.label_edit.text().strip()
        value = self.ui.new_salt_field.text().strip()
        if not label or not value:
            self.ui.error_label.setText("Give the salt a label and paste its value.")
            return False
        if len(label) > 80 or value in label:
            self.ui.error_label.setText("The label must be 1 to 80 characters and must not contain the salt.")
            return False
        if label in self._services.settings.salt_labels:
            self.ui.error_label.setText(f"There is already a salt labelled “{label}”: remove it first to replace it.")
            return False
        try:
            await self._services.add_manual_salt(label, value)
        except Exception as error:  # keychain or settings refused: say which, never with the value
            log.warning("adding a salt failed: %s", type(error).__name__)
            self.ui.error_label.setText(f"The salt could not be stored ({type(error).__name__}).")
            return False
        self.ui.label_edit.clear()
        self.ui.new_salt_field.setText("")
        self.reload(select=label)
        self.ui.error_label.setText(f"Added “{label}”. The receiver checks signatures with it from now on.")
        await self.offer_reverify()
        return True

    async def offer_reverify(self) -> int:
        """A new salt may explain captures that no salt matched: offer to verify those again."""
        unmatched = self._services.unmatched_capture_count()
        if not unmatched:
            return 0
        again = await prompts.ask_yes_no(
            self,
            "Re-verify captures",
            f"{unmatched:,} capture{'s' if unmatched != 1 else ''} had no matching salt (NO_SALT or INVALID). "
            "Verify them again with the salts known now?",
            yes_text="Re-verify",
        )
        if not again:
            return 0
        self.ui.add_button.setEnabled(False)
        try:
            changed = await self._services.reverify_unmatched()
        finally:
            self._update_buttons()
        self.ui.error_label.setText(f"Re-verified {unmatched:,} captures: {changed:,} changed verdict.")
        return changed

    async def remove_selected(self) -> bool:
        label = self.selected_label()
        if label is None:
            return False
        await self._services.remove_manual_salt(label)
        self.reload()
        self.ui.error_label.setText(f"Removed “{label}”.")
        return True
