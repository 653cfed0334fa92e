"""Edit & replay to the pre-filled URL (this receiver): one new capture, INVALID, selected, a replay not a duplicate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from app_harness import wait_until

from benji_desktop.receiver import Receiver, StaticSaltSource
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers
from benji_desktop.storage.captures import CaptureStore
from benji_desktop.views import prompts
from benji_desktop.views.inspector import InspectorTab
from benji_desktop.views.inspector.dialogs import ReplayDialog

SALT = "salt_" + "D" * 32


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


async def test_edit_and_replay_to_this_receiver_is_one_selected_capture(
    store: CaptureStore, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT, "test salt")]), port=0)
    await receiver.start()
    try:
        tab = InspectorTab(store, receiver)
        qtbot.addWidget(tab)
        body = canonical_body("transaction_created", 3, 5)
        async with httpx.AsyncClient() as client:
            await client.post(f"{receiver.url}/webhooks/benji", content=body, headers=signed_headers(body, [SALT]))
        await wait_until(lambda: tab.model.rowCount() == 1)
        original_id = tab.model.capture_id_at(0)
        assert tab.select_capture(original_id)
        shown_urls: list[str] = []

        async def change_one_body_byte_and_replay(dialog: ReplayDialog) -> int:
            shown_urls.append(dialog.ui.target_url_edit.text())  # left as pre-filled: this receiver
            text = dialog.ui.body_edit.toPlainText()
            dialog.ui.body_edit.setPlainText(text.replace("5", "6", 1))
            dialog.ui.button_box.accepted.emit()
            return dialog.result()

        monkeypatch.setattr(prompts, "show_dialog", change_one_body_byte_and_replay)
        new_id = await tab.edit_and_replay()

        assert shown_urls and shown_urls[0].startswith(receiver.url)
        assert new_id is not None
        await wait_until(lambda: tab.model.rowCount() == 2)
        assert store.count() == 2  # one new capture, no "(sent by Benji Desktop)" twin
        replayed = store.get(new_id)
        assert replayed is not None
        assert (replayed.source, replayed.parent_id, replayed.verdict) == ("replay", original_id, "INVALID")
        assert replayed.remote != "(sent by Benji Desktop)"
        assert replayed.duplicate_of is None
        assert any(f"Replay of #{original_id}" in note for note in replayed.notes)
        assert tab.selected_capture_id() == new_id  # the edited replay is what the user wants to see
        assert "Duplicate" not in tab.detail.ui.overview_browser.toPlainText()
    finally:
        await receiver.stop()
