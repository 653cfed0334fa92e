"""The OpenAPI file is the Sandbox's source of truth: it lists exactly the served routes and marks extensions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benji_desktop.sandbox.api import create_app

SPEC = json.loads((Path(__file__).resolve().parents[2] / "benji_desktop/sandbox/openapi.json").read_text("utf-8"))
METHODS = {"get", "put", "post", "patch", "delete"}
# What docs.withbenji.com shows; everything else must be marked as ours.
DOCUMENTED = {("put", "/webhooks/subscribe"), ("get", "/users/{id}"), ("get", "/transactions/{id}"),
              ("get", "/partnerships/{id}")}  # fmt: skip


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_document_is_openapi_3_1_with_both_auth_schemes() -> None:
    assert SPEC["openapi"] == "3.1.0"
    assert SPEC["components"]["securitySchemes"]["ApiKey"] == {"type": "apiKey", "in": "header", "name": "x-api-key"}
    assert SPEC["paths"]["/openapi.json"]["get"]["security"] == []


def test_the_document_lists_exactly_the_served_routes() -> None:
    app = create_app(None)  # type: ignore[arg-type]  # routing needs no state
    served = {(r.method.lower(), r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"}
    assert served == {(method, path) for method, path, _ in operations()}


@pytest.mark.parametrize(("method", "path", "operation"), operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_undocumented_operation_is_marked_as_an_extension(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    if (method, path) in DOCUMENTED:
        assert "x-benji-extension" not in operation
    else:
        assert operation.get("x-benji-extension") is True
        assert operation["description"].startswith("Extension")


def test_every_authenticated_operation_documents_401() -> None:
    for method, path, operation in operations():
        if path != "/openapi.json":
            assert "401" in operation["responses"], (method, path)
