"""The platform contract spoken over one long-lived httpx client, with typed answers and typed errors."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, Literal
from urllib.parse import quote, urlsplit

import httpx

from benji_desktop import __version__
from benji_desktop.client.errors import (
    AuthError,
    ForbiddenError,
    NetworkError,
    NotAvailableError,
    NotFoundError,
    PlatformError,
    ServerError,
    ValidationError,
)
from benji_desktop.client.models import (
    ApiKey,
    ConnectionCheck,
    ConnectionReport,
    CreatedApiKey,
    CreatedSubscription,
    DeliveryAttempt,
    Integration,
    IpEntry,
    LocalDelivery,
    SubscribeResult,
    Subscription,
    TriggerResult,
)
from benji_desktop.domain.environments import Environment
from benji_desktop.domain.masking import redact
from benji_desktop.signature import canonical_body, signed_headers

Service = Literal["api", "notifications"]

DELIVERY_TIMEOUT_SECONDS: Final = 10.0
RESPONSE_BODY_LIMIT: Final = 2048
MESSAGE_LIMIT: Final = 300
# Error codes of our own contract: an environment that answers with them implements the path.
CONTRACT_NOT_FOUND_CODES: Final = frozenset({"not_found", "event_not_exists"})
# AWS API Gateway's answer for a route it does not have (it says 403, not 404).
GATEWAY_MISSING_ROUTE: Final = "missing authentication token"


class _Unset:
    """Marks an argument that was not given (None is a real value: "every event of the type")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True)
class _Answer:
    """A raw HTTP outcome for test_connection, which grades answers instead of raising on them."""

    status: int | None
    code: str | None = None
    message: str = ""
    problem: str = ""


