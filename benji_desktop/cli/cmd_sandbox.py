"""`benji-desktop sandbox`: run the Sandbox (the local Benji Platform emulator) headless until Ctrl-C."""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any

EXIT_OK = 0
EXIT_STATE = 1
EXIT_USAGE = 2
EXIT_PORT_IN_USE = 3


def add_parser(subparsers: Any) -> None:
    from benji_desktop.cli.options import non_negative_float, port, positive_float

    parser = subparsers.add_parser(
        "sandbox",
        help="run the Sandbox: a local Benji Platform that delivers signed webhooks",
        description="Run the Sandbox until Ctrl-C or SIGTERM. Prints BENJI_SANDBOX_URL=… and BENJI_API_KEY=… "
        "on their own lines once it is listening.",
        epilog="Exit status: 0 stopped by Ctrl-C or SIGTERM, 1 the saved state cannot be opened (its key is "
        "not in the keychain: --reset starts afresh) or the address cannot be bound, 2 usage error (unknown "
        "option, bad value, unusable data directory), 3 the port is already in use.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=8788, help="port to bind; 0 picks a free one (default 8788)")
    # SUPPRESS keeps the global --data-dir (given before the command) when this one is not given.
    parser.add_argument("--data-dir", default=argparse.SUPPRESS, help="where captures and sandbox state live")
    parser.add_argument("--reset", action="store_true", help="wipe the Sandbox's state before starting")
    parser.add_argument(
        "--time-scale", type=positive_float, default=1.0, help="divide retry delays by this (60 makes 5 s into 83 ms)"
    )
    parser.add_argument(
        "--traffic",
        type=non_negative_float,
        default=None,
        metavar="PER_MINUTE",
        help="simulate platform events at this rate",
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_store(layout: Any) -> Any:
    """The app's secret store (keychain, or the encrypted-file fallback with a visible warning)."""
    import sys

    from benji_desktop.secretstore import open_secret_store

    store = open_secret_store(layout)
    if not store.is_secure:
        print(f"warning: {store.backend_description}", file=sys.stderr, flush=True)
    return store


def run(args: argparse.Namespace) -> int:
    import asyncio
    import errno
    import signal
    import sys

    from benji_desktop.cli.options import data_layout
    from benji_desktop.sandbox import SandboxServer, VaultError, reset_data

    layout = data_layout(getattr(args, "data_dir", None))
    if args.reset:
        reset_data(layout.sandbox_dir)
        print(f"Sandbox state wiped: {layout.sandbox_dir}", file=sys.stderr, flush=True)
    if not is_loopback(args.host):
        print(
            f"warning: binding {args.host} exposes the Sandbox beyond this computer; anyone who can reach it "
            "and holds an API key can use it.",
            file=sys.stderr,
            flush=True,
        )

    async def serve() -> int:
        server = SandboxServer(
            layout.sandbox_dir,
            open_store(layout),
            host=args.host,
            port=args.port,
            time_scale=args.time_scale,
            traffic_per_minute=args.traffic,
        )
        try:
            await server.start()
        except VaultError as error:
            print(f"benji-desktop sandbox: error: {error}", file=sys.stderr)
            return EXIT_STATE
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                print(
                    f"benji-desktop sandbox: error: {args.host}:{args.port} is already in use; "
                    "choose another --port (0 picks a free one)",
                    file=sys.stderr,
                )
                return EXIT_PORT_IN_USE
            print(
                f"benji-desktop sandbox: error: cannot listen on {args.host}:{args.port}: {error.strerror or error}",
                file=sys.stderr,
            )
            return EXIT_STATE
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        print(f"BENJI_SANDBOX_URL={server.url}", flush=True)
        print(f"BENJI_API_KEY={server.api_key}", flush=True)
        print(f"Sandbox data: {layout.sandbox_dir}. Ctrl-C to stop.", file=sys.stderr, flush=True)
        try:
            await stop.wait()
        finally:
            await server.stop()
        return EXIT_OK

    return asyncio.run(serve())
