"""`benji-desktop sandbox` as a real process: prints its URL and key, serves, stops cleanly on SIGTERM."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from benji_desktop.cli.main import COMMANDS

pytestmark = pytest.mark.slow

# Until every sub-command module exists, main.py cannot build its parser; drive the module directly then.
DIRECT = (
    "import argparse, sys; from benji_desktop.cli import cmd_sandbox as m; p = argparse.ArgumentParser(); "
    "m.add_parser(p.add_subparsers(dest='command')); sys.exit(m.run(p.parse_args(sys.argv[1:])))"
)


# No keychain here: the CLI falls back to the encrypted-file secret store, as on a machine without one.
NO_KEYCHAIN = {"PATH": "/usr/bin:/bin", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def sandbox_command(*args: str) -> list[str]:
    if all(importlib.util.find_spec(f"benji_desktop.cli.cmd_{name}") for name in COMMANDS):
        return [sys.executable, "-m", "benji_desktop", "sandbox", *args]
    return [sys.executable, "-c", DIRECT, "sandbox", *args]


def start(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        sandbox_command("--port", "0", "--data-dir", str(data_dir), "--time-scale", "60", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**NO_KEYCHAIN, "BENJI_DESKTOP_DATA_DIR": str(data_dir)},
    )
    assert process.stdout is not None
    url_line = process.stdout.readline().strip()
    key_line = process.stdout.readline().strip()
    assert url_line.startswith("BENJI_SANDBOX_URL=http://127.0.0.1:"), url_line
    assert key_line.startswith("BENJI_API_KEY=bk_sandbox_"), key_line
    return process, url_line.split("=", 1)[1], key_line.split("=", 1)[1]


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    return process.returncode, stderr


def test_the_sandbox_command_serves_until_sigterm_and_keeps_state(tmp_path: Path) -> None:
    process, url, key = start(tmp_path)
    try:
        with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=10) as api:
            assert api.get("/developer/api-keys").status_code == 200
            api.post("/developer/api-keys", json={"name": "kept"})
    finally:
        code, stderr = stop(process)
    assert code == 0, stderr
    assert key not in stderr

    process, url, second_key = start(tmp_path)
    try:
        assert second_key == key  # the encrypted-file secret store kept the Sandbox's encryption key
        with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=10) as api:
            names = [k["name"] for k in api.get("/developer/api-keys").json()["data"]["api_keys"]]
            assert names == ["Bootstrap key", "kept"]
    finally:
        assert stop(process)[0] == 0

    process, url, fresh_key = start(tmp_path, "--reset")
    try:
        with httpx.Client(base_url=url, headers={"x-api-key": fresh_key}, timeout=10) as api:
            names = [k["name"] for k in api.get("/developer/api-keys").json()["data"]["api_keys"]]
            assert names == ["Bootstrap key"]
    finally:
        assert stop(process)[0] == 0


def test_a_non_loopback_host_is_warned_about_and_a_failed_bind_is_a_clean_error(tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is on no interface here: the warning shows and the bind fails without exposing anything.
    result = subprocess.run(
        sandbox_command("--host", "192.0.2.1", "--port", "0", "--data-dir", str(tmp_path)),
        capture_output=True,
        text=True,
        env=NO_KEYCHAIN,
        timeout=30,
    )
    assert result.returncode == 1
    assert "warning: binding 192.0.2.1" in result.stderr
    assert "benji-desktop sandbox: error: cannot listen on 192.0.2.1:0" in result.stderr
    assert "Traceback" not in result.stderr
