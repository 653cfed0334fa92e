"""Start-up: process start to a shown, painted main window, the app on the Sandbox vs a bare PySide6 window.

Both are whole processes (bench/startup_child.py), alternated, after one warm-up each; medians. Modules load
from cached bytecode, as in an installed app (the warm-up fills a private cache even when the shell sets
PYTHONDONTWRITEBYTECODE); `--no-bytecode-cache` compiles every module of the app on every start instead. The app's
figure is its window painted with the event loop turning; `ready` (Sandbox and receiver started, which the
app does after the window shows) is reported beside it. Target (product brief §7): ratio <= 1.5.
Last line: `ratio <app shown / bare shown>`.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time

from benchlib import BENCH_DIR, PYTHON, ROOT, child_env, machine_facts, median, print_table

TARGET = 1.5


def startup_env(bytecode_cache: str | None) -> dict[str, str]:
    env = child_env()
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = bytecode_cache  # outside the source tree
    return env


def one_run(kind: str, data_dir: str, bytecode_cache: str | None) -> dict[str, float]:
    started = time.time()
    done = subprocess.run(
        [PYTHON, str(BENCH_DIR / "startup_child.py"), kind, data_dir],
        capture_output=True,
        text=True,
        env=startup_env(bytecode_cache),
        cwd=ROOT,
        timeout=120,
    )
    ended = time.time()
    marks = dict(line.split() for line in done.stdout.splitlines() if line.startswith(("shown ", "ready ")))
    if "shown" not in marks:
        raise RuntimeError(f"{kind} window never showed:\n{done.stderr[-2000:]}")
    result = {"shown": float(marks["shown"]) - started, "exit": ended - started}
    if "ready" in marks:
        result["ready"] = float(marks["ready"]) - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 7")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="honour PYTHONDONTWRITEBYTECODE")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    print("machine:", ", ".join(f"{k} {v}" for k, v in machine_facts().items()))
    results: dict[str, list[dict[str, float]]] = {"bare": [], "app": []}
    with (
        tempfile.TemporaryDirectory(prefix="benji-bench-startup-") as data_dir,
        tempfile.TemporaryDirectory(prefix="benji-bench-pyc-") as pyc_dir,
    ):
        cache = None if args.no_bytecode_cache else pyc_dir
        print("bytecode:", "compiled on every start" if cache is None else "cached (as installed)")
        one_run("bare", data_dir, cache)  # warm-ups: page cache, .pyc files, the app's data folder
        one_run("app", data_dir, cache)
        for _ in range(runs):
            for kind in ("bare", "app"):
                results[kind].append(one_run(kind, data_dir, cache))
    rows = []
    for kind, measured in results.items():
        for number, run in enumerate(measured, 1):
            rows.append([kind, number, run["shown"], run.get("ready", "-"), run["exit"]])
    print_table(
        "Start-up to a usable window (seconds from process start)",
        ["window", "run", "painted + loop turning", "services ready", "process exited"],
        rows,
    )
    bare = median([run["shown"] for run in results["bare"]])
    app = median([run["shown"] for run in results["app"]])
    ready = median([run["ready"] for run in results["app"]])
    print(f"median bare {bare:.3f} s, app {app:.3f} s (Sandbox and receiver ready at {ready:.3f} s)")
    print(f"services-ready ratio {ready / bare:.3f}; target for the window ratio <= {TARGET}")
    print(f"ratio {app / bare:.3f}")


if __name__ == "__main__":
    main()
