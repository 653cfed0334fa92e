"""Build the one-folder PyInstaller bundle (`make bundle`) and smoke-test it.

Steps: compile the forms (as `make forms` does), check that the icons match their source, run PyInstaller on
packaging/benji-desktop.spec into dist/, then run `dist/benji-desktop/benji-desktop --version` and (when the
`screenshot` command is available) an offscreen launch, and print the folder's size and the start times.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "benji-desktop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE_DIR = DIST / "benji-desktop"
EXECUTABLE = BUNDLE_DIR / ("benji-desktop.exe" if sys.platform == "win32" else "benji-desktop")


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]  # noqa: S603


def folder_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink())


def timed(command: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        command, check=True, capture_output=True, text=True, env=env, timeout=timeout
    )
    return time.perf_counter() - started, result.stdout.strip()


def smoke_test() -> None:
    seconds, output = timed([str(EXECUTABLE), "--version"])
    print(f"{EXECUTABLE.relative_to(ROOT)} --version -> {output!r} in {seconds:.2f} s")
    help_text = subprocess.run(  # noqa: S603
        [str(EXECUTABLE), "--help"], check=True, capture_output=True, text=True
    ).stdout
    if "screenshot" not in help_text:
        print("offscreen launch skipped: this build has no `screenshot` command")
        return
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory(prefix="benji-bundle-smoke-") as out:
        seconds, _ = timed([str(EXECUTABLE), "screenshot", "--out", out, "--size", "1024x640"], env=env)
        shots = sorted(Path(out).glob("*.png"))
        if not shots:
            sys.exit("offscreen launch produced no screenshots")
        print(f"offscreen launch (screenshot, {len(shots)} PNGs) in {seconds:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-build", action="store_true", help="only smoke-test an existing bundle")
    args = parser.parse_args()
    if not args.skip_build:
        # Same as `make forms`: the bundle must carry forms compiled from the current ui/ and resources/.
        run([sys.executable, str(ROOT / "packaging" / "build_forms.py")])
        run([sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--check"])
        started = time.perf_counter()
        run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--clean",
                "--log-level",
                "WARN",
                "--distpath",
                str(DIST),
                "--workpath",
                str(WORK),
                str(SPEC),
            ],
            cwd=ROOT,
        )
        print(f"PyInstaller took {time.perf_counter() - started:.0f} s")
    if not EXECUTABLE.exists():
        sys.exit(f"no bundle at {EXECUTABLE}")
    print(f"bundle: {BUNDLE_DIR.relative_to(ROOT)} — {folder_size(BUNDLE_DIR) / 2**20:.0f} MiB")
    smoke_test()
    return 0


if __name__ == "__main__":
    sys.exit(main())
