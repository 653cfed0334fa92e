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
    parser = subparsers.add_parser(
        "send",
        help="send a signed test webhook to a URL",
        description="Build (or read) a webhook body, sign exactly those bytes with the salt, add "
        "x-webhook-datetime and POST it. Exit status: 0 on a 2xx answer, 1 on any other status, "
        "2 on a usage error, 3 when the URL cannot be reached.",
    )
    parser.add_argument("--to", required=True, metavar="URL", help="where to POST the webhook")
    parser.add_argument(
        "--salt", action="append", required=True, help="the subscription's salt; repeat to sign with several"
    )
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
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds to wait (default 10)")
    parser.add_argument("--json", action="store_true", help="print what was sent and the response as JSON")


def usage_error(message: str) -> int:
    print(f"benji-desktop send: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    import json

    import httpx

    from benji_desktop.domain.entities import entity_type_for_event
    from benji_desktop.signature import canonical_body, signed_headers

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
    if not args.to.lower().startswith(("http://", "https://")):
        return usage_error(f"--to must be an http:// or https:// URL, not {args.to!r}")

    # Sign the very bytes that go on the wire: serialised once above, never again.
    headers = signed_headers(body, args.salt, encoding=args.encoding)
    if args.datetime is not None:
        headers["x-webhook-datetime"] = args.datetime
    try:
        with httpx.Client(timeout=args.timeout) as client:
            response = client.post(args.to, content=body, headers=headers)
    except httpx.TimeoutException:
        print(f"benji-desktop send: error: {args.to} did not answer within {args.timeout:g} s", file=sys.stderr)
        return EXIT_NETWORK
    except httpx.HTTPError as error:
        print(f"benji-desktop send: error: cannot reach {args.to} ({type(error).__name__}: {error})", file=sys.stderr)
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
