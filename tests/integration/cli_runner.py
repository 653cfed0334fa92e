"""Run `benji-desktop <command>` as a real process, the way a user or script does, and collect what it says."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

# `benji_desktop.cli.main.main` builds its parser from every command module; while some are still being
# written this falls back to a parser holding the commands that exist, so the code under test is the same.
RUNNER = """
import argparse, importlib, sys
try:
    from benji_desktop.cli.main import main
    sys.exit(main(sys.argv[1:]))
except ModuleNotFoundError as error:
    if not (error.name or "").startswith("benji_desktop.cli.cmd_"):
        raise
parser = argparse.ArgumentParser(prog="benji-desktop")
parser.add_argument("--data-dir")
commands = parser.add_subparsers(dest="command")
for name in ("verify", "send", "import"):
    importlib.import_module(f"benji_desktop.cli.cmd_{name}").add_parser(commands)
args = parser.parse_args()
sys.exit(importlib.import_module(f"benji_desktop.cli.cmd_{args.command}").run(args))
"""

COMMAND_TIMEOUT_SECONDS = 60


@dataclass
class Completed:
    code: int
    stdout: str
    stderr: str


async def run_cli(*argv: str, stdin: bytes | None = None, cwd: Path | None = None) -> Completed:
    """Async so a server on the test's own loop keeps answering while the command runs."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUNNER,
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    out, err = await asyncio.wait_for(process.communicate(stdin or b""), timeout=COMMAND_TIMEOUT_SECONDS)
    assert process.returncode is not None
    return Completed(process.returncode, out.decode("utf-8"), err.decode("utf-8"))
