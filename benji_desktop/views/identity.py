"""How the app names itself to the OS: name, organisation, version, desktop file and window icon."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QFile, QIODevice, QSize
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from benji_desktop import APP_ID, APP_NAME, ORG_DOMAIN, ORG_NAME, __version__
from benji_desktop.views.generated import resources_rc  # noqa: F401 - registers the :/ resources

ICON_RESOURCE = ":/icons/benji-desktop.svg"
# The sizes packaging/make_icons.py writes for the OS; rendering them here keeps the icon sharp at each.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The application icon, rendered from the SVG in the compiled resources (no files read at run time).

    Rendered with QSvgRenderer rather than left to the SVG icon-engine plugin, which a trimmed install or
    bundle may lack; without it `QIcon(":/….svg")` would silently be empty.
    """
    source = QFile(ICON_RESOURCE)
    if not source.open(QIODevice.OpenModeFlag.ReadOnly):
        return QIcon()
    renderer = QSvgRenderer(QByteArray(source.readAll()))
    source.close()
    icon = QIcon()
    for size in ICON_SIZES:
        image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


def apply_identity(app: QGuiApplication) -> None:
    """Call once, right after the QApplication exists and before any window or QSettings is created.

    The desktop file name lets Wayland and the GNOME/KDE docks match windows to
    packaging/linux/<APP_ID>.desktop (and so show its icon and name); the organisation and application
    names decide where QSettings and QStandardPaths would put files.
    """
    app.setApplicationName("benji-desktop")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORG_NAME)
    app.setOrganizationDomain(ORG_DOMAIN)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
