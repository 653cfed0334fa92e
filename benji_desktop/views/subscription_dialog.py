"""Add/Edit a webhook subscription: URL checks, entity type, an event list that follows it, Active."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from benji_desktop.domain.entities import PILOT_ENTITY_TYPES, EntityType, entity_label, events_for
from benji_desktop.views.dialog_messages import prepare_message_label, show_message
from benji_desktop.views.generated.ui_subscription_dialog import Ui_SubscriptionDialog

ALL_EVENTS = "All events"
LOCAL_HOSTNAMES = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class EndpointCheck:
    error: str = ""
    warning: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def is_local_host(hostname: str) -> bool:
    if hostname in LOCAL_HOSTNAMES or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str) -> EndpointCheck:
    """Refuse what the platform could never deliver to; warn about plain http to another machine."""
    text = url.strip()
    if not text:
        return EndpointCheck(error="Enter the URL the platform should deliver webhooks to.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return EndpointCheck(error="That URL has an invalid port.")
    if parts.scheme not in ("http", "https"):
        return EndpointCheck(error="The URL must start with https:// (or http:// for a local test server).")
    if not parts.hostname:
        return EndpointCheck(error="The URL needs a host name, e.g. https://example.com/benji-hook.")
    if any(c.isspace() for c in text):
        return EndpointCheck(error="The URL must not contain spaces.")
    if port == 0:
        return EndpointCheck(error="Port 0 cannot receive anything.")
    if parts.scheme == "http" and not is_local_host(parts.hostname):
        return EndpointCheck(
            warning="Plain http:// to another machine: the webhook and its signature travel unencrypted. "
            "Use https:// unless this is a test server on your own network."
        )
    return EndpointCheck()


@dataclass(frozen=True)
class SubscriptionValues:
    endpoint: str
    entity_type: int
    event_name: str | None  # None: every event of the type
    active: bool


class SubscriptionDialog(QDialog):
    """`values()` after it is accepted; OK is refused (with a message) while the URL is invalid."""

    def __init__(self, local_receiver_url: str, subscription: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_SubscriptionDialog()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        prepare_message_label(self.ui.endpoint_message_label)
        self._local_receiver_url = local_receiver_url
        entity_types: list[int] = [int(t) for t in PILOT_ENTITY_TYPES]
        if subscription is not None and subscription.entity_type not in (None, *entity_types):
            entity_types.append(int(subscription.entity_type))  # keep what the platform has, even if unusual
        for value in entity_types:
            self.ui.entity_type_combo.addItem(entity_label(value), value)
        self.ui.entity_type_combo.currentIndexChanged.connect(self._fill_events)
        self.ui.use_local_receiver_button.setEnabled(bool(local_receiver_url))
        if local_receiver_url:
            self.ui.use_local_receiver_button.setToolTip(f"Fill in {local_receiver_url}")
        else:
            self.ui.use_local_receiver_button.setToolTip("The local receiver is not running")
        self.ui.use_local_receiver_button.clicked.connect(self.use_local_receiver)
        self.ui.endpoint_edit.textChanged.connect(self._show_check)
        self.ui.button_box.accepted.connect(self.accept)
        self._fill_events()
        if subscription is not None:
            self.setWindowTitle("Edit webhook subscription")
            self.ui.endpoint_edit.setText(subscription.endpoint)
            index = self.ui.entity_type_combo.findData(subscription.entity_type)
            self.ui.entity_type_combo.setCurrentIndex(max(index, 0))
            self.set_event(subscription.event_name)
            self.ui.active_check.setChecked(bool(subscription.active))
        else:
            self.setWindowTitle("Add webhook subscription")
        self._show_check()

    # ----- behaviour ----------------------------------------------------------------------------------

    def entity_type(self) -> int:
        return int(self.ui.entity_type_combo.currentData())

    def event_choices(self) -> list[str]:
        return [self.ui.event_combo.itemText(i) for i in range(self.ui.event_combo.count())]

    def _fill_events(self, *_: object) -> None:
        current = self.event_name()
        combo = self.ui.event_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL_EVENTS)
        events = events_for(self.entity_type())
        combo.addItems(list(events))
        combo.blockSignals(False)
        # A custom name survives the switch; a catalogue event of the other type does not.
        known_elsewhere = current is not None and current not in events and _in_catalogue(current)
        self.set_event(None if known_elsewhere else current)

    def set_event(self, event_name: str | None) -> None:
        combo = self.ui.event_combo
        if not event_name:
            combo.setCurrentIndex(0)
            return
        index = combo.findText(event_name)
        if index >= 0:
            combo.setCurrentIndex(index)
        else:
            combo.setEditText(event_name)

    def event_name(self) -> str | None:
        text = self.ui.event_combo.currentText().strip()
        return None if not text or text == ALL_EVENTS else text

    def use_local_receiver(self) -> None:
        self.ui.endpoint_edit.setText(self._local_receiver_url)

    def _show_check(self, *_: object) -> EndpointCheck:
        check = check_endpoint(self.ui.endpoint_edit.text())
        typed = bool(self.ui.endpoint_edit.text().strip())
        self.ui.endpoint_message_label.setProperty("severity", "error" if check.error else "warning")
        show_message(self, self.ui.endpoint_message_label, (check.error if typed else "") or check.warning)
        ok_button = self.ui.button_box.button(QDialogButtonBox.StandardButton.Ok)
        if ok_button is not None:
            ok_button.setToolTip(check.error)
        return check

    def message(self) -> str:
        return self.ui.endpoint_message_label.text()

    def accept(self) -> None:
        check = check_endpoint(self.ui.endpoint_edit.text())
        if not check.ok:
            show_message(self, self.ui.endpoint_message_label, check.error)
            self.ui.endpoint_edit.setFocus()
            return
        event = self.event_name()
        if event is not None and any(c.isspace() for c in event):
            show_message(self, self.ui.endpoint_message_label, "An event name cannot contain spaces.")
            return
        super().accept()

    def values(self) -> SubscriptionValues:
        return SubscriptionValues(
            endpoint=self.ui.endpoint_edit.text().strip(),
            entity_type=self.entity_type(),
            event_name=self.event_name(),
            active=self.ui.active_check.isChecked(),
        )


def _in_catalogue(event: str) -> bool:
    return any(event in events_for(int(t)) for t in EntityType)
