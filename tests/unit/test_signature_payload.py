"""`parse_payload` fills the receiver's event/entity columns and names every deviation from Benji's shape."""

from __future__ import annotations

import pytest

from benji_desktop.signature import parse_payload


def test_the_documented_shape_has_no_problems() -> None:
    info = parse_payload(b'{"event":"transaction_created","entity_type":3,"entity_id":42}')
    assert (info.event, info.entity_type, info.entity_id, info.problems) == ("transaction_created", 3, 42, [])


def test_entity_alias_and_string_id_are_accepted() -> None:
    info = parse_payload(b'{"event":"user_partner_connected","entity":1,"entity_id":"u-155"}')
    assert (info.entity_type, info.entity_id) == (1, "u-155")
    assert info.problems == ['"entity" is used instead of "entity_type" (accepted as an alias).']


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "The body is empty"),
        (b"\xff\xfe{}", "not UTF-8 (byte 0xff at offset 0"),
        (b"{not json", "not valid JSON"),
        (b"[1,2]", "JSON but a list, not an object"),
        (b'{"entity_type":1,"entity_id":1}', 'The field "event" is missing.'),
        (b'{"event":"e","entity_id":1}', 'The field "entity_type" is missing.'),
        (b'{"event":"e","entity_type":1}', 'The field "entity_id" is missing.'),
        (b'{"event":5,"entity_type":1,"entity_id":1}', '"event" is an integer'),
        (b'{"event":"e","entity_type":true,"entity_id":1}', '"entity_type" is a boolean'),
        (b'{"event":"e","entity_type":"1","entity_id":1}', '"entity_type" is a string'),
        (b'{"event":"e","entity_type":1,"entity_id":null}', '"entity_id" is null'),
        (b'{"event":"e","entity_type":1,"entity_id":1,"x":1,"y":2}', 'Extra fields not in Benji\'s payload: "x", "y"'),
        (b'\xef\xbb\xbf{"event":"e","entity_type":1,"entity_id":1}', "byte-order mark"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_problems_are_named(body: bytes, problem: str) -> None:
    info = parse_payload(body)
    assert any(problem in text for text in info.problems), info.problems
