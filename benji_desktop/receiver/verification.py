"""Verify a capture with the known salts and store the result on it; re-verify stored captures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from benji_desktop.domain.masking import redact
from benji_desktop.signature import KnownSalt, Verdict, VerificationReport, verify
from benji_desktop.storage.captures import Capture, CaptureStore

if TYPE_CHECKING:
    from benji_desktop.receiver.salts import SaltSource

REVERIFY_CHUNK = 200


def _subscription_id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def safe_report(report_json: dict[str, Any], salts: Sequence[KnownSalt]) -> dict[str, Any]:
    """The report as stored: JSON-safe and with every known salt masked wherever it might appear."""
    try:
        text = json.dumps(report_json, ensure_ascii=False)
        clean = report_json
    except (TypeError, ValueError):
        text = json.dumps(report_json, ensure_ascii=False, default=str)
        clean = json.loads(text)
    if any(salt.salt and salt.salt in text for salt in salts):
        redacted: dict[str, Any] = json.loads(redact(text, [salt.salt for salt in salts]))
        return redacted
    return clean


def apply_verification(
    capture: Capture, salts: Sequence[KnownSalt], tolerance_seconds: float, now: datetime | None = None
) -> VerificationReport:
    """Fill verdict, report, matched salt label, subscription and environment. Never raises."""
    # The doctor only has something to say when the verdict is not VALID; skip it on the hot path.
    report = verify(capture.body, capture.headers, salts, now=now, tolerance_seconds=tolerance_seconds, diagnose=False)
    if report.verdict is not Verdict.VALID:
        report = verify(capture.body, capture.headers, salts, now=now, tolerance_seconds=tolerance_seconds)
    capture.verdict = report.verdict.value
    if report.verdict is Verdict.VALID and not report.reasons:
        # Undiagnosed VALID report: its only salt field is the masked one; skip the redaction pass.
        capture.report = report.to_json()
    else:
        capture.report = safe_report(report.to_json(), salts)
    match = report.match
    capture.matched_salt_label = match.salt.label if match else None
    capture.subscription_id = _subscription_id(match.salt.subscription_id) if match else None
    capture.environment = match.salt.environment if match else None
    return report


def reverify_captures(
    store: CaptureStore,
    capture_ids: Sequence[int] | None,
    salt_source: SaltSource,
    tolerance_seconds: float = 300.0,
) -> list[int]:
    """Run verification again on stored captures (judging the time window as of when each was received).
    Returns the ids whose verdict or report changed. Blocking: call it off the loop."""
    ids = list(capture_ids) if capture_ids is not None else store.all_ids()
    changed: list[int] = []
    for start in range(0, len(ids), REVERIFY_CHUNK):
        for capture in store.get_many(ids[start : start + REVERIFY_CHUNK]):
            assert capture.id is not None
            before = (capture.verdict, capture.report)
            moment = datetime.fromtimestamp(capture.received_at, UTC) if capture.received_at else None
            apply_verification(capture, salt_source.salts_for(capture.host, capture.path), tolerance_seconds, moment)
            if (capture.verdict, capture.report) != before:
                store.update(
                    capture.id,
                    verdict=capture.verdict,
                    report=capture.report,
                    matched_salt_label=capture.matched_salt_label,
                    subscription_id=capture.subscription_id,
                    environment=capture.environment,
                )
                changed.append(capture.id)
    return changed
