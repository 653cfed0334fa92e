"""`benji-desktop import`: read raw HTTP, curl, HAR or JSON files into the capture store, verified."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK = 0
EXIT_NOT_ALL_VALID = 1
EXIT_USAGE = 2


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import captured requests (raw HTTP, curl, HAR, JSON) into the Inspector's store and verify them",
        description="Parse each FILE (raw HTTP request, curl command, HAR 1.2 or a Benji Desktop JSON export), "
        "store every request as an imported capture, verify it with the salts given and print one line per "
        "capture: id, verdict, request and cause. Exit status: 0 when every capture is VALID, 1 otherwise, "
        "2 when a file cannot be read or parsed (nothing from that file is stored).",
    )
    # SUPPRESS keeps the global --data-dir (given before the command) when this one is not given.
    parser.add_argument("--data-dir", default=argparse.SUPPRESS, help="where the capture store lives")
    parser.add_argument("--salt", action="append", default=[], help="a salt to verify with; repeat for several")
    parser.add_argument(
        "--tolerance", type=float, default=300.0, metavar="SECONDS", help="allowed clock skew, both ways (300)"
    )
    parser.add_argument("--ignore-timestamp", action="store_true", help="do not judge the datetime (for old captures)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to import ('-' reads standard input)")


def capture_from_exchange(
    exchange: Any, salts: list[Any], *, tolerance: float, ignore_timestamp: bool, imported_at: float
) -> Any:
    """An imported request as a capture: classified and verified like a received one, marked `imported`."""
    from datetime import UTC, datetime

    from benji_desktop.receiver.classify import TransportFacts, classify
    from benji_desktop.receiver.verification import safe_report
    from benji_desktop.signature import verify
    from benji_desktop.storage.captures import Capture

    request = exchange.request
    declared = next((v for n, v in request.headers if n.lower() == "content-length"), None)
    notes = [f"Imported from a {exchange.meta.get('source_format', 'file')} by the command line."]
    if request.received_at:
        original = datetime.fromtimestamp(request.received_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        notes.append(f"Originally received {original}.")
    capture = Capture(
        received_at=imported_at,
        method=request.method,
        scheme=request.scheme,
        host=request.host,
        path=request.path or "/",
        query=request.query,
        headers=list(request.headers),
        body=request.body,
        body_size=len(request.body),
        declared_size=int(declared) if declared and declared.strip().isdigit() else None,
        remote=request.remote or "(imported)",
        response_status=exchange.response_status,
        response_headers=list(exchange.response_headers),
        response_body=exchange.response_body,
        source="imported",
        notes=notes,
    )
    classification = classify(capture.method, capture.headers, capture.body, TransportFacts())
    capture.classification = classification.code
    capture.notes.extend(classification.notes)
    capture.event = classification.payload.event
    capture.entity_type = classification.payload.entity_type
    if classification.payload.entity_id is not None:
        capture.entity_id = str(classification.payload.entity_id)
    # Judged as of when it was first received, when the file says so (HAR, JSON export).
    moment = datetime.fromtimestamp(request.received_at, UTC) if request.received_at else None
    report = verify(
        capture.body,
        capture.headers,
        salts,
        now=moment,
        tolerance_seconds=tolerance,
        ignore_timestamp=ignore_timestamp,
    )
    capture.verdict = report.verdict.value
    capture.report = safe_report(report.to_json(), salts)  # a salt typed for this check never reaches the disk
    if report.match is not None:
        capture.matched_salt_label = report.match.salt.label
    return capture


def run(args: argparse.Namespace) -> int:
    import json
    import time

    from benji_desktop.cli.cmd_verify import read_input
    from benji_desktop.interchange import InterchangeError, detect_and_parse
    from benji_desktop.signature import KnownSalt
    from benji_desktop.storage.captures import CaptureStore
    from benji_desktop.storage.paths import DataLayout

    salts = [KnownSalt(value, f"--salt #{n}") for n, value in enumerate(args.salt, start=1)]
    parsed: list[tuple[str, list[Any]]] = []
    for name in args.files:
        # Every file is read and parsed before anything is stored, so a bad file leaves the store untouched.
        try:
            exchanges = detect_and_parse(read_input(name))
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
            captures = [
                capture_from_exchange(
                    exchange,
                    salts,
                    tolerance=args.tolerance,
                    ignore_timestamp=args.ignore_timestamp,
                    imported_at=imported_at,
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
