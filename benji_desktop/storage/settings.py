"""Typed, versioned, non-secret preferences in one JSON file, written atomically."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from benji_desktop.domain.environments import (
    DEFAULT_ENVIRONMENTS,
    ENVIRONMENT_IDS,
    SANDBOX_ID,
    Environment,
    environment_with_overrides,
)
from benji_desktop.storage.paths import write_atomically

SETTINGS_VERSION = 1
THEMES = ("system", "light", "dark")

# Values shaped like an API key or a salt are refused anywhere in settings: they belong in the keychain.
_SECRET_SHAPES = (
    re.compile(r"bk_[a-z]+_[0-9a-f]{16,}", re.IGNORECASE),
    re.compile(r"salt_[A-Za-z0-9_\-]{16,}"),
)


class SettingsError(ValueError):
    """A setting that does not exist or a value it cannot take; the message names the setting only."""


@dataclass(frozen=True)
class UrlOverride:
    """The user's own base URLs for one environment; None keeps the default."""

    api_base_url: str | None = None
    notification_base_url: str | None = None


@dataclass(frozen=True)
class ResponseRuleSetting:
    """One of the receiver's response rules as kept in settings (the receiver's own type lives above storage)."""

    path_prefix: str = "/"
    status: int = 200
    body: str | None = None  # None: the receiver's default acknowledgement
    delay_ms: int = 0
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Settings:
    """Every preference the app keeps. Nothing here is a secret; names only, never values."""

    current_environment: str = SANDBOX_ID
    environment_urls: Mapping[str, UrlOverride] = field(default_factory=dict)
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 8787
    # The port the receiver actually listened on last time: when receiver_port is busy at the next start it is
    # tried before a random one, so subscriptions to the fallback address keep working across restarts.
    receiver_last_port: int = 0
    receiver_response_status: int = 200
    receiver_response_body: str = '{"received":true}'
    receiver_response_content_type: str = "application/json"
    receiver_response_delay_ms: int = 0
    # Set in the Inspector's "Responses & retention…" dialog; the receiver answers by them from start-up on.
    receiver_response_rules: tuple[ResponseRuleSetting, ...] = ()
    # Serve HTTPS with the self-signed localhost certificate kept in the data directory (View menu toggle).
    receiver_https: bool = False
    tolerance_seconds: int = 300
    retention_max_captures: int = 100_000
    retention_max_age_days: int = 30
    sandbox_time_scale: float = 1.0
    # None means requests wait for a manual review in the Sandbox.
    sandbox_ip_auto_review_seconds: float | None = None
    presentation_mode: bool = False
    theme: str = "system"
    window_geometry: str = ""
    last_tab: str = ""
    clipboard_clear_seconds: int = 30
    salt_labels: tuple[str, ...] = ()

    def environment(self, environment_id: str | None = None) -> Environment:
        """The environment with this user's URL overrides applied (the Sandbox's URLs come at run time)."""
        environment_id = environment_id or self.current_environment
        override = self.environment_urls.get(environment_id, UrlOverride())
        return environment_with_overrides(environment_id, override.api_base_url, override.notification_base_url)


SETTING_NAMES: frozenset[str] = frozenset(f.name for f in fields(Settings))


@dataclass(frozen=True)
class LoadReport:
    """What happened while reading the file, in sentences the UI can show."""

    problems: tuple[str, ...] = ()
    backup_path: Path | None = None
    upgraded_from: int | None = None

    @property
    def clean(self) -> bool:
        return not self.problems


# ----- validation -------------------------------------------------------------------------------------


def _refuse_secret(name: str, text: str) -> str:
    if any(shape.search(text) for shape in _SECRET_SHAPES):
        raise SettingsError(f"{name} looks like an API key or a salt; secrets go in the keychain, not settings")
    return text


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{name} must be text")
    return _refuse_secret(name, value)


def _integer(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}")
    return value


def _number(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"{name} must be a number")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise SettingsError(f"{name} must be from {low:g} to {high:g}")
    return number


def _boolean(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{name} must be true or false")
    return value


def _choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}")
    return str(value)


def _base64_text(name: str, value: object) -> str:
    text = _text(name, value)
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"{name} must be base64 text") from None
    return text


def _optional_url(name: str, value: object) -> str | None:
    if value is None:
        return None
    text = _text(name, value).strip()
    if text and not re.match(r"^https?://[^\s/]+", text):
        raise SettingsError(f"{name} must start with http:// or https://")
    return text


