"""The wheel is self-contained: built, installed into a fresh venv, it runs without the source tree."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from benji_desktop import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 90
RUN_TIMEOUT = 60


@dataclass(frozen=True)
class InstalledWheel:
    wheel: Path
    python: Path
    command: Path
    workdir: Path


def build_backend_available_offline() -> bool:
    """`--no-isolation` needs setuptools>=77 and wheel here; otherwise `build` fetches them from the index."""
    if importlib.util.find_spec("wheel") is None:
        return False
    from importlib.metadata import version

    return int(version("setuptools").split(".")[0]) >= 77


def run(command: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **kwargs
    )  # type: ignore[call-overload]
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstalledWheel]:
    base = tmp_path_factory.mktemp("packaging")
    dist = base / "dist"
    build = [sys.executable, "-m", "build", "--wheel", "--outdir", dist]
    if build_backend_available_offline():
        build.append("--no-isolation")
    run([*build, ROOT], timeout=BUILD_TIMEOUT, cwd=ROOT)
    (wheel,) = dist.glob("benji_desktop-*.whl")

    # A fresh venv that does not see the project's venv as system site-packages; the dependencies (PySide6,
    # aiohttp, …) come from the current environment through a plain path line in a .pth — a path, not
    # `import site`, so the editable install's own .pth hook is not run and benji_desktop is only the wheel's.
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=RUN_TIMEOUT)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip()
    Path(purelib, "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel],
        timeout=RUN_TIMEOUT,
    )
    command = venv / ("Scripts/benji-desktop.exe" if os.name == "nt" else "bin/benji-desktop")
    workdir = base / "elsewhere"  # not the checkout, so nothing can be imported from the source tree
    workdir.mkdir()
    yield InstalledWheel(wheel=wheel, python=python, command=command, workdir=workdir)


def isolated_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["BENJI_DESKTOP_DATA_DIR"] = str(data_dir)
    return env


def test_wheel_carries_compiled_forms_resources_and_the_openapi_contract(installed: InstalledWheel) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "benji_desktop/views/generated/resources_rc.py" in names
    assert "benji_desktop/sandbox/openapi.json" in names
    assert "benji_desktop/py.typed" in names
    forms = {Path(name).stem for name in names if name.startswith("benji_desktop/views/generated/ui_")}
    sources = {f"ui_{path.stem}" for path in (ROOT / "ui").glob("*.ui")}
    assert sources <= forms, f"forms missing from the wheel: {sorted(sources - forms)}"
    assert not any(name.startswith(("ui/", "resources/", "tests/")) for name in names)


def test_installed_command_reports_the_version(installed: InstalledWheel, tmp_path: Path) -> None:
    result = run([installed.command, "--version"], cwd=installed.workdir, env=isolated_env(tmp_path))
    assert result.stdout.strip() == f"benji-desktop {__version__}"


def test_installed_package_is_the_wheel_not_the_checkout(installed: InstalledWheel, tmp_path: Path) -> None:
    probe = (
        "import benji_desktop, importlib.resources as r; "
        "print(benji_desktop.__file__); "
        "print(len((r.files('benji_desktop') / 'sandbox' / 'openapi.json').read_bytes()))"
    )
    location, size = run(
        [installed.python, "-c", probe], cwd=installed.workdir, env=isolated_env(tmp_path)
    ).stdout.split()
    assert Path(location).is_relative_to(installed.python.parent.parent)
    assert int(size) > 0


def test_installed_app_renders_its_window_offscreen(installed: InstalledWheel, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "shots"
    run(
        [installed.command, "screenshot", "--out", out, "--size", "1100x680"],
        cwd=installed.workdir,
        env=isolated_env(tmp_path / "data"),
        timeout=RUN_TIMEOUT,
    )
    shots = sorted(out.glob("*.png"))
    assert len(shots) == 5
    for shot in shots:
        image = QImage(str(shot))
        assert (image.width(), image.height()) == (1100, 680), shot.name
