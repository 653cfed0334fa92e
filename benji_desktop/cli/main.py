"""`benji-desktop` entry point: no sub-command opens the window; sub-commands run headless."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from benji_desktop import __version__
from benji_desktop.cli.options import CommandError, report
from benji_desktop.storage.paths import DataDirError

# Each sub-command lives in benji_desktop/cli/cmd_<name>.py with `add_parser(subparsers)` and `run(args)`.
# Modules import their heavy dependencies inside `run`, so `--help` and `--version` stay fast.
COMMANDS = ("verify", "send", "listen", "sandbox", "export", "import", "screenshot")

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benji-desktop",
        description="Benji Desktop: API tokens, webhooks, IP whitelist and integrations for the Benji Platform, "
        "with a local webhook receiver and an embedded Sandbox. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"benji-desktop {__version__}")
    parser.add_argument("--data-dir", help="where captures, sandbox state and settings live")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"benji_desktop.cli.cmd_{name}")
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from benji_desktop.views.gui import launch_gui

        return launch_gui(data_dir=args.data_dir)
    module = importlib.import_module(f"benji_desktop.cli.cmd_{args.command.replace('-', '_')}")
    try:
        result: int = module.run(args)
    except CommandError as error:
        return report(args.command, error)
    except DataDirError as error:
        return report(args.command, CommandError(str(error)))
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
