"""The Sandbox: a stateful local Benji Platform that enforces keys and the IP whitelist and delivers webhooks."""

from benji_desktop.sandbox.api import SandboxState, create_app
from benji_desktop.sandbox.delivery import RETRY_SCHEDULE_SECONDS, DeliveryEngine
from benji_desktop.sandbox.server import SandboxServer, reset_data
from benji_desktop.sandbox.vault import ENCRYPTION_KEY_NAME, VaultError

__all__ = [
    "ENCRYPTION_KEY_NAME",
    "RETRY_SCHEDULE_SECONDS",
    "DeliveryEngine",
    "SandboxServer",
    "SandboxState",
    "VaultError",
    "create_app",
    "reset_data",
]
