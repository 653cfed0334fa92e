"""The Sandbox's HTTP API: the platform contract of docs/architecture.md, served by aiohttp."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aiohttp import http_exceptions, web
from aiohttp.web_protocol import RequestPayloadError

from benji_desktop.domain.entities import entity_type_for_event, events_for
from benji_desktop.sandbox.delivery import DeliveryEngine, attempt_json
from benji_desktop.sandbox.entities import PARTNERSHIP, TRANSACTION, USER, EntityWorld
from benji_desktop.sandbox.integrations import CATALOGUE, CredentialError, integration_json, validate_credentials
from benji_desktop.sandbox.store import MAX_ID, Conflict, SandboxStore
from benji_desktop.sandbox.validation import (
    Field,
    RequestError,
    address_allowed,
    check_endpoint,
    check_entity_id,
    check_entity_type,
    check_event_name,
    check_name,
    check_note,
    invalid,
    normalise_ip,
    parse_json_object,
    positive_number,
    read_fields,
)
from benji_desktop.signature import canonical_body

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
DEFAULT_OVERLAP_SECONDS = 24 * 3600
MAX_OVERLAP_SECONDS = 30 * 24 * 3600
DOCUMENTED_ERROR_KEY_PATH = "/webhooks/subscribe"  # the only documented error body uses "error", not "code"
PUBLIC_PATHS = frozenset({"/openapi.json"})
DEFAULT_SETTINGS: dict[str, Any] = {
    "ip_auto_review_seconds": None,
    "time_scale": 1.0,
    "traffic_events_per_minute": 0.0,
}


@dataclass
class SandboxState:
    """Everything a handler needs; built by `SandboxServer.start` (or a test) and stored on the app."""

    store: SandboxStore
    engine: DeliveryEngine
    world: EntityWorld
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    unexpected_errors: int = 0
    on_key_rotated: Callable[[int, str], None] | None = None
    on_settings_changed: Callable[[dict[str, Any]], None] | None = None

    def apply_settings(self, changes: dict[str, Any]) -> None:
        self.settings.update(changes)
        self.engine.time_scale = float(self.settings["time_scale"])
        self.store.save_settings(self.settings)
        if self.on_settings_changed is not None:
            self.on_settings_changed(dict(self.settings))

    async def trigger_event(self, event: str, entity_type: int, entity_id: int | None) -> dict[str, Any]:
        """Fan an event out to every active matching subscription; returns each first attempt."""
        entity_id = self.world.entity_for_event(event, entity_type, entity_id)
        body = canonical_body(event, entity_type, entity_id)
        delivery_ids = [
            self.store.create_delivery(sub_id, event, entity_type, entity_id, body, is_test=False)
            for sub_id in self.store.matching_subscriptions(event, entity_type)
        ]
        attempts = await self.engine.deliver_first(delivery_ids, self.first_attempt_wait)
        return {"event": event, "entity_type": entity_type, "entity_id": entity_id, "deliveries": attempts}

    @property
    def first_attempt_wait(self) -> float:
        """How long a call waits for first attempts: one delivery timeout, plus a little for queueing."""
        return self.engine.timeout + 1.0


STATE_KEY = web.AppKey("sandbox_state", SandboxState)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ok(data: Any) -> web.Response:
    return web.json_response({"code": "ok", "data": data})


def error_response(path: str, status: int, code: str, message: str, headers: Any = None) -> web.Response:
    key = "error" if path == DOCUMENTED_ERROR_KEY_PATH else "code"
    return web.json_response({key: code, "message": message}, status=status, headers=headers)


def not_found(what: str) -> RequestError:
    return RequestError(404, "not_found", f"No {what} with that id.")


def path_id(request: web.Request, what: str) -> int:
    text = request.match_info["id"]
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise not_found(what)
    return int(text)


# What reading a body can raise when the client sends it badly (cut short, falsely gzip-encoded, gone):
# the client's fault, so a 400 (often to nobody), never an "unexpected error".
_UNREADABLE_BODY = (
    http_exceptions.HttpProcessingError,
    RequestPayloadError,
    ConnectionError,
    asyncio.IncompleteReadError,
)


async def json_body(request: web.Request, *, allow_empty: bool = False) -> dict[str, Any]:
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        # Refuse at once on what the client declared, instead of waiting for bytes we would not keep.
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=declared)
    try:
        raw = await request.read()
    except _UNREADABLE_BODY as error:
        raise invalid(f"The request body could not be read ({type(error).__name__}).") from None
    return parse_json_object(raw, allow_empty=allow_empty)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure leaves as a JSON envelope; an unexpected one is logged and counted (tests expect zero)."""
    try:
        return await handler(request)
    except RequestError as error:
        return error_response(request.path, error.status, error.code, error.message)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else None
        code = _HTTP_CODES.get(error.status, "invalid_request")
        message = {
            404: "There is no such path on this API.",
            405: f"{request.method} is not allowed here.",
            413: f"The body is larger than {MAX_BODY_BYTES} bytes.",
        }.get(error.status, error.reason)
        return error_response(request.path, error.status, code, message, headers)
    except asyncio.CancelledError:
        raise
    except Exception:
        request.app[STATE_KEY].unexpected_errors += 1
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(request.path, 500, "internal_error", "The Sandbox failed unexpectedly; see its log.")


