"""The tolerant reader and strict verdict of `verify`, table-driven per input family (brief §3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from benji_desktop.signature import (
    KnownSalt,
    SaltRole,
    Verdict,
    canonical_body,
    format_http_date,
    sign,
    signed_headers,
    verify,
)

SALT = "salt_Zk3p9QmX2vLr8TnW4yHc6JbA1sEdFgUo"
OTHER_SALT = "salt_Other000000000000000000000000x"
NOW = datetime(2024, 10, 22, 21, 57, 2, tzinfo=UTC)
DATE = "Tue, 22 Oct 2024 21:57:02 GMT"
BODY = canonical_body("user_partner_connected", 1, 155)
KNOWN = [KnownSalt(SALT, "subscription 12 (Sandbox)", subscription_id=12, environment="sandbox")]
DIGEST = hmac.new(SALT.encode(), BODY, hashlib.sha256).digest()

# Produced on the command line, not by our code:
#   printf '%s' '{"event":"user_partner_connected","entity_type":1,"entity_id":155,"name":"Zoë — ünïcode"}' \
#     > vec.json && openssl dgst -sha256 -hmac 'salt_Zk3p9QmX2vLr8TnW4yHc6JbA1sEdFgUo' vec.json
OPENSSL_BODY = '{"event":"user_partner_connected","entity_type":1,"entity_id":155,"name":"Zoë — ünïcode"}'.encode()
OPENSSL_HEX = "b4a7a71062d005391c9bdb4147eda3c8397813912ff3ef4f737750bf2d3d242a"
# ... | openssl dgst -sha256 -hmac '<salt>' -binary vec.json | base64
OPENSSL_BASE64 = "tKenEGLQBTkcm9tBR+2jyDl4E5Ev8+9Pc3dQvy09JCo="


def check(body: bytes, headers: object, salts: list[KnownSalt] = KNOWN, **options: object) -> object:
    return verify(body, headers, salts, now=NOW, **options)  # type: ignore[arg-type]


def test_sign_agrees_with_openssl_on_a_non_ascii_body() -> None:
    assert sign(OPENSSL_BODY, SALT) == OPENSSL_HEX
    report = check(OPENSSL_BODY, {"x-benji-signature": OPENSSL_HEX, "x-webhook-datetime": DATE})
    assert report.verdict is Verdict.VALID
    report = check(OPENSSL_BODY, {"x-benji-signature": OPENSSL_BASE64, "x-webhook-datetime": DATE})
    assert report.verdict is Verdict.VALID


def test_canonical_delivery_is_valid_and_report_names_salt_without_showing_it() -> None:
    report = check(BODY, signed_headers(BODY, [SALT], NOW))
    assert report.verdict is Verdict.VALID
    assert report.matched_salt_label == "subscription 12 (Sandbox)"
    assert report.cause is None
    document = report.to_json()
    assert SALT not in repr(document) and SALT not in repr(report)
    assert document["matched_signature_index"] == 0
    assert document["payload"] == {
        "event": "user_partner_connected",
        "entity_type": 1,
        "entity_id": 155,
        "problems": [],
    }


@pytest.mark.parametrize(
    ("signature", "form"),
    [
        (DIGEST.hex(), "hex"),
        (DIGEST.hex().upper(), "HEX"),
        (base64.b64encode(DIGEST).decode(), "base64"),
        (base64.b64encode(DIGEST).decode().rstrip("="), "base64"),
        (base64.urlsafe_b64encode(DIGEST).decode(), "base64url"),
        ("sha256=" + DIGEST.hex(), "sha256=hex"),
        ("SHA256=" + DIGEST.hex(), "SHA256=hex"),
        ("Sha256=" + base64.b64encode(DIGEST).decode(), "Sha256=base64"),
        ("  " + DIGEST.hex() + " \t", "hex"),
    ],
)
def test_every_accepted_encoding_matches(signature: str, form: str) -> None:
    report = check(BODY, [("x-benji-signature", signature), ("x-webhook-datetime", DATE)])
    assert report.verdict is Verdict.VALID
    assert report.match is not None and report.match.signature.form == form
    canonical = form == "hex"
    assert any("canonical form is lowercase hex" in reason for reason in report.reasons) is not canonical


def test_base64url_digest_with_url_safe_characters() -> None:
    body = b'{"event":"transaction_created","entity_type":3,"entity_id":7}'
    for n in range(200):
        salt = f"salt_{n}"
        raw = hmac.new(salt.encode(), body, hashlib.sha256).digest()
        urlsafe = base64.urlsafe_b64encode(raw).decode()
        if "-" in urlsafe or "_" in urlsafe:
            break
    report = verify(body, {"x-benji-signature": urlsafe}, [KnownSalt(salt, "s")], ignore_timestamp=True)
    assert report.verdict is Verdict.VALID
    assert report.match is not None and report.match.signature.form == "base64url"


@pytest.mark.parametrize("name", ["x-benji-signature", "X-Benji-Signature", "X-BENJI-SIGNATURE", "x-BeNjI-sIgNaTuRe"])
def test_header_names_in_any_case(name: str) -> None:
    report = check(BODY, [(name, DIGEST.hex()), ("X-Webhook-Datetime".upper(), DATE)])
    assert report.verdict is Verdict.VALID


@pytest.mark.parametrize(
    ("headers", "index"),
    [
        ([("x-benji-signature", f"{'0' * 64},{DIGEST.hex()}")], 1),
        ([("x-benji-signature", f"{'0' * 64} {DIGEST.hex()}")], 1),
        ([("x-benji-signature", f"{DIGEST.hex()}, {'0' * 64}")], 0),
        ([("x-benji-signature", "0" * 64), ("X-Benji-Signature", DIGEST.hex())], 1),
        ([("x-benji-signature", "garbage"), ("x-benji-signature", DIGEST.hex())], 1),
    ],
)
def test_several_signatures_any_match_is_enough(headers: list[tuple[str, str]], index: int) -> None:
    report = check(BODY, [*headers, ("x-webhook-datetime", DATE)])
    assert report.verdict is Verdict.VALID
    assert report.match is not None and report.match.signature.index == index
    assert f"Signature {index + 1} of" in report.reasons[0]


def test_rotation_overlap_reports_which_salt_matched() -> None:
    salts = [
        KnownSalt(OTHER_SALT, "subscription 12 (new salt)"),
        KnownSalt(SALT, "subscription 12 (previous salt)", role=SaltRole.PREVIOUS),
    ]
    report = check(BODY, {"x-benji-signature": DIGEST.hex(), "x-webhook-datetime": DATE}, salts)
    assert report.verdict is Verdict.VALID
    assert report.matched_salt_label == "subscription 12 (previous salt)"


@pytest.mark.parametrize(
    ("headers", "salts", "verdict"),
    [
        ({"x-webhook-datetime": DATE}, KNOWN, Verdict.UNSIGNED),
        ({"x-benji-signature": "", "x-webhook-datetime": DATE}, KNOWN, Verdict.UNSIGNED),
        ({"x-benji-signature": "  ,  ", "x-webhook-datetime": DATE}, KNOWN, Verdict.UNSIGNED),
        ({"x-benji-signature": "not-a-digest", "x-webhook-datetime": DATE}, KNOWN, Verdict.MALFORMED),
        ({"x-benji-signature": "abc123", "x-webhook-datetime": DATE}, [], Verdict.MALFORMED),
        ({"x-benji-signature": DIGEST.hex(), "x-webhook-datetime": DATE}, [], Verdict.NO_SALT),
        ({"x-benji-signature": "0" * 64, "x-webhook-datetime": DATE}, KNOWN, Verdict.INVALID),
        ({"x-benji-signature": DIGEST.hex()}, KNOWN, Verdict.STALE),
        ({"x-benji-signature": DIGEST.hex(), "x-webhook-datetime": "yesterday"}, KNOWN, Verdict.STALE),
    ],
)
def test_verdicts(headers: dict[str, str], salts: list[KnownSalt], verdict: Verdict) -> None:
    report = check(BODY, headers, salts)
    assert report.verdict is verdict
    assert report.cause  # every non-VALID verdict comes with a cause


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Tue, 22 Oct 2024 21:57:02 GMT", "IMF-fixdate"),
        ("Tuesday, 22-Oct-24 21:57:02 GMT", "RFC 850"),
        ("Tue Oct 22 21:57:02 2024", "asctime"),
        ("2024-10-22T21:57:02+00:00", "ISO-8601"),
        ("2024-10-22T21:57:02Z", "ISO-8601"),
        ("2024-10-22T23:57:02+02:00", "ISO-8601"),
        ("2024-10-22T16:57:02-05:00", "ISO-8601"),
        ("2024-10-22T21:57:02", "ISO-8601 without offset"),
    ],
)
def test_each_datetime_format_is_read_as_utc(text: str, form: str) -> None:
    report = check(BODY, {"x-benji-signature": DIGEST.hex(), "x-webhook-datetime": text})
    assert report.verdict is Verdict.VALID
    assert report.timestamp == NOW and report.datetime_form == form
    assert report.skew_seconds == 0


@pytest.mark.parametrize(
    ("offset", "verdict", "direction"),
    [
        (299, Verdict.VALID, None),
        (-299, Verdict.VALID, None),
        (300, Verdict.VALID, None),
        (301, Verdict.STALE, "ahead of"),
        (-301, Verdict.STALE, "behind"),
        (3600, Verdict.STALE, "ahead of"),
        (-86400, Verdict.STALE, "behind"),
    ],
)
def test_skew_is_checked_in_both_directions(offset: int, verdict: Verdict, direction: str | None) -> None:
    moment = NOW + timedelta(seconds=offset)
    report = check(BODY, {"x-benji-signature": DIGEST.hex(), "x-webhook-datetime": format_http_date(moment)})
    assert report.verdict is verdict
    assert report.skew_seconds == offset
    if direction:
        assert any(f"{abs(offset)} s {direction}" in reason for reason in report.reasons)
        assert report.cause and ("future" in report.cause if offset > 0 else "old" in report.cause)


def test_tolerance_is_configurable_and_timestamp_can_be_ignored() -> None:
    headers = {"x-benji-signature": DIGEST.hex(), "x-webhook-datetime": format_http_date(NOW - timedelta(hours=2))}
    assert check(BODY, headers).verdict is Verdict.STALE
    assert check(BODY, headers, tolerance_seconds=3 * 3600).verdict is Verdict.VALID
    assert check(BODY, headers, tolerance_seconds=10).verdict is Verdict.STALE
    ignored = check(BODY, headers, ignore_timestamp=True)
    assert ignored.verdict is Verdict.VALID and ignored.timestamp_ignored
    assert check(BODY, {"x-benji-signature": DIGEST.hex()}, ignore_timestamp=True).verdict is Verdict.VALID


def test_a_wrong_signature_is_invalid_even_when_the_time_is_off() -> None:
    report = check(BODY, {"x-benji-signature": "1" * 64})
    assert report.verdict is Verdict.INVALID


def test_raw_bytes_are_hashed_not_reserialised() -> None:
    spaced = b'{"event": "user_partner_connected", "entity_type": 1, "entity_id": 155}'
    signature = sign(spaced, SALT)
    assert check(spaced, {"x-benji-signature": signature, "x-webhook-datetime": DATE}).verdict is Verdict.VALID
    assert check(BODY, {"x-benji-signature": signature, "x-webhook-datetime": DATE}).verdict is Verdict.INVALID


def test_naive_now_is_taken_as_utc() -> None:
    report = verify(
        BODY, {"x-benji-signature": DIGEST.hex(), "x-webhook-datetime": DATE}, KNOWN, now=NOW.replace(tzinfo=None)
    )
    assert report.verdict is Verdict.VALID
