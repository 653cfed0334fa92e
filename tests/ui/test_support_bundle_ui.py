"""Inspector Export → Support bundle…: the chosen file gets the selected captures with secrets masked, and another
copy's Import shows the same captures and verdicts, verified for real once the receiving person types the salt."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from benji_desktop.receiver.verification import apply_verification
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers
from benji_desktop.storage.captures import Capture, CaptureStore
from benji_desktop.storage.settings import SettingsStore
from benji_desktop.views import prompts
from benji_desktop.views.inspector import InspectorTab, support_bundle
from benji_desktop.views.inspector.dialogs import TYPED_SALT_LABEL

SALT = "salt_Hh3k9QmX2vLr8TnW4yHc6JbA1sEdFgUo"
API_KEY = "bk_sandbox_00112233445566778899aabbccddeeff"


@pytest.fixture(autouse=True)
def no_modal_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "warning", lambda *_a: None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "sender.sqlite3") as opened:
        yield opened


def delivery(entity_id: int, salt: str, known: list[KnownSalt]) -> Capture:
    body = canonical_body("transaction_created", 3, entity_id)
    capture = Capture(
        received_at=time.time() - 30 + entity_id,
        host="127.0.0.1:8787",
        path="/webhooks/benji",
        headers=[*signed_headers(body, [salt]).items(), ("x-api-key", API_KEY)],
        body=body,
        body_size=len(body),
        response_status=200,
    )
    apply_verification(capture, known, 300.0)
    return capture


async def wait_for(condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_support_bundle_from_the_export_menu_and_back_through_import(
    store: CaptureStore, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = [KnownSalt(SALT, "Sandbox subscription #4")]
    ids = store.add_many([delivery(1, SALT, known), delivery(2, "salt_" + "x" * 32, known), delivery(3, SALT, known)])
    settings = SettingsStore(tmp_path / "settings.json")
    tab = InspectorTab(store, None, settings_store=settings)
    qtbot.addWidget(tab)
    await tab.apply_filter_async()
    tab.select_capture(ids[0])
    target = tmp_path / "for-support"  # the dialog adds .zip
    asked: list[str] = []

    async def save_dialog(_parent, title, file_filter, name):
        asked.append(f"{title}|{name}|{file_filter}")
        return str(target)

    monkeypatch.setattr(prompts, "choose_save_file", save_dialog)
    entries = [action.text() for action in tab.ui.export_button.menu().actions()]
    assert "Support bundle…" in entries
    tab.support_bundle_action.trigger()
    written = tmp_path / "for-support.zip"
    await wait_for(lambda: "support bundle" in tab.ui.error_label.text())
    assert asked == ["Save support bundle|benji-support-bundle.zip|Support bundle (*.zip)"]
    assert "1 capture" in tab.ui.error_label.text() and written.exists()
    with zipfile.ZipFile(written) as archive:
        document = json.loads(archive.read("captures.json"))
        everything = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert [e["meta"]["id"] for e in document["exchanges"]] == [ids[0]]  # the selection only
    assert API_KEY not in everything and SALT not in everything

    tab.ui.table_view.clearSelection()  # nothing selected: every capture shown goes in
    assert await support_bundle.support_bundle_dialog(tab) == written
    with zipfile.ZipFile(written) as archive:
        exchanges = json.loads(archive.read("captures.json"))["exchanges"]
    assert sorted(e["meta"]["id"] for e in exchanges) == sorted(ids)
    assert all(base64.b64decode(e["request"]["body_base64"]) for e in exchanges)

    with CaptureStore(tmp_path / "helper.sqlite3") as theirs:
        other = InspectorTab(theirs, None)
        qtbot.addWidget(other)
        kept = await other.import_captures(None, written, [KnownSalt("salt_" + "y" * 32, "Their own salt")])
        assert sorted(c.verdict for c in theirs.get_many(kept)) == ["INVALID", "VALID", "VALID"]  # the sender's
        assert all("From support bundle for-support.zip" in c.notes[0] for c in theirs.get_many(kept))
        verified = await other.import_captures(None, written, [KnownSalt(SALT, TYPED_SALT_LABEL)])
        checked = theirs.get_many(verified)
        assert sorted(c.verdict for c in checked) == ["INVALID", "VALID", "VALID"]
        assert {c.matched_salt_label for c in checked if c.verdict == "VALID"} == {TYPED_SALT_LABEL}
        assert "Imported 3 requests" in other.ui.error_label.text()
