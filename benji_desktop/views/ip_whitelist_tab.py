"""IP Whitelist tab: request an address with a note, watch it be reviewed, remove it; Sandbox review buttons."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.domain.environments import Environment
from benji_desktop.views import prompts
from benji_desktop.views.actions import ActionRunner
from benji_desktop.views.generated.ui_ip_whitelist_tab import Ui_IpWhitelistTab
from benji_desktop.views.presentation import PresentationMode
from benji_desktop.views.settings_tab import SettingsTab
from benji_desktop.views.table_models import IpEntriesModel, sorted_proxy
from benji_desktop.views.tasks import spawn

REFRESH_INTERVAL_MS = 5000


def normalise_ip(text: str) -> str | None:
    """`ipaddress`'s canonical form (e.g. `2001:DB8:0::1` -> `2001:db8::1`), or None when it is not an address."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


class IpWhitelistTab(SettingsTab):
    feature = "IP whitelist management"
    title = "IP Whitelist"

    #: A request changed from pending to approved/rejected; the sentence is for the status bar.
    review_noticed = Signal(str)

    def __init__(
        self,
        services: AppServices,
        runner: ActionRunner,
        presentation: PresentationMode,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, runner, presentation, parent)
        self.ui = Ui_IpWhitelistTab()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        self.model = IpEntriesModel(presentation, self)
        self.proxy = sorted_proxy(self.model)
        view = self.ui.ip_entries_view
        view.setModel(self.proxy)
        self.fit_columns(view, IpEntriesModel.NOTE)
        view.sortByColumn(IpEntriesModel.REQUESTED, Qt.SortOrder.DescendingOrder)
        self._statuses: dict[int, str] | None = None  # None until the first list of this environment
        self._refresh_lock = asyncio.Lock()
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self.refresh_timer.timeout.connect(lambda: spawn(self.refresh(quiet=True)))
        self.ui.add_ip_button.clicked.connect(lambda: spawn(self.add_ip()))
        self.ui.ip_edit.returnPressed.connect(lambda: spawn(self.add_ip()))
        self.ui.note_edit.returnPressed.connect(lambda: spawn(self.add_ip()))
        self.ui.remove_ip_button.clicked.connect(lambda: spawn(self.remove_selected()))
        self.ui.approve_button.clicked.connect(lambda: spawn(self.review_selected(True)))
        self.ui.reject_button.clicked.connect(lambda: spawn(self.review_selected(False)))
        self.ui.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        self.ui.dismiss_banner_button.clicked.connect(self.dismiss_banner)
        self.keep_selection_across_reloads(view, self.proxy, lambda entry: entry.id)
        self.follow_selection(view, self._update_buttons)
        self.environment_changed(services.current_environment)

    def environment_changed(self, environment: Environment) -> None:
        review = environment.is_embedded
        self.ui.approve_button.setVisible(review)
        self.ui.reject_button.setVisible(review)
        self._statuses = None
        self.forget_environment()
        self.dismiss_banner()
        self._update_buttons()

    def platform_controls(self) -> list[QWidget]:
        return [self.ui.add_ip_button, self.ui.ip_edit, self.ui.note_edit, self.ui.refresh_button]

    def _update_buttons(self, *_: object) -> None:
        entry = self.selected_entry()
        self.ui.remove_ip_button.setEnabled(entry is not None)
        pending = entry is not None and entry.status == "pending"
        self.ui.approve_button.setEnabled(pending)
        self.ui.reject_button.setEnabled(pending)

    def selected_entry(self) -> Any:
        return self.selected_record(self.ui.ip_entries_view)

    def select_entry(self, entry_id: int) -> None:
        self.select_row_where(self.ui.ip_entries_view, self.proxy, self.model.row_of(lambda e: e.id == entry_id))

    # ----- visibility drives the background refresh ----------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.refresh_timer.stop()
        super().hideEvent(event)

    # ----- notification --------------------------------------------------------------------------------

    def show_banner(self, text: str, *, approved: bool) -> None:
        self.ui.review_banner.setText(text)
        self.ui.review_banner.setProperty("severity", "success" if approved else "warning")
        self.ui.review_banner.style().unpolish(self.ui.review_banner)
        self.ui.review_banner.style().polish(self.ui.review_banner)
        self.ui.review_banner.setVisible(True)
        self.ui.dismiss_banner_button.setVisible(True)

    def dismiss_banner(self) -> None:
        self.ui.review_banner.setVisible(False)
        self.ui.dismiss_banner_button.setVisible(False)

    def banner_text(self) -> str:
        return self.ui.review_banner.text() if self.ui.review_banner.isVisibleTo(self) else ""

    def _notice_reviews(self, entries: list[Any]) -> None:
        before, self._statuses = self._statuses, {e.id: e.status for e in entries}
        if before is None:
            return
        for entry in entries:
            if before.get(entry.id) == "pending" and entry.status in ("approved", "rejected"):
                approved = entry.status == "approved"
                sentence = (
                    f"IP {entry.ip} was approved: API calls from it are now accepted."
                    if approved
                    else f"IP {entry.ip} was rejected: ask your Benji contact why, or request another address."
                )
                self.show_banner(sentence, approved=approved)
                self.runner.show_status(sentence, 15000)
                self.review_noticed.emit(sentence)

    # ----- work ----------------------------------------------------------------------------------------

    async def refresh(self, *, quiet: bool = False) -> None:
        """`quiet`: the 5-second poll; it does not disable buttons or flash the status bar, and skips if busy."""
        if quiet and self._refresh_lock.locked():
            return
        async with self._refresh_lock:
            if quiet:
                try:
                    entries = await self._list()
                except Exception:
                    return  # the next poll or a manual refresh will say what is wrong
            else:
                outcome = await self.act(self._list(), "load the IP whitelist", self.ui.refresh_button)
                if outcome.not_available:
                    self.refresh_timer.stop()
                    self.model.set_records([])
                if not outcome.ok:
                    self._update_buttons()
                    return
                entries = outcome.value or []
            self.model.set_records(entries)  # the same entry stays selected
            self._notice_reviews(entries)
            self._update_buttons()

    async def _list(self) -> list[Any]:
        return list(await (await self.client()).list_ip_entries())

    def show_message(self, text: str) -> None:
        self.ui.message_label.setText(text)
        self.ui.message_label.setVisible(bool(text))

    async def add_ip(self, ip: str | None = None, note: str | None = None) -> Any:
        text = self.ui.ip_edit.text() if ip is None else ip
        note_text = (self.ui.note_edit.text() if note is None else note).strip()
        normalised = normalise_ip(text)
        if normalised is None:
            self.show_message(
                f"“{text.strip()}” is not an IPv4 or IPv6 address. Enter one address, e.g. 203.0.113.7 or 2001:db8::1."
                if text.strip()
                else "Enter the IP address to whitelist, e.g. 203.0.113.7."
            )
            self.ui.ip_edit.setFocus()
            return None
        existing = next((e for e in self.model.records() if e.ip == normalised), None)
        if existing is not None:
            self.show_message(f"{normalised} is already on the list (status: {existing.status}).")
            self.select_entry(existing.id)
            return None
        self.show_message("")
        outcome = await self.act(self._request(normalised, note_text), "request the IP address", self.ui.add_ip_button)
        if not outcome.ok or outcome.value is None:
            return None
        self.ui.ip_edit.clear()
        self.ui.note_edit.clear()
        await self.refresh()
        self.select_entry(outcome.value.id)
        self.runner.show_status(f"{normalised} was requested; it stays pending until it is reviewed.")
        return outcome.value

    async def _request(self, ip: str, note: str) -> Any:
        return await (await self.client()).request_ip(ip, note)

    async def remove_selected(self) -> bool:
        entry = self.selected_entry()
        if entry is None:
            return False
        if not await self.confirm_destructive(
            "Remove IP address",
            f"Remove {entry.ip} from the whitelist? Once any address is approved, calls from addresses not on "
            "the list are refused.",
            yes_text="Remove",
        ):
            return False
        outcome = await self.act(self._delete(entry.id), "remove the IP address", self.ui.remove_ip_button)
        if outcome.ok:
            await self.refresh()
        return outcome.ok

    async def _delete(self, entry_id: int) -> None:
        await (await self.client()).delete_ip_entry(entry_id)

    async def review_selected(self, approve: bool) -> Any:
        entry = self.selected_entry()
        if entry is None or not self.environment.is_embedded:
            return None
        if approve and not await self._approval_keeps_this_app_in(entry):
            return None
        what = "approve the IP address" if approve else "reject the IP address"
        button = self.ui.approve_button if approve else self.ui.reject_button
        outcome = await self.act(self._review(entry.id, approve), what, button)
        if outcome.ok:
            await self.refresh()
        return outcome.value

    async def _approval_keeps_this_app_in(self, entry: Any) -> bool:
        """The Sandbox enforces the list once one address is approved: warn before it locks this app out."""

        def loopback(ip: str) -> bool:
            return ipaddress.ip_address(ip).is_loopback

        approved = [e for e in self.model.records() if e.status == "approved"]
        if loopback(entry.ip) or any(loopback(e.ip) for e in approved):
            return True
        return await prompts.ask_yes_no(
            self,
            "Approve IP address",
            f"Once {entry.ip} is approved, the Sandbox accepts API calls only from approved addresses — and this "
            "app calls it from 127.0.0.1, which is not on the list. Approve 127.0.0.1 too (add it first) to "
            "keep using the Sandbox from here.",
            yes_text="Approve anyway",
        )

    async def _review(self, entry_id: int, approve: bool) -> Any:
        return await (await self.client()).review_ip(entry_id, approve)

    # ----- shortcuts ------------------------------------------------------------------------------------

    def add_action(self) -> None:
        self.ui.ip_edit.setFocus()

    def delete_action(self) -> None:
        spawn(self.remove_selected())
