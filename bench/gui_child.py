"""Child process of receiver_gui.py: the whole app offscreen on the Inspector, a burst of load, the UI loop's stalls.

Builds `AppServices` + `MainWindow` as `views.gui.run_window` does (receiver on port 0, Sandbox started, a
throwaway salt typed in), shows the Inspector, ticks a 5 ms QTimer and records the largest gap between ticks
while the load generator (its own process) runs; prints one JSON line with the figures, then shuts down cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time

from benchlib import BENCH_SALT, run_load
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication


class StallMeter:
    """A 5 ms precise timer; the largest gap between two ticks is how long the loop could not turn."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


async def run(args: argparse.Namespace, data_dir: str) -> dict[str, object]:
    from benji_desktop.app.services import AppServices
    from benji_desktop.secretstore import MemorySecretStore
    from benji_desktop.views.main_window import MainWindow

    services = AppServices.create(data_dir, secret_store=MemorySecretStore(), receiver_port=0)
    window = MainWindow(services)
    window.resize(1280, 800)
    window.show()
    try:
        await services.start()
        window.services_started()
        await services.add_manual_salt("benchmark", BENCH_SALT)
        if args.tab == "inspector":
            window.select_tab(window.inspector_tab)
        else:
            window.select_tab(window.api_keys_tab)
        await asyncio.sleep(0.5)  # let the first paint and the tab's own loading finish
        assert services.receiver is not None
        meter = StallMeter()
        meter.start()
        cpu_before = time.process_time()
        loop = asyncio.get_running_loop()
        load = await loop.run_in_executor(
            None,
            lambda: run_load(
                services.receiver_url, requests=args.requests, concurrency=args.concurrency, duration=args.duration
            ),
        )
        model = window.inspector_tab.model  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        # Polling is the point: the table catches up through its own flush timer, not through an event of ours.
        while (model.pending_count() or model.rowCount() < services.captures.count()) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        meter.stop()
        cpu_seconds = time.process_time() - cpu_before
        return {
            **load,
            "max_stall_ms": meter.longest * 1000,
            "ticks": meter.ticks,
            "cpu_us": cpu_seconds / max(int(services.captures.count()), 1) * 1e6,
            "table_rows": model.rowCount(),
            "stored": services.captures.count(),
            "inspector_visible": window.inspector_tab.isVisible(),
            "receiver_writes_in_thread": services.receiver.write_in_thread,
        }
    finally:
        window.close()
        await services.stop()
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--tab", choices=("inspector", "api-keys"), default="inspector", help="the tab shown")
    args = parser.parse_args()
    import qasync

    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="benji-bench-gui-") as data_dir, loop:
        result = loop.run_until_complete(run(args, data_dir))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
