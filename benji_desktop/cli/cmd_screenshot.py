"""`benji-desktop screenshot`: render every tab and the Inspector, with demo data, offscreen into PNGs."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
DEFAULT_SIZE = (1280, 800)
MIN_SIZE, MAX_SIZE = 320, 8192


def parse_size(text: str) -> tuple[int, int]:
    """`1280x800` -> (1280, 800); argparse shows the message when it is not a sensible size."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 1280x800")
    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIZE <= width <= MAX_SIZE and MIN_SIZE <= height <= MAX_SIZE):
        raise argparse.ArgumentTypeError(f"width and height must be between {MIN_SIZE} and {MAX_SIZE} pixels")
    return width, height


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screenshot",
        help="save a PNG of each tab and the Inspector, with demo data (offscreen)",
        description="Start a throwaway Sandbox and receiver in a temporary folder, fill them with demo data "
        "(API keys, subscriptions, test deliveries with a valid and an invalid signature, IP requests, a "
        "connected integration), and save a PNG of each tab and of the Inspector. Nothing touches your "
        "own data or keychain. Used for the README's screenshots (`make screenshots`).",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder for the PNGs (created if missing)")
    parser.add_argument(
        "--size",
        type=parse_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help=f"window size in pixels (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})",
    )


def run(args: argparse.Namespace) -> int:
    # Offscreen unless the caller chose a platform: the command must work on a machine with no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from benji_desktop.views.screenshots import ScreenshotError, take_screenshots

    width, height = args.size
    try:
        paths = take_screenshots(args.out, width=width, height=height)
    except ScreenshotError as error:
        print(f"screenshot: {error}", file=sys.stderr)
        return EXIT_FAILED
    for path in paths:
        print(path)
    return EXIT_OK
