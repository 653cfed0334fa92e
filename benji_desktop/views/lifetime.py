"""Callbacks handed to the Qt-free services outlive the widgets that gave them: drop them once the widget is gone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from shiboken6 import isValid


def while_alive(owner: QObject, callback: Callable[..., Any]) -> Callable[..., None]:
    """`callback`, but a no-op once `owner`'s C++ object is deleted.

    The receiver, the Sandbox and the app services call their listeners from the event loop, also while they
    shut down after the window has closed; a listener that touches a deleted widget would crash the process.
    """

    def call(*args: Any) -> None:
        if isValid(owner):
            callback(*args)

    return call
