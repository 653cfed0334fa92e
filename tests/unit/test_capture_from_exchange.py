"""One import path for the window and the command line: an exchange becomes a classified, verified capture."""

from __future__ import annotations

from benji_desktop.interchange import HttpExchange, HttpRequest
from benji_desktop.receiver.exchange import IMPORT_REMOTE, capture_from_exchange, capture_to_exchange
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers

SALT = "salt_" + "Q" * 32
OTHER = "salt_" + "R" * 32


def signed_exchange(salt: str, *, received_at: float | None = None) -> HttpExchange:
    body = canonical_body("transaction_created", 3, 42)
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    headers += list(signed_headers(body, [salt]).items())
    request = HttpRequest(
        method="POST", scheme="http", host="example.test", path="/hooks", query="", headers=headers, body=body,
        remote=None, received_at=received_at,
    )  # fmt: skip
    return HttpExchange(request=request, response_status=None, response_headers=[], response_body=b"")


def test_a_matched_salt_gives_its_label_subscription_and_environment() -> None:
    salts = [KnownSalt(OTHER, "other"), KnownSalt(SALT, "Sandbox subscription #9", subscription_id=9, environment="sb")]
    capture = capture_from_exchange(signed_exchange(SALT), salts, imported_at=1000.0, note="Imported by a test.")
    assert capture.verdict == "VALID"
    assert (capture.matched_salt_label, capture.subscription_id, capture.environment) == (
        "Sandbox subscription #9",
        9,
        "sb",
    )
    assert capture.source == "imported" and capture.received_at == 1000.0 and capture.remote == IMPORT_REMOTE
    assert capture.notes[0] == "Imported by a test."
    assert (capture.event, capture.entity_type, capture.entity_id, capture.declared_size) == (
        "transaction_created",
        3,
        "42",
        capture.body_size,
    )
    assert SALT not in repr(capture.report) and OTHER not in repr(capture.report)


def test_an_old_capture_is_judged_when_it_was_received_or_not_at_all() -> None:
    old = signed_exchange(SALT, received_at=None)
    salts = [KnownSalt(SALT, "typed")]
    assert capture_from_exchange(old, salts, ignore_timestamp=True).verdict == "VALID"
    unsigned_salt = capture_from_exchange(old, [], ignore_timestamp=True)
    assert unsigned_salt.verdict == "NO_SALT" and unsigned_salt.subscription_id is None


def test_export_of_a_bare_import_still_names_a_url() -> None:
    capture = capture_from_exchange(signed_exchange(SALT), [KnownSalt(SALT, "typed")])
    capture.scheme, capture.host = "", ""
    request = capture_to_exchange(capture).request
    assert (request.scheme, request.host) == ("http", "localhost")
    assert capture_to_exchange(capture).meta["notes"] == capture.notes
