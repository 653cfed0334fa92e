"""Receiver throughput with the window open on the Inspector, and the longest stall of the UI loop in the burst.

Rounds alternate: (a) the bare aiohttp "return 200" server, (b) the whole app offscreen (bench/gui_child.py)
with the Inspector visible, the same load generator against each. Targets (product brief §7): ratio b/a >= 0.6,
longest UI stall <= 50 ms, every stored request in the Inspector's table. Last line: `ratio <b/a>`.
"""

from __future__ import annotations

import argparse
import json
import subprocess

from benchlib import BENCH_DIR, PYTHON, ROOT, child_env, machine_facts, median, print_table
from receiver_throughput import measure

TARGET_RATIO = 0.6
TARGET_STALL_MS = 50.0


def measure_app(*, requests: int, concurrency: int, duration: float) -> dict[str, float]:
    args = [PYTHON, str(BENCH_DIR / "gui_child.py"), "--requests", str(requests)]
    args += ["--concurrency", str(concurrency), "--duration", str(duration)]
    done = subprocess.run(args, capture_output=True, text=True, env=child_env(), cwd=ROOT, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"gui_child failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short round each")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    requests = 2000 if args.quick else 10000
    duration = 2.0 if args.quick else 5.0
    print("machine:", ", ".join(f"{k} {v}" for k, v in machine_facts().items()))
    bare_runs, app_runs = [], []
    for _ in range(rounds):
        bare_runs.append(measure("bare", requests=requests, concurrency=args.concurrency, duration=duration))
        app_runs.append(measure_app(requests=requests, concurrency=args.concurrency, duration=duration))
    rows = [
        ["bare aiohttp", n, r["tool"], r["requests"], r["rps"], r["non_2xx"], "-", "-", "-", r["cpu_us"]]
        for n, r in enumerate(bare_runs, 1)
    ]
    for number, run in enumerate(app_runs, 1):
        rows.append(
            ["app on Inspector", number, run["tool"], run["requests"], run["rps"], run["non_2xx"],
             run["stored"], run["table_rows"], run["max_stall_ms"], run["cpu_us"]]
        )  # fmt: skip
    print_table(
        f"Receiver inside the app, Inspector visible ({args.concurrency} connections)",
        [
            "server",
            "round",
            "generator",
            "requests",
            "req/s",
            "non-2xx",
            "stored",
            "rows in table",
            "longest stall ms",
            "server CPU µs/request",
        ],
        rows,
    )
    bare = median([r["rps"] for r in bare_runs])
    app = median([r["rps"] for r in app_runs])
    stall = max(r["max_stall_ms"] for r in app_runs)
    complete = all(r["table_rows"] == r["stored"] and r["stored"] >= r["requests"] - r["non_2xx"] for r in app_runs)
    ratio = app / bare if bare else 0.0
    bare_cpu = median([r["cpu_us"] for r in bare_runs])
    app_cpu = median([r["cpu_us"] for r in app_runs])
    cpu_ratio = bare_cpu / app_cpu if app_cpu else 0.0
    print(f"server CPU per request: bare {bare_cpu:.0f} µs, app {app_cpu:.0f} µs (CPU-bound ratio {cpu_ratio:.3f})")
    print(f"median bare {bare:,.0f} req/s, app {app:,.0f} req/s; target ratio >= {TARGET_RATIO}")
    print(f"longest UI stall {stall:.1f} ms (target <= {TARGET_STALL_MS:.0f}); every request in the table: {complete}")
    print(f"ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
