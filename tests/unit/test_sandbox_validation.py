"""Request validation of the Sandbox: IPs normalised, URLs checked, JSON read strictly."""

from __future__ import annotations

import pytest

from benji_desktop.sandbox.integrations import CATALOGUE, CredentialError, validate_credentials
from benji_desktop.sandbox.validation import (
    Field,
    RequestError,
    address_allowed,
    check_endpoint,
    normalise_ip,
    parse_json_object,
    read_fields,
)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("127.0.0.1", "127.0.0.1"),
        (" 2001:DB8:0000::1 ", "2001:db8::1"),
        ("::ffff:10.1.2.3", "10.1.2.3"),
        ("10.0.0.7/8", "10.0.0.0/8"),
        ("192.0.2.1/32", "192.0.2.1"),
        ("2001:db8::/32", "2001:db8::/32"),
    ],
)
def test_addresses_are_normalised(given: str, normalised: str) -> None:
    assert normalise_ip(given) == normalised


@pytest.mark.parametrize("bad", ["", "256.0.0.1", "example.com", "1.2.3", "::g", "10.0.0.0/33"])
def test_bad_addresses_are_400(bad: str) -> None:
    with pytest.raises(RequestError) as caught:
        normalise_ip(bad)
    assert caught.value.status == 400


def test_enforcement_matches_addresses_and_networks() -> None:
    assert address_allowed("127.0.0.1", ["127.0.0.1"])
    assert not address_allowed("127.0.0.2", ["127.0.0.1"])
    assert address_allowed("10.9.8.7", ["10.0.0.0/8"])
    assert address_allowed("::ffff:127.0.0.1", ["127.0.0.1"])
    assert not address_allowed(None, ["127.0.0.1"])


@pytest.mark.parametrize(
    "bad", ["", "example.com/hook", "ftp://h/x", "http://", "http://h:99999/", "http://h x/", "http://h:0/"]
)
def test_endpoints_must_be_http_urls_with_a_host(bad: str) -> None:
    with pytest.raises(RequestError):
        check_endpoint(bad)


def test_good_endpoints_pass() -> None:
    for good in ["http://127.0.0.1:8787/hook", "https://example.com/benji-hook?x=1", "http://[::1]:9/x"]:
        assert check_endpoint(good) == good


def test_fields_are_read_strictly() -> None:
    fields = {"name": Field(str, required=True), "count": Field(int), "flag": Field(bool)}
    assert read_fields({"name": "a", "count": 2}, fields) == {"name": "a", "count": 2}
    for bad in [{}, {"name": 1}, {"name": "a", "count": True}, {"name": "a", "count": 1.5}, {"name": "a", "x": 1},
                {"name": None}]:  # fmt: skip
        with pytest.raises(RequestError):
            read_fields(bad, fields)


@pytest.mark.parametrize("raw", [b"{", b"[]", b"1", b'{"a": NaN}', b'{"a": Infinity}', b"\xff", b"[" * 100000])
def test_bodies_that_are_not_json_objects_are_400(raw: bytes) -> None:
    with pytest.raises(RequestError):
        parse_json_object(raw, allow_empty=False)


def test_an_empty_body_is_allowed_only_where_it_may_be() -> None:
    assert parse_json_object(b"  ", allow_empty=True) == {}
    with pytest.raises(RequestError):
        parse_json_object(b"", allow_empty=False)


def test_credentials_are_checked_for_shape_without_echoing_values() -> None:
    stripe = CATALOGUE["stripe"]
    good = {"secret_key": "sk_live_" + "a" * 24, "account_id": "acct_12345678"}
    assert validate_credentials(stripe, good) == good
    with pytest.raises(CredentialError) as caught:
        validate_credentials(stripe, {**good, "secret_key": "pk_live_secretvalue123456"})
    assert "pk_live_secretvalue123456" not in str(caught.value)
    with pytest.raises(CredentialError):
        validate_credentials(stripe, {**good, "extra": "x"})
