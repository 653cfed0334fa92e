"""No secret in clear on disk or in the output of the CLI paths: `sandbox`, `listen --salt`, `send --salt`, `export`.

Real processes with known secrets (the Sandbox's API key, a second key, a subscription salt it issues, a typed
salt, a Stripe credential); afterwards every file under the test's folders (stores, WAL files, logs, exports,
the secret-store fallback) and every byte the commands printed is searched for each clear value.
One line is exempt, by design: `sandbox` prints `BENJI_API_KEY=<key>` so a script can use its Sandbox.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

TYPED_SALT = "salt_dHlwZWQgc2FsdCBmb3IgbGVhayBzY2Fu"
WRONG_SALT = "salt_d3Jvbmcgc2FsdCBmb3IgbGVhayBzY2Fu"
STRIPE_SECRET = "sk_test_LeakScan0123456789abcdefABCDEF"
API_KEY_LINE = "BENJI_API_KEY="


class Processes:
    """Starts CLI commands with their stdout/stderr in files under `logs`, HOME pointed at the test folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.logs = root / "logs"
        self.logs.mkdir()
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", "HOME": str(root), "XDG_DATA_HOME": str(root / "xdg")}

    def _files(self, name: str) -> tuple[Path, Path]:
        return self.logs / f"{name}.out", self.logs / f"{name}.err"

    def start(self, name: str, argv: list[str], ready: str) -> tuple[subprocess.Popen[bytes], str]:
        out, err = self._files(name)
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "benji_desktop", *argv], stdout=stdout, stderr=stderr, env=self.env
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = out.read_text(errors="replace") + err.read_text(errors="replace")
            line = next((x for x in text.splitlines() if ready in x), None)
            if line is not None:
                return process, line
            if process.poll() is not None:
                break
            time.sleep(0.05)
        process.kill()
        raise AssertionError(f"{name} did not start: {err.read_text(errors='replace')!r}")

    def run(self, name: str, argv: list[str]) -> int:
        out, err = self._files(name)
        with out.open("wb") as stdout, err.open("wb") as stderr:
            done = subprocess.run(
                [sys.executable, "-m", "benji_desktop", *argv], stdout=stdout, stderr=stderr, env=self.env, timeout=60
            )
        return done.returncode


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def forms(secret: str) -> list[bytes]:
    """The clear value as it could sit in a file: UTF-8, UTF-16 (Qt, Windows), base64 (HAR bodies)."""
    raw = secret.encode()
    return [raw, secret.encode("utf-16-le"), base64.b64encode(raw)]


@pytest.mark.slow
def test_no_clear_secret_on_disk_or_in_any_output(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    sandbox_dir, listen_dir, exports = tmp_path / "sandbox-data", tmp_path / "listen-data", tmp_path / "exports"
    exports.mkdir()

    sandbox, _ = procs.start("sandbox", ["sandbox", "--port", "0", "--data-dir", str(sandbox_dir)], API_KEY_LINE)
    try:
        lines = (procs.logs / "sandbox.out").read_text().splitlines()
        base = next(x for x in lines if x.startswith("BENJI_SANDBOX_URL=")).partition("=")[2].rstrip("/")
        api_key = next(x for x in lines if x.startswith(API_KEY_LINE)).partition("=")[2].strip()
        with httpx.Client(base_url=base, headers={"x-api-key": api_key}, timeout=30) as api:
            second_key = api.post("/developer/api-keys", json={"name": "leak scan"}).json()["data"]["key"]
            stripe = next(
                i for i in api.get("/developer/integrations").json()["data"]["integrations"] if i["slug"] == "stripe"
            )
            credentials = {
                field["name"]: STRIPE_SECRET if field["secret"] else "acct_LeakScan42" for field in stripe["fields"]
            }
            assert (
                api.post("/developer/integrations/stripe/connect", json={"credentials": credentials}).status_code == 200
            )
            subscription = api.post(
                "/webhooks/subscribe",
                json={
                    "endpoint": "http://127.0.0.1:9/placeholder",
                    "entity_type": 3,
                    "event_name": "transaction_created",
                },
            ).json()["data"]
            salt = subscription["salt"]

            listen, line = procs.start(
                "listen",
                ["listen", "--port", "0", "--data-dir", str(listen_dir), "--salt", salt, "--salt", TYPED_SALT],
                "Listening on ",
            )
            try:
                url = line.split()[-1]
                endpoint = f"{url}/webhooks/benji"
                api.patch(
                    f"/webhooks/subscriptions/{subscription['id']}", json={"endpoint": endpoint}
                ).raise_for_status()
                delivered = api.post("/sandbox/events", json={"event": "transaction_created", "entity_type": 3})
                assert delivered.json()["data"]["deliveries"][0]["response_status"] == 200
                assert procs.run("send-valid", ["send", "--to", endpoint, "--salt", salt, "--json"]) == 0
                assert procs.run("send-typed", ["send", "--to", endpoint, "--salt", TYPED_SALT]) == 0
                # A wrong salt makes the doctor compare against every known salt: its findings must stay masked.
                assert procs.run("send-wrong", ["send", "--to", endpoint, "--salt", WRONG_SALT]) == 0
            finally:
                stop(listen)
    finally:
        stop(sandbox)

    assert procs.run("export-json", ["export", "--data-dir", str(listen_dir)]) == 0
    assert (
        procs.run(
            "export-har",
            ["export", "--data-dir", str(listen_dir), "--format", "har", "--out", str(exports / "all.har")],
        )
        == 0
    )
    assert (exports / "all.har").stat().st_size > 0
    assert "VALID" in (procs.logs / "listen.out").read_text()  # the scan below looks at real traffic

    secrets = {
        "the Sandbox's API key": api_key,
        "a second API key": second_key,
        "the subscription's salt": salt,
        "a typed salt": TYPED_SALT,
        "the wrong salt sent by `send`": WRONG_SALT,
        "a Stripe credential": STRIPE_SECRET,
    }
    leaks = []
    scanned = 0
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path == procs.logs / "sandbox.out":
            # The one line the product prints on purpose; everything else in that output is scanned.
            data = b"\n".join(line for line in data.splitlines() if not line.startswith(API_KEY_LINE.encode()))
        scanned += 1
        for what, value in secrets.items():
            if any(form in data for form in forms(value)):
                leaks.append(f"{what} in {path.relative_to(tmp_path)}")
    assert scanned >= 10  # stores, WAL files, logs, exports: the scan saw them
    assert not leaks, leaks
