"""One `QAbstractTableModel` per settings table (keys, subscriptions, IP entries, integrations, deliveries)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from benji_desktop.domain.entities import entity_label
from benji_desktop.domain.masking import MASK, mask_secret
from benji_desktop.views.presentation import PresentationMode

RECORD_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FULLY_MASKED = MASK * 8

AnyIndex = QModelIndex | QPersistentModelIndex


def local_time(value: datetime | str | None) -> str:
    """A platform time (aware datetime or ISO-8601 UTC text), shown in the user's local time to the second."""
    moment = _moment(value)
    if moment is None:
        return str(value or "")
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def precise_time(value: datetime | str | None, *, milliseconds: bool = True) -> str:
    """Like `local_time` with seconds (and milliseconds): retries 5 s apart must look apart."""
    moment = _moment(value)
    if moment is None:
        return str(value or "")
    text = moment.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f")
    return text[:-3] if milliseconds else text[:-7]


def _moment(value: datetime | str | None) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _time_key(name: str) -> Callable[[Any], str]:
    def key(record: Any) -> str:
        value = getattr(record, name, None)
        return value.isoformat() if isinstance(value, datetime) else str(value or "")

    return key


@dataclass(frozen=True)
class Column:
    title: str
    display: Callable[[Any], str]
    sort_key: Callable[[Any], Any] | None = None
    secret: bool = False  # fully masked in presentation mode


class RecordTableModel(QAbstractTableModel):
    """Rows are DTOs from the client (kept under RECORD_ROLE); columns are declared by each subclass."""

    COLUMNS: ClassVar[Sequence[Column]] = ()

    def __init__(self, presentation: PresentationMode | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[Any] = []
        self._presentation = presentation
        if presentation is not None:
            presentation.changed.connect(self._refresh_all)

    @property
    def presenting(self) -> bool:
        return self._presentation is not None and self._presentation.enabled

    def records(self) -> list[Any]:
        return list(self._records)

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record(self, row: int) -> Any:
        return self._records[row]

    def row_of(self, predicate: Callable[[Any], bool]) -> int:
        return next((row for row, record in enumerate(self._records) if predicate(record)), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section].title
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record, column = self._records[index.row()], self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column.secret and self.presenting:
                return FULLY_MASKED
            return self.display_text(record, index.column())
        if role == RECORD_ROLE:
            return record
        if role == SORT_ROLE:
            key = column.sort_key or column.display
            return key(record)
        return self.extra_data(record, index.column(), role)

    def display_text(self, record: Any, column: int) -> str:
        return self.COLUMNS[column].display(record)

    def extra_data(self, record: Any, column: int, role: int) -> Any:
        return None

    def all_display_text(self) -> str:
        """Everything the table shows, for tests that check no secret is on screen."""
        return "\n".join(
            str(self.data(self.index(row, column)))
            for row in range(self.rowCount())
            for column in range(self.columnCount())
        )

    def _refresh_all(self, *_: object) -> None:
        if self._records:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._records) - 1, len(self.COLUMNS) - 1))


