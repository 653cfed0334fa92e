"""`benji-desktop export`: write stored captures as HAR 1.2 or our byte-exact JSON (bodies base64)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export stored captures as HAR or JSON",
        description="Write captures from the capture store. JSON keeps every body byte-exact (base64); HAR 1.2 "
        "opens in browser dev tools. Salts never appear: reports carry salt labels and masked values only.",
    )
    parser.add_argument(
        "--data-dir",
        dest="export_data_dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where the capture store lives",
    )
    parser.add_argument(
        "--format",
        choices=("json", "har", "bundle"),
        default="json",
        help="json (byte-exact), har, or bundle: a support zip with reports, version and settings, secrets masked",
    )
    parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--ids", type=int, nargs="+", metavar="ID", help="only these capture ids (default: all)")


def run(args: argparse.Namespace) -> int:
    import json

    from benji_desktop import __version__
    from benji_desktop.interchange import exchanges_to_har, exchanges_to_json
    from benji_desktop.receiver.exchange import capture_to_exchange
    from benji_desktop.storage.captures import CaptureStore
    from benji_desktop.storage.paths import DataLayout

    layout = DataLayout.at(getattr(args, "export_data_dir", None) or args.data_dir)
    if not layout.captures_db.exists():
        print(f"benji-desktop export: no capture store at {layout.captures_db}", file=sys.stderr)
        return EXIT_NOT_FOUND
    with CaptureStore(layout.captures_db) as store:
        ids = args.ids if args.ids else store.all_ids()
        captures = store.get_many(ids)
    missing = sorted(set(args.ids or []) - {capture.id for capture in captures})
    if missing:
        print(f"benji-desktop export: no capture with id {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if args.format == "bundle":
        return _write_bundle(args, layout, captures)
    exchanges = [capture_to_exchange(capture) for capture in captures]
    document = exchanges_to_har(exchanges, __version__) if args.format == "har" else exchanges_to_json(exchanges)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"Wrote {len(exchanges)} capture(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _write_bundle(args: argparse.Namespace, layout: Any, captures: list[Any]) -> int:
    from pathlib import Path

    from benji_desktop import __version__
    from benji_desktop.receiver.bundle import write_bundle
    from benji_desktop.storage.settings import SettingsStore, settings_to_json

    if not args.out:
        print("benji-desktop export: error: --format bundle writes a zip; give --out FILE.zip", file=sys.stderr)
        return EXIT_USAGE
    settings_store = SettingsStore(layout.settings_file)
    settings_store.load()
    write_bundle(captures, settings_to_json(settings_store.settings), __version__, Path(args.out))
    print(f"Wrote a support bundle with {len(captures)} capture(s) to {args.out}", file=sys.stderr)
    return EXIT_OK
