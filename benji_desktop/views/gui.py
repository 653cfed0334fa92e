"""The async entry point: QApplication, one qasync loop, services started after the window shows, clean exit."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtWidgets import QApplication, QWidget

from benji_desktop.app.services import AppServices
from benji_desktop.storage.paths import DataLayout, ensure_private_dir, ensure_private_file
from benji_desktop.views import prompts
from benji_desktop.views.identity import apply_identity
from benji_desktop.views.tasks import wait_for_running_tasks

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
    services: AppServices, *, show: bool = True, after_first_paint: Callable[[], object] | None = None
) -> int:
    """Show the window, start the services, wait for the window to close, stop in reverse order."""
    from benji_desktop.views.main_window import MainWindow

    window = MainWindow(services)
    hook = sys.excepthook
    if isinstance(hook, ExceptHook):
        hook.parent = window
    if show:
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


def launch_gui(data_dir: str | Path | None = None) -> int:
    """`benji-desktop` with no sub-command and `python -m benji_desktop` land here."""
    import qasync

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_identity(app)
    app.setQuitOnLastWindowClosed(False)  # the main coroutine ends the loop, after tear-down
    app.setStyleSheet(load_stylesheet())
    services = AppServices.create(data_dir)
    log_path = log_file_path(services.layout)
    previous_hook = sys.excepthook
    sys.excepthook = ExceptHook(log_path)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            started = run_window(services, after_first_paint=lambda: configure_logging(services.layout))
            exit_code: int = loop.run_until_complete(started)
            return exit_code
    finally:
        sys.excepthook = previous_hook
        asyncio.set_event_loop(None)


def main() -> int:
    """The `benji-desktop-gui` script: the window only, data dir from $BENJI_DESKTOP_DATA_DIR or the default."""
    return launch_gui()


if __name__ == "__main__":
    sys.exit(main())
