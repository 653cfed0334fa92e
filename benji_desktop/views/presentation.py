"""Presentation mode: one switch that masks every key, salt and credential in every tab, for screen sharing."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class PresentationMode(QObject):
    """Handed to every tab; widgets that show a secret listen to `changed` and re-mask."""

    changed = Signal(bool)

    def __init__(self, enabled: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._enabled = enabled

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        if enabled != self._enabled:
            self._enabled = enabled
            self.changed.emit(enabled)
