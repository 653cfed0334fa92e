"""The duplicate ledger: a repeat is the same delivery again (same body); an edited replay is a replay, not a repeat."""

from __future__ import annotations

from benji_desktop.receiver.ledger import DeliveryLedger
from benji_desktop.signature import canonical_body, signed_headers
from benji_desktop.storage.captures import Capture

SALT = "salt_" + "C" * 32
BODY = canonical_body("transaction_created", 3, 5)
HEADERS = list(signed_headers(BODY, [SALT]).items())


def delivery(capture_id: int, body: bytes = BODY, *, parent_id: int | None = None) -> Capture:
    return Capture(
        id=capture_id,
        headers=list(HEADERS),  # the signature and datetime headers as first received
        body=body,
        body_size=len(body),
        event="transaction_created",
        entity_type="transaction",
        entity_id="5",
        source="replay" if parent_id else "received",
        parent_id=parent_id,
    )


def test_the_same_delivery_again_is_a_duplicate() -> None:
    ledger = DeliveryLedger()
    assert ledger.observe(delivery(1)).duplicate_of is None
    again = ledger.observe(delivery(2))
    assert again.duplicate_of == 1
    assert any("Repeats #1" in note for note in again.notes)


def test_an_edited_replay_is_a_replay_of_its_parent_not_a_duplicate() -> None:
    ledger = DeliveryLedger()
    ledger.observe(delivery(1))
    edited = ledger.observe(delivery(2, BODY.replace(b'"5"', b'"6"').replace(b"5", b"6"), parent_id=1))
    assert edited.duplicate_of is None
    assert any("replay of #1" in note.lower() for note in edited.notes)
    assert not any("Repeats" in note for note in edited.notes)


def test_a_different_body_under_the_same_headers_is_not_a_duplicate() -> None:
    """Same signature and datetime but another body: at most one of them is genuine; neither repeats the other."""
    ledger = DeliveryLedger()
    ledger.observe(delivery(1))
    other = ledger.observe(delivery(2, BODY + b" "))
    assert other.duplicate_of is None
    assert any("#1" in note and "different body" in note for note in other.notes)
    # A true repeat of the first is still caught afterwards.
    assert ledger.observe(delivery(3)).duplicate_of == 1
