"""The receiver's response rules as kept in settings, and back (storage cannot import the receiver's types)."""

from __future__ import annotations

from benji_desktop.receiver.rules import ResponseRule, ResponseRules
from benji_desktop.storage.settings import ResponseRuleSetting, Settings, SettingsStore


def response_rules_from_settings(settings: Settings) -> ResponseRules:
    """The rules the receiver answers by; the default answer stays the receiver's own acknowledgement."""
    return ResponseRules(
        rules=tuple(
            ResponseRule(
                path_prefix=rule.path_prefix,
                status=rule.status,
                headers=rule.headers,
                body=rule.body,
                delay_seconds=rule.delay_ms / 1000,
            )
            for rule in settings.receiver_response_rules
        )
    )


def save_response_rules(settings_store: SettingsStore, rules: ResponseRules) -> None:
    """Keep the per-path rules (the dialog's table) so the next start answers the same way."""
    settings_store.update(
        receiver_response_rules=tuple(
            ResponseRuleSetting(
                path_prefix=rule.path_prefix,
                status=rule.status,
                body=rule.body,
                delay_ms=round(rule.delay_seconds * 1000),
                headers=tuple(rule.headers),
            )
            for rule in rules.rules
        )
    )
