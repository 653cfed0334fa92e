"""Run every benchmark (`make bench`) and write docs/benchmarks.md: machine, summary against the bars, full output.

`--quick` passes --quick to each script (a short smoke run; the doc then says so). The analysis kept in
bench/findings.md (causes and what would reach a missed bar) is appended as written.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import time
from collections.abc import Callable

from benchlib import BENCH_DIR, PYTHON, ROOT, child_env, machine_facts

DOC = ROOT / "docs" / "benchmarks.md"
FINDINGS = BENCH_DIR / "findings.md"
RAW = BENCH_DIR / "last_run.json"  # every script's output of the last run, to re-render the doc (--render)


def _number(text: str, pattern: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1).replace(",", "")) if match else None


Check = tuple[str, str, Callable[[str], tuple[str, bool | None]]]


def _ratio_check(target: float, *, at_most: bool = False) -> Callable[[str], tuple[str, bool | None]]:
    def check(output: str) -> tuple[str, bool | None]:
        ratio = _number(output, r"(?m)^ratio ([0-9.]+)\s*$")
        if ratio is None:
            return "no figure", None
        return f"{ratio:.3f}", ratio <= target if at_most else ratio >= target

    return check


def _stall(output: str) -> tuple[str, bool | None]:
    stall = _number(output, r"longest UI stall ([0-9.]+) ms")
    complete = "every request in the table: True" in output
    if stall is None:
        return "no figure", None
    return f"{stall:.0f} ms; all rows shown: {complete}", stall <= 50 and complete


def _store(which: str, limit: float) -> Callable[[str], tuple[str, bool | None]]:
    patterns = {
        "first": r"first_rows ([0-9.]+) s",
        "filter": r"worst filter ([0-9.]+) s",
        "rss": r"peak RSS ([0-9.]+) MB",
    }

    def check(output: str) -> tuple[str, bool | None]:
        value = _number(output, patterns[which])
        if value is None:
            return "no figure", None
        unit = " MB" if which == "rss" else " s"
        return f"{value:g}{unit}", value < limit

    return check


def _fanout(output: str) -> tuple[str, bool | None]:
    rate = _number(output, r"deliveries_per_second ([0-9.]+)")
    complete = "every delivery VALID and logged: True" in output
    if rate is None:
        return "no figure", None
    return f"{rate:.0f} deliveries/s; all VALID and logged: {complete}", complete


BENCHMARKS: list[tuple[str, list[Check]]] = [
    ("receiver_throughput.py", [("Receiver vs bare aiohttp", ">= 0.8 x", _ratio_check(0.8))]),
    (
        "receiver_gui.py",
        [
            ("Receiver in the app, Inspector visible, vs bare", ">= 0.6 x", _ratio_check(0.6)),
            ("Longest UI-loop stall during the burst", "<= 50 ms, every row shown", _stall),
        ],
    ),
    (
        "startup.py",
        [("Start-up to a painted window, app vs bare PySide6", "<= 1.5 x", _ratio_check(1.5, at_most=True))],
    ),
    (
        "store_scale.py",
        [
            ("100,000 captures: first rows in the Inspector", "< 0.3 s", _store("first", 0.3)),
            ("100,000 captures: slowest filter", "< 0.3 s", _store("filter", 0.3)),
            ("100,000 captures: peak memory", "< 300 MB", _store("rss", 300)),
        ],
    ),
    ("sandbox_fanout.py", [("Sandbox fan-out 1,000 x 10 to the receiver", "all VALID and logged", _fanout)]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test; not figures to quote)")
    parser.add_argument("--only", nargs="+", metavar="SCRIPT", help="run only these scripts")
    parser.add_argument("--render", action="store_true", help="rewrite the doc from the last run, running nothing")
    args = parser.parse_args()
    outputs: dict[str, str] = {}
    durations: dict[str, float] = {}
    if args.render:
        saved = json.loads(RAW.read_text(encoding="utf-8"))
        write_doc(
            saved["outputs"], saved["durations"], quick=saved["quick"], when=saved["when"], machine=saved["machine"]
        )
        return
    for script, _checks in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        print(f"== {script}", flush=True)
        started = time.monotonic()
        done = subprocess.run(
            [PYTHON, str(BENCH_DIR / script), *(["--quick"] if args.quick else [])],
            capture_output=True,
            text=True,
            env=child_env(),
            cwd=ROOT,
            timeout=1800,
        )
        durations[script] = time.monotonic() - started
        outputs[script] = done.stdout + (
            f"\n(exit status {done.returncode})\n{done.stderr[-2000:]}" if done.returncode else ""
        )
        print(outputs[script], flush=True)
    when = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    machine = machine_facts()
    if args.only and RAW.exists():  # keep the other scripts' last figures in the doc
        saved = json.loads(RAW.read_text(encoding="utf-8"))
        outputs = {**saved["outputs"], **outputs}
        durations = {**saved["durations"], **durations}
    record = {"when": when, "quick": args.quick, "machine": machine, "outputs": outputs, "durations": durations}
    RAW.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_doc(outputs, durations, quick=args.quick, when=when, machine=machine)


def write_doc(
    outputs: dict[str, str], durations: dict[str, float], *, quick: bool, when: str, machine: dict[str, str]
) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Regenerated by `make bench` (`bench/run_all.py`); each script also runs alone (`--quick` for a short run).",
        "Every figure is measured against its baseline **in the same run**, so a ratio holds on a noisy machine;",
        "the absolute numbers do not travel between machines.",
        "",
        f"Run: {when}" + (" — **quick run (smoke test), not figures to quote**" if quick else ""),
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine.items()),
        "",
        "## Against the bars (product brief §7)",
        "",
        "| bar | target | measured | met |",
        "|---|---|---|---|",
    ]
    for script, checks in BENCHMARKS:
        if script not in outputs:
            continue
        for name, target, check in checks:
            figure, met = check(outputs[script])
            verdict = {True: "yes", False: "**no**", None: "?"}[met]
            lines.append(f"| {name} | {target} | {figure} | {verdict} |")
    lines += [
        "",
        "The reliability bars are tests run by `make test`: durability after `kill -9` mid-burst "
        "(`tests/integration/test_durability_kill9.py`), the bad-input corpus "
        "(`tests/integration/test_bad_input_corpus.py`), the CLI secret-leak scan "
        "(`tests/integration/test_cli_secret_leak.py`) and loopback-only binding "
        "(`tests/integration/test_exposure.py`); `make fuzz` fuzzes the Sandbox's contract.",
        "",
    ]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").rstrip(), ""]
    lines += ["## Full output", ""]
    for script, _checks in BENCHMARKS:
        if script not in outputs:
            continue
        output = outputs[script]
        lines += [f"### `bench/{script}` ({durations[script]:.0f} s)", ""]
        body = [line for line in output.splitlines() if not line.startswith("machine:")]
        lines += [line.replace("### ", "#### ", 1) if line.startswith("### ") else line for line in body]
        lines.append("")
    DOC.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
