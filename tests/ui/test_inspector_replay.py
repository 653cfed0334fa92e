"""Replay from the Inspector through a real receiver on 127.0.0.1 port 0: the new capture is linked to its parent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtWidgets import QMessageBox

from benji_desktop.receiver import Receiver, StaticSaltSource
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers
from benji_desktop.storage.captures import CaptureStore
from benji_desktop.views.inspector import InspectorTab
from benji_desktop.views.inspector.dialogs import ReplayRequest

SALT = "salt_" + "A" * 32


@pytest.fixture(autouse=True)
def no_modal_warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: shown.append(text))
    return shown


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "captures.sqlite3") as opened:
        yield opened


async def test_replay_creates_a_linked_capture(store: CaptureStore, qtbot) -> None:
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT, "test salt")]), port=0)
    await receiver.start()
    try:
        tab = InspectorTab(store, receiver)
        qtbot.addWidget(tab)
        body = canonical_body("transaction_created", 3, 5)
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{receiver.url}/webhooks/benji", content=body, headers=signed_headers(body, [SALT])
            )
        assert response.status_code == 200
        for _ in range(100):
            if tab.model.rowCount() == 1:
                break
            await asyncio.sleep(0.05)
        assert tab.model.rowCount() == 1
        original_id = tab.model.capture_id_at(0)
        assert tab.select_capture(original_id)

        replay_id = await tab.replay_selected()

        assert replay_id is not None and replay_id != original_id
        replayed = store.get(replay_id)
        assert replayed is not None
        assert replayed.parent_id == original_id and replayed.source == "replay"
        assert replayed.body == body and replayed.verdict == "VALID"
        for _ in range(100):
            if tab.model.rowCount() == 2:
                break
            await asyncio.sleep(0.05)
        assert tab.model.rowCount() == 2
        assert tab.selected_capture_id() == original_id  # still the one the user was looking at
        assert f"#{replay_id}" in tab.detail.ui.overview_browser.toPlainText()
    finally:
        await receiver.stop()


async def test_edit_and_replay_to_another_url_re_signs_the_edited_body(store: CaptureStore, qtbot) -> None:
    receiver = Receiver(store, StaticSaltSource([KnownSalt(SALT, "test salt")]), port=0)
    await receiver.start()
    try:
        tab = InspectorTab(store, receiver)
        qtbot.addWidget(tab)
        body = canonical_body("transaction_created", 3, 5)
        async with httpx.AsyncClient() as client:
            await client.post(f"{receiver.url}/webhooks/benji", content=body, headers=signed_headers(body, [SALT]))
        for _ in range(100):
            if tab.model.rowCount() == 1:
                break
            await asyncio.sleep(0.05)
        original_id = tab.model.capture_id_at(0)
        edited = canonical_body("transaction_created", 3, 6)

        replay_id = await tab.replay_capture(
            original_id, ReplayRequest(f"{receiver.url}/elsewhere", None, edited, resign_salt=SALT)
        )

        replayed = store.get(replay_id)
        assert replayed.parent_id == original_id and replayed.body == edited
        assert replayed.path == "/elsewhere" and replayed.response_status == 200
        assert replayed.verdict == "VALID"  # signed again over the edited bytes, with a fresh datetime
        assert "answered 200" in tab.ui.error_label.text()
    finally:
        await receiver.stop()
