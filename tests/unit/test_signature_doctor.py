"""The verification doctor names the likely cause of a failed verification, one family per test."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from datetime import UTC, datetime

import pytest

from benji_desktop.signature import KnownSalt, SaltRole, Verdict, canonical_body, sign, verify

SALT = "salt_Zk3p9QmX2vLr8TnW4yHc6JbA1sEdFgUo"
NOW = datetime(2024, 10, 22, 21, 57, 2, tzinfo=UTC)
DATE = "Tue, 22 Oct 2024 21:57:02 GMT"
BODY = canonical_body("user_partner_connected", 1, 155)
UNICODE_BODY = '{"event":"user_partner_connected","entity_type":1,"entity_id":155,"name":"Zoë"}'.encode()
KNOWN = [KnownSalt(SALT, "subscription 12 (Sandbox)", subscription_id=12)]


def headers_for(signature: str, **extra: str) -> list[tuple[str, str]]:
    return [("x-benji-signature", signature), ("x-webhook-datetime", DATE), *extra.items()]


def test_invalid_shows_expected_and_received() -> None:
    report = verify(BODY, headers_for("ab" * 32), KNOWN, now=NOW)
    assert report.verdict is Verdict.INVALID
    assert any(sign(BODY, SALT) in reason and "ab" * 32 in reason for reason in report.reasons)
    assert report.cause and "salt" in report.cause


@pytest.mark.parametrize(
    ("role", "words"),
    [(SaltRole.OTHER_SUBSCRIPTION, "another subscription"), (SaltRole.PREVIOUS, "rotation")],
)
def test_a_match_with_a_different_known_salt_is_named(role: SaltRole, words: str) -> None:
    other = KnownSalt("salt_OtherSubscription0000000000000", "subscription 7 (Sandbox)", role=role)
    signature = sign(BODY, other.salt)
    report = verify(BODY, headers_for(signature), KNOWN, now=NOW, other_salts=[other])
    assert report.verdict is Verdict.INVALID  # other salts never validate
    assert report.cause and "subscription 7 (Sandbox)" in report.cause
    assert any(words in reason for reason in report.reasons)
    assert other.salt not in json.dumps(report.to_json()) and SALT not in json.dumps(report.to_json())
    no_salt = verify(BODY, headers_for(signature), [], now=NOW, other_salts=[other])
    assert no_salt.verdict is Verdict.NO_SALT and "subscription 7" in (no_salt.cause or "")


@pytest.mark.parametrize(
    ("signed", "description"),
    [
        (json.dumps(json.loads(UNICODE_BODY)), "JSON with spaces after , and :, non-ASCII escaped"),
        (json.dumps(json.loads(UNICODE_BODY), indent=2, ensure_ascii=False), "pretty JSON (indent 2)"),
        (json.dumps(json.loads(UNICODE_BODY), indent=4, ensure_ascii=False), "pretty JSON (indent 4)"),
        (
            json.dumps(json.loads(UNICODE_BODY), separators=(",", ":"), sort_keys=True, ensure_ascii=False),
            "compact JSON, sorted keys",
        ),
        (json.dumps(json.loads(UNICODE_BODY), separators=(",", ":")), "compact JSON, non-ASCII escaped"),
    ],
)
def test_reserialised_json_is_recognised(signed: str, description: str) -> None:
    report = verify(UNICODE_BODY, headers_for(sign(signed.encode(), SALT)), KNOWN, now=NOW)
    assert report.verdict is Verdict.INVALID
    assert any("signed something other than what it sent" in reason for reason in report.reasons)
    assert report.cause == (
        f"The sender signed the payload serialised as {description} but sent other bytes: "
        "serialise once and sign exactly the bytes you send."
    )


@pytest.mark.parametrize(
    ("sent", "signed", "words"),
    [
        (BODY, BODY + b"\n", "with a trailing newline it did not send"),
        (BODY, BODY + b"\r\n", "with a trailing CRLF it did not send"),
        (BODY + b"\n", BODY, "without the trailing newline it sent"),
        (BODY + b"\r\n", BODY, "without the trailing newline it sent"),
        (BODY + b"\r\n", BODY + b"\n", "ending in LF but sent CRLF"),
        (b'{\r\n"a": 1\r\n}', b'{\n"a": 1\n}', "LF line endings, sent CRLF"),
    ],
)
def test_newline_variants(sent: bytes, signed: bytes, words: str) -> None:
    report = verify(sent, headers_for(sign(signed, SALT)), KNOWN, now=NOW)
    assert report.verdict is Verdict.INVALID
    assert report.cause and words in report.cause


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some senders do
        ("GZIP", gzip.compress),
    ],
)
def test_content_encoded_body_signed_before_compression(encoding: str, compress: object) -> None:
    wire = compress(BODY)  # type: ignore[operator]
    report = verify(wire, headers_for(sign(BODY, SALT), **{"Content-Encoding": encoding}), KNOWN, now=NOW)
    assert report.verdict is Verdict.INVALID
    assert report.cause and "compressing" in report.cause


def test_content_encoding_that_is_not_really_encoded() -> None:
    report = verify(BODY, headers_for("cd" * 32, **{"Content-Encoding": "gzip"}), KNOWN, now=NOW)
    assert any("is not gzip data" in reason for reason in report.reasons)


def test_gzip_bomb_is_bounded() -> None:
    wire = gzip.compress(b"0" * (64 * 1024 * 1024))
    report = verify(wire, headers_for("cd" * 32, **{"Content-Encoding": "gzip"}), KNOWN, now=NOW)
    assert report.verdict is Verdict.INVALID


def test_salt_that_looks_like_an_api_key() -> None:
    api_key = "bk_sandbox_0123456789abcdef0123456789abcdef"
    report = verify(BODY, headers_for(sign(BODY, SALT)), [KnownSalt(api_key, "pasted salt")], now=NOW)
    assert report.verdict is Verdict.INVALID
    assert any("looks like an API key" in reason for reason in report.reasons)
    assert report.cause and "API key" in report.cause
    assert api_key not in " ".join(report.reasons) + (report.cause or "")


def test_salt_pasted_with_whitespace() -> None:
    report = verify(BODY, headers_for(sign(BODY, SALT)), [KnownSalt(SALT + "\n", "pasted salt")], now=NOW)
    assert report.verdict is Verdict.INVALID
    assert report.cause and "whitespace" in report.cause


def test_plain_sha256_and_concatenation_are_recognised() -> None:
    plain = hashlib.sha256(BODY).hexdigest()
    assert "without the salt" in (verify(BODY, headers_for(plain), KNOWN, now=NOW).cause or "")
    concatenated = hashlib.sha256(SALT.encode() + BODY).hexdigest()
    assert "concatenated" in (verify(BODY, headers_for(concatenated), KNOWN, now=NOW).cause or "")


def test_unsigned_with_a_look_alike_header() -> None:
    report = verify(BODY, [("x_benji_signature", sign(BODY, SALT))], KNOWN, now=NOW)
    assert report.verdict is Verdict.UNSIGNED
    assert report.cause and "x_benji_signature" in report.cause


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("sha1=" + "a" * 40, "SHA-1"),
        ("abcdef", "6 hex characters"),
        ('"' + "a" * 64 + '"', "quotes"),
        ("t=1700000000", "key=value"),
    ],
)
def test_malformed_tokens_are_explained(token: str, words: str) -> None:
    report = verify(BODY, headers_for(token), KNOWN, now=NOW)
    assert report.verdict is Verdict.MALFORMED
    assert any(words in reason for reason in report.reasons)


@pytest.mark.parametrize(
    ("datetime_text", "words"),
    [(None, "missing"), ("yesterday", "is not a date"), ("Tuesday, 22-Oct-24 21:57:02 GMT", "RFC 850 form")],
)
def test_timestamp_findings(datetime_text: str | None, words: str) -> None:
    headers = [("x-benji-signature", sign(BODY, SALT))]
    if datetime_text:
        headers.append(("x-webhook-datetime", datetime_text))
    report = verify(BODY, headers, KNOWN, now=NOW)
    assert any(words in reason for reason in report.reasons)


def test_payload_problems_are_findings_that_do_not_change_the_verdict() -> None:
    body = b'{"event":"x","entity":"1","entity_id":1.5,"extra":true}'
    report = verify(body, headers_for(sign(body, SALT)), KNOWN, now=NOW)
    assert report.verdict is Verdict.VALID
    text = " ".join(report.reasons)
    assert '"entity" is used instead of "entity_type"' in text
    assert '"entity_id" is a number with a fraction' in text
    assert '"extra"' in text


def test_other_subscription_role_in_the_main_list_only_explains() -> None:
    # The app hands every known salt in one list, tagging the other subscriptions' salts by role.
    other = KnownSalt(
        "salt_OtherSubscription0000000000000", "Sandbox subscription #7", role=SaltRole.OTHER_SUBSCRIPTION
    )
    report = verify(BODY, headers_for(sign(BODY, other.salt)), [*KNOWN, other], now=NOW)
    assert report.verdict is Verdict.INVALID
    assert report.cause and "Sandbox subscription #7" in report.cause
    only_other = verify(BODY, headers_for(sign(BODY, other.salt)), [other], now=NOW)
    assert only_other.verdict is Verdict.NO_SALT and "Sandbox subscription #7" in (only_other.cause or "")


@pytest.mark.parametrize(
    ("skew", "words"),
    [
        (-66_685_366, "772 days behind"),
        (-301, "301 s behind"),
        (-3 * 3600 - 5, "10805 s behind"),
        (2 * 86400 + 8640, "2.1 days ahead of"),
        (-40 * 86400, "40 days behind"),
    ],
)
def test_large_clock_skews_read_in_human_units(skew: int, words: str) -> None:
    from datetime import timedelta
    from email.utils import format_datetime

    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    body = canonical_body("user_partner_connected", 1, 7)
    headers = {
        "x-benji-signature": sign(body, SALT),
        "x-webhook-datetime": format_datetime(now + timedelta(seconds=skew), usegmt=True),
    }
    report = verify(body, headers, [KnownSalt(SALT, "s")], now=now)
    assert any(words in reason for reason in report.reasons), report.reasons
    assert "66685366" not in (report.cause or "")
