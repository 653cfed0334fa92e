"""Salts reach verify/send from --salt-file and $BENJI_SALT, so they need not appear in the process list."""

from __future__ import annotations

import os
from pathlib import Path

from cli_runner import run_cli  # tests/integration is on sys.path (rootdir-relative test modules)

from benji_desktop.signature import canonical_body, sign

SALT = "salt_" + "b" * 32
OTHER = "salt_" + "c" * 32


async def test_verify_takes_salts_from_a_file_one_per_line(tmp_path: Path) -> None:
    body = canonical_body("user_partner_connected", 1, 7)
    (tmp_path / "body.json").write_bytes(body)
    salts = tmp_path / "salts.txt"
    salts.write_text(f"# rotation\n{OTHER}\n\n{SALT}\n")
    result = await run_cli(
        "verify",
        "--salt-file",
        str(salts),
        "--signature",
        sign(body, SALT),
        "--ignore-timestamp",
        str(tmp_path / "body.json"),
    )
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("VALID")


async def test_verify_takes_one_salt_from_the_environment(tmp_path: Path) -> None:
    body = canonical_body("user_partner_connected", 1, 7)
    (tmp_path / "body.json").write_bytes(body)
    os.environ["BENJI_SALT"] = SALT
    try:
        result = await run_cli(
            "verify", "--signature", sign(body, SALT), "--ignore-timestamp", str(tmp_path / "body.json")
        )
    finally:
        del os.environ["BENJI_SALT"]
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("VALID")


async def test_send_refuses_an_empty_salt_instead_of_signing_with_an_empty_key() -> None:
    result = await run_cli("send", "--to", "http://127.0.0.1:1/hook", "--salt", "")
    assert result.code == 2
    assert "empty" in result.stderr and "Traceback" not in result.stderr
