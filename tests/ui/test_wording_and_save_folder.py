"""Counts read as English (no "(s)", "1 capture matches"), Reveal says Hide while shown, files start in Documents."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QDialog

from benji_desktop import __version__
from benji_desktop.receiver.bundle import write_bundle
from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore
from benji_desktop.views import prompts
from benji_desktop.views.deliveries_dialog import attempts_summary
from benji_desktop.views.inspector import InspectorTab


def capture(path: str = "/webhooks/benji") -> Capture:
    body = b"{}"
    return Capture(received_at=time.time(), host="127.0.0.1", path=path, headers=[], body=body, body_size=len(body))


def test_one_capture_matches_the_filter(tmp_path: Path, qtbot: Any) -> None:
    with CaptureStore(tmp_path / "c.sqlite3") as store:
        store.add_many([capture("/a"), capture("/b"), capture("/b")])
        tab = InspectorTab(store, None)
        qtbot.addWidget(tab)
        tab.ui.path_edit.setText("/a")
        tab.apply_filter(inline=True)
        assert tab.model.capture_filter != CaptureFilter()
        assert tab.ui.count_label.text() == "1 capture matches the filter"
        tab.ui.path_edit.setText("/b")
        tab.apply_filter(inline=True)
        assert tab.ui.count_label.text() == "2 captures match the filter"


def test_delivery_summary_counts_in_words() -> None:
    assert attempts_summary(2, 0) == "2 attempts, all successful."
    assert attempts_summary(1, 1) == "1 attempt, not successful."
    assert attempts_summary(3, 1) == "3 attempts, 1 not successful."
    assert attempts_summary(0, 0) == "No attempts yet."


@pytest.mark.parametrize(
    ("count", "phrase"), [(1, "It holds 1 captured request "), (2, "It holds 2 captured requests ")]
)
def test_bundle_readme_counts_in_words(tmp_path: Path, count: int, phrase: str) -> None:
    target = write_bundle([capture() for _ in range(count)], {}, __version__, tmp_path / "bundle.zip")
    with zipfile.ZipFile(target) as archive:
        readme = archive.read("README.txt").decode("utf-8")
    assert phrase in readme
    assert "(s)" not in readme


async def test_save_and_open_dialogs_start_in_documents_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # under `make run` this is the git checkout
    folders: list[str] = []

    async def cancel(dialog: Any) -> int:
        folders.append(Path(dialog.directory().absolutePath()).as_posix())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(prompts, "show_dialog", cancel)
    assert await prompts.choose_save_file(None, "Save support bundle", "Zip (*.zip)", "bundle.zip") is None
    assert await prompts.choose_open_file(None, "Import captures", "All files (*)") is None
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected = documents if documents and os.path.isdir(documents) else os.path.expanduser("~")  # noqa: ASYNC240
    assert folders == [Path(expected).as_posix()] * 2
    assert tmp_path.as_posix() not in folders
