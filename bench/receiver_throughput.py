"""Receiver throughput: Benji's receiver (verify + durable store) vs a bare aiohttp "return 200", same run.

Each round starts a fresh server process, runs the load generator at fixed concurrency in its own process
(wrk, `apt-get install wrk`, for a fixed time; without it a Python aiohttp client for a fixed request count;
BENJI_BENCH_NO_WRK=1 forces the Python one), and stops the server. Rounds alternate bare/receiver; the
medians give the ratio. Target (product brief §7): ratio >= 0.8. Last line: `ratio <receiver/bare>`.
"""

from __future__ import annotations

import argparse

from benchlib import BENCH_DIR, PYTHON, ServerProcess, machine_facts, median, print_table, run_load

TARGET = 0.8


def measure(kind: str, *, requests: int, concurrency: int, duration: float) -> dict[str, float]:
    server = ServerProcess([PYTHON, str(BENCH_DIR / "servers.py"), kind])
    try:
        load = run_load(server.url, requests=requests, concurrency=concurrency, duration=duration)
    finally:
        tail = server.stop()
    facts = dict(line.split(" ", 1) for line in tail.splitlines() if " " in line)
    cpu = float(facts.get("cpu", "nan")) - float(facts.get("cpu-start", "nan"))
    handled = max(load["requests"], 1)
    return {**load, "stored": int(facts.get("stored", -1)), "cpu_us": cpu / handled * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short round each")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    requests = 3000 if args.quick else 20000
    duration = 2.0 if args.quick else 5.0
    print("machine:", ", ".join(f"{k} {v}" for k, v in machine_facts().items()))
    results: dict[str, list[dict[str, float]]] = {"bare": [], "receiver": []}
    for _ in range(rounds):
        for kind in ("bare", "receiver"):
            results[kind].append(measure(kind, requests=requests, concurrency=args.concurrency, duration=duration))
    rows = []
    for kind, runs in results.items():
        for number, run in enumerate(runs, 1):
            stored = "-" if kind == "bare" else run["stored"]
            row = [kind, number, run["tool"], run["requests"], run["rps"], run["non_2xx"], stored, run["cpu_us"]]
            rows.append(row)
    print_table(
        f"Receiver throughput ({args.concurrency} connections)",
        ["server", "round", "generator", "requests", "req/s", "non-2xx", "stored", "server CPU µs/request"],
        rows,
    )
    bare_cpu = median([run["cpu_us"] for run in results["bare"]])
    receiver_cpu = median([run["cpu_us"] for run in results["receiver"]])
    # On a shared machine the CPU cost per request is the steadier figure; req/s is what the bar names.
    print(f"server CPU per request: bare {bare_cpu:.0f} µs, receiver {receiver_cpu:.0f} µs", end="")
    print(f" (CPU-bound ratio {bare_cpu / receiver_cpu:.3f})")
    bare = median([run["rps"] for run in results["bare"]])
    receiver = median([run["rps"] for run in results["receiver"]])
    ratio = receiver / bare if bare else 0.0
    print(f"median bare {bare:,.0f} req/s, receiver {receiver:,.0f} req/s; target ratio >= {TARGET}")
    print(f"ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
