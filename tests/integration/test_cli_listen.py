"""`benji-desktop listen` and `export` as real processes: URL printed, one JSON line per request, clean stop."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from benji_desktop.cli.cmd_listen import is_loopback
from benji_desktop.signature import canonical_body, signed_headers

SALT = "salt_Q2xhcmEgaXMgYSBnb29kIGRvZyBhbmQg"
LISTENING = re.compile(r"Listening on (https?://\S+)")


def start_listen(data_dir: Path, *extra: str, stdout: int = subprocess.PIPE) -> tuple[subprocess.Popen[str], str]:
    """Start `listen`; its stdout is a pipe unless told (an unread pipe fills and blocks the writer)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benji_desktop", "listen", "--port", "0", "--data-dir", str(data_dir), *extra],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        match = LISTENING.search(line)
        if match:
            return process, match.group(1)
    process.kill()
    raise AssertionError(f"listen did not print its URL: {seen!r}")


def stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


@pytest.mark.slow
def test_listen_json_prints_one_object_per_request_and_stops_cleanly(data_dir: Path) -> None:
    process, url = start_listen(data_dir, "--json", "--salt", SALT)
    try:
        body = canonical_body("transaction_created", 3, 42)
        with httpx.Client() as client:
            valid = client.post(f"{url}/webhooks/benji", content=body, headers=signed_headers(body, [SALT]))
            broken = client.post(f"{url}/webhooks/benji", content=b"{nope", headers={"x-benji-signature": "zz"})
        assert valid.status_code == 200 and broken.status_code == 200
    finally:
        code, out, err = stop(process)
    assert code == 0, err
    port = int(url.rsplit(":", 1)[1])
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert lines[0]["listening"] == url
    first, second = lines[1:]
    assert (first["method"], first["path"], first["event"], first["verdict"]) == (
        "POST",
        "/webhooks/benji",
        "transaction_created",
        "VALID",
    )
    assert first["matched_salt"] and first["matched_salt"] != SALT
    assert isinstance(first["reasons"], list)
    assert second["verdict"] == "MALFORMED"
    assert second["classification"] == "invalid_json"
    assert SALT not in out and SALT not in err
    # The port is free again as soon as the process is gone.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


@pytest.mark.slow
def test_listen_stops_on_sigterm_and_text_mode_prints_a_line_per_request(data_dir: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benji_desktop",
            "listen",
            "--port",
            "0",
            "--data-dir",
            str(data_dir),
            "--respond",
            "503",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    match = LISTENING.search(first)
    assert match, first
    with httpx.Client() as client:
        response = client.post(f"{match.group(1)}/x", content=b"{}")
    assert response.status_code == 503
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert re.search(r"#1 POST /x .* NO_SALT 503", out) or re.search(r"#1 POST /x .*UNSIGNED 503", out), out


@pytest.mark.slow
def test_export_writes_byte_exact_json_and_har(data_dir: Path, tmp_path: Path) -> None:
    process, url = start_listen(data_dir, "--json", "--salt", SALT)
    body = b'{"event":"transaction_created","entity_type":3,"entity_id":7}\r\n\xff'
    try:
        with httpx.Client() as client:
            client.post(f"{url}/hook", content=body, headers={"X-Case": "Kept"})
    finally:
        code, _, _ = stop(process)
    assert code == 0
    exported = tmp_path / "out.json"
    result = subprocess.run(
        [sys.executable, "-m", "benji_desktop", "export", "--data-dir", str(data_dir), "--out", str(exported)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(exported.read_text(encoding="utf-8"))
    (exchange,) = document["exchanges"]
    assert base64.b64decode(exchange["request"]["body_base64"]) == body
    assert ["X-Case", "Kept"] in exchange["request"]["headers"]
    assert SALT not in exported.read_text(encoding="utf-8")

    har = subprocess.run(
        [sys.executable, "-m", "benji_desktop", "export", "--data-dir", str(data_dir), "--format", "har", "--ids", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert har.returncode == 0, har.stderr
    entries = json.loads(har.stdout)["log"]["entries"]
    assert len(entries) == 1 and entries[0]["request"]["method"] == "POST"

    missing = subprocess.run(
        [sys.executable, "-m", "benji_desktop", "export", "--data-dir", str(data_dir), "--ids", "99"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1
    assert "99" in missing.stderr


def test_only_loopback_addresses_count_as_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.com")


@pytest.mark.slow
def test_every_answered_request_survives_a_kill_9_mid_burst(data_dir: Path) -> None:
    import asyncio

    from benji_desktop.storage.captures import CaptureStore

    process, url = start_listen(data_dir, "--json", "--salt", SALT, stdout=subprocess.DEVNULL)
    answered: list[int] = []

    async def burst() -> None:
        enough = asyncio.Event()
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=16), timeout=60) as client:

            async def deliver(n: int) -> None:
                body = canonical_body("transaction_created", 3, n)
                try:
                    response = await client.post(f"{url}/hook", content=body, headers=signed_headers(body, [SALT]))
                except httpx.HTTPError:
                    return  # cut off by the kill: never answered, so nothing is promised
                if response.status_code == 200:
                    answered.append(int(response.json()["id"]))
                    if len(answered) == 100:
                        enough.set()

            deliveries = asyncio.gather(*(deliver(n) for n in range(600)))
            waiter = asyncio.create_task(enough.wait())
            await asyncio.wait([deliveries, waiter], return_when=asyncio.FIRST_COMPLETED)
            process.kill()
            await deliveries
            waiter.cancel()

    try:
        asyncio.run(burst())
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert len(answered) >= 100
    with CaptureStore(data_dir / "captures.sqlite3") as store:
        stored = {capture.id for capture in store.get_many(answered)}
    assert stored == set(answered)
