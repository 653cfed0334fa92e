"""The entry point's safety nets: an uncaught error becomes one readable sentence, logged with its traceback."""

from __future__ import annotations

import logging
from pathlib import Path

from app_harness import Answers

from benji_desktop.views.gui import ExceptHook, load_stylesheet


def test_an_uncaught_error_is_logged_and_shown_without_a_traceback(qapp, tmp_path: Path, monkeypatch, caplog) -> None:
    answers = Answers(monkeypatch)
    hook = ExceptHook(tmp_path / "benji-desktop.log")
    try:
        raise ValueError("boom in a slot")
    except ValueError as error:
        with caplog.at_level(logging.ERROR):
            hook(type(error), error, error.__traceback__)
    assert answers.messages == [hook.last_message]
    assert "ValueError" in hook.last_message and "Traceback" not in hook.last_message
    assert str(tmp_path / "benji-desktop.log") in hook.last_message
    assert "boom in a slot" in caplog.text, "the details go to the log"


def test_the_stylesheet_is_compiled_into_the_resources(qapp) -> None:
    assert "environment_banner" in load_stylesheet()
