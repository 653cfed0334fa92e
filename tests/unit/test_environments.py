"""The four environments: who is live, which URLs they start with, and how overrides apply."""

from __future__ import annotations

import pytest

from benji_desktop.domain.environments import (
    DEFAULT_ENVIRONMENTS,
    ENVIRONMENT_IDS,
    environment_with_overrides,
)


def test_only_the_sandbox_is_safe_to_break() -> None:
    assert {env.id for env in DEFAULT_ENVIRONMENTS.values() if not env.is_live} == {"sandbox"}
    assert DEFAULT_ENVIRONMENTS["sandbox"].is_embedded
    assert not any(DEFAULT_ENVIRONMENTS[i].is_embedded for i in ("staging", "production", "custom"))


def test_documented_staging_urls_and_an_unconfirmed_production_gateway() -> None:
    staging = DEFAULT_ENVIRONMENTS["staging"]
    assert staging.api_base_url == "https://api-staging.withbenji.com"
    assert staging.notification_base_url == "https://notificationservice-staging.withbenji.com"
    production = DEFAULT_ENVIRONMENTS["production"]
    assert production.api_base_url == "https://api.withbenji.com"
    assert production.notification_base_url == "https://notificationservice.withbenji.com"
    assert "guess" in production.note


def test_banner_colours_differ_and_are_hex() -> None:
    colours = [DEFAULT_ENVIRONMENTS[i].colour for i in ENVIRONMENT_IDS]
    assert len(set(colours)) == 4
    assert all(c.startswith("#") and len(c) == 7 for c in colours)


def test_sandbox_and_custom_start_unconfigured_until_given_urls() -> None:
    sandbox = DEFAULT_ENVIRONMENTS["sandbox"]
    assert not sandbox.is_configured and not DEFAULT_ENVIRONMENTS["custom"].is_configured
    running = sandbox.with_urls("http://127.0.0.1:50123/")
    assert running.api_base_url == running.notification_base_url == "http://127.0.0.1:50123"
    assert running.is_configured and sandbox.api_base_url == ""  # the default is untouched


def test_overrides_apply_field_by_field() -> None:
    env = environment_with_overrides("production", api_base_url="https://gateway.example.com/ ")
    assert env.api_base_url == "https://gateway.example.com"
    assert env.notification_base_url == "https://notificationservice.withbenji.com"


def test_environments_are_immutable() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_ENVIRONMENTS["staging"].api_base_url = "x"  # type: ignore[misc]