def presented_key(request: web.Request) -> str | None:
    key = request.headers.get("x-api-key", "").strip()
    if key:
        return key
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API key first, then the IP whitelist (the Sandbox's own review controls stay reachable)."""
    if request.match_info.http_exception is not None or request.path in PUBLIC_PATHS:
        return await handler(request)
    state = request.app[STATE_KEY]
    key = presented_key(request)
    if key is None or state.store.authenticate(key) is None:
        raise RequestError(401, "unauthorized_partner", "Missing or unknown API key: send it in the x-api-key header.")
    delay = state.settings.get("ip_auto_review_seconds")
    if delay is not None:
        state.store.auto_review(float(delay))
    if not request.path.startswith("/sandbox/"):
        approved = state.store.approved_ips()
        if approved and not address_allowed(request.remote, approved):
            raise RequestError(
                403, "ip_not_whitelisted", f"Calls from {request.remote} are not on the approved IP whitelist."
            )
    return await handler(request)


def state_of(request: web.Request) -> SandboxState:
    return request.app[STATE_KEY]


# --- webhooks ---------------------------------------------------------------------------------------------
SUBSCRIBE_FIELDS = {
    "endpoint": Field(str, required=True),
    "event_name": Field(str, nullable=True, check=check_event_name),
    "entity_type": Field(int, nullable=True, check=check_entity_type),
}


async def put_subscribe(request: web.Request) -> web.Response:
    """The documented call: create or update by (entity_type, event_name); an empty endpoint deletes."""
    state = state_of(request)
    data = read_fields(await json_body(request), SUBSCRIBE_FIELDS)
    event_name = data.get("event_name")
    entity_type = data.get("entity_type")
    if entity_type is None:
        inferred = entity_type_for_event(event_name) if event_name else None
        if inferred is None:
            raise invalid("entity_type is required unless event_name is a known event.", "invalid_subscription")
        entity_type = int(inferred)
    endpoint = data["endpoint"].strip()
    existing = state.store.find_subscriptions(entity_type, event_name)
    if not endpoint:
        if not existing:
            raise RequestError(404, "event_not_exists", "There is no subscription for that entity type and event.")
        for sub_id in existing:
            state.store.delete_subscription(sub_id)
        return ok({"subscribed": False})
    endpoint = check_endpoint(endpoint)
    if existing:
        state.store.update_subscription(existing[0], {"endpoint": endpoint, "active": True})
    else:
        state.store.create_subscription(endpoint, entity_type, event_name, True)
    return ok({"subscribed": True})


async def post_subscribe(request: web.Request) -> web.Response:
    state = state_of(request)
    fields = {
        "endpoint": Field(str, required=True, check=check_endpoint),
        "entity_type": Field(int, required=True, check=check_entity_type),
        "event_name": Field(str, nullable=True, check=check_event_name),
        "active": Field(bool),
    }
    data = read_fields(await json_body(request), fields)
    event_name = data.get("event_name")
    if state.store.find_duplicate(data["endpoint"], data["entity_type"], event_name) is not None:
        raise RequestError(409, "conflict", "That endpoint is already subscribed to that entity type and event.")
    created = state.store.create_subscription(
        data["endpoint"], data["entity_type"], event_name, data.get("active", True)
    )
    return ok({**created, "subscribed": True})


async def list_subscriptions(request: web.Request) -> web.Response:
    return ok({"subscriptions": state_of(request).store.list_subscriptions()})


def existing_subscription(request: web.Request) -> int:
    sub_id = path_id(request, "subscription")
    if state_of(request).store.get_subscription(sub_id) is None:
        raise not_found("subscription")
    return sub_id


async def patch_subscription(request: web.Request) -> web.Response:
    state = state_of(request)
    sub_id = existing_subscription(request)
    fields = {
        "endpoint": Field(str, check=check_endpoint),
        "entity_type": Field(int, check=check_entity_type),
        "event_name": Field(str, nullable=True, check=check_event_name),
        "active": Field(bool),
    }
    changes = read_fields(await json_body(request), fields, at_least_one=True)
    return ok(state.store.update_subscription(sub_id, changes))


async def delete_subscription(request: web.Request) -> web.Response:
    sub_id = existing_subscription(request)
    state_of(request).store.delete_subscription(sub_id)
    return ok({"deleted": True})


async def test_subscription(request: web.Request) -> web.Response:
    state = state_of(request)
    sub_id = existing_subscription(request)
    data = read_fields(await json_body(request, allow_empty=True), {"entity_id": Field(int, check=check_entity_id)})
    subscription = state.store.get_subscription(sub_id)
    assert subscription is not None
    entity_type = int(subscription["entity_type"])
    event = subscription["event_name"] or next(iter(events_for(entity_type)), "campaign_updated")
    entity_id = state.world.entity_for_event(event, entity_type, data.get("entity_id"))
    body = canonical_body(event, entity_type, entity_id)
    delivery_id = state.store.create_delivery(sub_id, event, entity_type, entity_id, body, is_test=True)
    attempts = await state.engine.deliver_first([delivery_id], state.first_attempt_wait)
    if not attempts:  # deleted while we were sending
        raise not_found("subscription")
    return ok(attempts[0])


async def list_deliveries(request: web.Request) -> web.Response:
    sub_id = existing_subscription(request)
    rows = state_of(request).store.list_attempts(sub_id)
    return ok({"deliveries": [attempt_json(r) for r in rows]})


async def rotate_salt(request: web.Request) -> web.Response:
    state = state_of(request)
    sub_id = existing_subscription(request)
    overlap = Field((int, float), check=positive_number(0, MAX_OVERLAP_SECONDS, "overlap_seconds"))
    data = read_fields(await json_body(request, allow_empty=True), {"overlap_seconds": overlap})
    return ok(state.store.rotate_salt(sub_id, float(data.get("overlap_seconds", DEFAULT_OVERLAP_SECONDS))))


# --- API keys ---------------------------------------------------------------------------------------------
NAME_FIELDS = {"name": Field(str, required=True, check=check_name)}


async def list_api_keys(request: web.Request) -> web.Response:
    return ok({"api_keys": state_of(request).store.list_api_keys()})


async def create_api_key(request: web.Request) -> web.Response:
    data = read_fields(await json_body(request), NAME_FIELDS)
    key, value = state_of(request).store.create_api_key(data["name"])
    return ok({**key, "key": value})


async def rename_api_key(request: web.Request) -> web.Response:
    state = state_of(request)
    key_id = path_id(request, "API key")
    if state.store.get_api_key(key_id) is None:
        raise not_found("API key")
    data = read_fields(await json_body(request), NAME_FIELDS)
    return ok(state.store.rename_api_key(key_id, data["name"]))


async def delete_api_key(request: web.Request) -> web.Response:
    if not state_of(request).store.delete_api_key(path_id(request, "API key")):
        raise not_found("API key")
    return ok({"deleted": True})


async def rotate_api_key(request: web.Request) -> web.Response:
    state = state_of(request)
    key_id = path_id(request, "API key")
    read_fields(await json_body(request, allow_empty=True), {})
    rotated = state.store.rotate_api_key(key_id)
    if rotated is None:
        raise not_found("API key")
    key, value = rotated
    if state.on_key_rotated is not None:
        state.on_key_rotated(key_id, value)
    return ok({**key, "key": value})


# --- IP whitelist -----------------------------------------------------------------------------------------
async def list_ip_entries(request: web.Request) -> web.Response:
    return ok({"entries": state_of(request).store.list_ip_entries()})


async def create_ip_entry(request: web.Request) -> web.Response:
    fields = {"ip": Field(str, required=True, check=normalise_ip), "note": Field(str, check=check_note)}
    data = read_fields(await json_body(request), fields)
    try:
        return ok(state_of(request).store.create_ip_entry(data["ip"], data.get("note", "")))
    except Conflict as error:
        raise RequestError(409, "conflict", str(error)) from None


async def delete_ip_entry(request: web.Request) -> web.Response:
    if not state_of(request).store.delete_ip_entry(path_id(request, "whitelist entry")):
        raise not_found("whitelist entry")
    return ok({"deleted": True})


def review(status: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        state = state_of(request)
        entry_id = path_id(request, "whitelist entry")
        read_fields(await json_body(request, allow_empty=True), {})
        if state.store.get_ip_entry(entry_id) is None:
            raise not_found("whitelist entry")
        return ok(state.store.review_ip_entry(entry_id, status))

    return handler


# --- integrations -----------------------------------------------------------------------------------------
def integration_slug(request: web.Request) -> str:
    slug = request.match_info["slug"]
    if slug not in CATALOGUE:
        raise RequestError(404, "not_found", "No integration with that name; the catalogue has square and stripe.")
    return slug


async def list_integrations(request: web.Request) -> web.Response:
    store = state_of(request).store
    integrations = [integration_json(s, store.get_integration_credentials(s.slug)) for s in CATALOGUE.values()]
    return ok({"integrations": integrations})


async def connect_integration(request: web.Request) -> web.Response:
    store = state_of(request).store
    spec = CATALOGUE[integration_slug(request)]
    data = read_fields(await json_body(request), {"credentials": Field(dict, required=True)})
    try:
        credentials = validate_credentials(spec, data["credentials"])
    except CredentialError as error:
        raise invalid(str(error)) from None
    store.set_integration_credentials(spec.slug, credentials)
    return ok(integration_json(spec, store.get_integration_credentials(spec.slug)))


async def disconnect_integration(request: web.Request) -> web.Response:
    store = state_of(request).store
    spec = CATALOGUE[integration_slug(request)]
    read_fields(await json_body(request, allow_empty=True), {})
    store.delete_integration(spec.slug)
    return ok(integration_json(spec, None))


# --- sandbox controls and entities ------------------------------------------------------------------------
async def trigger_event(request: web.Request) -> web.Response:
    fields = {
        "event": Field(str, required=True, check=lambda v: check_event_name(v, "invalid_request")),
        "entity_type": Field(int, check=lambda v: check_entity_type(v, "invalid_request")),
        "entity": Field(int, check=lambda v: check_entity_type(v, "invalid_request")),  # the documented alias
        "entity_id": Field(int, check=check_entity_id),
    }
    data = read_fields(await json_body(request), fields)
    entity_type = data.get("entity_type", data.get("entity"))
    if entity_type is None:
        raise invalid("entity_type (or its alias entity) is required.")
    if "entity" in data and data["entity"] != entity_type:
        raise invalid("entity and entity_type disagree.")
    return ok(await state_of(request).trigger_event(data["event"], entity_type, data.get("entity_id")))


async def get_settings(request: web.Request) -> web.Response:
    return ok(dict(state_of(request).settings))


async def patch_settings(request: web.Request) -> web.Response:
    state = state_of(request)
    fields = {
        "ip_auto_review_seconds": Field(
            (int, float), nullable=True, check=positive_number(0, 7 * 24 * 3600, "ip_auto_review_seconds")
        ),
        "time_scale": Field((int, float), check=positive_number(0.001, 100000, "time_scale")),
        "traffic_events_per_minute": Field((int, float), check=positive_number(0, 600, "traffic_events_per_minute")),
    }
    changes = read_fields(await json_body(request), fields, at_least_one=True)
    for name in ("time_scale", "traffic_events_per_minute"):
        if name in changes:
            changes[name] = float(changes[name])
    state.apply_settings(changes)
    return ok(dict(state.settings))


def entity_getter(kind: str, what: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        entity = state_of(request).store.get_entity(kind, path_id(request, what))
        if entity is None:
            raise not_found(what)
        return ok({kind: entity})

    return handler


def openapi_handler() -> Handler:
    document = resources.files("benji_desktop.sandbox").joinpath("openapi.json").read_bytes()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json")

    return handler


def create_app(state: SandboxState) -> web.Application:
    app = web.Application(middlewares=[errors_middleware, access_middleware], client_max_size=MAX_BODY_BYTES)
    app[STATE_KEY] = state
    app.add_routes(
        [
            web.get("/openapi.json", openapi_handler()),
            web.put("/webhooks/subscribe", put_subscribe),
            web.post("/webhooks/subscribe", post_subscribe),
            web.get("/webhooks/subscriptions", list_subscriptions),
            web.patch("/webhooks/subscriptions/{id}", patch_subscription),
            web.delete("/webhooks/subscriptions/{id}", delete_subscription),
            web.post("/webhooks/subscriptions/{id}/test", test_subscription),
            web.get("/webhooks/subscriptions/{id}/deliveries", list_deliveries),
            web.post("/webhooks/subscriptions/{id}/rotate-salt", rotate_salt),
            web.get("/developer/api-keys", list_api_keys),
            web.post("/developer/api-keys", create_api_key),
            web.patch("/developer/api-keys/{id}", rename_api_key),
            web.delete("/developer/api-keys/{id}", delete_api_key),
            web.post("/developer/api-keys/{id}/rotate", rotate_api_key),
            web.get("/developer/ip-whitelist", list_ip_entries),
            web.post("/developer/ip-whitelist", create_ip_entry),
            web.delete("/developer/ip-whitelist/{id}", delete_ip_entry),
            web.post("/sandbox/ip-whitelist/{id}/approve", review("approved")),
            web.post("/sandbox/ip-whitelist/{id}/reject", review("rejected")),
            web.get("/developer/integrations", list_integrations),
            web.post("/developer/integrations/{slug}/connect", connect_integration),
            web.post("/developer/integrations/{slug}/disconnect", disconnect_integration),
            web.post("/sandbox/events", trigger_event),
            web.get("/sandbox/settings", get_settings),
            web.patch("/sandbox/settings", patch_settings),
            web.get("/users/{id}", entity_getter(USER, "user")),
            web.get("/transactions/{id}", entity_getter(TRANSACTION, "transaction")),
            web.get("/partnerships/{id}", entity_getter(PARTNERSHIP, "partnership")),
        ]
    )
    return app
