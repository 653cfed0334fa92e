"""`benji-desktop listen`: the webhook receiver without a window; one line (or JSON object) per request."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK = 0
EXIT_PORT_IN_USE = 3
EXIT_USAGE = 2
END_OF_CAPTURES = -1


def add_parser(subparsers: Any) -> None:
    from benji_desktop.cli.options import (
        SALT_SOURCES_HELP,
        add_salt_options,
        http_status,
        non_negative_float,
        port,
        positive_int,
    )

    parser = subparsers.add_parser(
        "listen",
        help="run the local webhook receiver headless",
        description="Listen for webhooks, store every request (byte-exact) in the capture store, verify it with "
        "the given salts and print one line per request. Ctrl-C or SIGTERM stops it (exit 0).",
        epilog=f"{SALT_SOURCES_HELP}\n\nExit status: 0 stopped by Ctrl-C or SIGTERM, 2 usage error (unknown "
        "option, bad value, empty salt, unusable data directory), 3 the port is already in use.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1; anything wider warns)")
    parser.add_argument("--port", type=port, default=8787, help="port to bind (8787; 0 picks a free one)")
    add_salt_options(parser, what="to verify with (never printed)")
    parser.add_argument(
        "--data-dir",
        dest="listen_data_dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where the capture store lives",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per captured request")
    parser.add_argument("--forward-to", metavar="URL", help="after answering, send each request on to this URL")
    parser.add_argument("--respond", type=http_status, metavar="STATUS", help="answer every request with this status")
    parser.add_argument("--https", action="store_true", help="serve HTTPS with a self-signed localhost certificate")
    parser.add_argument(
        "--max-body",
        type=positive_int,
        metavar="BYTES",
        default=10 * 1024 * 1024,
        help="larger bodies get 413 (10 MiB)",
    )
    parser.add_argument(
        "--tolerance",
        type=non_negative_float,
        default=300.0,
        metavar="SECONDS",
        help="allowed clock skew, both ways (300)",
    )


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def capture_line(capture: Any) -> str:
    entity = f"{capture.entity_type}/{capture.entity_id}" if capture.entity_id is not None else "-"
    parts = [
        f"#{capture.id}",
        capture.method,
        capture.path + (f"?{capture.query}" if capture.query else ""),
        capture.event or "-",
        entity,
        capture.verdict or "-",
        str(capture.response_status or "-"),
    ]
    if capture.classification != "ok":
        parts.append(f"[{capture.classification}]")
    if capture.matched_salt_label:
        parts.append(f"({capture.matched_salt_label})")
    if capture.duplicate_of is not None:
        parts.append(f"duplicate of #{capture.duplicate_of}")
    cause = (capture.report or {}).get("cause")
    if cause:
        parts.append(f"— {cause}")
    return " ".join(parts)


def capture_json(capture: Any) -> dict[str, Any]:
    report = capture.report or {}
    return {
        "id": capture.id,
        "received_at": capture.received_at,
        "method": capture.method,
        "path": capture.path,
        "query": capture.query,
        "event": capture.event,
        "entity_type": capture.entity_type,
        "entity_id": capture.entity_id,
        "verdict": capture.verdict,
        "matched_salt": report.get("matched_salt"),  # already masked in the stored report
        "matched_salt_label": capture.matched_salt_label,
        "reasons": report.get("reasons", []),
        "cause": report.get("cause"),
        "classification": capture.classification,
        "notes": capture.notes,
        "body_size": capture.body_size,
        "response_status": capture.response_status,
        "duplicate_of": capture.duplicate_of,
        "source": capture.source,
    }


async def _listen(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import signal

    from benji_desktop.cli.options import data_layout, labelled_salts
    from benji_desktop.receiver import PortInUseError, Receiver, ResponseRules, StaticSaltSource
    from benji_desktop.receiver.tls import ensure_self_signed_cert
    from benji_desktop.signature import KnownSalt
    from benji_desktop.storage.captures import CaptureStore, CaptureSummary

    salts = labelled_salts(args)
    layout = data_layout(getattr(args, "listen_data_dir", None) or args.data_dir)
    store = CaptureStore(layout.captures_db)
    tls = ensure_self_signed_cert(layout.tls_dir) if args.https else None
    rules = ResponseRules.always(args.respond) if args.respond else None
    receiver = Receiver(
        store,
        StaticSaltSource([KnownSalt(value, label) for value, label in salts]),
        host=args.host,
        port=args.port,
        max_body=args.max_body,
        rules=rules,
        forward_to=args.forward_to,
        tls=tls,
        tolerance_seconds=args.tolerance,
    )
    stored: asyncio.Queue[int] = asyncio.Queue()

    def on_capture(summary: CaptureSummary) -> None:
        stored.put_nowait(summary.id)

    receiver.add_listener(on_capture)
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, not loopback: other machines can send requests to this receiver",
            file=sys.stderr,
        )
    try:
        await receiver.start()
    except PortInUseError as error:
        print(f"benji-desktop listen: error: {error}; choose another --port (0 picks a free one)", file=sys.stderr)
        store.close()
        return EXIT_PORT_IN_USE
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if args.json:
        print(json.dumps({"listening": receiver.url, "captures": str(layout.captures_db)}), flush=True)
        print(f"Listening on {receiver.url}", file=sys.stderr, flush=True)
    else:
        print(f"Listening on {receiver.url}", flush=True)
        print(f"Captures are stored in {layout.captures_db}", flush=True)
    if tls is not None:
        print(f"TLS certificate SHA-256 fingerprint: {tls.fingerprint_sha256}", file=sys.stderr, flush=True)
    if not salts:
        print("No salt given: signatures cannot be checked (verdict NO_SALT).", file=sys.stderr, flush=True)

    def print_capture(capture_id: int) -> None:
        capture = store.get(capture_id)
        if capture is None:
            return
        line = json.dumps(capture_json(capture), ensure_ascii=False) if args.json else capture_line(capture)
        print(line, flush=True)

    async def print_captures() -> None:
        # Printed from a thread: a reader that stops reading our stdout must not stall the receiver.
        while True:
            capture_id = await stored.get()
            if capture_id == END_OF_CAPTURES:
                return
            await loop.run_in_executor(None, print_capture, capture_id)

    printer = asyncio.create_task(print_captures())
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await receiver.stop()
        # Print everything committed before the stop, then end.
        stored.put_nowait(END_OF_CAPTURES)
        await asyncio.gather(printer, return_exceptions=True)
        store.close()
    if not args.json:
        print("Stopped.", file=sys.stderr, flush=True)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    import asyncio

    return asyncio.run(_listen(args))
