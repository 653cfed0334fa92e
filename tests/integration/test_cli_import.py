"""`import` as a real process: files of every format land in the real capture store, verified and marked."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_cli  # tests/integration is on sys.path (rootdir-relative test modules)

from benji_desktop.interchange import HttpExchange, HttpRequest, exchanges_to_har, to_curl
from benji_desktop.signature import format_http_date, sign
from benji_desktop.storage.captures import CaptureStore
from benji_desktop.storage.paths import DataLayout

SALT = "salt_Zk3p9QmX2vLr8TnW4yHc6JbA1sEdFgUo"
BODY = '{"event":"user_partner_connected","entity_type":1,"entity_id":155,"name":"Zoë"}'.encode()


def raw_request(body: bytes, signature: str, datetime_text: str) -> bytes:
    head = (
        f"POST /hooks/benji HTTP/1.1\r\nHost: 127.0.0.1:8787\r\nContent-Type: application/json\r\n"
        f"X-Benji-Signature: {signature}\r\nx-webhook-datetime: {datetime_text}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def test_import_every_format_into_the_store(data_dir: Path, tmp_path: Path) -> None:
    now = format_http_date()
    (tmp_path / "ok.http").write_bytes(raw_request(BODY, sign(BODY, SALT), now))
    tampered = BODY.replace(b"155", b"156")
    binary = b"\x00\xff binary \x80"
    request = HttpRequest(
        "POST", "http", "127.0.0.1:8787", "/hooks/benji", "",
        [("Content-Type", "application/json"), ("x-benji-signature", sign(BODY, SALT)),
         ("x-webhook-datetime", now)],
        tampered,
    )  # fmt: skip
    (tmp_path / "tampered.curl").write_text(to_curl(request), encoding="utf-8")
    binary_headers = [("x-benji-signature", sign(binary, SALT)), ("x-webhook-datetime", now)]
    binary_request = HttpRequest(
        **{**request.__dict__, "headers": binary_headers, "body": binary, "received_at": 1729634222.0}
    )
    har = exchanges_to_har([HttpExchange(binary_request, response_status=200)], "test")
    (tmp_path / "capture.har").write_text(json.dumps(har), encoding="utf-8")

    result = await run_cli(
        "import", "--data-dir", str(data_dir), "--salt", SALT,
        str(tmp_path / "ok.http"), str(tmp_path / "tampered.curl"), str(tmp_path / "capture.har"),
    )  # fmt: skip
    assert result.code == 1, result.stderr  # not every capture is VALID
    lines = result.stdout.splitlines()
    assert lines[0].startswith("#1 VALID") and "signed with --salt #1" in lines[0]
    assert lines[1].startswith("#2 INVALID") and "—" in lines[1]
    assert lines[2].startswith("#3 ") and "STALE" in lines[2]  # judged as of 2024, with today's datetime header
    assert "3 captures imported" in lines[3]
    assert SALT not in result.stdout

    store = CaptureStore(DataLayout.at(data_dir).captures_db)
    try:
        first, second, third = (store.get(n) for n in (1, 2, 3))
        assert first is not None and second is not None and third is not None
        assert (first.source, first.verdict, first.body, first.event, first.entity_id) == (
            "imported", "VALID", BODY, "user_partner_connected", "155",
        )  # fmt: skip
        assert first.headers[2] == ("X-Benji-Signature", sign(BODY, SALT))  # case and order kept
        assert (second.verdict, second.body) == ("INVALID", tampered)
        assert third.body == binary and third.response_status == 200
        assert SALT not in json.dumps([c.report for c in (first, second, third)])
    finally:
        store.close()


async def test_ignore_timestamp_and_json_output(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "old.http").write_bytes(raw_request(BODY, sign(BODY, SALT), "Tue, 22 Oct 2024 21:57:02 GMT"))
    result = await run_cli(
        "import",
        "--data-dir",
        str(data_dir),
        "--salt",
        SALT,
        "--ignore-timestamp",
        "--json",
        str(tmp_path / "old.http"),
    )
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [c["verdict"] for c in document["captures"]] == ["VALID"]
    # A --salt belongs to no subscription; the fields are there (the same import code as the window's).
    assert [(c["subscription_id"], c["environment"]) for c in document["captures"]] == [(None, None)]


async def test_a_bad_file_stores_nothing(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "ok.http").write_bytes(raw_request(BODY, sign(BODY, SALT), format_http_date()))
    (tmp_path / "bad.txt").write_bytes(b"this is not a request")
    result = await run_cli(
        "import", "--data-dir", str(data_dir), "--salt", SALT, str(tmp_path / "ok.http"), str(tmp_path / "bad.txt")
    )
    assert result.code == 2
    assert "bad.txt" in result.stderr and "not recognised" in result.stderr and "Traceback" not in result.stderr
    missing = await run_cli("import", "--data-dir", str(data_dir), str(tmp_path / "absent.http"))
    assert missing.code == 2 and "cannot read" in missing.stderr
    store = CaptureStore(DataLayout.at(data_dir).captures_db)
    try:
        assert store.get(1) is None
    finally:
        store.close()
