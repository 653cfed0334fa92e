"""Load generator (own process): a bounded number of signed webhook POSTs at a fixed concurrency; prints JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter

import aiohttp

from benji_desktop.signature import canonical_body, signed_headers

WEBHOOK_PATH = "/webhooks/benji"
BENCH_SALT = "salt_benchmarkbenchmarkbenchmark00"
EVENTS = ("user_partner_connected", "transaction_created", "transaction_status_updated")


def signed_request(number: int, salt: str = BENCH_SALT) -> tuple[bytes, dict[str, str]]:
    """Request `number`: a distinct canonical body (entity_id = number) signed with the salt."""
    event = EVENTS[number % len(EVENTS)]
    body = canonical_body(event, 1 if event.startswith("user") else 3, number)
    return body, signed_headers(body, [salt])


def wrk_script(count: int, salt: str = BENCH_SALT) -> str:
    """A wrk Lua script cycling through `count` distinct signed requests (signed here: wrk has no HMAC)."""
    lines = ["local r = {}", "init = function(args)"]
    for number in range(1, count + 1):
        body, headers = signed_request(number, salt)
        header_table = ", ".join(f'["{name}"] = "{value}"' for name, value in headers.items())
        lines.append(f"  r[{number}] = wrk.format('POST', nil, {{{header_table}}}, '{body.decode()}')")
    lines += ["end", "local n = 0", "request = function()", "  n = n + 1", f"  return r[(n % {count}) + 1]", "end"]
    return "\n".join(lines) + "\n"


async def run(url: str, requests: int, concurrency: int, first: int) -> dict[str, object]:
    prepared = [signed_request(first + i) for i in range(requests)]
    statuses: Counter[str] = Counter()
    ok_ids: list[int] = []
    next_index = 0
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            nonlocal next_index
            while next_index < requests:
                index = next_index
                next_index += 1
                body, headers = prepared[index]
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        statuses[str(response.status)] += 1
                        if 200 <= response.status < 300:
                            ok_ids.append(first + index)
                except (aiohttp.ClientError, TimeoutError) as error:
                    statuses[type(error).__name__] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ok = sum(count for status, count in statuses.items() if status.startswith("2"))
    return {
        "requests": requests,
        "seconds": elapsed,
        "rps": requests / elapsed if elapsed else 0.0,
        "non_2xx": requests - ok,
        "statuses": dict(statuses),
        "ok_entity_ids": ok_ids if len(ok_ids) <= 20000 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="base URL of the server; the webhook path is appended")
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--first", type=int, default=1, help="entity_id of the first request")
    args = parser.parse_args()
    url = args.url.rstrip("/") + WEBHOOK_PATH
    print(json.dumps(asyncio.run(run(url, args.requests, args.concurrency, args.first))))


if __name__ == "__main__":
    main()
