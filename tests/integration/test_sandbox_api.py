"""The Sandbox's HTTP API against the platform contract: every endpoint, every documented error."""

from __future__ import annotations

import httpx
import pytest

from benji_desktop.sandbox import SandboxServer


async def test_openapi_needs_no_key_and_everything_else_does(sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as anonymous:
        document = (await anonymous.get("/openapi.json")).json()
        assert document["openapi"].startswith("3.1")
        response = await anonymous.get("/developer/api-keys")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized_partner"
        wrong = await anonymous.get("/developer/api-keys", headers={"x-api-key": "bk_sandbox_" + "0" * 32})
        assert wrong.status_code == 401
        # The documented error form on the documented endpoint.
        response = await anonymous.put("/webhooks/subscribe", json={"endpoint": "http://a.example/x"})
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized_partner", "message": response.json()["message"]}
        bearer = await anonymous.get("/developer/api-keys", headers={"Authorization": f"Bearer {sandbox.api_key}"})
        assert bearer.status_code == 200


async def test_api_keys_masked_created_once_renamed_deleted_and_rotated(
    api: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    listing = (await api.get("/developer/api-keys")).json()
    assert listing["code"] == "ok"
    [bootstrap] = listing["data"]["api_keys"]
    assert bootstrap["name"] == "Bootstrap key"
    assert bootstrap["masked"] == f"bk_sandbox_…{sandbox.api_key[-4:]}"
    assert sandbox.api_key not in str(listing)

    created = (await api.post("/developer/api-keys", json={"name": "CI"})).json()["data"]
    value = created["key"]
    assert value.startswith("bk_sandbox_") and len(value) == len("bk_sandbox_") + 32
    assert value not in (await api.get("/developer/api-keys")).text

    async with httpx.AsyncClient(base_url=sandbox.url, headers={"x-api-key": value}) as other:
        assert (await other.get("/developer/api-keys")).status_code == 200
        renamed = await api.patch(f"/developer/api-keys/{created['id']}", json={"name": "CI runner"})
        assert renamed.json()["data"]["name"] == "CI runner"

        rotated = (await api.post(f"/developer/api-keys/{created['id']}/rotate")).json()["data"]
        assert rotated["key"] != value
        assert (await other.get("/developer/api-keys")).status_code == 401  # the old value, at once
        other.headers["x-api-key"] = rotated["key"]
        assert (await other.get("/developer/api-keys")).status_code == 200

        assert (await api.delete(f"/developer/api-keys/{created['id']}")).json()["data"] == {"deleted": True}
        assert (await other.get("/developer/api-keys")).status_code == 401  # from the next call on
    assert (await api.delete(f"/developer/api-keys/{created['id']}")).status_code == 404
    assert (await api.patch("/developer/api-keys/999", json={"name": "x"})).status_code == 404
    assert (await api.post("/developer/api-keys", json={"name": ""})).status_code == 400


async def test_rotating_the_bootstrap_key_keeps_the_server_key_working(
    api: httpx.AsyncClient, sandbox: SandboxServer
) -> None:
    old = sandbox.api_key
    rotated = (await api.post("/developer/api-keys/1/rotate")).json()["data"]["key"]
    assert sandbox.api_key == rotated != old
    api.headers["x-api-key"] = sandbox.api_key
    assert (await api.get("/developer/api-keys")).status_code == 200


async def test_put_subscribe_as_documented(api: httpx.AsyncClient) -> None:
    # The documented sample body and response.
    sample = {"endpoint": "https://example.com/benji-hook", "event_name": "user_partner_connected", "entity_type": 1}
    response = await api.put("/webhooks/subscribe", json=sample)
    assert response.status_code == 200
    assert response.json() == {"code": "ok", "data": {"subscribed": True}}
    # PUT again updates the same subscription rather than adding one.
    await api.put("/webhooks/subscribe", json={**sample, "endpoint": "https://example.com/other"})
    [subscription] = (await api.get("/webhooks/subscriptions")).json()["data"]["subscriptions"]
    assert subscription["endpoint"] == "https://example.com/other"
    assert subscription["salt"].startswith("salt_") and len(subscription["salt"]) == 37
    # entity_type can be left out for a catalogued event.
    assert (await api.put("/webhooks/subscribe", json={"endpoint": "", "event_name": "user_partner_connected"})).json()[
        "data"
    ] == {"subscribed": False}
    assert (await api.get("/webhooks/subscriptions")).json()["data"]["subscriptions"] == []
    gone = await api.put("/webhooks/subscribe", json={"endpoint": "", "entity_type": 1})
    assert gone.status_code == 404
    assert gone.json()["error"] == "event_not_exists"
    bad = await api.put("/webhooks/subscribe", json={"endpoint": "https://e.example/x", "entity_type": 9})
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_subscription"
    assert (await api.put("/webhooks/subscribe", json={"endpoint": "ftp://e.example/x", "entity_type": 1})).json()[
        "error"
    ] == "invalid_subscription"


async def test_subscription_extensions(api: httpx.AsyncClient) -> None:
    created = await api.post(
        "/webhooks/subscribe", json={"endpoint": "https://example.com/h", "entity_type": 3, "active": False}
    )
    data = created.json()["data"]
    assert data["subscribed"] is True and data["salt"].startswith("salt_")
    assert data["event_name"] is None and data["active"] is False
    duplicate = await api.post("/webhooks/subscribe", json={"endpoint": "https://example.com/h", "entity_type": 3})
    assert duplicate.status_code == 409
    patched = await api.patch(
        f"/webhooks/subscriptions/{data['id']}", json={"active": True, "event_name": "transaction_created"}
    )
    assert patched.json()["data"]["active"] is True
    assert patched.json()["data"]["event_name"] == "transaction_created"
    rotated = await api.post(f"/webhooks/subscriptions/{data['id']}/rotate-salt", json={"overlap_seconds": 60})
    rotated_data = rotated.json()["data"]
    assert rotated_data["salt"] != data["salt"]
    assert rotated_data["previous_salt"] == data["salt"]
    assert rotated_data["previous_salt_expires_at"] is not None
    assert (await api.get(f"/webhooks/subscriptions/{data['id']}/deliveries")).json()["data"] == {"deliveries": []}
    assert (await api.delete(f"/webhooks/subscriptions/{data['id']}")).json()["data"] == {"deleted": True}
    for method, path in [
        ("PATCH", "/webhooks/subscriptions/{}"),
        ("DELETE", "/webhooks/subscriptions/{}"),
        ("POST", "/webhooks/subscriptions/{}/test"),
        ("GET", "/webhooks/subscriptions/{}/deliveries"),
        ("POST", "/webhooks/subscriptions/{}/rotate-salt"),
    ]:
        response = await api.request(method, path.format(data["id"]), json={"active": True})
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"


async def test_ip_whitelist_requests_are_normalised_and_reviewed(api: httpx.AsyncClient) -> None:
    entry = (await api.post("/developer/ip-whitelist", json={"ip": " 2001:DB8:0:0::1 ", "note": "office"})).json()
    assert entry["data"]["ip"] == "2001:db8::1"
    assert entry["data"]["status"] == "pending"
    assert (await api.post("/developer/ip-whitelist", json={"ip": "2001:db8::1"})).status_code == 409
    v4 = (await api.post("/developer/ip-whitelist", json={"ip": "::ffff:192.0.2.7"})).json()["data"]
    assert v4["ip"] == "192.0.2.7" and v4["note"] == ""
    for bad in ["300.1.1.1", "localhost", "", "1.2.3.4.5"]:
        response = await api.post("/developer/ip-whitelist", json={"ip": bad})
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_request"
    rejected = (await api.post(f"/sandbox/ip-whitelist/{v4['id']}/reject")).json()["data"]
    assert rejected["status"] == "rejected" and rejected["reviewed_at"]
    assert (await api.post("/sandbox/ip-whitelist/999/approve")).status_code == 404
    assert (await api.delete(f"/developer/ip-whitelist/{v4['id']}")).json()["data"] == {"deleted": True}
    assert [e["ip"] for e in (await api.get("/developer/ip-whitelist")).json()["data"]["entries"]] == ["2001:db8::1"]


async def test_whitelist_is_enforced_once_an_entry_is_approved(api: httpx.AsyncClient, sandbox: SandboxServer) -> None:
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(
        base_url=sandbox.url, headers={"x-api-key": sandbox.api_key}, transport=transport
    ) as elsewhere:
        assert (await elsewhere.get("/developer/api-keys")).status_code == 200  # nothing approved yet
        entry = (await api.post("/developer/ip-whitelist", json={"ip": "127.0.0.1", "note": "me"})).json()["data"]
        assert (await elsewhere.get("/developer/api-keys")).status_code == 200  # pending is not enforced
        await api.post(f"/sandbox/ip-whitelist/{entry['id']}/approve")
        blocked = await elsewhere.get("/developer/api-keys")
        assert blocked.status_code == 403
        assert blocked.json()["code"] == "ip_not_whitelisted"
        assert (await elsewhere.get("/users/155")).status_code == 403
        assert (await api.get("/developer/api-keys")).status_code == 200  # 127.0.0.1 is approved
        # The Sandbox's own review controls stay reachable, so a locked-out operator can undo it.
        assert (await elsewhere.post(f"/sandbox/ip-whitelist/{entry['id']}/reject")).status_code == 200
        assert (await elsewhere.get("/developer/api-keys")).status_code == 200


async def test_auto_review_approves_after_the_delay(api: httpx.AsyncClient) -> None:
    settings = (await api.patch("/sandbox/settings", json={"ip_auto_review_seconds": 0})).json()["data"]
    assert settings["ip_auto_review_seconds"] == 0
    await api.post("/developer/ip-whitelist", json={"ip": "127.0.0.0/8"})
    [entry] = (await api.get("/developer/ip-whitelist")).json()["data"]["entries"]
    assert entry["status"] == "approved" and entry["ip"] == "127.0.0.0/8"
    assert (await api.get("/developer/api-keys")).status_code == 200  # 127.0.0.1 is inside the network


async def test_integrations_connect_with_valid_credentials_and_never_return_them(api: httpx.AsyncClient) -> None:
    catalogue = (await api.get("/developer/integrations")).json()["data"]["integrations"]
    assert {i["slug"] for i in catalogue} == {"square", "stripe"}
    square = next(i for i in catalogue if i["slug"] == "square")
    assert square["status"] == "disconnected"
    assert {f["name"] for f in square["fields"]} == {"access_token", "location_id"}
    token = "EAAAEexampleexampleexampleexample1234"
    connected = await api.post(
        "/developer/integrations/square/connect",
        json={"credentials": {"access_token": token, "location_id": "L8E9Z1K5H3V2Q"}},
    )
    assert connected.json()["data"]["status"] == "connected"
    assert connected.json()["data"]["credentials_masked"]["access_token"] == "EAAA…1234"
    assert token not in connected.text and token not in (await api.get("/developer/integrations")).text
    bad = await api.post("/developer/integrations/stripe/connect", json={"credentials": {"secret_key": "nope"}})
    assert bad.status_code == 400 and "nope" not in bad.text
    assert (await api.post("/developer/integrations/paypal/connect", json={"credentials": {}})).status_code == 404
    disconnected = (await api.post("/developer/integrations/square/disconnect")).json()["data"]
    assert disconnected["status"] == "disconnected" and disconnected["credentials_masked"] == {}


async def test_documented_entity_shapes(api: httpx.AsyncClient) -> None:
    user = (await api.get("/users/155")).json()
    assert user["code"] == "ok"
    assert {"id", "uuid_id", "first_name", "last_name", "email", "phone_number", "external_id", "created_date",
            "merchants", "partner_status_tiers"} <= set(user["data"]["user"])  # fmt: skip
    transaction = (await api.get("/transactions/5924")).json()["data"]["reward_transaction"]
    assert transaction["id"] == 5924 and transaction["transaction_type"] == 1
    assert {"campaign_id", "reward_amount", "transaction_amount", "transaction_status", "user_uuid"} <= set(transaction)
    partnership = (await api.get("/partnerships/1")).json()["data"]["partnership"]
    assert partnership["name"] == "Test Partnership"
    for path in ["/users/999999", "/transactions/1", "/partnerships/77", "/users/abc", "/users/0",
                 "/users/99999999999999999999999"]:  # fmt: skip
        response = await api.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


async def test_settings_round_trip(api: httpx.AsyncClient, sandbox: SandboxServer) -> None:
    settings = (await api.get("/sandbox/settings")).json()["data"]
    assert settings["time_scale"] == 100.0
    changed = (await api.patch("/sandbox/settings", json={"time_scale": 60})).json()["data"]
    assert changed["time_scale"] == 60.0
    assert sandbox.state.engine.time_scale == 60.0
    assert (await api.patch("/sandbox/settings", json={"time_scale": 0})).status_code == 400
    assert (await api.patch("/sandbox/settings", json={})).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "content", "status", "code"),
    [
        ("POST", "/developer/api-keys", b"{", 400, "invalid_request"),
        ("POST", "/developer/api-keys", b"[1, 2]", 400, "invalid_request"),
        ("POST", "/developer/api-keys", b'{"name": 5}', 400, "invalid_request"),
        ("POST", "/developer/api-keys", b'{"name": "a", "admin": true}', 400, "invalid_request"),
        ("POST", "/developer/api-keys", b"", 400, "invalid_request"),
        ("POST", "/developer/api-keys", b"\xff\xfe", 400, "invalid_request"),
        ("POST", "/developer/api-keys", b'{"name": "\\ud800"}', 400, "invalid_request"),
        ("POST", "/developer/api-keys", b'{"name": NaN}', 400, "invalid_request"),
        ("POST", "/developer/api-keys", b"[" * 50000, 400, "invalid_request"),
        ("POST", "/developer/api-keys", b'{"name": "' + b"a" * 200_000 + b'"}', 413, "payload_too_large"),
        ("POST", "/sandbox/events", b'{"event": "x", "entity_type": true}', 400, "invalid_request"),
        ("POST", "/sandbox/events", b'{"event": "x", "entity_type": 1.0}', 400, "invalid_request"),
        ("POST", "/sandbox/events", b'{"event": "x", "entity_type": 1, "entity": 3}', 400, "invalid_request"),
        ("POST", "/sandbox/events", b'{"event": "x"}', 400, "invalid_request"),
        ("POST", "/webhooks/subscriptions/18446744073709551616/test", b"{}", 404, "not_found"),
        ("PATCH", "/webhooks/subscriptions/1", b"{}", 404, "not_found"),
        ("GET", "/no/such/path", b"", 404, "not_found"),
        ("DELETE", "/developer/api-keys", b"", 405, "method_not_allowed"),
        ("PUT", "/users/155", b"", 405, "method_not_allowed"),
    ],
)
async def test_bad_requests_get_a_clean_4xx(
    api: httpx.AsyncClient, method: str, path: str, content: bytes, status: int, code: str
) -> None:
    response = await api.request(method, path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["message"]
    if status == 405:
        assert response.headers["Allow"]
