"""Simple bad input to every sub-command ends in one readable line and a documented exit code, never a traceback."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from cli_runner import run_cli  # tests/integration is on sys.path (rootdir-relative test modules)

SALT = "salt_" + "a" * 32


def _busy_port() -> tuple[socket.socket, int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder, holder.getsockname()[1]


# (arguments, expected exit code, words the message must contain); {data} is a fresh data dir, {file} a plain file.
BAD_INVOCATIONS = [
    (["listen", "--port", "99999"], 2, "0-65535"),
    (["listen", "--port", "-5"], 2, "0-65535"),
    (["sandbox", "--port", "99999"], 2, "0-65535"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt", SALT, "--timeout", "-1"], 2, "--timeout"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt", SALT, "--timeout", "nan"], 2, "--timeout"),
    (["send", "--to", "localhost:3000", "--salt", SALT], 2, "http://"),
    (["send", "--to", "http://", "--salt", SALT], 2, "--to"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt", SALT, "--body", "{missing}"], 2, "cannot read"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt", SALT, "--body", "{data}"], 2, "cannot read"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt", ""], 2, "empty"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt-file", "{missing}"], 2, "cannot read"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt-file", "{empty}"], 2, "no salt"),
    (["send", "--to", "http://127.0.0.1:1/"], 2, "salt"),
    (["send", "--bogus"], 2, "--bogus"),
    (["send", "--salt", SALT], 2, "--to"),
    (["send", "--to", "http://127.0.0.1:1/", "--salt", SALT, "--entity-id", "x", "--entity-type", "abc"], 2, "int"),
    (["verify", "--salt", "", "{file}"], 2, "empty"),
    (["verify", "--salt", SALT, "--tolerance", "-3", "{file}"], 2, "--tolerance"),
    (["verify", "--salt", SALT, "{missing}"], 2, "cannot read"),
    (["listen", "--salt", "", "--port", "0"], 2, "empty"),
    (["listen", "--port", "0", "--data-dir", "{file}"], 2, "data"),
    (["listen", "--port", "0", "--data-dir", "{locked}/inner"], 2, "data"),
    (["listen", "--port", "0", "--max-body", "0"], 2, "--max-body"),
    (["sandbox", "--port", "0", "--data-dir", "{file}"], 2, "data"),
    (["sandbox", "--port", "0", "--time-scale", "0"], 2, "--time-scale"),
    (["import", "--salt", "", "{file}"], 2, "empty"),
    (["export", "--data-dir", "{file}"], 2, "data"),
    (["--data-dir", "{file}", "verify", "--salt", SALT, "{file}"], 0, ""),
]


@pytest.mark.parametrize(("argv", "code", "words"), BAD_INVOCATIONS, ids=[" ".join(a) for a, _, _ in BAD_INVOCATIONS])
async def test_bad_input_is_one_readable_line(tmp_path: Path, argv: list[str], code: int, words: str) -> None:
    plain_file = tmp_path / "body.json"
    plain_file.write_bytes(b'{"event":"x"}')
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0 and "{locked}" in " ".join(argv):
        pytest.skip("root can write anywhere")
    values = {
        "{data}": str(tmp_path / "data"),
        "{file}": str(plain_file),
        "{missing}": str(tmp_path / "nope.bin"),
        "{empty}": str(empty),
        "{locked}": str(locked),
    }
    (tmp_path / "data").mkdir()
    argv = [values.get(a, a.replace("{locked}", str(locked))) for a in argv]
    environment_salt = os.environ.pop("BENJI_SALT", None)
    try:
        result = await run_cli("--data-dir", str(tmp_path / "data"), *argv, stdin=b"")
    finally:
        if environment_salt is not None:
            os.environ["BENJI_SALT"] = environment_salt
    if code == 0 and argv[0] == "--data-dir":
        # verify needs no data dir at all: a file given as --data-dir must not break it.
        assert "Traceback" not in result.stderr
        return
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code == code, (result.code, result.stderr)
    error_lines = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(error_lines) == 1, result.stderr
    assert words in error_lines[0], result.stderr
    assert error_lines[0].startswith(f"benji-desktop {argv[0]}: error:") or error_lines[0].startswith(
        "benji-desktop: error:"
    ), result.stderr


async def test_port_in_use_is_the_same_for_listen_and_sandbox(tmp_path: Path) -> None:
    holder, port = _busy_port()
    try:
        for command in ("listen", "sandbox"):
            result = await run_cli("--data-dir", str(tmp_path), command, "--port", str(port))
            assert "Traceback" not in result.stderr
            assert result.code == 3, (command, result.stderr)
            error_lines = [line for line in result.stderr.splitlines() if "error" in line]
            assert error_lines == [line for line in error_lines if line.startswith(f"benji-desktop {command}: error:")]
            assert len(error_lines) == 1 and "already in use" in error_lines[0], result.stderr
    finally:
        holder.close()


async def test_exit_codes_are_documented_in_every_help(tmp_path: Path) -> None:
    for command in ("listen", "sandbox", "send", "verify"):
        result = await run_cli(command, "--help")
        assert result.code == 0
        assert "Exit status" in result.stdout, command
    for command in ("listen", "send", "verify"):
        text = (await run_cli(command, "--help")).stdout
        assert "--salt-file" in text and "BENJI_SALT" in text and "other users" in text, command