def sorted_proxy(model: RecordTableModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    return proxy


def _attr(name: str) -> Callable[[Any], str]:
    return lambda record: "" if getattr(record, name, None) is None else str(getattr(record, name))


class ApiKeysModel(RecordTableModel):
    NAME, VALUE, CREATED, LAST_USED = range(4)
    COLUMNS = (
        Column("Name", _attr("name")),
        Column("Key value", _attr("masked"), secret=True),
        Column("Created", lambda r: local_time(r.created_at), _time_key("created_at")),
        Column("Last used", lambda r: local_time(getattr(r, "last_used_at", None)), _time_key("last_used_at")),
    )


def event_text(subscription: Any) -> str:
    return subscription.event_name or "All events"


class SubscriptionsModel(RecordTableModel):
    ENDPOINT, ENTITY_TYPE, EVENT, STATUS, SALT = range(5)
    COLUMNS = (
        Column("Endpoint URL", _attr("endpoint")),
        Column("Entity type", lambda r: entity_label(r.entity_type)),
        Column("Event", event_text),
        Column("Status", lambda r: "Active" if r.active else "Paused", lambda r: int(bool(r.active))),
        Column("Salt", lambda r: mask_secret(getattr(r, "salt", None)) or "—", lambda r: 0, secret=True),
    )

    def __init__(self, presentation: PresentationMode | None = None, parent: Any = None) -> None:
        super().__init__(presentation, parent)
        self._revealed: set[int] = set()

    def set_revealed(self, subscription_id: int, revealed: bool) -> None:
        (self._revealed.add if revealed else self._revealed.discard)(subscription_id)
        self._refresh_all()

    def is_revealed(self, subscription_id: int) -> bool:
        return subscription_id in self._revealed and not self.presenting

    def conceal_all(self) -> None:
        if self._revealed:
            self._revealed.clear()
            self._refresh_all()

    def display_text(self, record: Any, column: int) -> str:
        if column == self.SALT and self.is_revealed(record.id):
            return str(getattr(record, "salt", "") or "")
        return super().display_text(record, column)


class IpEntriesModel(RecordTableModel):
    ADDRESS, NOTE, STATUS, REQUESTED, REVIEWED = range(5)
    COLUMNS = (
        Column("Address", _attr("ip")),
        Column("Note", _attr("note")),
        Column("Status", lambda r: str(r.status).title()),
        Column("Requested", lambda r: local_time(r.requested_at), _time_key("requested_at")),
        Column("Reviewed", lambda r: local_time(getattr(r, "reviewed_at", None)), _time_key("reviewed_at")),
    )


def credentials_text(integration: Any) -> str:
    """Masked credentials named by the platform's field labels ("Secret key"), in the platform's field order."""
    masked = getattr(integration, "credentials_masked", None) or {}
    fields = list(getattr(integration, "fields", None) or ())
    labels = {spec.name: spec.label or spec.name for spec in fields}
    order = [spec.name for spec in fields if spec.name in masked] + sorted(set(masked) - set(labels))
    return ", ".join(f"{labels.get(name, name)}: {masked[name]}" for name in order)


class IntegrationsModel(RecordTableModel):
    NAME, STATUS, CREDENTIALS, UPDATED = range(4)
    COLUMNS = (
        Column("Integration", _attr("name")),
        Column("Status", lambda r: str(r.status).title()),
        Column("Credentials", credentials_text, secret=True),
        Column("Last change", lambda r: local_time(getattr(r, "updated_at", None)), _time_key("updated_at")),
    )


def _latency(record: Any) -> str:
    value = getattr(record, "latency_ms", None)
    return "" if value is None else f"{float(value):.0f} ms"


class DeliveriesModel(RecordTableModel):
    """Each attempt with its own outcome: the platform logs "retry scheduled" on an attempt and never updates
    it, so an attempt that a later one followed reads "failed (HTTP 500) — retried as attempt 2"."""

    ATTEMPTED, ATTEMPT, EVENT, STATUS, RESPONSE, LATENCY, NEXT = range(7)
    COLUMNS = (
        Column("Attempted", lambda r: precise_time(r.attempted_at), _time_key("attempted_at")),
        Column("Attempt", _attr("attempt"), lambda r: int(r.attempt)),
        Column("Event", _attr("event")),
        Column("Result", lambda r: str(r.status).replace("_", " ")),
        Column("HTTP status", _attr("response_status"), lambda r: r.response_status or 0),
        Column("Latency", _latency, lambda r: r.latency_ms or 0.0),
        Column("Next attempt at", lambda r: "", _time_key("next_attempt_at")),
    )

    def __init__(self, presentation: PresentationMode | None = None, parent: Any = None) -> None:
        super().__init__(presentation, parent)
        self._followed: set[tuple[int, int]] = set()  # (delivery_id, attempt) that a later attempt followed

    def set_records(self, records: Sequence[Any]) -> None:
        self._followed = {
            (record.delivery_id, record.attempt - 1) for record in records if getattr(record, "attempt", 1) > 1
        }
        super().set_records(records)

    def was_retried(self, record: Any) -> bool:
        return (record.delivery_id, record.attempt) in self._followed

    def display_text(self, record: Any, column: int) -> str:
        if column == self.STATUS:
            return self.outcome(record)
        if column == self.NEXT:
            scheduled = record.status == "retry_scheduled" and not self.was_retried(record)
            return precise_time(getattr(record, "next_attempt_at", None), milliseconds=False) if scheduled else ""
        return super().display_text(record, column)

    def outcome(self, record: Any) -> str:
        status = str(record.status)
        answer = f"HTTP {record.response_status}" if record.response_status is not None else "no answer"
        if status == "succeeded":
            return f"succeeded ({answer})"
        if status == "pending":
            return "pending"
        if status in ("retry_scheduled", "failed") and self.was_retried(record):
            return f"failed ({answer}) — retried as attempt {record.attempt + 1}"
        if status == "retry_scheduled":
            return f"failed ({answer}) — retry scheduled"
        if status == "gave_up":
            return f"failed ({answer}) — gave up, no more retries"
        return f"{status.replace('_', ' ')} ({answer})"
