"""The async entry point: QApplication, the window's shell painted, then asyncio (qasync) on Qt's loop, clean exit."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QFile, QIODevice, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.storage.paths import DataLayout, ensure_private_dir, ensure_private_file
from benji_desktop.views.identity import apply_identity

if TYPE_CHECKING:
    from benji_desktop.views.main_window import MainWindow

log = logging.getLogger("benji_desktop")

LOG_FILE_NAME = "benji-desktop.log"


def log_file_path(layout: DataLayout) -> Path:
    return layout.log_dir / LOG_FILE_NAME


def configure_logging(layout: DataLayout) -> Path:
    """One rotating file in the data folder; never a secret in it (every layer logs sentences and types)."""
    import logging.handlers  # pickle, queue, socket: not needed before the first paint

    ensure_private_dir(layout.log_dir)  # 0700: a rolled-over log file is private too
    path = ensure_private_file(log_file_path(layout))
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs every request line at INFO; that is noise, not news.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path


class ExceptHook:
    """Logs an uncaught exception with its traceback; the user sees one readable sentence, never the traceback."""

    def __init__(self, log_path: Path | None, parent: QWidget | None = None) -> None:
        self.log_path = log_path
        self.parent = parent
        self.last_message = ""
        self._showing = False

    def __call__(self, kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            return
        log.error("unexpected error", exc_info=(kind, error, traceback))
        where = f" The details are in {self.log_path}." if self.log_path else ""
        self.last_message = f"Something unexpected went wrong ({kind.__name__}). Benji Desktop carries on.{where}"
        if self._showing or QApplication.instance() is None:
            return
        from benji_desktop.views import prompts

        self._showing = True
        try:
            prompts.show_message(self.parent, "Benji Desktop", self.last_message)
        finally:
            self._showing = False


def load_stylesheet() -> str:
    from benji_desktop.views.generated import resources_rc  # noqa: F401 - registers :/style.qss

    source = QFile(":/style.qss")
    if not source.open(QIODevice.OpenModeFlag.ReadOnly):
        return ""
    text = bytes(source.readAll().data()).decode("utf-8")
    source.close()
    return text


async def run_window(
    services: AppServices,
    *,
    show: bool = True,
    after_first_paint: Callable[[], object] | None = None,
    window: MainWindow | None = None,
) -> int:
    """Show the window (unless given one already shown), start the services, wait for the window to close, stop
    in reverse order."""
    import asyncio
    import signal

    from benji_desktop.views import prompts
    from benji_desktop.views.main_window import MainWindow
    from benji_desktop.views.tasks import wait_for_running_tasks

    shown = window is not None
    if window is None:
        window = MainWindow(services)
    hook = sys.excepthook
    if isinstance(hook, ExceptHook):
        hook.parent = window
    if show and not shown:
        window.show()
        await asyncio.sleep(0.01)  # one turn of the loop: the shell paints before any tab is built
    if after_first_paint is not None:
        after_first_paint()
    window.build_current_tab()
    if show:
        await asyncio.sleep(0)  # the first tab paints before the services' heavy imports (aiohttp, keyring)
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for number in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(number, window.close)
            handled.append(number)
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            pass
    exit_code = 0
    try:
        try:
            await services.start()
        except Exception as error:
            log.exception("the services did not start")
            prompts.show_message(
                window,
                "Benji Desktop could not start",
                f"The local receiver or Sandbox could not start ({type(error).__name__}: {error}). "
                "Close this window; the log has the details.",
            )
            exit_code = 1
        else:
            window.services_started()
        await window.closed.wait()
    finally:
        for number in handled:
            loop.remove_signal_handler(number)
        await wait_for_running_tasks()
        await services.stop()
        services.close()
        window.deleteLater()
    return exit_code


# A window that never paints (started minimised) still gets its services after this long.
FIRST_PAINT_FALLBACK_MS = 500


class AfterFirstPaint(QObject):
    """Calls `then` on the loop turn after the window's first paint (or after the fallback delay)."""

    def __init__(self, window: QWidget, then: Callable[[], object]) -> None:
        super().__init__(window)
        self._window = window
        self._then = then
        self._fired = False
        window.installEventFilter(self)
        # Timers owned by this object (a child of the window): if the window is closed and deleted before they
        # fire, they die with it. A bare QTimer.singleShot would call `_fire` on a deleted window and crash.
        self._fallback = self._timer(FIRST_PAINT_FALLBACK_MS)
        self._after_paint = self._timer(0, start=False)

    def _timer(self, interval_ms: int, *, start: bool = True) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(self._fire)
        if start:
            timer.start()
        return timer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._fired and event.type() == QEvent.Type.Paint:
            self._after_paint.start()
        return False

    def _fire(self) -> None:
        if self._fired:
            return
        self._fired = True
        self._fallback.stop()
        self._window.removeEventFilter(self)
        self._then()


class AsyncRun:
    """asyncio on Qt's already running loop (qasync's `already_running` mode), attached after the first paint:
    importing asyncio and qasync (~40 ms) no longer delays the window's first appearance."""

    def __init__(self, app: QApplication, services: AppServices, window: MainWindow) -> None:
        self.app = app
        self.services = services
        self.window = window
        self.loop: Any = None
        self.task: Any = None

    def begin(self) -> None:
        import asyncio

        import qasync

        self.loop = qasync.QEventLoop(self.app, already_running=True)
        asyncio.set_event_loop(self.loop)
        started = run_window(
            self.services, window=self.window, after_first_paint=lambda: configure_logging(self.services.layout)
        )
        self.task = self.loop.create_task(started)
        self.task.add_done_callback(lambda _task: self.loop.stop())  # stop() ends app.exec()

    def finish(self) -> int:
        """After `app.exec()` returned: the window's exit code; the loop is closed."""
        if self.loop is None:
            return 1
        import asyncio

        asyncio._set_running_loop(None)  # qasync leaves it set in this mode
        try:
            self.app.processEvents()  # one last turn for what the tear-down posted
            if self.task is None or not self.task.done():
                raise RuntimeError("The event loop stopped before the window finished")
            exit_code: int = self.task.result()
            return exit_code
        finally:
            self.loop.close()
            asyncio.set_event_loop(None)


def launch_gui(data_dir: str | Path | None = None) -> int:
    """`benji-desktop` with no sub-command and `python -m benji_desktop` land here."""
    from benji_desktop.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_identity(app)
    app.setQuitOnLastWindowClosed(False)  # the main coroutine ends the loop, after tear-down
    app.setStyleSheet(load_stylesheet())
    services = AppServices.create(data_dir)
    previous_hook = sys.excepthook
    hook = ExceptHook(log_file_path(services.layout))
    sys.excepthook = hook
    try:
        window = MainWindow(services)
        hook.parent = window
        run = AsyncRun(app, services, window)
        AfterFirstPaint(window, run.begin)
        window.show()
        app.exec()  # Qt's own loop paints the shell; asyncio joins it on the next turn
        return run.finish()
    finally:
        sys.excepthook = previous_hook


def main() -> int:
    """The `benji-desktop-gui` script: the window only, data dir from $BENJI_DESKTOP_DATA_DIR or the default."""
    return launch_gui()


if __name__ == "__main__":
    sys.exit(main())