class PlatformClient:
    """One environment, one API key, one connection pool; close it with `aclose()` or `async with`."""

    def __init__(
        self,
        environment: Environment,
        api_key: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.environment = environment
        self._api_key = api_key or None
        self._timeout = timeout
        # Everything secret this client has handled, so no error message can echo it back.
        self._secrets: set[str] = set()
        self._remember(api_key)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"accept": "application/json", "user-agent": f"benji-desktop/{__version__}"},
            # A redirect could carry x-api-key to another host: report it instead of following it.
            follow_redirects=False,
        )

    # ----- life cycle ---------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    def set_api_key(self, api_key: str | None) -> None:
        """Use another key from now on (after a rotation, or when the user pastes one)."""
        self._api_key = api_key or None
        self._remember(api_key)

    def __repr__(self) -> str:
        return f"PlatformClient(environment={self.environment.id!r}, has_api_key={self.has_api_key})"

    # ----- webhooks (notification service) ------------------------------------------------------------

    async def list_subscriptions(self) -> list[Subscription]:
        data = await self._call("GET", "notifications", "/webhooks/subscriptions", feature="webhook listing")
        subscriptions = [Subscription.from_json(item) for item in _items(data, "subscriptions")]
        for subscription in subscriptions:
            self._remember(subscription.salt, subscription.previous_salt)
        return subscriptions

    async def create_subscription(
        self, endpoint: str, entity_type: int, event_name: str | None = None, active: bool = True
    ) -> CreatedSubscription:
        body: dict[str, Any] = {"endpoint": endpoint, "entity_type": entity_type, "active": active}
        if event_name:
            body["event_name"] = event_name
        data = await self._call(
            "POST", "notifications", "/webhooks/subscribe", json=body, feature="webhook creation with a salt"
        )
        created = CreatedSubscription.from_json(_object(data))
        self._remember(created.salt)
        return created

    async def update_subscription(
        self,
        subscription_id: int,
        *,
        endpoint: str | _Unset = UNSET,
        entity_type: int | _Unset = UNSET,
        event_name: str | _Unset | None = UNSET,
        active: bool | _Unset = UNSET,
    ) -> Subscription:
        changes = {
            name: value
            for name, value in (
                ("endpoint", endpoint),
                ("entity_type", entity_type),
                ("event_name", event_name),
                ("active", active),
            )
            if not isinstance(value, _Unset)
        }
        data = await self._call(
            "PATCH",
            "notifications",
            f"/webhooks/subscriptions/{int(subscription_id)}",
            json=changes,
            feature="webhook editing",
        )
        return self._subscription(data)

    async def delete_subscription(
        self, subscription_id: int, *, entity_type: int | None = None, event_name: str | None = None
    ) -> None:
        """DELETE by id; where that is missing, the documented PUT with an empty endpoint (needs the type)."""
        try:
            await self._call(
                "DELETE",
                "notifications",
                f"/webhooks/subscriptions/{int(subscription_id)}",
                feature="webhook deletion by id",
            )
        except NotAvailableError:
            if entity_type is None:
                raise
            await self.subscribe_documented("", entity_type, event_name)

    async def subscribe_documented(
        self, endpoint: str, entity_type: int | None, event_name: str | None
    ) -> SubscribeResult:
        """The documented `PUT /webhooks/subscribe`; an empty endpoint deletes the subscription."""
        body: dict[str, Any] = {"endpoint": endpoint}
        if event_name:
            body["event_name"] = event_name
        if entity_type is not None:
            body["entity_type"] = entity_type
        data = await self._call("PUT", "notifications", "/webhooks/subscribe", json=body, documented=True)
        result = SubscribeResult.from_json(_object(data))
        self._remember(result.salt)
        return result

    async def send_test(self, subscription_id: int, entity_id: int | str | None = None) -> DeliveryAttempt:
        body = {} if entity_id is None else {"entity_id": entity_id}
        data = await self._call(
            "POST",
            "notifications",
            f"/webhooks/subscriptions/{int(subscription_id)}/test",
            json=body,
            feature="sending a test webhook",
        )
        return DeliveryAttempt.from_json(_object(data))

    async def list_deliveries(self, subscription_id: int) -> list[DeliveryAttempt]:
        data = await self._call(
            "GET",
            "notifications",
            f"/webhooks/subscriptions/{int(subscription_id)}/deliveries",
            feature="a webhook delivery log",
        )
        return [DeliveryAttempt.from_json(item) for item in _items(data, "deliveries")]

    async def rotate_salt(self, subscription_id: int, overlap_seconds: int | None = None) -> Subscription:
        body = {} if overlap_seconds is None else {"overlap_seconds": overlap_seconds}
        data = await self._call(
            "POST",
            "notifications",
            f"/webhooks/subscriptions/{int(subscription_id)}/rotate-salt",
            json=body,
            feature="salt rotation",
        )
        return self._subscription(data)

    # ----- API keys -----------------------------------------------------------------------------------

    async def list_api_keys(self) -> list[ApiKey]:
        data = await self._call("GET", "api", "/developer/api-keys", feature="API key management")
        return [ApiKey.from_json(item) for item in _items(data, "api_keys")]

    async def create_api_key(self, name: str) -> CreatedApiKey:
        data = await self._call("POST", "api", "/developer/api-keys", json={"name": name}, feature="API key management")
        return self._created_key(data)

    async def rename_api_key(self, key_id: int, name: str) -> ApiKey:
        data = await self._call(
            "PATCH", "api", f"/developer/api-keys/{int(key_id)}", json={"name": name}, feature="API key management"
        )
        return ApiKey.from_json(_object(data))

    async def delete_api_key(self, key_id: int) -> None:
        await self._call("DELETE", "api", f"/developer/api-keys/{int(key_id)}", feature="API key management")

    async def rotate_api_key(self, key_id: int) -> CreatedApiKey:
        data = await self._call(
            "POST", "api", f"/developer/api-keys/{int(key_id)}/rotate", json={}, feature="API key management"
        )
        return self._created_key(data)

    # ----- IP whitelist -------------------------------------------------------------------------------

    async def list_ip_entries(self) -> list[IpEntry]:
        data = await self._call("GET", "api", "/developer/ip-whitelist", feature="IP whitelist management")
        return [IpEntry.from_json(item) for item in _items(data, "entries")]

    async def request_ip(self, ip: str, note: str = "") -> IpEntry:
        data = await self._call(
            "POST",
            "api",
            "/developer/ip-whitelist",
            json={"ip": ip, "note": note},
            feature="IP whitelist management",
        )
        return IpEntry.from_json(_object(data))

    async def delete_ip_entry(self, entry_id: int) -> None:
        await self._call("DELETE", "api", f"/developer/ip-whitelist/{int(entry_id)}", feature="IP whitelist management")

    async def review_ip(self, entry_id: int, approve: bool) -> IpEntry:
        """Sandbox only: play the reviewer who approves or rejects a request."""
        verdict = "approve" if approve else "reject"
        data = await self._call(
            "POST", "api", f"/sandbox/ip-whitelist/{int(entry_id)}/{verdict}", json={}, feature="IP review"
        )
        return IpEntry.from_json(_object(data))

    # ----- integrations -------------------------------------------------------------------------------

    async def list_integrations(self) -> list[Integration]:
        data = await self._call("GET", "api", "/developer/integrations", feature="integration management")
        return [Integration.from_json(item) for item in _items(data, "integrations")]

    async def connect_integration(self, slug: str, credentials: Mapping[str, str]) -> Integration:
        self._remember(*credentials.values())
        data = await self._call(
            "POST",
            "api",
            f"/developer/integrations/{_segment(slug)}/connect",
            json={"credentials": dict(credentials)},
            feature="integration management",
        )
        return Integration.from_json(_object(data))

    async def disconnect_integration(self, slug: str) -> Integration:
        data = await self._call(
            "POST",
            "api",
            f"/developer/integrations/{_segment(slug)}/disconnect",
            json={},
            feature="integration management",
        )
        return Integration.from_json(_object(data))

    # ----- Sandbox-only and documented reads ------------------------------------------------------------

    async def trigger_event(self, event: str, entity_type: int, entity_id: int | str | None = None) -> TriggerResult:
        body: dict[str, Any] = {"event": event, "entity_type": entity_type}
        if entity_id is not None:
            body["entity_id"] = entity_id
        data = await self._call("POST", "api", "/sandbox/events", json=body, feature="triggering platform events")
        return TriggerResult.from_json(_object(data))

    async def get_sandbox_settings(self) -> dict[str, Any]:
        return dict(_object(await self._call("GET", "api", "/sandbox/settings", feature="Sandbox settings")))

    async def update_sandbox_settings(
        self,
        *,
        ip_auto_review_seconds: float | _Unset | None = UNSET,
        time_scale: float | _Unset = UNSET,
        traffic_events_per_minute: float | _Unset = UNSET,
    ) -> dict[str, Any]:
        given = {
            "ip_auto_review_seconds": ip_auto_review_seconds,
            "time_scale": time_scale,
            "traffic_events_per_minute": traffic_events_per_minute,
        }
        changes = {name: value for name, value in given.items() if not isinstance(value, _Unset)}
        data = await self._call("PATCH", "api", "/sandbox/settings", json=changes, feature="Sandbox settings")
        return dict(_object(data))

    async def get_user(self, user_id: int | str) -> dict[str, Any]:
        data = _object(await self._call("GET", "api", f"/users/{_segment(user_id)}", documented=True))
        return dict(_object(data.get("user", data)))

    async def get_transaction(self, transaction_id: int | str) -> dict[str, Any]:
        data = _object(await self._call("GET", "api", f"/transactions/{_segment(transaction_id)}", documented=True))
        inner = data.get("reward_transaction", data.get("transaction", data))
        return dict(_object(inner))

    async def get_partnership(self, partnership_id: int | str) -> dict[str, Any]:
        data = _object(await self._call("GET", "api", f"/partnerships/{_segment(partnership_id)}", documented=True))
        return dict(_object(data.get("partnership", data)))

    # ----- connection test ------------------------------------------------------------------------------

    async def test_connection(self) -> ConnectionReport:
        """Try each base URL and the key; every check is one plain sentence saying what worked."""
        env = self.environment
        checks: list[ConnectionCheck] = []
        if not env.api_base_url or not env.notification_base_url:
            checks.append(
                ConnectionCheck(
                    "configuration", False, f"{env.name} has no base URL yet: enter the API and notification URLs."
                )
            )
            return ConnectionReport(env.id, tuple(checks))
        probes: tuple[tuple[Service, str, str, str], ...] = (
            ("notifications", "/webhooks/subscriptions", "notification service", "webhook listing"),
            ("api", "/developer/api-keys", "API gateway", "API key management"),
        )
        answers: list[_Answer] = []
        for service, path, label, feature in probes:
            answer = await self._probe("GET", service, path)
            answers.append(answer)
            checks.append(self._grade_reach(answer, label, self._base_url(service), feature))
        if not self.has_api_key:
            checks.append(ConnectionCheck("api key", False, f"No API key is set for {env.name}; add one."))
            return ConnectionReport(env.id, tuple(checks))
        documented_read: _Answer | None = None
        reached = [a for a in answers if a.status is not None]
        if reached and not env.is_embedded and not any(_passed_auth(a) or a.status == 401 for a in reached):
            # Neither extension got as far as the key: a documented read of an id that does not exist does.
            documented_read = await self._probe("GET", "api", "/users/0")
        checks.append(self._grade_key(reached, documented_read))
        return ConnectionReport(env.id, tuple(checks))

    def _grade_reach(self, answer: _Answer, label: str, base_url: str, feature: str) -> ConnectionCheck:
        host = _host(base_url)
        name = f"{label} reachable"
        if answer.status is None:
            return ConnectionCheck(name, False, f"Could not reach the {label} at {host}: {answer.problem}.")
        if _passed_auth(answer) or answer.status == 401:
            return ConnectionCheck(name, True, f"Reached the {label} at {host}.")
        if answer.status == 403 and answer.code == "ip_not_whitelisted":
            return ConnectionCheck(
                name,
                False,
                f"Reached the {label} at {host}, but it refused this computer's IP address (not on the whitelist).",
            )
        if answer.status in (403, 404, 405) and self._lacks_extension(answer.status, answer.code, answer.message):
            return ConnectionCheck(
                name, True, f"Reached the {label} at {host}; it does not expose {feature} (manage that in Pilot)."
            )
        if answer.status >= 500:
            return ConnectionCheck(
                name,
                False,
                f"Reached the {label} at {host}, but it answered with a server error (HTTP {answer.status}).",
            )
        return ConnectionCheck(name, True, f"Reached the {label} at {host} (HTTP {answer.status}).")

    def _grade_key(self, answers: Sequence[_Answer], documented_read: _Answer | None) -> ConnectionCheck:
        env_name = self.environment.name
        every = [*answers, *([documented_read] if documented_read and documented_read.status else [])]
        if any(a.status == 401 for a in every):
            return ConnectionCheck(
                "api key", False, f"{env_name} rejected the API key (HTTP 401); paste a current one."
            )
        if any(_passed_auth(a) for a in answers):
            return ConnectionCheck("api key", True, "The API key was accepted.")
        if documented_read is not None and documented_read.status in (400, 404):
            return ConnectionCheck(
                "api key", True, "The API key was accepted (a documented read got past authentication)."
            )
        if not answers:
            return ConnectionCheck("api key", False, "The API key could not be checked: nothing was reachable.")
        return ConnectionCheck(
            "api key", False, f"The API key could not be confirmed: {env_name} never got as far as checking it."
        )

    # ----- sending a webhook from this computer ---------------------------------------------------------

    async def sign_and_send_locally(
        self,
        endpoint: str,
        salt: str,
        event: str,
        entity_type: int,
        entity_id: int | str,
        *,
        moment: datetime | None = None,
    ) -> LocalDelivery:
        """For real environments with no send-test: sign the canonical body and POST it from here.

        The API key is never sent to the endpoint; a failure to connect is a failed delivery, not an error.
        """
        self._remember(salt)
        target = urlsplit(endpoint.strip())
        if target.scheme not in ("http", "https") or not target.netloc:
            raise ValidationError("The endpoint is not a valid http:// or https:// URL.", code="invalid_request")
        body = canonical_body(event, entity_type, entity_id)
        headers = signed_headers(body, [salt], moment)
        attempted_at = datetime.now(UTC)
        started = time.perf_counter()
        status, response_status, response_body, problem = "failed", None, "", None
        try:
            async with self._http.stream(
                "POST", endpoint, content=body, headers=headers, timeout=DELIVERY_TIMEOUT_SECONDS
            ) as response:
                response_status = response.status_code
                captured = bytearray()
                async for chunk in response.aiter_bytes():
                    captured.extend(chunk)
                    if len(captured) > RESPONSE_BODY_LIMIT:
                        break
                response_body = _truncate_body(bytes(captured))
                status = "succeeded" if 200 <= response_status < 300 else "failed"
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise ValidationError(
                "The endpoint is not a valid http:// or https:// URL.", code="invalid_request"
            ) from None
        except httpx.TimeoutException:
            problem = f"Could not reach {_host(endpoint)}: no answer within {DELIVERY_TIMEOUT_SECONDS:g} s."
        except httpx.TransportError as error:
            problem = f"Could not reach {_host(endpoint)}: {self._clean(_reason(error))}"
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return LocalDelivery(
            id=0,
            delivery_id=0,
            subscription_id=None,
            event=event,
            entity_type=entity_type,
            entity_id=entity_id,
            attempt=1,
            status=status,
            response_status=response_status,
            latency_ms=latency_ms,
            response_body=self._clean(response_body, limit=RESPONSE_BODY_LIMIT + 20),
            error=problem,
            attempted_at=attempted_at,
            endpoint=endpoint,
            body=body,
            headers=headers,
        )

    # ----- plumbing -------------------------------------------------------------------------------------

    def _remember(self, *secrets: str | None) -> None:
        self._secrets.update(s for s in secrets if s)

    def _clean(self, text: str, limit: int = MESSAGE_LIMIT) -> str:
        cleaned = redact(text, tuple(self._secrets))
        return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"

    def _subscription(self, data: Any) -> Subscription:
        subscription = Subscription.from_json(_object(data))
        self._remember(subscription.salt, subscription.previous_salt)
        return subscription

    def _created_key(self, data: Any) -> CreatedApiKey:
        created = CreatedApiKey.from_json(_object(data))
        self._remember(created.key)
        return created

    def _base_url(self, service: Service) -> str:
        env = self.environment
        return env.api_base_url if service == "api" else env.notification_base_url

    def _headers(self) -> dict[str, str]:
        return {"x-api-key": self._api_key} if self._api_key else {}

    def _lacks_extension(self, status: int, code: str | None, message: str) -> bool:
        """Whether an error means "this environment has no such path" rather than "no such thing"."""
        if self.environment.is_embedded:
            return False
        if status in (404, 405):
            return code not in CONTRACT_NOT_FOUND_CODES
        return status == 403 and message.strip().lower() == GATEWAY_MISSING_ROUTE

    async def _send(self, method: str, service: Service, path: str, json: Any) -> httpx.Response:
        base_url = self._base_url(service)
        label = "API" if service == "api" else "notification service"
        if not base_url:
            raise PlatformError(
                f"{self.environment.name} has no {label} URL yet; enter it in the environment settings.",
                code="not_configured",
            )
        try:
            return await self._http.request(method, base_url + path, json=json, headers=self._headers())
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise PlatformError(
                f"The {label} URL of {self.environment.name} is not a valid http:// or https:// URL.",
                code="not_configured",
            ) from None
        except httpx.TimeoutException:
            raise NetworkError(
                f"Could not reach {_host(base_url)}: no answer within {self._timeout:g} s.", code="timeout"
            ) from None
        except httpx.TransportError as error:
            raise NetworkError(
                f"Could not reach {_host(base_url)}: {self._clean(_reason(error))}", code="network"
            ) from None

    async def _probe(self, method: str, service: Service, path: str) -> _Answer:
        try:
            response = await self._send(method, service, path, None)
        except PlatformError as error:
            return _Answer(status=None, problem=error.message.partition(": ")[2].rstrip(".") or error.message)
        code, message = _error_fields(response)
        return _Answer(status=response.status_code, code=code, message=message)

    async def _call(
        self,
        method: str,
        service: Service,
        path: str,
        *,
        json: Any = None,
        feature: str = "this feature",
        documented: bool = False,
    ) -> Any:
        """One request; the unwrapped `data` on success, a PlatformError subclass on anything else."""
        env = self.environment
        if path.startswith("/sandbox/") and env.kind in ("staging", "production"):
            raise NotAvailableError(
                f"This environment does not expose {feature}; it exists only in the Sandbox.", code="not_available"
            )
        response = await self._send(method, service, path, json)
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return {}
            try:
                body = response.json()
            except ValueError:
                raise PlatformError(
                    f"{env.name} answered with something that is not JSON (HTTP {status}); check the base URL.",
                    status=status,
                    code="invalid_response",
                ) from None
            if isinstance(body, dict) and body.get("code") == "ok" and "data" in body:
                return body["data"]
            return body
        raise self._error(status, response, feature, documented)

    def _error(self, status: int, response: httpx.Response, feature: str, documented: bool) -> PlatformError:
        env_name = self.environment.name
        code, raw_message = _error_fields(response)
        message = self._clean(raw_message)
        detail = f": {message.rstrip('. ')}" if message else ""
        if not documented and status in (403, 404, 405) and self._lacks_extension(status, code, raw_message):
            return NotAvailableError(
                f"This environment does not expose {feature}; manage it in Pilot.", status, code or "not_available"
            )
        if 300 <= status < 400:
            location = _host(response.headers.get("location", ""))
            return PlatformError(
                f"{env_name} redirected the request (HTTP {status}) to {location or 'another address'}; "
                "check the base URL (http or https?).",
                status,
                code,
            )
        if status == 401:
            if not self.has_api_key:
                return AuthError(f"No API key is set for {env_name}; add one to use it.", status, code)
            return AuthError(
                f"{env_name} did not accept the API key{detail}. It may have been deleted or rotated; "
                "paste a current key.",
                status,
                code,
            )
        if status == 403:
            if code == "ip_not_whitelisted":
                return ForbiddenError(
                    f"{env_name} refused the request because this computer's IP address is not on the IP "
                    "whitelist. Request it on the IP Whitelist tab and wait until it is approved.",
                    status,
                    code,
                )
            return ForbiddenError(f"{env_name} refused the request{detail}.", status, code)
        if status == 404:
            return NotFoundError(message or f"{env_name} has no such {feature} item.", status, code)
        if status in (400, 422):
            return ValidationError(message or f"{env_name} rejected the request as invalid.", status, code)
        if status >= 500:
            return ServerError(
                f"{env_name} had a problem on its side (HTTP {status}){detail}. Try again in a moment.",
                status,
                code,
            )
        return PlatformError(f"{env_name} answered HTTP {status}{detail}.", status, code)


