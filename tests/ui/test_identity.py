"""The app names itself to the OS with the id, name, version and icon the packaging files use."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from benji_desktop import APP_ID, APP_NAME, __version__
from benji_desktop.views.identity import app_icon, apply_identity


def test_apply_identity_sets_the_desktop_file_name_version_and_icon(qapp: QApplication) -> None:
    apply_identity(qapp)
    assert qapp.desktopFileName() == APP_ID
    assert qapp.applicationDisplayName() == APP_NAME
    assert qapp.applicationVersion() == __version__
    assert not qapp.windowIcon().isNull()


def test_the_icon_is_drawn_at_small_and_large_sizes(qapp: QApplication) -> None:
    icon = app_icon()
    for size in (16, 256):
        image = icon.pixmap(size, size).toImage()
        assert (image.width(), image.height()) == (size, size)
        # The centre of the icon is the blue tile, not a transparent hole.
        assert image.pixelColor(size // 2, size // 4).alpha() == 255
