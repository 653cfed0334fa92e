"""Quitting after a cancelled Import… or Edit & replay… ends the process (a nested dialog loop once left it hung)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("quit_after_dialogs_driver.py")


@pytest.mark.slow
def test_the_app_exits_after_cancelling_import_and_edit_and_replay(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(Path(__file__).parents[2])}
    try:
        finished = subprocess.run(
            [sys.executable, str(DRIVER), str(tmp_path / "data")],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"the app did not exit after Quit: {hung.stderr!r}")
    assert finished.returncode == 0, finished.stderr
    # Both dialogs really opened (and were cancelled) before the Quit.
    assert "cancelled ImportDialog" in finished.stdout
    assert "cancelled ReplayDialog" in finished.stdout
    log = (tmp_path / "data").rglob("benji-desktop.log")
    text = "".join(path.read_text() for path in log)
    assert "Cannot enter into task" not in text
