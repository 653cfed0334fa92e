"""Generated forms and resources must match their sources in ui/ and resources/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_files_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build_forms.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, "run `make forms`:\n" + result.stdout + result.stderr


def test_every_generated_file_says_it_is_generated() -> None:
    generated = ROOT / "benji_desktop" / "views" / "generated"
    files = list(generated.glob("*.py"))
    assert files
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# GENERATED"), path


def test_freshness_does_not_depend_on_file_times() -> None:
    """A fresh clone gives every source a new modification time; the check must still pass (it once failed)."""
    import os

    sources = [*(ROOT / "resources").rglob("*.qss"), *(ROOT / "resources").rglob("*.svg"), *(ROOT / "ui").glob("*.ui")]
    saved = {path: path.stat() for path in sources}
    try:
        for path in sources:
            os.utime(path, (1_000_000_000, 1_000_000_000))
        test_generated_files_are_up_to_date()
    finally:
        for path, stat in saved.items():
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
