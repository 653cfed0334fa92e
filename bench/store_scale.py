"""100,000 stored captures: the Inspector's first rows, a text filter, and peak memory.

A store is filled with 100,000 varied captures (20,000 with --quick) by one process; a second, fresh process
(so its memory is only the Inspector's) builds the real `InspectorTab` on it offscreen and times: the first rows
painted, then text filters (a rare term, a common one) and a verdict filter, each until its first rows are painted.
Targets (product brief §7): first rows < 0.3 s, a filter < 0.3 s, peak RSS < 300 MB. Last line: the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import BENCH_DIR, PYTHON, ROOT, child_env, machine_facts, print_table

EVENTS = ("user_partner_connected", "transaction_created", "transaction_status_updated", "transaction_authenticated")
VERDICTS = ("VALID", "VALID", "VALID", "VALID", "INVALID", "STALE", "UNSIGNED")
TARGET_SECONDS = 0.3
TARGET_MB = 300


def fill(path: Path, count: int) -> float:
    from benji_desktop.signature import canonical_body, signed_headers
    from benji_desktop.storage.captures import Capture, CaptureStore

    started = time.perf_counter()
    rng = random.Random(7)
    now = time.time() - count * 0.01
    with CaptureStore(path) as store:
        batch: list[Capture] = []
        for number in range(1, count + 1):
            event = EVENTS[number % len(EVENTS)]
            body = canonical_body(event, 1 if event.startswith("user") else 3, number)
            headers = [("Host", "127.0.0.1:8787"), ("User-Agent", "Benji-Webhooks/1.0")]
            headers += list(signed_headers(body, ["salt_scalebenchscalebenchscalebench"]).items())
            verdict = rng.choice(VERDICTS)
            batch.append(
                Capture(
                    received_at=now + number * 0.01,
                    host="127.0.0.1:8787",
                    path="/webhooks/benji" if number % 5 else f"/hooks/{number % 7}",
                    headers=headers,
                    body=body,
                    body_size=len(body),
                    declared_size=len(body),
                    remote="127.0.0.1",
                    event=event,
                    entity_type=1 if event.startswith("user") else 3,
                    entity_id=str(number),
                    verdict=verdict,
                    report={"verdict": verdict, "reasons": [], "cause": None},
                    response_status=200,
                    response_headers=[("Content-Type", "application/json")],
                    response_body=b'{"received":true}',
                )
            )
            if len(batch) == 2000:
                store.add_many(batch)
                batch = []
        store.add_many(batch)
    return time.perf_counter() - started


def measure(path: Path) -> dict[str, float]:
    """In the fresh child process: the real Inspector tab on the store, offscreen."""
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    from benji_desktop.storage.captures import CaptureStore
    from benji_desktop.views.inspector.inspector_tab import InspectorTab

    store = CaptureStore(path)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def until_first_row(tab: InspectorTab) -> None:
        tab.model.data(tab.model.index(0, 0))
        app.processEvents()  # layout and the first paint of the visible rows

    started = time.perf_counter()
    tab = InspectorTab(store)
    tab.resize(1280, 800)
    tab.show()
    until_first_row(tab)
    first_rows = time.perf_counter() - started
    total = tab.model.rowCount()

    figures: dict[str, float] = {"first_rows_s": first_rows, "rows": total}
    for name, apply in (
        ("filter_rare_text_s", lambda: tab.ui.search_edit.setText('"entity_id":4242}')),
        ("filter_common_text_s", lambda: tab.ui.search_edit.setText("transaction_created")),
        ("filter_verdict_s", lambda: (tab.ui.search_edit.clear(), tab.ui.verdict_combo.setCurrentText("INVALID"))),
    ):
        started = time.perf_counter()
        apply()
        tab.apply_filter()  # what the 250 ms debounce timer calls; the debounce itself is not counted
        until_first_row(tab)
        figures[name] = time.perf_counter() - started
        figures[name.replace("_s", "_rows")] = tab.model.rowCount()
    figures["rows_held_in_memory"] = tab.model.cached_row_count()
    figures["rss_before_tab_mb"] = rss_before
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tab.close()
    store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 captures instead of 100,000")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    count = 20_000 if args.quick else 100_000
    print("machine:", ", ".join(f"{k} {v}" for k, v in machine_facts().items()))
    with tempfile.TemporaryDirectory(prefix="benji-bench-store-") as temp:
        path = Path(temp) / "captures.sqlite3"
        fill_seconds = fill(path, count)
        size_mb = path.stat().st_size / 1e6
        done = subprocess.run(
            [PYTHON, str(BENCH_DIR / "store_scale.py"), "--measure", str(path)],
            capture_output=True,
            text=True,
            env=child_env(),
            cwd=ROOT,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"filled {count:,} captures in {fill_seconds:.1f} s; database {size_mb:.0f} MB")
    want = f"< {TARGET_SECONDS}"
    rows = [
        ["first rows painted", figures["first_rows_s"], figures["rows"], want],
        ["text filter, rare term", figures["filter_rare_text_s"], figures["filter_rare_text_rows"], want],
        ["text filter, common term", figures["filter_common_text_s"], figures["filter_common_text_rows"], want],
        ["verdict filter", figures["filter_verdict_s"], figures["filter_verdict_rows"], want],
        ["peak RSS (MB)", figures["peak_rss_mb"], "-", f"< {TARGET_MB}"],
        ["rows held in memory", figures["rows_held_in_memory"], "-", "-"],
    ]  # fmt: skip
    print_table(f"{count:,} stored captures in the Inspector", ["what", "figure", "rows", "target"], rows)
    worst_filter = max(figures["filter_rare_text_s"], figures["filter_common_text_s"], figures["filter_verdict_s"])
    print(
        f"first_rows {figures['first_rows_s']:.3f} s, worst filter {worst_filter:.3f} s, "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
