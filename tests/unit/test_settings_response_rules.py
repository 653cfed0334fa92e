"""The receiver's response rules as a typed setting: round trip, and bad entries fall back to none."""

from __future__ import annotations

from benji_desktop.storage.settings import ResponseRuleSetting, Settings, settings_from_json, settings_to_json


def test_rules_round_trip_through_the_file_format() -> None:
    rule = ResponseRuleSetting("/fail", 500, "oops {id}", 250, (("Retry-After", "5"),))
    settings = Settings(receiver_response_rules=(rule,))
    loaded, report = settings_from_json(settings_to_json(settings))
    assert loaded == settings and report.clean


def test_a_file_from_before_rules_existed_reads_with_none() -> None:
    document = settings_to_json(Settings())
    del document["receiver_response_rules"]
    loaded, report = settings_from_json(document)
    assert loaded.receiver_response_rules == () and report.clean


def test_bad_rules_are_refused_and_the_default_kept() -> None:
    for bad in (
        [{"path_prefix": "fail", "status": 500}],
        [{"path_prefix": "/x", "status": 99}],
        [{"path_prefix": "/x", "body": "salt_" + "A" * 32}],  # a secret never goes into settings
        "not a list",
    ):
        document = {**settings_to_json(Settings()), "receiver_response_rules": bad}
        loaded, report = settings_from_json(document)
        assert loaded.receiver_response_rules == () and not report.clean
        assert "salt_" not in " ".join(report.problems)
