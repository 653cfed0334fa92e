"""The composition root: builds and starts every service the window and the tests share, Qt-free."""

from benji_desktop.app.services import AppSaltSource, AppServices

__all__ = ["AppSaltSource", "AppServices"]
