"""Child process of startup.py: open a window (bare PySide6, or the app via `launch_gui`), report when it is usable.

Prints `shown <epoch>` once the main window has painted and the event loop has turned once after that, and for
the app `ready <epoch>` once its services (Sandbox, receiver) have started; then closes the window and exits.

The paint is seen by an event filter on the main window alone, installed as it is shown. An application-wide
Python filter would see every event of every widget (and make PySide wrap each object and load its class), which
added ~50 ms to the app's figure, a cost proportional to its widgets that no user pays, and almost none to the bare one.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class FirstPaint(QObject):
    """Application-wide filter: the first Paint of a main window, then one event-loop turn, then `on_shown`."""

    def __init__(self, on_shown: object) -> None:
        super().__init__()
        self.on_shown = on_shown
        self.window: QMainWindow | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.window is None and event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            self.window = watched
            QTimer.singleShot(0, self.on_shown)  # type: ignore[arg-type]
        return False

    def watch_main_window(self) -> None:
        """Filter the first main window shown (nothing paints before `show()`), not the whole application."""
        original_show = QMainWindow.show

        def show(window: QMainWindow) -> None:
            QMainWindow.show = original_show  # type: ignore[method-assign]
            window.installEventFilter(self)
            original_show(window)

        QMainWindow.show = show  # type: ignore[method-assign]


def run_bare() -> None:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello"))
    window.resize(1280, 800)

    def shown() -> None:
        print(f"shown {time.time():.6f}", flush=True)
        app.quit()

    watcher = FirstPaint(shown)
    watcher.watch_main_window()
    window.show()
    app.exec()


def run_app(data_dir: str) -> None:
    _app = QApplication(sys.argv)  # launch_gui uses this instance
    from benji_desktop.views.gui import launch_gui

    poll = QTimer()

    def ready_or_wait() -> None:
        window = watcher.window
        services = getattr(window, "services", None)
        if window is not None and services is not None and services.started:
            poll.stop()
            print(f"ready {time.time():.6f}", flush=True)
            window.close()  # run_window tears down and launch_gui returns

    def shown() -> None:
        print(f"shown {time.time():.6f}", flush=True)
        poll.timeout.connect(ready_or_wait)
        poll.start(5)

    watcher = FirstPaint(shown)
    watcher.watch_main_window()
    code = launch_gui(data_dir=data_dir)
    sys.exit(code)


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        run_bare()
    else:
        run_app(sys.argv[2])
