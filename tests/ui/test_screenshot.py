"""`benji-desktop screenshot` renders every tab and the Inspector with demo data into PNGs of the asked size."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from benji_desktop.cli.cmd_screenshot import parse_size

EXPECTED = ["01-api-tokens.png", "02-webhooks.png", "03-ip-whitelist.png", "04-integrations.png", "05-inspector.png"]


def distinct_colours(image: QImage, step: int = 8) -> int:
    """How many colours a sparse grid of pixels holds: a blank or one-colour image has one or two."""
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


@pytest.mark.slow
def test_screenshot_command_writes_one_png_per_tab_at_the_asked_size(tmp_path: Path) -> None:
    # 1100 wide: the default window width; the Webhooks toolbar needs about 1035 px.
    out = tmp_path / "shots"
    own_data = tmp_path / "own-data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BENJI_DESKTOP_DATA_DIR": str(own_data)}
    result = subprocess.run(
        [sys.executable, "-m", "benji_desktop", "screenshot", "--out", str(out), "--size", "1100x680"],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in out.glob("*.png")) == EXPECTED
    for name in EXPECTED:
        image = QImage(str(out / name))
        assert not image.isNull(), name
        assert (image.width(), image.height()) == (1100, 680), name
        assert distinct_colours(image) > 20, f"{name} looks blank"
    # The demo ran on a throwaway folder: the user's own data folder was never written.
    assert not own_data.exists() or not any(own_data.iterdir())


@pytest.mark.parametrize(("text", "size"), [("1280x800", (1280, 800)), ("640X480", (640, 480))])
def test_size_is_read_as_width_by_height(text: str, size: tuple[int, int]) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["1280", "x800", "10x10", "99999x800", "wide"])
def test_unusable_sizes_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size(text)
