"""PlatformClient against httpx.MockTransport: paths, headers, both envelopes, typed answers, typed errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from benji_desktop.client import (
    UNSET,
    AuthError,
    CreatedApiKey,
    CreatedSubscription,
    ForbiddenError,
    NetworkError,
    NotAvailableError,
    NotFoundError,
    PlatformClient,
    PlatformError,
    ServerError,
    ValidationError,
)
from benji_desktop.domain.environments import DEFAULT_ENVIRONMENTS, Environment

API_KEY = "bk_sandbox_0123456789abcdef0123456789abcdef"
SALT = "salt_Zx9-Qw8_Er7Ty6Ui5Op4As3Df2Gh1Jk0"
SANDBOX = DEFAULT_ENVIRONMENTS["sandbox"].with_urls("http://127.0.0.1:5555")
STAGING = DEFAULT_ENVIRONMENTS["staging"]
NOW = "2026-12-03T16:00:00+00:00"

SUBSCRIPTION = {
    "id": 7,
    "endpoint": "https://example.com/hook",
    "entity_type": 3,
    "event_name": "transaction_created",
    "active": True,
    "salt": SALT,
    "previous_salt": None,
    "previous_salt_expires_at": None,
    "created_at": NOW,
    "updated_at": NOW,
}
ATTEMPT = {
    "id": 1,
    "delivery_id": 1,
    "subscription_id": 7,
    "event": "transaction_created",
    "entity_type": 3,
    "entity_id": 5924,
    "attempt": 1,
    "status": "succeeded",
    "response_status": 200,
    "latency_ms": 3.5,
    "response_body": "ok",
    "error": None,
    "attempted_at": NOW,
    "next_attempt_at": None,
    "endpoint": "https://example.com/hook",
}
API_KEY_ROW = {"id": 2, "name": "CI", "masked": "bk_sandbox_…cdef", "created_at": NOW, "last_used_at": None}
IP_ROW = {"id": 4, "ip": "203.0.113.9", "note": "office", "status": "pending", "requested_at": NOW, "reviewed_at": None}
INTEGRATION = {
    "slug": "square",
    "name": "Square",
    "status": "connected",
    "fields": [{"name": "access_token", "label": "Access token", "secret": True, "hint": "EAAA…"}],
    "credentials_masked": {"access_token": "EAAA…wxyz"},
    "updated_at": NOW,
}


class Recorder:
    """A MockTransport handler that records every request and answers from a routing table."""

    def __init__(self, routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response] | tuple[int, Any]]):
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return httpx.Response(404, json={"message": "Not Found"})
        if callable(route):
            return route(request)
        status, body = route
        return httpx.Response(status, json=body)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.content)


def ok(data: Any) -> tuple[int, Any]:
    return 200, {"code": "ok", "data": data}


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., PlatformClient]]:
    clients: list[PlatformClient] = []

    def make(recorder: Recorder, environment: Environment = SANDBOX, api_key: str | None = API_KEY) -> PlatformClient:
        client = PlatformClient(environment, api_key, transport=httpx.MockTransport(recorder))
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


# ----- webhooks ---------------------------------------------------------------------------------------


async def test_list_subscriptions_sends_the_key_to_the_notification_service(make_client: Any) -> None:
    recorder = Recorder({("GET", "/webhooks/subscriptions"): ok({"subscriptions": [SUBSCRIPTION]})})
    staging = STAGING
    [subscription] = await make_client(recorder, staging).list_subscriptions()
    request = recorder.last
    assert str(request.url) == "https://notificationservice-staging.withbenji.com/webhooks/subscriptions"
    assert request.headers["x-api-key"] == API_KEY
    assert subscription.id == 7 and subscription.salt == SALT and subscription.entity_label == "Transaction"
    assert subscription.created_at is not None and subscription.created_at.tzinfo is not None
    assert SALT not in repr(subscription)


async def test_a_bare_object_without_the_envelope_is_accepted(make_client: Any) -> None:
    recorder = Recorder({("GET", "/webhooks/subscriptions"): (200, {"subscriptions": [SUBSCRIPTION]})})
    assert [s.id for s in await make_client(recorder).list_subscriptions()] == [7]


async def test_an_unknown_entity_type_stays_visible(make_client: Any) -> None:
    row = {**SUBSCRIPTION, "entity_type": 9}
    recorder = Recorder({("GET", "/webhooks/subscriptions"): ok({"subscriptions": [row]})})
    [subscription] = await make_client(recorder).list_subscriptions()
    assert subscription.entity_type == 9 and subscription.entity_label == "Unknown (9)"


async def test_create_subscription_posts_and_returns_the_salt(make_client: Any) -> None:
    recorder = Recorder({("POST", "/webhooks/subscribe"): ok({**SUBSCRIPTION, "subscribed": True})})
    created = await make_client(recorder).create_subscription("https://example.com/hook", 3, "transaction_created")
    assert isinstance(created, CreatedSubscription) and created.salt == SALT and created.subscribed
    assert recorder.last_json() == {
        "endpoint": "https://example.com/hook",
        "entity_type": 3,
        "event_name": "transaction_created",
        "active": True,
    }


async def test_update_sends_only_what_changed_and_none_means_every_event(make_client: Any) -> None:
    recorder = Recorder({("PATCH", "/webhooks/subscriptions/7"): ok({**SUBSCRIPTION, "event_name": None})})
    client = make_client(recorder)
    updated = await client.update_subscription(7, event_name=None, active=False)
    assert recorder.last_json() == {"event_name": None, "active": False}
    assert updated.event_name is None
    await client.update_subscription(7, endpoint="https://example.com/new", entity_type=UNSET)
    assert recorder.last_json() == {"endpoint": "https://example.com/new"}


async def test_delete_uses_the_extension_on_the_sandbox(make_client: Any) -> None:
    recorder = Recorder({("DELETE", "/webhooks/subscriptions/7"): ok({"deleted": True})})
    await make_client(recorder).delete_subscription(7, entity_type=3, event_name="transaction_created")
    assert [(r.method, r.url.path) for r in recorder.requests] == [("DELETE", "/webhooks/subscriptions/7")]


async def test_delete_falls_back_to_the_documented_put_where_there_is_no_delete(make_client: Any) -> None:
    recorder = Recorder({("PUT", "/webhooks/subscribe"): ok({"subscribed": False})})
    await make_client(recorder, STAGING).delete_subscription(7, entity_type=3, event_name="transaction_created")
    assert [(r.method, r.url.path) for r in recorder.requests] == [
        ("DELETE", "/webhooks/subscriptions/7"),
        ("PUT", "/webhooks/subscribe"),
    ]
    assert recorder.last_json() == {"endpoint": "", "event_name": "transaction_created", "entity_type": 3}


async def test_delete_without_the_type_cannot_fall_back_and_says_so(make_client: Any) -> None:
    with pytest.raises(NotAvailableError, match="manage it in Pilot"):
        await make_client(Recorder({}), STAGING).delete_subscription(7)


async def test_documented_subscribe_and_its_error_shape(make_client: Any) -> None:
    recorder = Recorder(
        {
            ("PUT", "/webhooks/subscribe"): lambda r: (
                httpx.Response(200, json={"code": "ok", "data": {"subscribed": True}})
                if json.loads(r.content)["entity_type"] == 1
                else httpx.Response(
                    400, json={"error": "invalid_subscription", "message": "entity_type 2 has no such event"}
                )
            )
        }
    )
    client = make_client(recorder, STAGING)
    result = await client.subscribe_documented("https://example.com/hook", 1, "user_partner_connected")
    assert result.subscribed and result.salt is None
    with pytest.raises(ValidationError) as caught:
        await client.subscribe_documented("https://example.com/hook", 2, "nope")
    assert caught.value.code == "invalid_subscription" and caught.value.status == 400
    assert "no such event" in str(caught.value)


async def test_send_test_deliveries_and_rotate_salt(make_client: Any) -> None:
    new_salt = "salt_NEWnewNEWnewNEWnewNEWnewNEWnew12"
    recorder = Recorder(
        {
            ("POST", "/webhooks/subscriptions/7/test"): ok(ATTEMPT),
            ("GET", "/webhooks/subscriptions/7/deliveries"): ok({"deliveries": [ATTEMPT, {**ATTEMPT, "id": 0}]}),
            ("POST", "/webhooks/subscriptions/7/rotate-salt"): ok(
                {**SUBSCRIPTION, "salt": new_salt, "previous_salt": SALT, "previous_salt_expires_at": NOW}
            ),
        }
    )
    client = make_client(recorder)
    attempt = await client.send_test(7, entity_id=5924)
    assert recorder.last_json() == {"entity_id": 5924}
    assert attempt.succeeded and attempt.response_status == 200 and attempt.latency_ms == 3.5
    assert [d.id for d in await client.list_deliveries(7)] == [1, 0]
    rotated = await client.rotate_salt(7, overlap_seconds=60)
    assert recorder.last_json() == {"overlap_seconds": 60}
    assert rotated.salt == new_salt and rotated.previous_salt == SALT


# ----- API keys, IP whitelist, integrations, sandbox ---------------------------------------------------


async def test_api_key_management(make_client: Any) -> None:
    new_key = "bk_sandbox_ffffffffffffffffffffffffffffffff"
    recorder = Recorder(
        {
            ("GET", "/developer/api-keys"): ok({"api_keys": [API_KEY_ROW]}),
            ("POST", "/developer/api-keys"): (201, {"code": "ok", "data": {**API_KEY_ROW, "key": new_key}}),
            ("PATCH", "/developer/api-keys/2"): ok({**API_KEY_ROW, "name": "Deploy"}),
            ("DELETE", "/developer/api-keys/2"): ok({"deleted": True}),
            ("POST", "/developer/api-keys/2/rotate"): ok({**API_KEY_ROW, "key": new_key}),
        }
    )
    client = make_client(recorder, STAGING)
    assert [k.masked for k in await client.list_api_keys()] == ["bk_sandbox_…cdef"]
    assert str(recorder.last.url).startswith("https://api-staging.withbenji.com/developer/api-keys")
    created = await client.create_api_key("CI")
    assert isinstance(created, CreatedApiKey) and created.key == new_key and new_key not in repr(created)
    assert recorder.last_json() == {"name": "CI"}
    assert (await client.rename_api_key(2, "Deploy")).name == "Deploy"
    await client.delete_api_key(2)
    assert (await client.rotate_api_key(2)).key == new_key


async def test_ip_whitelist_and_sandbox_review(make_client: Any) -> None:
    recorder = Recorder(
        {
            ("GET", "/developer/ip-whitelist"): ok({"entries": [IP_ROW]}),
            ("POST", "/developer/ip-whitelist"): ok(IP_ROW),
            ("DELETE", "/developer/ip-whitelist/4"): ok({"deleted": True}),
            ("POST", "/sandbox/ip-whitelist/4/approve"): ok({**IP_ROW, "status": "approved", "reviewed_at": NOW}),
            ("POST", "/sandbox/ip-whitelist/4/reject"): ok({**IP_ROW, "status": "rejected", "reviewed_at": NOW}),
        }
    )
    client = make_client(recorder)
    assert [e.ip for e in await client.list_ip_entries()] == ["203.0.113.9"]
    entry = await client.request_ip("203.0.113.9", "office")
    assert entry.status == "pending" and recorder.last_json() == {"ip": "203.0.113.9", "note": "office"}
    assert (await client.review_ip(4, approve=True)).status == "approved"
    assert (await client.review_ip(4, approve=False)).status == "rejected"
    await client.delete_ip_entry(4)
    assert recorder.last.method == "DELETE"


async def test_integrations(make_client: Any) -> None:
    recorder = Recorder(
        {
            ("GET", "/developer/integrations"): ok({"integrations": [INTEGRATION]}),
            ("POST", "/developer/integrations/square/connect"): ok(INTEGRATION),
            ("POST", "/developer/integrations/square/disconnect"): ok(
                {**INTEGRATION, "status": "disconnected", "credentials_masked": {}}
            ),
        }
    )
    client = make_client(recorder)
    [square] = await client.list_integrations()
    assert square.connected and square.fields[0].secret and square.credentials_masked == {"access_token": "EAAA…wxyz"}
    await client.connect_integration("square", {"access_token": "EAAAsecretsecretsecret"})
    assert recorder.last_json() == {"credentials": {"access_token": "EAAAsecretsecretsecret"}}
    assert not (await client.disconnect_integration("square")).connected


async def test_trigger_event_settings_and_entity_reads(make_client: Any) -> None:
    user = {"id": 155, "first_name": "Test"}
    recorder = Recorder(
        {
            ("POST", "/sandbox/events"): ok(
                {"event": "transaction_created", "entity_type": 3, "entity_id": 5924, "deliveries": [ATTEMPT]}
            ),
            ("GET", "/sandbox/settings"): ok({"ip_auto_review_seconds": None, "time_scale": 1.0}),
            ("PATCH", "/sandbox/settings"): ok({"ip_auto_review_seconds": 2, "time_scale": 60.0}),
            ("GET", "/users/155"): ok({"user": user}),
            ("GET", "/transactions/5924"): (200, {"reward_transaction": {"id": 5924}}),
            ("GET", "/partnerships/550e8400-e29b"): ok({"partnership": {"uuid_id": "550e8400-e29b"}}),
        }
    )
    client = make_client(recorder)
    result = await client.trigger_event("transaction_created", 3)
    assert recorder.last_json() == {"event": "transaction_created", "entity_type": 3}
    assert result.entity_id == 5924 and len(result.deliveries) == 1 and result.entity_label == "Transaction"
    assert (await client.get_sandbox_settings())["time_scale"] == 1.0
    await client.update_sandbox_settings(time_scale=60.0)
    assert recorder.last_json() == {"time_scale": 60.0}
    await client.update_sandbox_settings(ip_auto_review_seconds=None, traffic_events_per_minute=0)
    assert recorder.last_json() == {"ip_auto_review_seconds": None, "traffic_events_per_minute": 0}
    assert (await client.get_partnership("550e8400-e29b"))["uuid_id"] == "550e8400-e29b"
    assert await client.get_user(155) == user
    assert (await client.get_transaction(5924))["id"] == 5924


async def test_sandbox_only_calls_are_refused_on_a_real_environment_without_a_request(make_client: Any) -> None:
    recorder = Recorder({})
    with pytest.raises(NotAvailableError, match="only in the Sandbox"):
        await make_client(recorder, STAGING).trigger_event("transaction_created", 3)
    assert recorder.requests == []


# ----- errors -----------------------------------------------------------------------------------------


def failing(status: int, body: Any) -> Recorder:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status, text="<html>")

    return Recorder(
        {
            ("GET", "/developer/api-keys"): answer,
            ("GET", "/webhooks/subscriptions"): answer,
            ("PUT", "/webhooks/subscribe"): answer,
        }
    )


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (401, {"error": "unauthorized_partner", "message": "bad key"}, AuthError, "unauthorized_partner"),
        (403, {"code": "ip_not_whitelisted", "message": "ip 1.2.3.4"}, ForbiddenError, "ip_not_whitelisted"),
        (403, {"code": "forbidden", "message": "role"}, ForbiddenError, "forbidden"),
        (404, {"code": "not_found", "message": "no such key"}, NotFoundError, "not_found"),
        (400, {"code": "invalid_request", "message": "name is required"}, ValidationError, "invalid_request"),
        (422, {"code": "invalid_request", "message": "bad"}, ValidationError, "invalid_request"),
        (409, {"code": "conflict", "message": "already there"}, PlatformError, "conflict"),
        (500, None, ServerError, None),
        (503, {"code": "unavailable", "message": "down"}, ServerError, "unavailable"),
    ],
)
async def test_http_status_drives_the_error_kind(
    make_client: Any, status: int, body: Any, kind: type[PlatformError], code: str | None
) -> None:
    with pytest.raises(kind) as caught:
        await make_client(failing(status, body)).list_api_keys()
    assert type(caught.value) is kind
    assert caught.value.status == status and caught.value.code == code


async def test_ip_not_whitelisted_has_its_own_readable_message(make_client: Any) -> None:
    with pytest.raises(ForbiddenError) as caught:
        await make_client(failing(403, {"code": "ip_not_whitelisted", "message": "x"})).list_api_keys()
    assert "IP address is not on the IP whitelist" in str(caught.value)


async def test_a_missing_key_is_named_as_such(make_client: Any) -> None:
    recorder = failing(401, {"code": "unauthorized_partner"})
    with pytest.raises(AuthError, match="No API key is set for Sandbox"):
        await make_client(recorder, api_key=None).list_api_keys()
    assert "x-api-key" not in recorder.last.headers


async def test_an_extension_missing_on_a_real_environment_is_not_available(make_client: Any) -> None:
    with pytest.raises(NotAvailableError) as caught:
        await make_client(failing(404, {"message": "Not Found"}), STAGING).list_api_keys()
    assert str(caught.value) == "This environment does not expose API key management; manage it in Pilot."
    with pytest.raises(NotAvailableError, match="webhook listing"):
        await make_client(failing(405, None), STAGING).list_subscriptions()
    with pytest.raises(NotAvailableError):  # AWS API Gateway's way of saying "no such route"
        await make_client(failing(403, {"message": "Missing Authentication Token"}), STAGING).list_api_keys()


async def test_a_404_on_the_sandbox_is_a_real_not_found(make_client: Any) -> None:
    with pytest.raises(NotFoundError):
        await make_client(failing(404, {"message": "Not Found"}), SANDBOX).list_api_keys()


async def test_a_contract_not_found_from_a_custom_server_is_a_real_not_found(make_client: Any) -> None:
    custom = DEFAULT_ENVIRONMENTS["custom"].with_urls("http://127.0.0.1:9")
    with pytest.raises(NotFoundError):
        await make_client(failing(404, {"code": "not_found", "message": "no such key"}), custom).list_api_keys()


async def test_a_documented_path_never_becomes_not_available(make_client: Any) -> None:
    with pytest.raises(NotFoundError):
        await make_client(failing(404, {"error": "event_not_exists", "message": "x"}), STAGING).subscribe_documented(
            "", 1, "user_partner_connected"
        )


async def test_network_failures_name_the_host(make_client: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(NetworkError) as caught:
        await make_client(Recorder({("GET", "/developer/api-keys"): refuse}), STAGING).list_api_keys()
    assert str(caught.value) == "Could not reach api-staging.withbenji.com: [Errno 111] Connection refused."
    with pytest.raises(NetworkError, match="no answer within 10 s"):
        await make_client(Recorder({("GET", "/developer/api-keys"): stall}), STAGING).list_api_keys()


async def test_non_json_success_and_redirects_are_explained(make_client: Any) -> None:
    html = Recorder({("GET", "/developer/api-keys"): lambda r: httpx.Response(200, text="<html>login</html>")})
    with pytest.raises(PlatformError, match="not JSON"):
        await make_client(html).list_api_keys()
    moved = Recorder(
        {("GET", "/developer/api-keys"): lambda r: httpx.Response(301, headers={"location": "https://evil.example/x"})}
    )
    with pytest.raises(PlatformError, match=r"redirected .* to evil\.example"):
        await make_client(moved).list_api_keys()
    assert len(moved.requests) == 1  # the key was not carried to another host


async def test_an_unconfigured_environment_says_what_to_fill_in(make_client: Any) -> None:
    recorder = Recorder({})
    with pytest.raises(PlatformError, match="has no API URL yet"):
        await make_client(recorder, DEFAULT_ENVIRONMENTS["custom"]).list_api_keys()
    assert recorder.requests == []


def _raiser(exception: type[Exception], status: int | None, body: Any) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if status is None:
            raise exception(f"failed for {request.headers.get('x-api-key')}", request=request)  # type: ignore[call-arg]
        return httpx.Response(status, json=body)

    return answer


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (401, None),
        (403, None),
        (404, None),
        (400, None),
        (500, None),
        (None, httpx.ConnectError),
        (None, httpx.ReadTimeout),
    ],
)
@pytest.mark.parametrize("environment", [SANDBOX, STAGING], ids=["sandbox", "staging"])
async def test_no_error_ever_shows_the_key_or_a_salt(
    make_client: Any, status: int | None, exception: type[Exception] | None, environment: Environment
) -> None:
    # A hostile or careless server that echoes the key and a salt back in its error message.
    echo = {"code": "bad", "message": f"key {API_KEY} with salt {SALT} refused"}
    recorder = Recorder(
        {
            ("GET", "/webhooks/subscriptions"): ok({"subscriptions": [SUBSCRIPTION]}),
            ("GET", "/developer/api-keys"): _raiser(exception or Exception, status, echo),
        }
    )
    client = make_client(recorder, environment)
    await client.list_subscriptions()  # the client has now seen the salt
    with pytest.raises(PlatformError) as caught:
        await client.list_api_keys()
    for text in (str(caught.value), repr(caught.value), caught.value.message, repr(client)):
        assert API_KEY not in text and SALT not in text


# ----- local signing ----------------------------------------------------------------------------------


async def test_sign_and_send_locally_signs_the_exact_bytes_and_never_sends_the_key(make_client: Any) -> None:
    from benji_desktop.signature import KnownSalt, Verdict, verify

    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, text="x" * 5000)

    recorder = Recorder({("POST", "/hook"): receiver})
    client = make_client(recorder, STAGING)
    result = await client.sign_and_send_locally("http://127.0.0.1:9/hook", SALT, "transaction_created", 3, 5924)
    [request] = seen
    assert "x-api-key" not in request.headers
    assert request.content == b'{"event":"transaction_created","entity_type":3,"entity_id":5924}'
    report = verify(request.content, dict(request.headers), [KnownSalt(SALT, "test")], now=result.attempted_at)
    assert report.verdict is Verdict.VALID
    assert result.succeeded and result.response_status == 202 and result.body == request.content
    assert len(result.response_body) <= 2049 and result.subscription_id is None


async def test_sign_and_send_locally_reports_an_unreachable_endpoint_as_a_failed_delivery(make_client: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    client = make_client(Recorder({("POST", "/hook"): refuse}), STAGING)
    result = await client.sign_and_send_locally("http://127.0.0.1:9/hook", SALT, "user_partner_connected", 1, 1)
    assert result.status == "failed" and result.response_status is None
    assert result.error == "Could not reach 127.0.0.1:9: Connection refused."
    with pytest.raises(ValidationError):
        await client.sign_and_send_locally("not a url", SALT, "user_partner_connected", 1, 1)


# ----- test connection --------------------------------------------------------------------------------


async def test_connection_report_on_a_working_sandbox(make_client: Any) -> None:
    recorder = Recorder(
        {
            ("GET", "/webhooks/subscriptions"): ok({"subscriptions": []}),
            ("GET", "/developer/api-keys"): ok({"api_keys": []}),
        }
    )
    report = await make_client(recorder).test_connection()
    assert report.ok and "The API key was accepted." in report.summary
    assert "Reached the notification service at 127.0.0.1:5555." in report.summary


async def test_connection_report_on_a_real_environment_without_extensions(make_client: Any) -> None:
    recorder = Recorder({("GET", "/users/0"): (404, {"code": "not_found", "message": "no user"})})
    report = await make_client(recorder, STAGING).test_connection()
    assert report.ok, report.summary
    assert "does not expose API key management" in report.summary
    assert "got past authentication" in report.summary


async def test_connection_report_names_a_rejected_key_and_an_unreachable_host(make_client: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host.startswith("notification"):
            raise httpx.ConnectError("Name or service not known", request=request)
        return httpx.Response(401, json={"code": "unauthorized_partner", "message": "no"})

    routes = {("GET", "/developer/api-keys"): answer, ("GET", "/webhooks/subscriptions"): answer}
    report = await make_client(Recorder(routes), STAGING).test_connection()  # type: ignore[arg-type]
    assert not report.ok
    sentences = [c.sentence for c in report.checks]
    assert sentences[0].startswith("Could not reach the notification service at notificationservice-staging")
    assert sentences[1] == "Reached the API gateway at api-staging.withbenji.com."
    assert "rejected the API key" in sentences[2]
    assert API_KEY not in report.summary


async def test_connection_report_without_urls_or_key(make_client: Any) -> None:
    report = await make_client(Recorder({}), DEFAULT_ENVIRONMENTS["custom"]).test_connection()
    assert not report.ok and "no base URL" in report.summary
    no_key = await make_client(Recorder({}), SANDBOX, api_key=None).test_connection()
    assert "No API key is set" in no_key.summary


async def test_one_long_lived_client_and_clean_close() -> None:
    recorder = Recorder({("GET", "/developer/api-keys"): ok({"api_keys": []})})
    async with PlatformClient(SANDBOX, API_KEY, transport=httpx.MockTransport(recorder)) as client:
        http = client._http
        await client.list_api_keys()
        await client.list_api_keys()
        assert client._http is http
        client.set_api_key("bk_sandbox_11111111111111111111111111111111")
        await client.list_api_keys()
        assert recorder.last.headers["x-api-key"].endswith("1111")
    assert http.is_closed


async def test_a_rejected_key_reads_as_one_clean_sentence(make_client: Any) -> None:
    body = {"code": "unauthorized_partner", "message": "Missing or unknown API key."}
    with pytest.raises(AuthError) as caught:
        await make_client(failing(401, body)).list_api_keys()
    assert str(caught.value) == (
        "Sandbox did not accept the API key: Missing or unknown API key. "
        "It may have been deleted or rotated; paste a current key."
    )
