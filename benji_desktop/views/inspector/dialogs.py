"""The Inspector's dialogs: edit-and-replay, import-and-verify, and response rules with retention."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QWidget

from benji_desktop.domain.masking import mask_secret
from benji_desktop.receiver.rules import ResponseRule, ResponseRules
from benji_desktop.signature import KnownSalt
from benji_desktop.storage.captures import Capture
from benji_desktop.views import prompts
from benji_desktop.views.generated.ui_inspector_import_dialog import Ui_InspectorImportDialog
from benji_desktop.views.generated.ui_inspector_replay_dialog import Ui_InspectorReplayDialog
from benji_desktop.views.generated.ui_inspector_rules_dialog import Ui_InspectorRulesDialog
from benji_desktop.views.tasks import spawn

TYPED_SALT_LABEL = "typed salt"
# Files bigger than this are not pasted into the text box; the import reads them off the loop instead.
MAX_PASTED_FILE_BYTES = 2 * 1024 * 1024


def table_pairs(table: QTableWidget) -> list[tuple[str, str]]:
    pairs = []
    for row in range(table.rowCount()):
        name_item, value_item = table.item(row, 0), table.item(row, 1)
        name = name_item.text().strip() if name_item else ""
        if name:
            pairs.append((name, value_item.text() if value_item else ""))
    return pairs


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def fill_salt_combo(combo: object, salts: list[KnownSalt], *, none_text: str) -> None:
    combo.addItem(none_text, None)  # type: ignore[attr-defined]
    for index, known in enumerate(salts):
        combo.addItem(f"{known.label} ({mask_secret(known.salt)})", index)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReplayRequest:
    url: str | None
    headers: list[tuple[str, str]] | None  # None: as received
    body: bytes | None  # None: the exact bytes received
    resign_salt: str | None


class ReplayDialog(QDialog):
    """Headers and body editable; optionally re-sign with a chosen salt (and a fresh datetime); any URL."""

    def __init__(
        self, capture: Capture, default_url: str, salts: list[KnownSalt], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_InspectorReplayDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._capture = capture
        self._salts = salts
        self.ui.target_url_edit.setText(default_url)
        self._original_headers = list(capture.headers)
        self.ui.headers_table.setRowCount(len(capture.headers))
        for row, (name, value) in enumerate(capture.headers):
            self.ui.headers_table.setItem(row, 0, QTableWidgetItem(name))
            self.ui.headers_table.setItem(row, 1, QTableWidgetItem(value))
        self.ui.headers_table.resizeColumnToContents(0)
        self._original_text = capture.body.decode("utf-8", errors="replace")
        self.ui.body_edit.setPlainText(self._original_text)
        fill_salt_combo(self.ui.salt_combo, salts, none_text="— choose a known salt —")
        if salts:
            self.ui.salt_combo.setCurrentIndex(1)
        self.ui.add_header_button.clicked.connect(self._add_header)
        self.ui.remove_header_button.clicked.connect(self._remove_header)
        self.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("Replay")
        self.ui.button_box.accepted.connect(self._check_and_accept)
        self.ui.button_box.rejected.connect(self.reject)

    def _add_header(self) -> None:
        row = self.ui.headers_table.rowCount()
        self.ui.headers_table.insertRow(row)
        name_item = QTableWidgetItem("")
        self.ui.headers_table.setItem(row, 0, name_item)
        self.ui.headers_table.setItem(row, 1, QTableWidgetItem(""))
        self.ui.headers_table.editItem(name_item)

    def _remove_header(self) -> None:
        rows = sorted({index.row() for index in self.ui.headers_table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.ui.headers_table.removeRow(row)

    def chosen_salt(self) -> str | None:
        if not self.ui.resign_group.isChecked():
            return None
        typed = self.ui.typed_salt_edit.text().strip()
        if typed:
            return typed
        index = self.ui.salt_combo.currentData()
        return self._salts[index].salt if isinstance(index, int) else None

    def _check_and_accept(self) -> None:
        url = self.ui.target_url_edit.text().strip()
        if url and not url.lower().startswith(("http://", "https://")):
            self.ui.error_label.setText("The URL must start with http:// or https://.")
            return
        if self.ui.resign_group.isChecked() and self.chosen_salt() is None:
            self.ui.error_label.setText("Choose a salt to re-sign with, or type one.")
            return
        self.accept()

    def replay_request(self) -> ReplayRequest:
        headers = table_pairs(self.ui.headers_table)
        text = self.ui.body_edit.toPlainText()
        return ReplayRequest(
            url=self.ui.target_url_edit.text().strip() or None,
            headers=None if headers == self._original_headers else headers,
            # Unchanged text keeps the exact received bytes (they may not even be UTF-8).
            body=None if text == self._original_text else text.encode("utf-8"),
            resign_salt=self.chosen_salt(),
        )


@dataclass(frozen=True)
class ImportRequest:
    text: str | None
    file_path: Path | None
    salts: list[KnownSalt]
    ignore_timestamp: bool


class ImportDialog(QDialog):
    """Paste a raw request or a cURL command, or pick a HAR/JSON file; pick a known salt or type one."""

    def __init__(self, salts: list[KnownSalt], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_InspectorImportDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._salts = salts
        self._file_path: Path | None = None
        fill_salt_combo(self.ui.salt_combo, salts, none_text="Every known salt")
        self.ui.open_file_button.clicked.connect(self._choose_file)
        self.ui.source_edit.textChanged.connect(self._describe_source)
        self.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("Import and verify")
        self.ui.button_box.accepted.connect(self._check_and_accept)
        self.ui.button_box.rejected.connect(self.reject)

    def _choose_file(self) -> None:
        spawn(self.choose_file())

    async def choose_file(self) -> Path | None:
        name = await prompts.choose_open_file(
            self,
            "Import captures",
            "HAR or JSON (*.har *.json);;Raw HTTP or cURL (*.txt *.http *.sh);;Support bundle (*.zip);;All files (*)",
        )
        if name:
            self.set_file(Path(name))
        return Path(name) if name else None

    def set_file(self, path: Path) -> None:
        self._file_path = path
        self.ui.file_label.setText(path.name)
        self.ui.source_edit.setPlaceholderText(f"{path.name} will be imported")

    def _describe_source(self) -> None:
        text = self.ui.source_edit.toPlainText().lstrip()
        if not text:
            self.ui.format_label.setText("")
        elif text.startswith("curl"):
            self.ui.format_label.setText("looks like a cURL command")
        elif text.startswith(("{", "[")):
            self.ui.format_label.setText("looks like HAR / JSON")
        else:
            self.ui.format_label.setText("looks like a raw HTTP request")

    def chosen_salts(self) -> list[KnownSalt]:
        typed = self.ui.typed_salt_edit.text().strip()
        if typed:
            return [KnownSalt(salt=typed, label=TYPED_SALT_LABEL)]
        index = self.ui.salt_combo.currentData()
        if isinstance(index, int):
            return [self._salts[index]]
        return list(self._salts)

    def _check_and_accept(self) -> None:
        if not self.ui.source_edit.toPlainText().strip() and self._file_path is None:
            self.ui.error_label.setText("Paste a request or a cURL command, or open a file.")
            return
        self.accept()

    def import_request(self) -> ImportRequest:
        text = self.ui.source_edit.toPlainText()
        return ImportRequest(
            text=text if text.strip() else None,
            file_path=self._file_path if not text.strip() else None,
            salts=self.chosen_salts(),
            ignore_timestamp=self.ui.ignore_timestamp_check.isChecked(),
        )


@dataclass(frozen=True)
class ReceiverSettingsChoice:
    rules: ResponseRules
    max_count: int  # 0: no limit
    max_age_days: int  # 0: never


class ResponseRulesDialog(QDialog):
    """Response rules per path prefix (status, delay, body) and the retention limits."""

    def __init__(self, rules: ResponseRules, max_count: int, max_age_days: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_InspectorRulesDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self._default = rules.default
        self._kept_headers = {rule.path_prefix: rule.headers for rule in rules.rules}
        for rule in rules.rules:
            self._append_rule(rule)
        self.ui.rules_table.resizeColumnsToContents()
        self.ui.max_count_spin.setValue(max_count)
        self.ui.max_age_spin.setValue(max_age_days)
        self.ui.add_rule_button.clicked.connect(lambda: self._append_rule(ResponseRule(path_prefix="/", status=500)))
        self.ui.remove_rule_button.clicked.connect(self._remove_rule)
        self.ui.button_box.accepted.connect(self._check_and_accept)
        self.ui.button_box.rejected.connect(self.reject)

    def _append_rule(self, rule: ResponseRule) -> None:
        row = self.ui.rules_table.rowCount()
        self.ui.rules_table.insertRow(row)
        values = (rule.path_prefix, str(rule.status), f"{rule.delay_seconds * 1000:g}", rule.body or "")
        for column, value in enumerate(values):
            self.ui.rules_table.setItem(row, column, QTableWidgetItem(value))

    def _remove_rule(self) -> None:
        for row in sorted({index.row() for index in self.ui.rules_table.selectedIndexes()}, reverse=True):
            self.ui.rules_table.removeRow(row)

    def _read_rules(self) -> list[ResponseRule]:
        rules = []
        table = self.ui.rules_table
        for row in range(table.rowCount()):
            cells = [cell_text(table, row, column) for column in range(4)]
            path, status_text, delay_text, body = cells
            if not path.startswith("/"):
                raise ValueError(f"Row {row + 1}: the path must start with “/”.")
            if not status_text.isdigit() or not 100 <= int(status_text) <= 599:
                raise ValueError(f"Row {row + 1}: the status must be a number from 100 to 599.")
            try:
                delay_ms = float(delay_text or 0)
            except ValueError:
                raise ValueError(f"Row {row + 1}: the delay must be a number of milliseconds.") from None
            if not 0 <= delay_ms <= 600_000:
                raise ValueError(f"Row {row + 1}: the delay must be between 0 and 600000 ms.")
            rules.append(
                ResponseRule(
                    path_prefix=path,
                    status=int(status_text),
                    headers=self._kept_headers.get(path, ()),
                    body=body or None,
                    delay_seconds=delay_ms / 1000,
                )
            )
        return rules

    def _check_and_accept(self) -> None:
        try:
            self._read_rules()
        except ValueError as error:
            self.ui.error_label.setText(str(error))
            return
        self.accept()

    def choice(self) -> ReceiverSettingsChoice:
        return ReceiverSettingsChoice(
            rules=ResponseRules(rules=tuple(self._read_rules()), default=self._default),
            max_count=self.ui.max_count_spin.value(),
            max_age_days=self.ui.max_age_spin.value(),
        )