# ----- helpers ------------------------------------------------------------------------------------------


def _passed_auth(answer: _Answer) -> bool:
    return answer.status is not None and 200 <= answer.status < 300


def _error_fields(response: httpx.Response) -> tuple[str | None, str]:
    """(code, message) from either documented error shape, or from the status line when there is no JSON."""
    try:
        body = response.json()
    except ValueError:
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    code = body.get("error") if isinstance(body.get("error"), str) else body.get("code")
    message = body.get("message")
    return (str(code) if code and code != "ok" else None), (message if isinstance(message, str) else "")


def _object(data: Any) -> Mapping[str, Any]:
    if isinstance(data, Mapping):
        return data
    raise PlatformError("The environment answered with an unexpected shape.", code="invalid_response")


def _items(data: Any, key: str) -> list[Mapping[str, Any]]:
    """A list under `key`, or a bare list (some docs pages print answers without the wrapper)."""
    items = data.get(key, []) if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise PlatformError("The environment answered with an unexpected shape.", code="invalid_response")
    return [item for item in items if isinstance(item, Mapping)]


def _segment(value: int | str) -> str:
    return quote(str(value), safe="")


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the given address"
    return parts.netloc.rpartition("@")[2] or url or "the given address"


def _reason(error: httpx.TransportError) -> str:
    text = str(error).strip()
    if not text:
        text = {
            httpx.ConnectError: "the connection failed",
            httpx.ReadError: "the connection broke while reading",
            httpx.WriteError: "the connection broke while sending",
            httpx.RemoteProtocolError: "the server broke the HTTP protocol",
        }.get(type(error), type(error).__name__)
    return text if text.endswith(".") else text + "."


def _truncate_body(data: bytes) -> str:
    text = data[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")
    return text + "…" if len(data) > RESPONSE_BODY_LIMIT else text
