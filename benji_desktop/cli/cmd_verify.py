"""`benji-desktop verify`: check a webhook body (or a whole captured request) against salts; say why not."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_VALID = 0
EXIT_NOT_VALID = 1
EXIT_USAGE = 2


def add_parser(subparsers: Any) -> None:
    from benji_desktop.cli.options import SALT_SOURCES_HELP, add_salt_options, non_negative_float

    parser = subparsers.add_parser(
        "verify",
        help="verify a webhook signature and explain any failure",
        description="Verify an x-benji-signature against one or more salts. Prints the verdict (VALID, INVALID, "
        "UNSIGNED, MALFORMED, NO_SALT or STALE) on the first line, then the findings and the likely cause.",
        epilog=f"{SALT_SOURCES_HELP}\n\nExit status: 0 VALID, 1 any other verdict, 2 usage error (unknown option, "
        "bad value, unreadable file, empty salt).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_salt_options(parser, what="to check with (several during a rotation)")
    parser.add_argument("--signature", help="the x-benji-signature header value (several: comma-separated)")
    parser.add_argument("--datetime", help="the x-webhook-datetime header value, e.g. 'Tue, 22 Oct 2024 21:57:02 GMT'")
    parser.add_argument(
        "--tolerance",
        type=non_negative_float,
        default=300.0,
        metavar="SECONDS",
        help="allowed clock skew, both ways (300)",
    )
    parser.add_argument("--ignore-timestamp", action="store_true", help="do not judge the datetime (for old captures)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--request",
        metavar="FILE",
        help="a whole request instead of FILE + --signature: raw HTTP, a curl command, a HAR or JSON export "
        "('-' reads standard input); signature and datetime come from its headers",
    )
    parser.add_argument("file", nargs="?", metavar="FILE|-", help="the body bytes exactly as received ('-': stdin)")


def read_input(name: str) -> bytes:
    """The bytes of a file, or of standard input for '-'; OSError for the caller to report."""
    if name == "-":
        return sys.stdin.buffer.read()
    with open(name, "rb") as handle:
        return handle.read()


def usage_error(message: str) -> int:
    print(f"benji-desktop verify: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def print_report(report: Any, as_json: bool, *, label: str | None = None) -> None:
    import json

    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    print(report.verdict.value if label is None else f"{report.verdict.value}  {label}")
    for reason in report.reasons:
        print(f"  - {reason}")
    if report.cause:
        print(f"Cause: {report.cause}")


def run(args: argparse.Namespace) -> int:
    from benji_desktop.cli.options import labelled_salts
    from benji_desktop.signature import KnownSalt, verify

    salts = [KnownSalt(value, label) for value, label in labelled_salts(args)]
    if args.request is not None:
        if args.file is not None or args.signature is not None:
            return usage_error("--request takes the body and signature from the request; drop FILE/--signature")
        return verify_requests(args, salts)
    if args.file is None:
        return usage_error("give the body FILE (or '-' for stdin), or --request FILE")
    try:
        body = read_input(args.file)
    except OSError as error:
        return usage_error(f"cannot read {args.file}: {error.strerror}")
    headers: list[tuple[str, str]] = []
    if args.signature is not None:
        headers.append(("x-benji-signature", args.signature))
    if args.datetime is not None:
        headers.append(("x-webhook-datetime", args.datetime))
    report = verify(body, headers, salts, tolerance_seconds=args.tolerance, ignore_timestamp=args.ignore_timestamp)
    print_report(report, args.json)
    return EXIT_VALID if report.verdict.value == "VALID" else EXIT_NOT_VALID


def verify_requests(args: argparse.Namespace, salts: list[Any]) -> int:
    """Every request in a raw HTTP, curl, HAR or JSON file; VALID only when all of them are."""
    import json
    from datetime import UTC, datetime

    from benji_desktop.interchange import InterchangeError, detect_and_parse
    from benji_desktop.signature import verify

    try:
        exchanges = detect_and_parse(read_input(args.request))
    except OSError as error:
        return usage_error(f"cannot read {args.request}: {error.strerror}")
    except InterchangeError as error:
        return usage_error(f"{args.request}: {error}")
    if not exchanges:
        return usage_error(f"{args.request} holds no request")
    verdicts = []
    documents = []
    for number, exchange in enumerate(exchanges, start=1):
        headers = list(exchange.request.headers)
        if args.datetime is not None:
            headers = [(n, v) for n, v in headers if n.lower() != "x-webhook-datetime"]
            headers.append(("x-webhook-datetime", args.datetime))
        received = exchange.request.received_at
        report = verify(
            exchange.request.body,
            headers,
            salts,
            # A HAR/JSON capture is judged as of when it was received, as the Inspector does.
            now=datetime.fromtimestamp(received, UTC) if received is not None else None,
            tolerance_seconds=args.tolerance,
            ignore_timestamp=args.ignore_timestamp,
        )
        verdicts.append(report.verdict.value)
        if args.json:
            documents.append({"request": f"{exchange.request.method} {exchange.request.url}", **report.to_json()})
        else:
            label = f"#{number} {exchange.request.method} {exchange.request.url}" if len(exchanges) > 1 else None
            print_report(report, False, label=label)
    if args.json:
        print(json.dumps(documents[0] if len(documents) == 1 else documents, ensure_ascii=False, indent=2))
    return EXIT_VALID if all(verdict == "VALID" for verdict in verdicts) else EXIT_NOT_VALID
