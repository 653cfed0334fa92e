"""Webhooks tab: subscriptions with masked salts; add/edit/delete, Active, Send test, deliveries, salt rotation."""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.domain.entities import events_for
from benji_desktop.views import prompts
from benji_desktop.views.actions import ActionRunner
from benji_desktop.views.clipboard import copy_secret
from benji_desktop.views.deliveries_dialog import DeliveriesDialog
from benji_desktop.views.generated.ui_webhooks_tab import Ui_WebhooksTab
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.settings_tab import SettingsTab
from benji_desktop.views.subscription_dialog import SubscriptionDialog, SubscriptionValues
from benji_desktop.views.table_models import SubscriptionsModel, sorted_proxy
from benji_desktop.views.tasks import spawn

log = logging.getLogger(__name__)

# Entity id used for a test delivery signed on this computer (the docs' sample user).
SAMPLE_ENTITY_ID = 155
DEFAULT_OVERLAP_HOURS = 24
# A revealed salt is masked again after this long: long enough to read or compare it, not to leave it open.
REVEAL_SECONDS = 30
NO_TEST_YET = "Select a subscription and press Send test (Ctrl+T)."


def capture_id_from_response(body: str) -> int | None:
    """The local receiver answers `{"received": true, "id": <capture id>}`."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class WebhooksTab(SettingsTab):
    feature = "Webhook management"
    title = "Webhooks"

    #: A test delivery landed in this app's receiver: the window shows it in the Inspector.
    local_capture_received = Signal(int)
    #: The user asked to see what arrived for a subscription (id, endpoint): the Inspector filters on it.
    captures_requested = Signal(int, str)

    def __init__(
        self,
        services: AppServices,
        runner: ActionRunner,
        presentation: PresentationMode,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, runner, presentation, parent)
        self.ui = Ui_WebhooksTab()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.model = SubscriptionsModel(presentation, self)
        self.proxy = sorted_proxy(self.model)
        view = self.ui.subscriptions_view
        view.setModel(self.proxy)
        self.fit_columns(view, SubscriptionsModel.ENDPOINT)
        view.sortByColumn(SubscriptionsModel.ENDPOINT, Qt.SortOrder.AscendingOrder)
        self.last_test: Any = None
        self._deliveries_dialogs: list[DeliveriesDialog] = []
        self._shown_subscription_id: int | None = None
        self.reveal_timer = QTimer(self)
        self.reveal_timer.setSingleShot(True)
        self.reveal_timer.setInterval(REVEAL_SECONDS * 1000)
        self.reveal_timer.timeout.connect(self.conceal_salts)

        self.ui.add_subscription_button.clicked.connect(lambda: spawn(self.add_subscription()))
        self.ui.edit_subscription_button.clicked.connect(lambda: spawn(self.edit_selected()))
        self.ui.delete_subscription_button.clicked.connect(lambda: spawn(self.delete_selected()))
        self.ui.toggle_active_button.clicked.connect(lambda: spawn(self.toggle_active_selected()))
        self.ui.send_test_button.clicked.connect(lambda: spawn(self.send_test_selected()))
        self.ui.deliveries_button.clicked.connect(lambda: spawn(self.show_deliveries()))
        self.ui.show_captures_button.clicked.connect(self.show_captures_selected)
        self.ui.rotate_salt_button.clicked.connect(lambda: spawn(self.rotate_salt_selected()))
        self.ui.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        self.ui.reveal_salt_button.toggled.connect(self._reveal_toggled)
        self.ui.copy_salt_button.clicked.connect(self.copy_selected_salt)
        view.doubleClicked.connect(lambda _index: spawn(self.edit_selected()))
        view.selectionModel().selectionChanged.connect(self._selection_changed)
        view.selectionModel().currentChanged.connect(self._selection_changed)  # the fallback when no row is
        self.keep_selection_across_reloads(view, self.proxy, lambda subscription: subscription.id)
        self.proxy.modelReset.connect(self._selection_changed)
        presentation.changed.connect(self._presentation_changed)
        self._presentation_changed(presentation.enabled)
        self._selection_changed()

    # ----- selection and salt display ----------------------------------------------------------------

    def selected_subscription(self) -> Any:
        return self.selected_record(self.ui.subscriptions_view)

    def show_captures_selected(self) -> None:
        subscription = self.selected_subscription()
        if subscription is not None:
            self.captures_requested.emit(subscription.id, subscription.endpoint)

    def select_subscription(self, subscription_id: int) -> None:
        row = self.model.row_of(lambda s: s.id == subscription_id)
        self.select_row_where(self.ui.subscriptions_view, self.proxy, row)

    def platform_controls(self) -> list[QWidget]:
        return [self.ui.add_subscription_button, self.ui.refresh_button]

    def _selection_changed(self, *_: object) -> None:
        subscription = self.selected_subscription()
        selected = subscription is not None
        shown_id = subscription.id if selected else None
        if shown_id != self._shown_subscription_id:
            # Another row (or none): a salt revealed for the previous one is masked again.
            self._shown_subscription_id = shown_id
            self.conceal_salts()
        for button in (
            self.ui.edit_subscription_button,
            self.ui.delete_subscription_button,
            self.ui.toggle_active_button,
            self.ui.send_test_button,
            self.ui.deliveries_button,
            self.ui.show_captures_button,
            self.ui.rotate_salt_button,
            self.ui.copy_salt_button,
        ):
            button.setEnabled(selected)
        self.ui.reveal_salt_button.setEnabled(selected and not self.presentation.enabled)
        if selected:
            self.ui.toggle_active_button.setText("Pause" if subscription.active else "Activate")
            self._show_reveal_state(self.model.is_revealed(subscription.id))

    def _reveal_toggled(self, revealed: bool) -> None:
        self.ui.reveal_salt_button.setText("Hide" if revealed else "Reveal")
        subscription = self.selected_subscription()
        if subscription is not None:
            self.model.set_revealed(subscription.id, revealed and not self.presentation.enabled)
        if revealed:
            self.reveal_timer.start()
        else:
            self.reveal_timer.stop()

    def conceal_salts(self) -> None:
        """Every salt masked again and Reveal unpressed (selection change, environment switch, timeout)."""
        self.reveal_timer.stop()
        self.model.conceal_all()
        self._show_reveal_state(False)

    def _show_reveal_state(self, revealed: bool) -> None:
        """Press (or release) Reveal without acting on it; its text says what a press does now."""
        button = self.ui.reveal_salt_button
        button.blockSignals(True)
        button.setChecked(revealed)
        button.blockSignals(False)
        button.setText("Hide" if revealed else "Reveal")

    def forget_environment(self) -> None:
        super().forget_environment()  # the reset runs _selection_changed, which turns the buttons off
        self.conceal_salts()
        self.last_test = None
        self.ui.test_result_label.setText(NO_TEST_YET)
        self.ui.test_response_view.setPlainText("")
        for dialog in list(self._deliveries_dialogs):
            dialog.close()

    def _presentation_changed(self, enabled: bool) -> None:
        if enabled:
            self.ui.reveal_salt_button.setChecked(False)
        self._selection_changed()

    def salt_of(self, subscription: Any) -> str | None:
        return getattr(subscription, "salt", None) or self.services.salt_source.salt_for_subscription(
            self.environment.id, subscription.id
        )

    def copy_selected_salt(self) -> None:
        subscription = self.selected_subscription()
        salt = self.salt_of(subscription) if subscription is not None else None
        if salt:
            copy_secret(salt, self.services.settings.clipboard_clear_seconds)
            self.runner.show_status(
                f"Salt copied; the clipboard is cleared in {self.services.settings.clipboard_clear_seconds} s."
            )

    # ----- work -----------------------------------------------------------------------------------------

    async def refresh(self) -> None:
        outcome = await self.act(self._list(), "load the webhook subscriptions", self.ui.refresh_button)
        if outcome.ok:
            subscriptions = outcome.value or []
            self.model.set_records(subscriptions)  # the reset keeps the selected subscription selected
            await self.services.sync_subscriptions(self.environment.id, subscriptions)
        elif outcome.not_available:
            self.model.set_records([])
        self._selection_changed()

    async def _list(self) -> list[Any]:
        return list(await (await self.client()).list_subscriptions())

    async def add_subscription(self, values: SubscriptionValues | None = None) -> Any:
        if values is None:
            dialog = SubscriptionDialog(self.services.local_receiver_endpoint, parent=self)
            if await prompts.show_dialog(dialog) != SubscriptionDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
        outcome = await self.act(
            self._create(values), "create the webhook subscription", self.ui.add_subscription_button
        )
        if not outcome.ok or outcome.value is None:
            return None
        created = outcome.value
        await self.services.remember_subscription(self.environment.id, created.id, created.endpoint, created.salt)
        await self.refresh()
        self.select_subscription(created.id)
        return created

    async def _create(self, values: SubscriptionValues) -> Any:
        client = await self.client()
        return await client.create_subscription(values.endpoint, values.entity_type, values.event_name, values.active)

    async def edit_selected(self, values: SubscriptionValues | None = None) -> Any:
        subscription = self.selected_subscription()
        if subscription is None:
            return None
        if values is None:
            dialog = SubscriptionDialog(self.services.local_receiver_endpoint, subscription, parent=self)
            if await prompts.show_dialog(dialog) != SubscriptionDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
        outcome = await self.act(
            self._update(subscription.id, values), "save the webhook subscription", self.ui.edit_subscription_button
        )
        if outcome.ok:
            await self.refresh()
            self.select_subscription(subscription.id)
        return outcome.value

    async def _update(self, subscription_id: int, values: SubscriptionValues) -> Any:
        return await (await self.client()).update_subscription(
            subscription_id,
            endpoint=values.endpoint,
            entity_type=values.entity_type,
            event_name=values.event_name,
            active=values.active,
        )

    async def delete_selected(self) -> bool:
        subscription = self.selected_subscription()
        if subscription is None:
            return False
        if not await self.confirm_destructive(
            "Delete webhook subscription",
            f"Delete the subscription to {subscription.endpoint}? Deliveries to it stop at once.",
            yes_text="Delete",
        ):
            return False
        outcome = await self.act(
            self._delete(subscription), "delete the webhook subscription", self.ui.delete_subscription_button
        )
        if outcome.ok:
            await self.services.forget_subscription(self.environment.id, subscription.id)
            await self.refresh()
        return outcome.ok

    async def _delete(self, subscription: Any) -> None:
        client = await self.client()
        await client.delete_subscription(
            subscription.id, entity_type=subscription.entity_type, event_name=subscription.event_name
        )

    async def toggle_active_selected(self) -> None:
        subscription = self.selected_subscription()
        if subscription is None:
            return
        active = not subscription.active
        if not active and not await self.confirm_destructive(
            "Pause webhook subscription",
            f"Pause deliveries to {subscription.endpoint}?",
            always=False,
            yes_text="Pause",
        ):
            return
        what = "activate the subscription" if active else "pause the subscription"
        outcome = await self.act(self._set_active(subscription.id, active), what, self.ui.toggle_active_button)
        if outcome.ok:
            await self.refresh()
            self.select_subscription(subscription.id)

    async def _set_active(self, subscription_id: int, active: bool) -> Any:
        return await (await self.client()).update_subscription(subscription_id, active=active)

    async def send_test_selected(self) -> Any:
        subscription = self.selected_subscription()
        if subscription is None:
            return None
        locally = not self.environment.is_embedded
        if locally and not self.salt_of(subscription):
            self.runner.show_error(
                self,
                "This subscription's salt is not stored on this computer, so a test cannot be signed here. "
                "Rotate the salt or recreate the subscription, or paste the salt from Pilot.",
            )
            return None
        self.ui.test_result_label.setText(f"Sending a test to {subscription.endpoint}…")
        outcome = await self.act(
            self._send_test(subscription, locally), "send the test webhook", self.ui.send_test_button
        )
        # The runner turns the button back on when the work ends; the selection may have changed meanwhile.
        self._selection_changed()
        if not outcome.ok or outcome.value is None:
            self.ui.test_result_label.setText(outcome.message or "The test was not sent.")
            return None
        attempt = outcome.value
        self.last_test = attempt
        self._show_test_result(subscription, attempt, locally)
        if self.services.is_local_receiver(subscription.endpoint):
            capture_id = capture_id_from_response(attempt.response_body)
            if capture_id is not None:
                self.local_capture_received.emit(capture_id)
        return attempt

    async def _send_test(self, subscription: Any, locally: bool) -> Any:
        client = await self.client()
        if not locally:
            return await client.send_test(subscription.id)
        event = subscription.event_name or next(iter(events_for(subscription.entity_type or 0)), "test_event")
        return await client.sign_and_send_locally(
            subscription.endpoint,
            self.salt_of(subscription),
            event,
            int(subscription.entity_type or 0),
            SAMPLE_ENTITY_ID,
        )

    def _show_test_result(self, subscription: Any, attempt: Any, locally: bool) -> None:
        latency = f" in {attempt.latency_ms:.0f} ms" if attempt.latency_ms is not None else ""
        verdict = "Delivered" if attempt.status == "succeeded" else "Not delivered"
        if attempt.response_status is None and attempt.error:
            sentence = f"{verdict}: {attempt.error}"  # the reason already names the host
        elif attempt.status == "pending":
            sentence = f"Sent to {subscription.endpoint}; no answer yet (see Deliveries)."
        else:
            sentence = f"{verdict}: HTTP {attempt.response_status}{latency} from {subscription.endpoint}."
            if attempt.error and attempt.error != f"The endpoint answered HTTP {attempt.response_status}.":
                sentence += f" {attempt.error}"
        if attempt.status == "retry_scheduled":
            sentence += " The platform will retry (see Deliveries)."
        if locally:
            sentence += (
                f" Signed on this computer with the stored salt and sent from here: {self.environment.name} "
                "has no send-test call, so this shows what your endpoint does with a correctly signed request."
            )
        self.ui.test_result_label.setText(sentence)
        self.ui.test_response_view.setPlainText(attempt.response_body or "")

    def delivery_logged(self, attempt: object) -> None:
        """The Sandbox logged an attempt (a retry, too): open delivery logs of that subscription reload."""
        subscription_id = attempt.get("subscription_id") if isinstance(attempt, dict) else None
        for dialog in self._deliveries_dialogs:
            if subscription_id in (None, dialog.subscription.id) and self.environment.is_embedded:
                dialog.schedule_refresh()

    async def show_deliveries(self) -> DeliveriesDialog | None:
        subscription = self.selected_subscription()
        if subscription is None:
            return None
        dialog = DeliveriesDialog(self.services, self.runner, subscription, parent=self)
        self._deliveries_dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._deliveries_dialogs.remove(dialog))
        dialog.show()
        await dialog.refresh()
        return dialog

    async def rotate_salt_selected(self, overlap_hours: int | None = None) -> Any:
        subscription = self.selected_subscription()
        if subscription is None:
            return None
        hours = DEFAULT_OVERLAP_HOURS if overlap_hours is None else overlap_hours
        if not await self.confirm_destructive(
            "Rotate salt",
            f"Generate a new salt for {subscription.endpoint}?\n\nFor the next {hours} hours deliveries carry "
            "two signatures, one with the new salt and one with the old, so your server keeps accepting them "
            "while you deploy the new salt. After that only the new salt is used.",
            yes_text="Rotate",
        ):
            return None
        outcome = await self.act(
            self._rotate(subscription.id, hours * 3600), "rotate the salt", self.ui.rotate_salt_button
        )
        if outcome.ok and outcome.value is not None:
            rotated = outcome.value
            await self.services.remember_subscription(
                self.environment.id, rotated.id, rotated.endpoint, rotated.salt, rotated.previous_salt
            )
            await self.refresh()
            self.select_subscription(rotated.id)
        return outcome.value

    async def _rotate(self, subscription_id: int, overlap_seconds: int) -> Any:
        return await (await self.client()).rotate_salt(subscription_id, overlap_seconds)

    # ----- shortcuts ------------------------------------------------------------------------------------

    def add_action(self) -> None:
        spawn(self.add_subscription())

    def edit_action(self) -> None:
        spawn(self.edit_selected())

    def delete_action(self) -> None:
        spawn(self.delete_selected())

    def send_test_action(self) -> None:
        spawn(self.send_test_selected())
