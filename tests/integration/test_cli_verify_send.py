"""`send` and `verify` as real processes: send signs what it sends, a real server gets it, verify agrees."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from cli_runner import run_cli  # tests/integration is on sys.path (rootdir-relative test modules)

SALT = "salt_Zk3p9QmX2vLr8TnW4yHc6JbA1sEdFgUo"


@dataclass
class Recorder:
    url: str = ""
    status: int = 200
    requests: list[tuple[list[tuple[str, str]], bytes]] = field(default_factory=list)

    def header(self, name: str, index: int = -1) -> str:
        headers = self.requests[index][0]
        return next(value for key, value in headers if key.lower() == name)


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    state = Recorder()

    async def record(request: web.Request) -> web.Response:
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.raw_headers]
        state.requests.append((headers, await request.read()))
        return web.Response(status=state.status, text=f"answered {state.status}")

    app = web.Application()
    app.router.add_post("/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks/benji"
    try:
        yield state
    finally:
        await runner.cleanup()


async def test_send_then_verify_what_was_received(recorder: Recorder, tmp_path: Path) -> None:
    sent = await run_cli("send", "--to", recorder.url, "--salt", SALT, "--entity-id", "155")
    assert sent.code == 0, sent.stderr
    assert sent.stdout.splitlines()[0] == "HTTP 200 OK"
    assert "answered 200" in sent.stdout

    [(headers, body)] = recorder.requests
    assert body == b'{"event":"user_partner_connected","entity_type":1,"entity_id":155}'
    body_file = tmp_path / "body.json"
    body_file.write_bytes(body)
    checked = await run_cli(
        "verify", "--salt", SALT,
        "--signature", recorder.header("x-benji-signature"),
        "--datetime", recorder.header("x-webhook-datetime"),
        str(body_file),
    )  # fmt: skip
    assert checked.code == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[0] == "VALID"

    # The whole request, as raw HTTP text, verifies the same way.
    raw = (
        b"POST /hooks/benji HTTP/1.1\r\n"
        + b"".join(f"{name}: {value}\r\n".encode("latin-1") for name, value in headers)
        + b"\r\n"
        + body
    )
    request_file = tmp_path / "request.http"
    request_file.write_bytes(raw)
    checked = await run_cli("verify", "--salt", SALT, "--json", "--request", str(request_file))
    assert checked.code == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["verdict"] == "VALID" and report["matched_salt_label"] == "--salt #1"
    assert SALT not in checked.stdout


@pytest.mark.parametrize("encoding", ["HEX", "base64", "sha256=hex"])
async def test_non_canonical_encodings_verify_with_a_note(recorder: Recorder, encoding: str) -> None:
    sent = await run_cli(
        "send", "--to", recorder.url, "--salt", SALT, "--encoding", encoding, "--event", "transaction_created"
    )
    assert sent.code == 0, sent.stderr
    [(_, body)] = recorder.requests
    assert json.loads(body)["entity_type"] == 3  # follows the event
    checked = await run_cli(
        "verify", "--salt", SALT, "--signature", recorder.header("x-benji-signature"),
        "--datetime", recorder.header("x-webhook-datetime"), "-", stdin=body,
    )  # fmt: skip
    assert checked.code == 0 and checked.stdout.startswith("VALID\n")
    assert "canonical form is lowercase hex" in checked.stdout


async def test_send_a_body_file_with_non_ascii_bytes(recorder: Recorder, tmp_path: Path) -> None:
    body = '{"event":"user_partner_connected","entity_type":1,"entity_id":155,"name":"Zoë — ünïcode"}'.encode()
    (tmp_path / "b.json").write_bytes(body)
    sent = await run_cli("send", "--to", recorder.url, "--salt", SALT, "--body", str(tmp_path / "b.json"))
    assert sent.code == 0
    [(_, received)] = recorder.requests
    assert received == body
    # Computed with: openssl dgst -sha256 -hmac 'salt_Zk3p9QmX2vLr8TnW4yHc6JbA1sEdFgUo' (over these bytes)
    assert recorder.header("x-benji-signature") == "b4a7a71062d005391c9bdb4147eda3c8397813912ff3ef4f737750bf2d3d242a"


async def test_stale_datetime_is_sent_and_verify_says_stale(recorder: Recorder, tmp_path: Path) -> None:
    old = "Tue, 22 Oct 2024 21:57:02 GMT"
    sent = await run_cli("send", "--to", recorder.url, "--salt", SALT, "--datetime", old)
    assert sent.code == 0
    [(_, body)] = recorder.requests
    (tmp_path / "b").write_bytes(body)
    args = ["verify", "--salt", SALT, "--signature", recorder.header("x-benji-signature"), "--datetime", old]
    checked = await run_cli(*args, str(tmp_path / "b"))
    assert checked.code == 1 and checked.stdout.startswith("STALE\n")
    assert "Cause: The signature is right but the datetime is" in checked.stdout
    ignored = await run_cli(*args, "--ignore-timestamp", str(tmp_path / "b"))
    assert ignored.code == 0 and ignored.stdout.startswith("VALID\n")


async def test_send_exit_codes(recorder: Recorder) -> None:
    recorder.status = 500
    failed = await run_cli("send", "--to", recorder.url, "--salt", SALT)
    assert failed.code == 1 and failed.stdout.startswith("HTTP 500")

    # A port that was just free: nothing listens there.
    probe = web.AppRunner(web.Application())
    await probe.setup()
    site = web.TCPSite(probe, "127.0.0.1", 0)
    await site.start()
    port = probe.addresses[0][1]
    await probe.cleanup()
    unreachable = await run_cli("send", "--to", f"http://127.0.0.1:{port}/x", "--salt", SALT, "--timeout", "5")
    assert unreachable.code == 3
    assert "cannot reach" in unreachable.stderr and "Traceback" not in unreachable.stderr

    custom = await run_cli("send", "--to", recorder.url, "--salt", SALT, "--event", "my_custom_event")
    assert custom.code == 2 and "--entity-type" in custom.stderr
    missing = await run_cli("send", "--to", recorder.url, "--salt", SALT, "--body", "/nonexistent/body.json")
    assert missing.code == 2 and "Traceback" not in missing.stderr


async def test_verify_exit_codes_and_wrong_salt(tmp_path: Path) -> None:
    body = tmp_path / "b.json"
    body.write_bytes(b'{"event":"user_partner_connected","entity_type":1,"entity_id":1}')
    wrong = await run_cli("verify", "--salt", "salt_wrong_wrong_wrong_wrong_wrong", "--signature", "ab" * 32,
                          "--ignore-timestamp", str(body))  # fmt: skip
    assert wrong.code == 1 and wrong.stdout.startswith("INVALID\n") and "Cause:" in wrong.stdout
    unsigned = await run_cli("verify", "--salt", SALT, str(body))
    assert unsigned.code == 1 and unsigned.stdout.startswith("UNSIGNED\n")
    no_salt = await run_cli("verify", "--signature", "ab" * 32, str(body))
    assert no_salt.code == 1 and no_salt.stdout.startswith("NO_SALT\n")
    missing = await run_cli("verify", "--salt", SALT, "--signature", "ab" * 32, str(tmp_path / "nope.json"))
    assert missing.code == 2
    assert missing.stderr.strip().count("\n") == 0 and "nope.json" in missing.stderr
    bad_option = await run_cli("verify", "--tolerance", "soon", str(body))
    assert bad_option.code == 2
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"not a request at all")
    unreadable = await run_cli("verify", "--salt", SALT, "--request", str(garbage))
    assert unreadable.code == 2 and "not recognised" in unreadable.stderr and "Traceback" not in unreadable.stderr
