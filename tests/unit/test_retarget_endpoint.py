"""Which subscription endpoints reach the receiver at its old address, and what they become."""

from __future__ import annotations

import pytest

from benji_desktop.app.services import retargeted_endpoint

OLD, NEW = "http://127.0.0.1:8787", "https://localhost:8787"


@pytest.mark.parametrize(
    ("endpoint", "moved"),
    [
        ("http://127.0.0.1:8787/webhooks/benji", "https://localhost:8787/webhooks/benji"),
        ("https://localhost:8787/webhooks/benji", "https://localhost:8787/webhooks/benji"),
        ("http://[::1]:8787/webhooks/benji?x=1", "https://localhost:8787/webhooks/benji?x=1"),
        ("http://127.0.0.1:9999/webhooks/benji", None),  # another local program
        ("https://partner.example.com:8787/webhooks/benji", None),
        ("http://127.0.0.1/webhooks/benji", None),
        ("not a url", None),
    ],
)
def test_only_loopback_endpoints_on_the_old_port_move(endpoint: str, moved: str | None) -> None:
    assert retargeted_endpoint(endpoint, OLD, NEW) == moved
