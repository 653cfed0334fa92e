"""A message label inside a dialog: shown whole, wrapped, the dialog growing to fit it instead of clipping it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def prepare_message_label(label: QLabel) -> None:
    """Word-wrapped, and asking for the height its wrapped text needs (not squeezed by the fields around it)."""
    label.setWordWrap(True)
    policy = label.sizePolicy()
    policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)


def show_message(dialog: QWidget, label: QLabel, text: str) -> None:
    """Set (or, with "", hide) the message, then let the dialog grow so every line and every field stays whole."""
    label.setText(text)
    label.setVisible(bool(text))
    fit_height(dialog)


def fit_height(dialog: QWidget) -> None:
    """Qt sizes a top-level window once; a wrapped label shown later needs the window taller. Never shrinks it."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.invalidate()
    layout.activate()
    width = dialog.width()
    needed = layout.totalSizeHint().height()
    if layout.hasHeightForWidth():
        needed = max(needed, layout.totalHeightForWidth(width))
    needed = max(needed, layout.totalMinimumSize().height())
    if dialog.height() < needed:
        dialog.resize(width, needed)
