"""Exposure: the receiver and the Sandbox bind loopback by default; binding wider takes an explicit --host and warns.

The real processes are started and the kernel's socket table (/proc/net/tcp) says which address each listens
on. The 0.0.0.0 binds are on port 0, live only for the test, and are only ever connected to over loopback.
"""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from benji_desktop.receiver import Receiver
from benji_desktop.sandbox import SandboxServer
from benji_desktop.storage.settings import Settings

PROC_NET_TCP = Path("/proc/net/tcp")
LISTEN_STATE = "0A"


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on `port`, from the kernel's table (hex little-endian)."""
    found = set()
    for line in PROC_NET_TCP.read_text().splitlines()[1:]:
        fields = line.split()
        address, _, port_hex = fields[1].partition(":")
        if int(port_hex, 16) == port and fields[3] == LISTEN_STATE:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def start(argv: list[str], tmp_path: Path, ready: str) -> tuple[subprocess.Popen[str], str, Path]:
    """Start a CLI command; wait for the line beginning with `ready` on stdout; returns it and the stderr file."""
    out, err = tmp_path / f"{argv[0]}-{len(list(tmp_path.iterdir()))}.out", tmp_path / f"{argv[0]}.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "benji_desktop", *argv],
            stdout=stdout,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "HOME": str(tmp_path)},
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = next((x for x in out.read_text().splitlines() if x.startswith(ready)), None)
        if line is not None:
            return process, line, err
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"{argv[0]} did not start: {err.read_text()!r}")


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_defaults_in_code_are_loopback() -> None:
    assert inspect.signature(Receiver).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(SandboxServer).parameters["host"].default == "127.0.0.1"
    assert Settings().receiver_host == "127.0.0.1"


needs_proc = pytest.mark.skipif(not PROC_NET_TCP.exists(), reason="needs Linux's /proc/net/tcp")


@needs_proc
@pytest.mark.slow
def test_listen_binds_loopback_unless_told_and_warns_when_told(tmp_path: Path) -> None:
    data = tmp_path / "data"
    process, line, err = start(["listen", "--port", "0", "--data-dir", str(data)], tmp_path, "Listening on ")
    try:
        url = line.split()[-1]
        port = int(url.rsplit(":", 1)[1])
        assert url.startswith("http://127.0.0.1:")
        assert listening_addresses(port) == {"127.0.0.1"}
        assert httpx.get(f"{url}/probe", timeout=10).status_code == 200
    finally:
        stop(process)
    assert "warning" not in err.read_text().lower()

    process, line, err = start(
        ["listen", "--host", "0.0.0.0", "--port", "0", "--data-dir", str(data)], tmp_path, "Listening on "
    )
    try:
        port = int(line.split()[-1].rsplit(":", 1)[1])
        assert listening_addresses(port) == {"0.0.0.0"}
        assert httpx.get(f"http://127.0.0.1:{port}/probe", timeout=10).status_code == 200  # loopback only
    finally:
        stop(process)
    warning = err.read_text()
    assert "warning" in warning.lower() and "0.0.0.0" in warning and "not loopback" in warning


@needs_proc
@pytest.mark.slow
def test_sandbox_binds_loopback_unless_told_and_warns_when_told(tmp_path: Path) -> None:
    data = tmp_path / "data"
    process, line, err = start(["sandbox", "--port", "0", "--data-dir", str(data)], tmp_path, "BENJI_SANDBOX_URL=")
    try:
        url = line.partition("=")[2].strip().rstrip("/")
        port = int(url.rsplit(":", 1)[1])
        assert url.startswith("http://127.0.0.1:")
        assert listening_addresses(port) == {"127.0.0.1"}
        assert httpx.get(f"{url}/openapi.json", timeout=10).status_code == 200
    finally:
        stop(process)
    assert "warning: binding" not in err.read_text()

    process, line, err = start(
        ["sandbox", "--host", "0.0.0.0", "--port", "0", "--data-dir", str(data)], tmp_path, "BENJI_SANDBOX_URL="
    )
    try:
        port = int(line.partition("=")[2].strip().rstrip("/").rsplit(":", 1)[1])
        assert listening_addresses(port) == {"0.0.0.0"}
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).status_code == 200  # loopback only
    finally:
        stop(process)
    warning = err.read_text()
    assert "warning: binding 0.0.0.0" in warning and "beyond this computer" in warning
