"""The one busy/error envelope every network action goes through: disable, show progress, explain, re-enable."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from benji_desktop.views import prompts

log = logging.getLogger(__name__)

T = TypeVar("T")

NOT_AVAILABLE_SENTENCE = "{feature} is not available in this environment — manage it in Pilot."

# The next step to suggest, by PlatformError subclass name (the client's messages say what went wrong).
NEXT_STEPS = {
    "AuthError": "Check this environment's API key (Environment → Settings…).",
    "ForbiddenError": "This computer's IP address may need to be whitelisted, or the key lacks the permission.",
    "NotFoundError": "It may have been changed elsewhere; press F5 to refresh.",
    "ValidationError": "Correct the input and try again.",
    "NetworkError": "Check the base URLs (Environment → Settings…) and your connection, then try again.",
    "ServerError": "The platform had a problem; try again in a moment.",
}


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an action ended with: a value, or the sentence the user was shown."""

    ok: bool
    value: T | None = None
    message: str = ""
    not_available: bool = False


def _platform_error_types() -> tuple[type[BaseException], type[BaseException]] | None:
    try:
        from benji_desktop.client import NotAvailableError, PlatformError
    except ImportError:  # the client layer is built alongside; without it every error is "unexpected"
        return None
    return PlatformError, NotAvailableError


def error_sentence(error: BaseException, what: str) -> str:
    message = str(getattr(error, "message", "") or "").strip() or "the platform refused the request"
    next_step = NEXT_STEPS.get(type(error).__name__, "")
    sentence = f"Could not {what}: {message.rstrip('.')}."
    return f"{sentence} {next_step}".strip()


class ActionRunner(QObject):
    """Owns the status bar's busy indicator; tabs call `run()` around every call to the platform."""

    busy_changed = Signal(bool)
    message_shown = Signal(str)
    error_shown = Signal(str)

    def __init__(self, status_bar: QStatusBar | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status_bar = status_bar
        self._running = 0
        self._notice_until = 0.0  # monotonic time until which a notice owns the status bar
        self.last_error = ""
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: we never know how long the network takes
        self.progress.setMaximumWidth(120)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Working")
        self.progress.hide()
        if status_bar is not None:
            status_bar.addPermanentWidget(self.progress)

    @property
    def busy(self) -> bool:
        return self._running > 0

    def show_status(self, text: str, timeout_ms: int = 8000, *, routine: bool = False) -> None:
        """Show `text` in the status bar. A notice (the default) stays for its whole timeout: a routine
        progress line ("Working: …", "Done: …") from some background refresh never replaces it early."""
        now = time.monotonic()
        if routine and now < self._notice_until:
            return
        if not routine:
            self._notice_until = now + timeout_ms / 1000 if timeout_ms > 0 else 0.0
        if self._status_bar is not None:
            self._status_bar.showMessage(text, timeout_ms)
        self.message_shown.emit(text)

    def show_error(self, parent: QWidget | None, text: str) -> None:
        """A non-blocking message box plus the status bar; `last_error` keeps the sentence for tests."""
        self.last_error = text
        self.show_status(text, 15000)
        self.error_shown.emit(text)
        prompts.show_message(parent, "Benji Desktop", text)

    async def run(
        self,
        work: Awaitable[T],
        *,
        what: str,
        controls: Sequence[QWidget | QAction] = (),
        parent: QWidget | None = None,
        message_label: QLabel | None = None,
        feature: str = "This",
        on_error: Callable[[str], None] | None = None,
    ) -> Outcome[T]:
        """Await `work` with `controls` disabled; errors become one readable sentence, never a traceback.

        `NotAvailableError` (an extension the environment lacks) is written into `message_label`, in the tab.
        `on_error` takes the sentence instead of a message box (a dialog showing it beside the fields).
        """
        disabled = [control for control in controls if control.isEnabled()]
        for control in disabled:
            control.setEnabled(False)
        self._change_busy(+1)
        self.show_status(f"Working: {what}…", 0, routine=True)
        errors = _platform_error_types()
        try:
            value = await work
        except Exception as error:
            if errors is not None and isinstance(error, errors[1]):
                sentence = NOT_AVAILABLE_SENTENCE.format(feature=feature)
                if message_label is not None:
                    message_label.setText(sentence)
                    message_label.setVisible(True)
                self.show_status(sentence)
                return Outcome(False, message=sentence, not_available=True)
            if errors is not None and isinstance(error, errors[0]):
                sentence = error_sentence(error, what)
                log.warning("%s failed: %s", what, type(error).__name__)
            else:
                log.exception("unexpected failure while trying to %s", what)
                sentence = (
                    f"Something unexpected went wrong while trying to {what} ({type(error).__name__}). "
                    "The details are in the log file (Help → About shows where)."
                )
            if on_error is not None:
                self.last_error = sentence
                self.show_status(sentence, 15000)
                on_error(sentence)
            else:
                self.show_error(parent, sentence)
            return Outcome(False, message=sentence)
        else:
            if message_label is not None:
                message_label.setVisible(False)
            log.info("done: %s", what)
            self.show_status(f"Done: {what}.", 4000, routine=True)
            return Outcome(True, value=value)
        finally:
            self._change_busy(-1)
            for control in disabled:
                control.setEnabled(True)

    def _change_busy(self, delta: int) -> None:
        was_busy = self.busy
        self._running = max(0, self._running + delta)
        self.progress.setVisible(self.busy)
        if was_busy != self.busy:
            self.busy_changed.emit(self.busy)
