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
