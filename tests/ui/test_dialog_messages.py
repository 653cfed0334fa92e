"""Dialog messages are whole (wrapped, not clipped), name fields by label; entity types read as words."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QWidget

from benji_desktop.client.models import Integration, IntegrationField
from benji_desktop.views.connect_integration_dialog import ConnectIntegrationDialog
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.subscription_dialog import SubscriptionDialog
from benji_desktop.views.table_models import credentials_text

STRIPE = Integration(
    "stripe",
    "Stripe Connect",
    "connected",
    (
        IntegrationField("secret_key", "Secret key", True, "sk_test_…"),
        IntegrationField("account_id", "Account ID", False, "acct_…"),
    ),
    {"secret_key": "sk_t…3456", "account_id": "acct…ER42"},
)


def assert_whole(label: QLabel, *fields: QWidget) -> None:
    QApplication.processEvents()
    assert label.isVisible()
    assert label.height() >= label.heightForWidth(label.width()), (label.height(), label.heightForWidth(label.width()))
    for field in fields:
        assert field.height() >= field.sizeHint().height(), field.objectName()


def test_subscription_dialog_error_is_not_clipped(qtbot: Any) -> None:
    dialog = SubscriptionDialog("http://127.0.0.1:8787/webhooks/benji")
    qtbot.addWidget(dialog)
    large = dialog.font()
    large.setPointSize(large.pointSize() + 4)  # a larger system font: the message needs two lines
    dialog.setFont(large)
    dialog.show()
    dialog.resize(dialog.minimumSizeHint().width(), dialog.height())  # narrow: the message wraps
    dialog.ui.endpoint_edit.setText("localhost:3000/hook")
    dialog.accept()
    assert "must start with https://" in dialog.ui.endpoint_message_label.text()
    assert_whole(dialog.ui.endpoint_message_label, dialog.ui.endpoint_edit, dialog.ui.entity_type_combo)
    assert dialog.isVisible()


def test_subscription_dialog_names_entity_types_as_words(qtbot: Any) -> None:
    dialog = SubscriptionDialog("http://127.0.0.1:8787/webhooks/benji")
    qtbot.addWidget(dialog)
    names = [dialog.ui.entity_type_combo.itemText(i) for i in range(dialog.ui.entity_type_combo.count())]
    assert "User" in names and "Transaction" in names
    assert "USER" not in names and "TRANSACTION" not in names


def test_connect_dialog_names_missing_fields_by_label_and_keeps_them_whole(qtbot: Any) -> None:
    dialog = ConnectIntegrationDialog(STRIPE, PresentationMode())
    qtbot.addWidget(dialog)
    large = dialog.font()
    large.setPointSize(large.pointSize() + 4)
    dialog.setFont(large)
    dialog.show()
    dialog.resize(dialog.minimumSizeHint().width(), dialog.height())
    dialog.accept()
    text = dialog.ui.message_label.text()
    assert "Secret key" in text and "Account ID" in text
    assert "secret_key" not in text and "account_id" not in text
    assert_whole(dialog.ui.message_label, *dialog.inputs.values())


def test_integration_row_names_credentials_by_label() -> None:
    text = credentials_text(STRIPE)
    assert "Secret key: sk_t…3456" in text and "Account ID: acct…ER42" in text
    assert "secret_key" not in text
