"""The client's DTOs hold exactly the fields the Sandbox's OpenAPI document promises, so the two cannot drift."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from benji_desktop.client import ApiKey, DeliveryAttempt, Integration, IntegrationField, IpEntry, Subscription

OPENAPI = Path(__file__).resolve().parents[2] / "benji_desktop" / "sandbox" / "openapi.json"


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    if not OPENAPI.exists():
        pytest.skip("the Sandbox's openapi.json is not built yet")
    return json.loads(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("schema", "dto"),
    [
        ("Subscription", Subscription),
        ("DeliveryAttempt", DeliveryAttempt),
        ("ApiKey", ApiKey),
        ("IpEntry", IpEntry),
        ("Integration", Integration),
    ],
)
def test_dto_fields_match_the_schema(schemas: dict[str, Any], schema: str, dto: type) -> None:
    assert {f.name for f in fields(dto)} == set(schemas[schema]["properties"])


def test_integration_field_matches_the_schema(schemas: dict[str, Any]) -> None:
    item = schemas["Integration"]["properties"]["fields"]["items"]
    properties = item.get("properties") or schemas[item["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {f.name for f in fields(IntegrationField)} == set(properties)


def test_a_delivery_row_with_nulls_parses(schemas: dict[str, Any]) -> None:
    # A DTO must accept a row with only the required fields, values null where the schema allows it.
    row = {name: None for name in schemas["DeliveryAttempt"]["required"]} | {"id": 1, "status": "pending"}
    attempt = DeliveryAttempt.from_json(row)
    assert attempt.id == 1 and attempt.response_status is None and attempt.entity_label == "Any"
