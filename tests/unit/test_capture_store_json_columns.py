"""The JSON columns read back exactly what was stored, whichever encoder wrote them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benji_desktop.storage.captures import Capture, CaptureStore


@pytest.mark.parametrize(
    "report",
    [
        {"verdict": "VALID", "skew_seconds": -1.25, "tolerance_seconds": 300.0, "payload": {"entity_id": 42}},
        {"payload": {"entity_id": 10**30}},  # past 64 bits
        {"tolerance_seconds": math.inf, "nested": [{"x": -math.inf}]},
        {"text": 'caf\u00e9 \u2028 \x00 \x1f " \\'},  # control characters, quote, backslash
    ],
)
def test_report_and_headers_read_back_as_stored(tmp_path: Path, report: dict[str, object]) -> None:
    headers = [("X-Odd", "caf\u00e9\t\x7f"), ("x-odd", "second"), ("Empty", "")]
    with CaptureStore(tmp_path / "c.sqlite3") as store:
        capture_id = store.add(Capture(headers=headers, report=report, notes=["n\u00f6te"], forward={"ms": 1.5}))
        stored = store.get(capture_id)
    assert stored is not None
    assert stored.headers == headers
    assert stored.notes == ["n\u00f6te"]
    assert stored.forward == {"ms": 1.5}
    assert repr(stored.report) == repr(report)  # repr: inf compares, and NaN would not
