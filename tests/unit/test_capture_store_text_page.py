"""A text-filtered page (row-by-row probe of the search text) returns exactly what the filter's count promises."""

from __future__ import annotations

from pathlib import Path

from benji_desktop.storage.captures import Capture, CaptureFilter, CaptureStore


def _capture(number: int) -> Capture:
    event = "transaction_created" if number % 3 else "user_partner_connected"
    body = f'{{"event":"{event}","entity_type":3,"entity_id":{number}}}'.encode()
    return Capture(
        received_at=1_700_000_000 + number,
        path="/webhooks/benji",
        headers=[("Content-Type", "application/json")],
        body=body,
        body_size=len(body),
        event=event,
        entity_id=str(number),
        verdict="VALID" if number % 2 else "INVALID",
    )


def test_text_filtered_pages_are_newest_first_and_agree_with_the_count(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "captures.sqlite3") as store:
        store.add_many([_capture(n) for n in range(1, 301)])
        for flt in (
            CaptureFilter(text="transaction_created"),
            CaptureFilter(text="TRANSACTION_CREATED", verdict="INVALID"),
            CaptureFilter(text='"entity_id":17}'),
            CaptureFilter(text="no such text"),
            CaptureFilter(text="100%_"),  # LIKE wildcards are matched literally
        ):
            expected = [
                c.id
                for c in sorted(store.get_many(store.all_ids()), key=lambda c: c.received_at, reverse=True)
                if flt.text.lower() in c.body.decode().lower() + " " + (c.event or "")
                and (flt.verdict is None or c.verdict == flt.verdict)
            ]
            paged = [s.id for start in range(0, 300, 40) for s in store.page(flt, start, 40)]
            assert paged == expected
            assert store.count(flt) == len(expected)
