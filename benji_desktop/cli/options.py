"""Argument types and options shared by the sub-commands: ports, positive numbers, salts, the data directory."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SALT_ENV = "BENJI_SALT"
EXIT_USAGE = 2

SALT_SOURCES_HELP = (
    "Salts: --salt VALUE (repeatable) is visible to other users of this machine in the process list (ps); "
    "prefer --salt-file FILE (one salt per line, blank lines and lines starting with # ignored) or the "
    f"{SALT_ENV} environment variable (one salt). All given sources are used; an empty salt is refused."
)


class CommandError(Exception):
    """A usage problem found after parsing: `main` prints it as one line and exits with `code`."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _number_type(
    parse: Callable[[str], float], accept: Callable[[float], bool], unreadable: str, refused: str
) -> Callable[[str], Any]:
    """An argparse type: `parse` the text, then `accept` the value; each message names the text as given."""

    def convert(text: str) -> Any:
        try:
            number = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(unreadable.format(text=repr(text))) from None
        if not accept(number):
            raise argparse.ArgumentTypeError(refused.format(text=repr(text), number=number))
        return number

    return convert


#: A TCP port number, 0 (pick a free one) to 65535.
port = _number_type(
    int, lambda n: 0 <= n <= 65535, "{text} is not a port number (0-65535)", "{number} is not a port number (0-65535)"
)
#: A finite number above zero.
positive_float = _number_type(
    float, lambda n: math.isfinite(n) and n > 0, "{text} is not a number", "{text} must be a number above zero"
)
#: A finite number, zero or more.
non_negative_float = _number_type(
    float, lambda n: math.isfinite(n) and n >= 0, "{text} is not a number", "{text} must be zero or more"
)
#: A whole number above zero.
positive_int = _number_type(int, lambda n: n > 0, "{text} is not a whole number", "{number} must be above zero")
#: An HTTP status code a server may answer with.
http_status = _number_type(
    int, lambda n: 100 <= n <= 599, "{text} is not an HTTP status (100-599)", "{number} is not an HTTP status (100-599)"
)


def salt_value(text: str) -> str:
    """An argparse type: a salt given on the command line; an empty one would sign with an empty key."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a salt cannot be empty")
    return text


def add_salt_options(parser: argparse.ArgumentParser, *, what: str) -> None:
    """--salt and --salt-file; the values are read by `salts_from(args)` after parsing (with $BENJI_SALT)."""
    parser.add_argument(
        "--salt",
        action="append",
        default=[],
        type=salt_value,
        help=f"a salt {what}; repeat for several. Visible to other users of this machine (ps): "
        f"prefer --salt-file or {SALT_ENV}",
    )
    parser.add_argument(
        "--salt-file",
        action="append",
        default=[],
        metavar="FILE",
        help="read salts from FILE, one per line ('#' starts a comment line)",
    )


def labelled_salts(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(salt, label) for every --salt, every --salt-file line, then $BENJI_SALT; CommandError for a bad source."""
    salts = [(value, f"--salt #{n}") for n, value in enumerate(getattr(args, "salt", []) or [], start=1)]
    for name in getattr(args, "salt_file", []) or []:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            raise CommandError(f"cannot read --salt-file {name}: {reason}") from None
        lines = [line.strip() for line in text.splitlines()]
        found = [line for line in lines if line and not line.startswith("#")]
        if not found:
            raise CommandError(f"--salt-file {name} holds no salt")
        salts.extend((value, f"{Path(name).name} line {n}") for n, value in enumerate(found, start=1))
    from_environment = os.environ.get(SALT_ENV)
    if from_environment is not None:
        if not from_environment.strip():
            raise CommandError(f"{SALT_ENV} is set but empty; unset it or give a salt")
        salts.append((from_environment.strip(), f"${SALT_ENV}"))
    return salts


def salts_from(args: argparse.Namespace) -> list[str]:
    """The salt values of `labelled_salts`, in the same order."""
    return [value for value, _ in labelled_salts(args)]


def data_layout(explicit: str | None) -> Any:
    """The data directory's layout, or CommandError when it cannot be created or written (a file, no rights)."""
    from benji_desktop.storage.paths import DataDirError, DataLayout

    try:
        return DataLayout.at(explicit)
    except DataDirError as error:
        raise CommandError(str(error)) from None


def report(command: str, error: CommandError) -> int:
    print(f"benji-desktop {command}: error: {error.message}", file=sys.stderr)
    return error.code
