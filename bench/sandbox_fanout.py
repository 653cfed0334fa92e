"""Sandbox fan-out: 1,000 events x 10 subscriptions delivered to Benji's receiver; all VALID, all logged.

The Sandbox runs here; the receiver (servers.py, its own process) verifies with the 10 subscriptions' salts.
Events are triggered over HTTP (`POST /sandbox/events`, a few at a time). Afterwards every subscription's
delivery log must hold one succeeded attempt per event and the receiver's store one VALID capture per
delivery. --quick: 100 x 10. Last line: `deliveries_per_second <n>`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
from benchlib import BENCH_DIR, PYTHON, ServerProcess, machine_facts, print_table

SUBSCRIPTIONS = 10
EVENT = "transaction_created"
TRIGGER_CONCURRENCY = 4


async def run(events: int, data_dir: Path) -> dict[str, float]:
    from benji_desktop.sandbox import SandboxServer
    from benji_desktop.secretstore import MemorySecretStore
    from benji_desktop.storage.captures import CaptureFilter, CaptureStore

    sandbox = SandboxServer(data_dir / "sandbox", MemorySecretStore(), time_scale=1000.0)
    await sandbox.start()
    receiver: ServerProcess | None = None
    try:
        async with httpx.AsyncClient(base_url=sandbox.url, headers={"x-api-key": sandbox.api_key}, timeout=60) as api:
            # Salts exist only once subscriptions do, and the receiver needs them: subscribe, start it, point at it.
            created = []
            for number in range(SUBSCRIPTIONS):
                answer = await api.post(
                    "/webhooks/subscribe",
                    json={
                        "endpoint": f"http://127.0.0.1:9/placeholder/{number}",
                        "entity_type": 3,
                        "event_name": EVENT,
                    },
                )
                answer.raise_for_status()
                created.append(answer.json()["data"])
            salt_args = [arg for sub in created for arg in ("--salt", sub["salt"])]
            receiver_dir = data_dir / "receiver"
            receiver_dir.mkdir()
            receiver = ServerProcess(
                [PYTHON, str(BENCH_DIR / "servers.py"), "receiver", "--data-dir", str(receiver_dir), *salt_args]
            )
            for sub in created:
                patched = await api.patch(
                    f"/webhooks/subscriptions/{sub['id']}", json={"endpoint": f"{receiver.url}/webhooks/{sub['id']}"}
                )
                patched.raise_for_status()

            next_event = 0
            first_attempt_ok = 0

            async def trigger() -> None:
                nonlocal next_event, first_attempt_ok
                while next_event < events:
                    next_event += 1
                    answer = await api.post(
                        "/sandbox/events", json={"event": EVENT, "entity_type": 3, "entity_id": next_event}
                    )
                    answer.raise_for_status()
                    deliveries = answer.json()["data"]["deliveries"]
                    first_attempt_ok += sum(1 for d in deliveries if d["status"] == "succeeded")

            started = time.perf_counter()
            await asyncio.gather(*(trigger() for _ in range(TRIGGER_CONCURRENCY)))
            elapsed = time.perf_counter() - started

            # The HTTP delivery log shows the newest 200 per subscription; count the whole log in the Sandbox's store.
            # A call waits a bounded time for its first attempts; any still pending finish on their own. Wait for them.
            logged = 0
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                logged = 0
                for sub in created:
                    log = sandbox.state.store.list_attempts(sub["id"], limit=events * 10)
                    logged += sum(1 for attempt in log if attempt["status"] == "succeeded")
                if logged >= events * SUBSCRIPTIONS:
                    break
                await asyncio.sleep(0.2)
            elapsed_all = time.perf_counter() - started
        receiver.stop()
        receiver = None
        with CaptureStore(receiver_dir / "captures.sqlite3") as store:
            stored = store.count()
            valid = store.count(CaptureFilter(verdict="VALID"))
    finally:
        if receiver is not None:
            receiver.stop()
        await sandbox.stop()
    return {
        "events": events,
        "deliveries": events * SUBSCRIPTIONS,
        "seconds": elapsed,
        "first_attempt_succeeded": first_attempt_ok,
        "logged_succeeded": logged,
        "stored": stored,
        "valid": valid,
        "per_second": events * SUBSCRIPTIONS / elapsed_all,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 events instead of 1,000")
    args = parser.parse_args()
    events = 100 if args.quick else 1000
    print("machine:", ", ".join(f"{k} {v}" for k, v in machine_facts().items()))
    with tempfile.TemporaryDirectory(prefix="benji-bench-fanout-") as temp:
        result = asyncio.run(run(events, Path(temp)))
    expected = result["deliveries"]
    rows = [
        ["deliveries expected", expected, "-"],
        ["first attempts succeeded", result["first_attempt_succeeded"], expected],
        ["succeeded in the delivery logs", result["logged_succeeded"], expected],
        ["captures stored by the receiver", result["stored"], expected],
        ["of them VALID", result["valid"], expected],
        ["seconds until the last event call returned", result["seconds"], "-"],
        ["deliveries per second", result["per_second"], "-"],
    ]
    print_table(f"Sandbox fan-out: {events:,} events x {SUBSCRIPTIONS} subscriptions", ["what", "figure", "want"], rows)
    complete = result["logged_succeeded"] == result["valid"] == result["stored"] == expected
    print(f"every delivery VALID and logged: {complete}")
    print(f"deliveries_per_second {result['per_second']:.0f}")


if __name__ == "__main__":
    main()
