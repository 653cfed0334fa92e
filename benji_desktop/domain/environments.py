"""The environments the app can talk to (Sandbox, Staging, Production, Custom) and their base URLs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

EnvironmentKind = Literal["sandbox", "staging", "production", "custom"]

SANDBOX_ID = "sandbox"
STAGING_ID = "staging"
PRODUCTION_ID = "production"
CUSTOM_ID = "custom"
ENVIRONMENT_IDS: tuple[str, ...] = (SANDBOX_ID, STAGING_ID, PRODUCTION_ID, CUSTOM_ID)

# Banner colours: green is safe to break, amber and red are someone's real data, blue is "you chose this".
SANDBOX_GREEN = "#2e7d32"
STAGING_AMBER = "#ef8f00"
PRODUCTION_RED = "#c62828"
CUSTOM_BLUE = "#1565c0"


@dataclass(frozen=True)
class Environment:
    """One place the platform contract can be spoken to; URLs may be empty until configured."""

    id: str
    name: str
    kind: EnvironmentKind
    api_base_url: str
    notification_base_url: str
    colour: str
    note: str = ""

    @property
    def is_live(self) -> bool:
        """Real data lives behind it: destructive actions ask for confirmation."""
        return self.kind != "sandbox"

    @property
    def is_embedded(self) -> bool:
        """The Sandbox that runs inside this app; it implements every extension."""
        return self.kind == "sandbox"

    @property
    def is_configured(self) -> bool:
        return bool(self.api_base_url and self.notification_base_url)

    def with_urls(self, api_base_url: str, notification_base_url: str | None = None) -> Environment:
        """A copy pointing elsewhere; one URL for both services when the second is not given."""
        api = normalise_base_url(api_base_url)
        notification = normalise_base_url(notification_base_url) if notification_base_url is not None else api
        return replace(self, api_base_url=api, notification_base_url=notification)


def normalise_base_url(url: str) -> str:
    """Trimmed, without a trailing slash, so paths can be appended as `base + "/path"`."""
    return url.strip().rstrip("/")


DEFAULT_ENVIRONMENTS: Mapping[str, Environment] = {
    SANDBOX_ID: Environment(
        id=SANDBOX_ID,
        name="Sandbox",
        kind="sandbox",
        api_base_url="",
        notification_base_url="",
        colour=SANDBOX_GREEN,
        note="Runs inside this app; its URLs are filled in when it starts.",
    ),
    STAGING_ID: Environment(
        id=STAGING_ID,
        name="Staging",
        kind="staging",
        api_base_url="https://api-staging.withbenji.com",
        notification_base_url="https://notificationservice-staging.withbenji.com",
        colour=STAGING_AMBER,
    ),
    PRODUCTION_ID: Environment(
        id=PRODUCTION_ID,
        name="Production",
        kind="production",
        api_base_url="https://api.withbenji.com",
        notification_base_url="https://notificationservice.withbenji.com",
        colour=PRODUCTION_RED,
        note=(
            "The production API gateway address is not printed in Benji's docs; "
            "api.withbenji.com is a guess. Check it and edit it if needed."
        ),
    ),
    CUSTOM_ID: Environment(
        id=CUSTOM_ID,
        name="Custom",
        kind="custom",
        api_base_url="",
        notification_base_url="",
        colour=CUSTOM_BLUE,
        note="Any server that speaks the platform contract, e.g. a Sandbox started with `benji-desktop sandbox`.",
    ),
}


def environment_with_overrides(
    environment_id: str, api_base_url: str | None = None, notification_base_url: str | None = None
) -> Environment:
    """The default environment with the user's URL overrides (from settings) applied field by field."""
    environment = DEFAULT_ENVIRONMENTS[environment_id]
    return replace(
        environment,
        api_base_url=normalise_base_url(api_base_url) if api_base_url is not None else environment.api_base_url,
        notification_base_url=(
            normalise_base_url(notification_base_url)
            if notification_base_url is not None
            else environment.notification_base_url
        ),
    )
