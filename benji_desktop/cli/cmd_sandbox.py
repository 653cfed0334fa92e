"""`benji-desktop sandbox`: run the Sandbox (the local Benji Platform emulator) headless until Ctrl-C."""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the Sandbox: a local Benji Platform that delivers signed webhooks",
        description="Run the Sandbox until Ctrl-C or SIGTERM. Prints BENJI_SANDBOX_URL=… and BENJI_API_KEY=… "
        "on their own lines once it is listening.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8788, help="port to bind; 0 picks a free one (default 8788)")
    # SUPPRESS keeps the global --data-dir (given before the command) when this one is not given.
    parser.add_argument("--data-dir", default=argparse.SUPPRESS, help="where captures and sandbox state live")
    parser.add_argument("--reset", action="store_true", help="wipe the Sandbox's state before starting")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="divide retry delays by this (60 makes 5 s into 83 ms)"
    )
    parser.add_argument(
        "--traffic", type=float, default=None, metavar="PER_MINUTE", help="simulate platform events at this rate"
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
    import signal
    import sys

    from benji_desktop.sandbox import SandboxServer, VaultError, reset_data
    from benji_desktop.storage.paths import DataLayout

    if args.time_scale <= 0:
        print("error: --time-scale must be positive", file=sys.stderr)
        return 2
    layout = DataLayout.at(getattr(args, "data_dir", None))
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
            print(f"error: {error}", file=sys.stderr)
            return 1
        except OSError as error:
            print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
            return 1
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
        return 0

    return asyncio.run(serve())
