"""Shared helpers for the benchmarks: child processes, the load generator, medians, tables and machine facts."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PYTHON = sys.executable
WEBHOOK_PATH = "/webhooks/benji"
BENCH_SALT = "salt_benchmarkbenchmarkbenchmark00"  # a throwaway salt made for this benchmark only


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH_DIR), str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine_facts() -> dict[str, str]:
    """What a figure depends on: CPU, cores, Python, key library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for distribution in ("aiohttp", "PySide6-Essentials", "qasync"):
        try:
            versions[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[distribution] = "absent"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
        "load generator": "wrk" if shutil.which("wrk") else "python (aiohttp client)",
    }


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A Markdown table, so the output pastes straight into docs/benchmarks.md."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(_cell(value) for value in row) + " |")
    print()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


class ServerProcess:
    """A child process that serves HTTP and prints its URL (first line, `url <...>` or JSON `listening`)."""

    def __init__(self, args: Sequence[str], *, ready_timeout: float = 30.0) -> None:
        # stderr goes to a file: a full pipe nobody reads would block the server mid-benchmark.
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            list(args), stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=child_env(), cwd=ROOT
        )
        self.url = ""
        deadline = time.monotonic() + ready_timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith("url "):
                self.url = line.split(" ", 1)[1].strip()
                return
        self.stop()
        raise RuntimeError(f"server did not start: {args}")

    def stop(self) -> str:
        """SIGTERM, wait; returns what it printed on stdout after its URL line."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        # Read through the same buffered reader that found the URL line (communicate() would skip its buffer).
        assert self.process.stdout is not None
        out = self.process.stdout.read()
        self.process.stdout.close()
        self.stderr.seek(0)
        self.errors = self.stderr.read()
        self.stderr.close()
        return out or ""


def run_load(
    url: str, *, requests: int, concurrency: int, duration: float, use_wrk: bool | None = None
) -> dict[str, Any]:
    """Run the load generator in its own process; returns {rps, requests, non_2xx, tool}."""
    if use_wrk is None:
        use_wrk = shutil.which("wrk") is not None and os.environ.get("BENJI_BENCH_NO_WRK") != "1"
    if use_wrk:
        return _run_wrk(url, concurrency=concurrency, duration=duration)
    args = [PYTHON, str(BENCH_DIR / "loadgen.py"), "--url", url, "--requests", str(requests)]
    args += ["--concurrency", str(concurrency)]
    done = subprocess.run(args, capture_output=True, text=True, env=child_env(), timeout=600, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["tool"] = "python"
    return result


def _run_wrk(url: str, *, concurrency: int, duration: float) -> dict[str, Any]:
    from loadgen import wrk_script

    # Written fresh each run: the x-webhook-datetime inside must be within the receiver's 300 s window.
    script = Path(tempfile.gettempdir()) / f"benji-bench-{os.getpid()}.lua"
    script.write_text(wrk_script(2000))
    seconds = max(1, round(duration))
    args = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "-s", str(script), url.rstrip("/") + WEBHOOK_PATH]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60, check=True)
    finally:
        script.unlink(missing_ok=True)
    rps = requests = non_2xx = 0.0
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            rps = float(line.split()[1])
        elif "requests in" in line:
            requests = float(line.split()[0])
        elif line.startswith("Non-2xx"):
            non_2xx = float(line.split()[-1])
    return {"rps": rps, "requests": int(requests), "non_2xx": int(non_2xx), "tool": "wrk"}