def _url_overrides(name: str, value: object) -> dict[str, UrlOverride]:
    if not isinstance(value, Mapping):
        raise SettingsError(f"{name} must map environment ids to URLs")
    result: dict[str, UrlOverride] = {}
    for environment_id, override in value.items():
        if environment_id not in ENVIRONMENT_IDS:
            raise SettingsError(f"{name} names an unknown environment")
        if isinstance(override, UrlOverride):
            override = asdict(override)
        if not isinstance(override, Mapping) or set(override) - {"api_base_url", "notification_base_url"}:
            raise SettingsError(f"{name} for {environment_id} may hold only api_base_url and notification_base_url")
        result[str(environment_id)] = UrlOverride(
            api_base_url=_optional_url(f"{name}.{environment_id}.api_base_url", override.get("api_base_url")),
            notification_base_url=_optional_url(
                f"{name}.{environment_id}.notification_base_url", override.get("notification_base_url")
            ),
        )
    return result


def _labels(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise SettingsError(f"{name} must be a list of labels")
    labels = tuple(_text(name, item).strip() for item in value)
    if any(not label or len(label) > 80 for label in labels):
        raise SettingsError(f"{name} entries must be 1 to 80 characters")
    return tuple(dict.fromkeys(labels))


def _response_rules(name: str, value: object) -> tuple[ResponseRuleSetting, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise SettingsError(f"{name} must be a list of rules")
    if len(value) > 200:
        raise SettingsError(f"{name} may hold at most 200 rules")
    rules: list[ResponseRuleSetting] = []
    for item in value:
        if isinstance(item, ResponseRuleSetting):
            item = asdict(item)
        if not isinstance(item, Mapping) or set(item) - {"path_prefix", "status", "body", "delay_ms", "headers"}:
            raise SettingsError(f"{name} entries hold path_prefix, status, body, delay_ms and headers only")
        prefix = _text(f"{name}.path_prefix", item.get("path_prefix", "/"))
        if not prefix.startswith("/"):
            raise SettingsError(f"{name}.path_prefix must start with /")
        body = item.get("body")
        headers = item.get("headers", ())
        if isinstance(headers, str) or not isinstance(headers, list | tuple):
            raise SettingsError(f"{name}.headers must be a list of [name, value] pairs")
        pairs: list[tuple[str, str]] = []
        for pair in headers:
            if isinstance(pair, str) or not isinstance(pair, list | tuple) or len(pair) != 2:
                raise SettingsError(f"{name}.headers must be a list of [name, value] pairs")
            pairs.append((_text(f"{name}.headers", pair[0]), _text(f"{name}.headers", pair[1])))
        rules.append(
            ResponseRuleSetting(
                path_prefix=prefix,
                status=_integer(f"{name}.status", item.get("status", 200), 100, 599),
                body=None if body is None else _text(f"{name}.body", body),
                delay_ms=_integer(f"{name}.delay_ms", item.get("delay_ms", 0), 0, 600_000),
                headers=tuple(pairs),
            )
        )
    return tuple(rules)


_VALIDATORS: dict[str, Callable[[str, object], object]] = {
    "current_environment": lambda n, v: _choice(n, v, ENVIRONMENT_IDS),
    "environment_urls": _url_overrides,
    "receiver_host": lambda n, v: _text(n, v).strip() or "127.0.0.1",
    "receiver_port": lambda n, v: _integer(n, v, 0, 65535),
    "receiver_last_port": lambda n, v: _integer(n, v, 0, 65535),
    "receiver_response_status": lambda n, v: _integer(n, v, 100, 599),
    "receiver_response_body": _text,
    "receiver_response_content_type": _text,
    "receiver_response_delay_ms": lambda n, v: _integer(n, v, 0, 600_000),
    "receiver_response_rules": _response_rules,
    "receiver_https": _boolean,
    "tolerance_seconds": lambda n, v: _integer(n, v, 0, 7 * 24 * 3600),
    "retention_max_captures": lambda n, v: _integer(n, v, 0, 100_000_000),
    "retention_max_age_days": lambda n, v: _integer(n, v, 0, 36_500),
    "sandbox_time_scale": lambda n, v: _number(n, v, 0.001, 100_000),
    "sandbox_ip_auto_review_seconds": lambda n, v: None if v is None else _number(n, v, 0, 86_400),
    "presentation_mode": _boolean,
    "theme": lambda n, v: _choice(n, v, THEMES),
    "window_geometry": _base64_text,
    "last_tab": _text,
    "clipboard_clear_seconds": lambda n, v: _integer(n, v, 0, 3600),
    "salt_labels": _labels,
}
assert set(_VALIDATORS) == SETTING_NAMES, "every setting needs a validator"


def validate(name: str, value: object) -> object:
    """The value as the schema stores it, or SettingsError; unknown names are refused (no free-form keys)."""
    if name not in SETTING_NAMES:
        raise SettingsError(f"There is no setting called {name!r}")
    return _VALIDATORS[name](name, value)


# ----- versions ----------------------------------------------------------------------------------------


def _upgrade_0_to_1(raw: dict[str, Any]) -> dict[str, Any]:
    """Files without a version (hand-written or from pre-release builds) used shorter key names."""
    renames = {"environment": "current_environment", "port": "receiver_port", "host": "receiver_host"}
    upgraded = {renames.get(key, key): value for key, value in raw.items()}
    urls = upgraded.pop("urls", None)
    if isinstance(urls, Mapping) and "environment_urls" not in upgraded:
        upgraded["environment_urls"] = {
            env: {"api_base_url": url, "notification_base_url": url} for env, url in urls.items()
        }
    return upgraded


# Step N upgrades a version-N document to version N+1.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _upgrade_0_to_1}


def settings_from_json(raw: Mapping[str, Any]) -> tuple[Settings, LoadReport]:
    """Tolerant reader: upgrade old versions, keep every valid value, default the rest and say which."""
    document = dict(raw)
    version = document.pop("version", 0)
    problems: list[str] = []
    upgraded_from: int | None = None
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        problems.append("The settings file had no readable version; it was read as the oldest one.")
        version = 0
    newer = version > SETTINGS_VERSION
    if newer:
        problems.append(
            f"The settings file was written by a newer Benji Desktop (version {version}); "
            "settings this version does not know were left out."
        )
    while version < SETTINGS_VERSION:
        upgraded_from = version if upgraded_from is None else upgraded_from
        document = UPGRADES[version](document)
        version += 1
    values: dict[str, Any] = {}
    for name, value in document.items():
        if name not in SETTING_NAMES:
            if not newer:
                problems.append(f"An unknown setting {name!r} was ignored.")
            continue
        try:
            values[name] = validate(name, value)
        except SettingsError as error:
            problems.append(f"{error}; the default was used instead.")
    return Settings(**values), LoadReport(problems=tuple(problems), upgraded_from=upgraded_from)


def settings_to_json(settings: Settings) -> dict[str, Any]:
    document: dict[str, Any] = {"version": SETTINGS_VERSION}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if f.name == "environment_urls":
            value = {
                env: {k: v for k, v in asdict(override).items() if v is not None}
                for env, override in sorted(value.items())
            }
        elif f.name == "receiver_response_rules":
            value = [{**asdict(rule), "headers": [list(pair) for pair in rule.headers]} for rule in value]
        elif isinstance(value, tuple):
            value = list(value)
        document[f.name] = value
    return document


# ----- the file ----------------------------------------------------------------------------------------


class SettingsStore:
    """Loads once, hands out immutable `Settings`, and saves every change at once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._settings = Settings()
        self.report = LoadReport()

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    def load(self) -> Settings:
        """Read the file; a corrupt one is kept as `.bak`, defaults are used, and `report` says so."""
        self._settings, self.report = Settings(), LoadReport()
        try:
            text = self.path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return self._settings
        except (OSError, UnicodeDecodeError) as error:
            return self._recover(f"The settings file could not be read ({type(error).__name__}).")
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            return self._recover(f"The settings file is not valid JSON (line {error.lineno}).")
        if not isinstance(raw, dict):
            return self._recover("The settings file does not hold a settings object.")
        self._settings, self.report = settings_from_json(raw)
        if self.report.upgraded_from is not None:
            self.save()  # upgraded in place; a newer file is left alone until the user changes something
        return self._settings

    def _recover(self, problem: str) -> Settings:
        try:
            shutil.copyfile(self.path, self.backup_path)
        except OSError:
            self.report = LoadReport(problems=(f"{problem} Default settings were used.",))
        else:
            self.report = LoadReport(
                problems=(f"{problem} It was kept as {self.backup_path.name} and default settings were used.",),
                backup_path=self.backup_path,
            )
        self._settings = Settings()
        return self._settings

    def save(self, settings: Settings | None = None) -> None:
        if settings is not None:
            # Re-validate: a Settings built by hand (dataclasses.replace) skips the checks.
            for f in fields(Settings):
                validate(f.name, getattr(settings, f.name))
            self._settings = settings
        data = json.dumps(settings_to_json(self._settings), indent=2, sort_keys=True, ensure_ascii=False)
        write_atomically(self.path, (data + "\n").encode("utf-8"))

    def set(self, name: str, value: object) -> Settings:
        """Change one setting and save; unknown names and wrong types raise SettingsError."""
        return self.update(**{name: value})

    def update(self, **changes: object) -> Settings:
        validated: dict[str, Any] = {name: validate(name, value) for name, value in changes.items()}
        self._settings = replace(self._settings, **validated)
        self.save()
        return self._settings

    def set_environment_urls(
        self, environment_id: str, api_base_url: str | None, notification_base_url: str | None
    ) -> Settings:
        """Override (or, with None, restore the default of) one environment's base URLs."""
        if environment_id not in DEFAULT_ENVIRONMENTS:
            raise SettingsError("There is no environment with that id")
        overrides = dict(self._settings.environment_urls)
        override = UrlOverride(api_base_url, notification_base_url)
        if override == UrlOverride():
            overrides.pop(environment_id, None)
        else:
            overrides[environment_id] = override
        return self.update(environment_urls=overrides)
