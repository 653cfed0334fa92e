"""The platform client: the contract of docs/architecture.md over httpx, typed answers, typed errors."""

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
    IntegrationField,
    IpEntry,
    LocalDelivery,
    SubscribeResult,
    Subscription,
    TriggerResult,
)
from benji_desktop.client.platform_client import UNSET, PlatformClient

__all__ = [
    "UNSET",
    "ApiKey",
    "AuthError",
    "ConnectionCheck",
    "ConnectionReport",
    "CreatedApiKey",
    "CreatedSubscription",
    "DeliveryAttempt",
    "ForbiddenError",
    "Integration",
    "IntegrationField",
    "IpEntry",
    "LocalDelivery",
    "NetworkError",
    "NotAvailableError",
    "NotFoundError",
    "PlatformClient",
    "PlatformError",
    "ServerError",
    "SubscribeResult",
    "Subscription",
    "TriggerResult",
    "ValidationError",
]
