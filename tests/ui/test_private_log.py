"""The window's log folder is 0700 and its log file 0600 from creation."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from benji_desktop.storage.paths import DataLayout
from benji_desktop.views.gui import configure_logging


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_log_file_and_folder_are_private(tmp_path: Path) -> None:
    previous_umask = os.umask(0o022)
    layout = DataLayout.at(tmp_path / "data")
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        path = configure_logging(layout)
        assert mode(layout.log_dir) == 0o700
        assert mode(path) == 0o600
    finally:
        for handler in root.handlers[len(before) :]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        os.umask(previous_umask)
