"""The two servers the throughput benchmark compares, each in its own process: prints `url <URL>`, serves until SIGTERM.

`bare`: an aiohttp application whose one handler reads the body and returns 200 (the baseline).
`receiver`: Benji's `Receiver` with a real `CaptureStore`: stores durably, verifies, answers by rule.
On SIGTERM each prints `cpu <seconds>` (process CPU time), the receiver also `stored <n>` (captures in the
store), before it exits.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
from pathlib import Path

from aiohttp import web

BENCH_SALT = "salt_benchmarkbenchmarkbenchmark00"


async def serve_bare() -> None:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", ok)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"url http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    print(f"cpu-start {time.process_time():.6f}", flush=True)
    await wait_for_term()
    print(f"cpu {time.process_time():.6f}", flush=True)
    await runner.cleanup()


async def serve_receiver(data_dir: Path, salts: list[str]) -> None:
    from benji_desktop.receiver import Receiver, StaticSaltSource
    from benji_desktop.storage.captures import CaptureStore

    store = CaptureStore(data_dir / "captures.sqlite3")
    receiver = Receiver(store, StaticSaltSource.from_values(salts), port=0)
    await receiver.start()
    print(f"url {receiver.url}", flush=True)
    print(f"cpu-start {time.process_time():.6f}", flush=True)
    await wait_for_term()
    print(f"cpu {time.process_time():.6f}", flush=True)
    await receiver.stop()
    print(f"stored {store.count()}", flush=True)
    store.close()


async def wait_for_term() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=("bare", "receiver"))
    parser.add_argument("--data-dir", type=Path, help="where the receiver's store goes (default: a temp dir)")
    parser.add_argument("--salt", action="append", default=[], help="salts to verify with (default: the bench salt)")
    args = parser.parse_args()
    if args.kind == "bare":
        asyncio.run(serve_bare())
        return
    with tempfile.TemporaryDirectory(prefix="benji-bench-") as temp:
        data_dir = args.data_dir or Path(temp)
        asyncio.run(serve_receiver(data_dir, args.salt or [BENCH_SALT]))


if __name__ == "__main__":
    main()
