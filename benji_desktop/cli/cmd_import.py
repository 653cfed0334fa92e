"""`benji-desktop import`: read raw HTTP, curl, HAR or JSON files into the capture store, verified."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK = 0
EXIT_NOT_ALL_VALID = 1
EXIT_USAGE = 2


def add_parser(subparsers: Any) -> None:
    from benji_desktop.cli.options import SALT_SOURCES_HELP, add_salt_options

    parser = subparsers.add_parser(
        "import",
        help="import captured requests (raw HTTP, curl, HAR, JSON, support bundle) into the store and verify them",
        description="Parse each FILE (raw HTTP request, curl command, HAR 1.2, a Benji Desktop JSON export or "
        "support bundle zip — a bundle keeps the sender's verdicts unless --salt is given), "
        "store every request as an imported capture, verify it with the salts given and print one line per "
        "capture: id, verdict, request and cause. Exit status: 0 when every capture is VALID, 1 otherwise, "
        "2 when a file cannot be read or parsed (nothing from that file is stored).",
        epilog=SALT_SOURCES_HELP,
    )
    # SUPPRESS keeps the global --data-dir (given before the command) when this one is not given.
    parser.add_argument("--data-dir", default=argparse.SUPPRESS, help="where the capture store lives")
    add_salt_options(parser, what="to verify with")
    parser.add_argument(
        "--tolerance", type=float, default=300.0, metavar="SECONDS", help="allowed clock skew, both ways (300)"
    )
    parser.add_argument("--ignore-timestamp", action="store_true", help="do not judge the datetime (for old captures)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to import ('-' reads standard input)")


def run(args: argparse.Namespace) -> int:
    import json
    import time
    from pathlib import Path

    from benji_desktop.cli.cmd_verify import read_input
    from benji_desktop.cli.options import labelled_salts
    from benji_desktop.interchange import InterchangeError, detect_and_parse
    from benji_desktop.receiver.bundle import SupportBundle, import_bundle, is_bundle, read_bundle
    from benji_desktop.receiver.exchange import capture_from_exchange
    from benji_desktop.signature import KnownSalt
    from benji_desktop.storage.captures import CaptureStore
    from benji_desktop.storage.paths import DataLayout

    salts = [KnownSalt(value, label) for value, label in labelled_salts(args)]
    parsed: list[tuple[str, list[Any]]] = []
    for name in args.files:
        # Every file is read and parsed before anything is stored, so a bad file leaves the store untouched.
        try:
            data = read_input(name)
            # A support bundle keeps the sender's verdicts; with --salt it is verified again here.
            exchanges: Any = read_bundle(data, Path(name).name) if is_bundle(data) else detect_and_parse(data)
        except OSError as error:
            print(f"benji-desktop import: error: cannot read {name}: {error.strerror}", file=sys.stderr)
            return EXIT_USAGE
        except InterchangeError as error:
            print(f"benji-desktop import: error: {name}: {error}", file=sys.stderr)
            return EXIT_USAGE
        parsed.append((name, exchanges))

    layout = DataLayout.at(getattr(args, "data_dir", None))
    imported_at = time.time()
    results: list[dict[str, Any]] = []
    store = CaptureStore(layout.captures_db)
    try:
        for name, exchanges in parsed:
            if isinstance(exchanges, SupportBundle):
                ids = import_bundle(store, exchanges, salts, tolerance_seconds=args.tolerance)
                captures = store.get_many(ids)
            else:
                captures = [
                    capture_from_exchange(
                        exchange,
                        salts,
                        tolerance_seconds=args.tolerance,
                        ignore_timestamp=args.ignore_timestamp,
                        imported_at=imported_at,
                        note=f"Imported from a {exchange.meta.get('source_format', 'file')} by the command line.",
                    )
                    for exchange in exchanges
                ]
                ids = store.add_many(captures)
            for capture_id, capture in zip(ids, captures, strict=True):
                results.append(
                    {
                        "id": capture_id,
                        "file": name,
                        "method": capture.method,
                        "url": f"{capture.scheme}://{capture.host}{capture.path}"
                        + (f"?{capture.query}" if capture.query else ""),
                        "verdict": capture.verdict,
                        "matched_salt_label": capture.matched_salt_label,
                        "subscription_id": capture.subscription_id,
                        "environment": capture.environment,
                        "cause": (capture.report or {}).get("cause"),
                    }
                )
    finally:
        store.close()

    if args.json:
        print(json.dumps({"data_dir": str(layout.root), "captures": results}, ensure_ascii=False, indent=2))
    else:
        for result in results:
            line = f"#{result['id']} {result['verdict']:<9} {result['method']} {result['url']}"
            if result["cause"]:
                line += f" — {result['cause']}"
            elif result["matched_salt_label"]:
                line += f" — signed with {result['matched_salt_label']}"
            print(line)
        print(f"{len(results)} capture{'s' if len(results) != 1 else ''} imported into {layout.captures_db}")
    return EXIT_OK if results and all(r["verdict"] == "VALID" for r in results) else EXIT_NOT_ALL_VALID
