"""The canonical-delivery fast path in verify() gives exactly the report the general path gives."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benji_desktop.signature import timestamps
from benji_desktop.signature.signing import canonical_body, format_http_date, sign
from benji_desktop.signature.verify import KnownSalt, SaltRole, Verdict, _canonical_valid, verify, verify_unguarded

NOW = datetime(2024, 10, 22, 21, 57, 2, tzinfo=UTC)
SALT = KnownSalt(salt="salt_current", label="current", subscription_id=7, environment="sandbox")
PREVIOUS = KnownSalt(salt="salt_previous", label="previous", role=SaltRole.PREVIOUS)
BODY = canonical_body("transaction_created", 3, 42)


def general_path(body: bytes, headers: list[tuple[str, str]], salts: list[KnownSalt], **kw: object) -> dict:
    """The report with the fast path switched off."""
    module = sys.modules["benji_desktop.signature.verify"]
    original = module._canonical_valid
    module._canonical_valid = lambda *a: None
    try:
        return verify_unguarded(body, headers, salts, now=NOW, **kw).to_json()  # type: ignore[arg-type]
    finally:
        module._canonical_valid = original


def both(body: bytes, headers: list[tuple[str, str]], salts: list[KnownSalt], **kw: object) -> tuple[dict, dict]:
    return verify_unguarded(body, headers, salts, now=NOW, **kw).to_json(), general_path(body, headers, salts, **kw)  # type: ignore[arg-type]


def canonical_headers(body: bytes = BODY, salt: str = SALT.salt, moment: datetime = NOW) -> list[tuple[str, str]]:
    return [
        ("Host", "127.0.0.1:8787"),
        ("Content-Type", "application/json"),
        ("x-benji-signature", sign(body, salt)),
        ("x-webhook-datetime", format_http_date(moment)),
        ("Content-Length", str(len(body))),
    ]


def test_a_canonical_delivery_takes_the_fast_path_and_matches_the_general_report() -> None:
    headers = canonical_headers()
    assert _canonical_valid(BODY, headers, [SALT], NOW, 300.0) is not None
    fast, general = both(BODY, headers, [SALT])
    assert fast["verdict"] == "VALID"
    assert fast == general


@pytest.mark.parametrize(
    ("headers", "salts"),
    [
        (canonical_headers(salt=PREVIOUS.salt), [SALT, PREVIOUS]),  # the second salt matches
        (canonical_headers(salt="other"), [SALT]),  # INVALID
        (canonical_headers(moment=NOW - timedelta(hours=1)), [SALT]),  # STALE
        (canonical_headers(), []),  # NO_SALT
        ([(n, v.upper() if n == "x-benji-signature" else v) for n, v in canonical_headers()], [SALT]),  # HEX
        ([*canonical_headers(), ("X-Benji-Signature", "0" * 64)], [SALT]),  # two signature headers
        ([*canonical_headers(), ("x-webhook-datetime", "garbage")], [SALT]),  # second datetime ignored
        ([(n, f" {v} ") for n, v in canonical_headers()], [SALT]),  # padded values
        ([(f" {n.upper()}", v) for n, v in canonical_headers()], [SALT]),  # padded, upper-case names
        (
            [(n, "Tue, 22 Oct 0024 21:57:02 GMT" if n == "x-webhook-datetime" else v) for n, v in canonical_headers()],
            [SALT],
        ),
        (
            [(n, "Tue, 31 Feb 2024 21:57:02 GMT" if n == "x-webhook-datetime" else v) for n, v in canonical_headers()],
            [SALT],
        ),
        ([(n, v) for n, v in canonical_headers() if n != "x-webhook-datetime"], [SALT]),
        (canonical_headers(), [KnownSalt(salt=SALT.salt, role=SaltRole.OTHER_SUBSCRIPTION)]),
    ],
)
def test_every_variant_gets_the_general_report(headers: list[tuple[str, str]], salts: list[KnownSalt]) -> None:
    fast, general = both(BODY, headers, salts)
    assert fast == general


def test_the_doctor_still_runs_on_a_fast_valid_report() -> None:
    body = b'{"event":"transaction_created","entity_type":3,"entity_id":42,"extra":1}'
    fast, general = both(body, canonical_headers(body), [SALT], diagnose=True)
    assert fast == general


def test_a_one_shot_header_iterator_is_read_by_the_general_path() -> None:
    report = verify(BODY, iter(canonical_headers()), [SALT], now=NOW)
    assert report.verdict is Verdict.VALID


@settings(max_examples=300, deadline=None)
@given(
    day=st.integers(0, 40),
    month=st.sampled_from(["Jan", "feb", "MAR", "Xyz", "Dec"]),
    year=st.integers(0, 9999),
    hour=st.integers(0, 25),
    minute=st.integers(0, 61),
    second=st.integers(0, 61),
)
def test_strict_imf_fixdate_reads_like_email_utils(
    day: int, month: str, year: int, hour: int, minute: int, second: int
) -> None:
    text = f"Tue, {day:02d} {month} {year:04d} {hour:02d}:{minute:02d}:{second:02d} GMT"
    strict = timestamps._strict_imf_fixdate(text)
    general = timestamps._http_date(text) or timestamps._iso_date(text)
    if strict is not None:
        assert strict == general
    assert timestamps.parse_webhook_datetime_detail(text) == general
