"""`benji-desktop send`: sign a webhook exactly as the platform does and POST it to a URL."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK = 0
EXIT_NOT_2XX = 1
EXIT_USAGE = 2
EXIT_NETWORK = 3
DEFAULT_EVENT = "user_partner_connected"


def add_parser(subparsers: Any) -> None:
    from benji_desktop.cli.options import SALT_SOURCES_HELP, add_salt_options, positive_float

    parser = subparsers.add_parser(
        "send",
        help="send a signed test webhook to a URL",
        description="Build (or read) a webhook body, sign exactly those bytes with the salt, add "
        "x-webhook-datetime and POST it. --to and at least one salt are required.",
        epilog=f"{SALT_SOURCES_HELP}\n\nExit status: 0 on a 2xx answer, 1 on any other status, 2 on a usage error "
        "(unknown option, bad value, unreadable file, no or empty salt), 3 when the URL cannot be reached.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # --to and the salts are checked after parsing, so an unknown option is reported before a missing one.
    parser.add_argument("--to", metavar="URL", help="where to POST the webhook (http:// or https://; required)")
    add_salt_options(parser, what="to sign with (the subscription's)")
    parser.add_argument("--event", default=DEFAULT_EVENT, help=f"event name (default {DEFAULT_EVENT})")
    parser.add_argument("--entity-type", type=int, help="entity type number (default: follows the event)")
    parser.add_argument("--entity-id", default="1", help="entity id (default 1; digits are sent as a number)")
    parser.add_argument("--body", metavar="FILE", help="send these bytes instead of a built body ('-': stdin)")
    parser.add_argument(
        "--encoding",
        default="hex",
        choices=("hex", "HEX", "base64", "sha256=hex"),
        help="how to write the signature (default hex, the canonical form)",
    )
    parser.add_argument("--datetime", help="x-webhook-datetime value to send instead of now")
    parser.add_argument(
        "--timeout", type=positive_float, default=10.0, metavar="S", help="seconds to wait (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="print what was sent and the response as JSON")


def usage_error(message: str) -> int:
    print(f"benji-desktop send: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def url_problem(url: str) -> str | None:
    """Why `url` cannot be sent to, in one sentence; None when it is a usable http(s) URL."""
    import httpx

    if not url.lower().startswith(("http://", "https://")):
        return f"--to must start with http:// or https:// (for example http://{url}), not {url!r}"
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        return f"--to {url!r} is not a valid URL: {error}"
    if not parsed.host:
        return f"--to {url!r} names no host"
    return None


def network_reason(error: Exception) -> str:
    """The innermost OS reason ("Connection refused") rather than the transport's layers of wording."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    return str(error) or type(error).__name__


def run(args: argparse.Namespace) -> int:
    import json

    import httpx

    from benji_desktop.cli.options import salts_from
    from benji_desktop.domain.entities import entity_type_for_event
    from benji_desktop.signature import canonical_body, signed_headers

    if not args.to:
        return usage_error("the following arguments are required: --to")
    problem = url_problem(args.to)
    if problem:
        return usage_error(problem)
    salts = salts_from(args)
    if not salts:
        return usage_error("no salt given: use --salt-file FILE, $BENJI_SALT or --salt")
    if args.body is not None:
        try:
            if args.body == "-":
                body = sys.stdin.buffer.read()
            else:
                with open(args.body, "rb") as handle:
                    body = handle.read()
        except OSError as error:
            return usage_error(f"cannot read {args.body}: {error.strerror}")
    else:
        entity_type = args.entity_type
        if entity_type is None:
            known = entity_type_for_event(args.event)
            if known is None:
                return usage_error(f"{args.event!r} is not a catalogued event: give --entity-type")
            entity_type = int(known)
        entity_id: int | str = int(args.entity_id) if args.entity_id.isdigit() else args.entity_id
        body = canonical_body(args.event, entity_type, entity_id)

    # Sign the very bytes that go on the wire: serialised once above, never again.
    headers = signed_headers(body, salts, encoding=args.encoding)
    if args.datetime is not None:
        headers["x-webhook-datetime"] = args.datetime
    try:
        with httpx.Client(timeout=args.timeout) as client:
            response = client.post(args.to, content=body, headers=headers)
    except httpx.TimeoutException:
        print(f"benji-desktop send: error: {args.to} did not answer within {args.timeout:g} s", file=sys.stderr)
        return EXIT_NETWORK
    except httpx.HTTPError as error:
        print(f"benji-desktop send: error: cannot reach {args.to}: {network_reason(error)}", file=sys.stderr)
        return EXIT_NETWORK

    text = response.content.decode("utf-8", errors="replace")
    if args.json:
        print(
            json.dumps(
                {
                    "url": args.to,
                    "sent": {"headers": headers, "body": body.decode("utf-8", errors="replace"), "bytes": len(body)},
                    "status": response.status_code,
                    "headers": list(response.headers.multi_items()),
                    "body": text,
                    "elapsed_ms": round(response.elapsed.total_seconds() * 1000, 1),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
        if text:
            print(text)
    return EXIT_OK if 200 <= response.status_code < 300 else EXIT_NOT_2XX
