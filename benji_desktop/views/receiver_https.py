"""View → Serve HTTPS (self-signed): the receiver's TLS toggle, and the certificate dialog with its SHA-256
fingerprint and how to trust it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from benji_desktop.views.clipboard import copy_text
from benji_desktop.views.lifetime import while_alive
from benji_desktop.views.tasks import spawn

if TYPE_CHECKING:
    from benji_desktop.app.services import AppServices
    from benji_desktop.views.main_window import MainWindow

TOGGLE_TEXT = "Serve HTTPS (self-signed)"
CERTIFICATE_TEXT = "Receiver certificate…"


class CertificateDialog(QDialog):
    """The served certificate's SHA-256 fingerprint and file, with Copy buttons and how a sender trusts it."""

    def __init__(self, fingerprint: str, cert_path: str, endpoint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiver_certificate_dialog")
        self.setWindowTitle("Receiver certificate")
        self.fingerprint = fingerprint
        self.cert_path = cert_path
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The local receiver serves HTTPS with a self-signed certificate for <b>localhost</b> and "
            "<b>127.0.0.1</b>, made by this app and kept in its data folder. Senders must trust it; compare "
            "the fingerprint before you do."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(QLabel("SHA-256 fingerprint:"))
        self.fingerprint_label = QLabel(fingerprint)
        self.fingerprint_label.setObjectName("fingerprint_label")
        self.fingerprint_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.fingerprint_label.setWordWrap(False)  # one unbroken line: the dialog grows to show all 32 bytes
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(QLabel("Certificate file:"))
        self.path_label = QLabel(cert_path)
        self.path_label.setObjectName("cert_path_label")
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.path_label)
        how = QLabel(
            "To trust it, point the sender at that file, e.g. "
            f"<code>curl --cacert {cert_path} {endpoint}</code>; in Python "
            f'<code>httpx.post(url, verify=ssl.create_default_context(cafile="{cert_path}"))</code>. '
            "Or add it to your system's or browser's trusted certificates."
        )
        how.setObjectName("trust_label")
        how.setWordWrap(True)
        how.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(how)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_fingerprint_button = QPushButton("Copy fingerprint")
        self.copy_path_button = QPushButton("Copy certificate path")
        buttons.addButton(self.copy_fingerprint_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_path_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_fingerprint_button.clicked.connect(lambda: copy_text(self.fingerprint))
        self.copy_path_button.clicked.connect(lambda: copy_text(self.cert_path))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())


class ReceiverHttpsControls:
    """The View menu's toggle and certificate action for one window; the toggle restarts the receiver."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.services: AppServices = window.services
        menu = window.ui.view_menu
        menu.addSeparator()
        self.toggle_action = QAction(TOGGLE_TEXT, window)
        self.toggle_action.setObjectName("action_serve_https")
        self.toggle_action.setCheckable(True)
        self.toggle_action.setChecked(self.services.settings.receiver_https)
        self.toggle_action.setToolTip("Restart the local receiver with TLS, using a certificate for localhost")
        self.toggle_action.toggled.connect(lambda enabled: spawn(self.set_https(enabled)))
        self.certificate_action = QAction(CERTIFICATE_TEXT, window)
        self.certificate_action.setObjectName("action_receiver_certificate")
        self.certificate_action.triggered.connect(self.show_certificate)
        self.certificate_action.setEnabled(self.services.settings.receiver_https)
        menu.addAction(self.toggle_action)
        menu.addAction(self.certificate_action)
        self.dialog: CertificateDialog | None = None
        self.services.add_receiver_listener(while_alive(window, lambda _url: self.receiver_changed()))

    async def set_https(self, enabled: bool) -> str | None:
        """Restart the receiver with (or without) TLS; with TLS, show the fingerprint at once."""
        outcome = await self.window.runner.run(
            self.services.set_receiver_https(enabled),
            what="switch the receiver to HTTPS" if enabled else "switch the receiver to HTTP",
            controls=[self.toggle_action],
            parent=self.window,
        )
        if not outcome.ok:
            self.toggle_action.blockSignals(True)
            self.toggle_action.setChecked(not enabled)
            self.toggle_action.blockSignals(False)
            return None
        self.receiver_changed()
        url = str(outcome.value or "")
        if enabled and self.services.receiver_tls is not None:
            self.show_certificate()
        report = self.services.last_retarget_report
        moved = report.message if report is not None and report.new_base == url else ""
        status = f"Receiver now on {url}" if url else "Receiver: saved for the next start"
        self.window.runner.show_status(f"{status}. {moved}" if moved else status, 20000 if moved else 8000)
        return url

    def receiver_changed(self) -> None:
        """The URL's scheme changed: the status bar and the Inspector's receiver line say the new one."""
        https = self.services.receiver_tls is not None
        self.certificate_action.setEnabled(https)
        self.window.show_receiver()
        inspector = self.window._built.get("inspector_tab")
        label = getattr(getattr(inspector, "ui", None), "receiver_label", None)
        if label is not None and self.services.receiver_url:
            label.setText(f"Receiver listening on <b>{self.services.receiver_url}</b>")

    def show_certificate(self) -> CertificateDialog | None:
        tls = self.services.receiver_tls
        if tls is None:
            return None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = CertificateDialog(
            tls.fingerprint_sha256, str(tls.cert_path), self.services.local_receiver_endpoint, self.window
        )
        self.dialog.open()  # window-modal but not blocking: the receiver keeps answering meanwhile
        return self.dialog


def install_https_controls(window: MainWindow) -> ReceiverHttpsControls:
    return ReceiverHttpsControls(window)
