"""View → Serve HTTPS (self-signed): the receiver answers over TLS to a sender trusting the certificate in the
data folder, the dialog shows the certificate's real SHA-256, and switching off brings plain HTTP back."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

import httpx
from app_harness import running_window, settle, wait_until
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from PySide6.QtGui import QGuiApplication

from benji_desktop.receiver.tls import CERT_FILE
from benji_desktop.signature import canonical_body


def sha256_of_certificate(cert_path: Path) -> str:
    der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(Encoding.DER)
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


async def test_serve_https_toggle_fingerprint_dialog_and_back(tmp_path: Path) -> None:
    async with running_window(tmp_path, with_sandbox=False) as window:
        services = window.services
        controls = window.receiver_https
        inspector = window.inspector_tab
        await settle()
        port = services.receiver.port
        assert controls.toggle_action in window.ui.view_menu.actions()
        assert not controls.toggle_action.isChecked() and not controls.certificate_action.isEnabled()

        controls.toggle_action.setChecked(True)
        await wait_until(lambda: controls.dialog is not None and controls.dialog.isVisible())
        cert_path = services.layout.tls_dir / CERT_FILE
        endpoint = f"https://localhost:{port}/webhooks/benji"
        assert window.receiver_label.text() == f"Receiver: {endpoint}"
        assert f"https://localhost:{port}" in inspector.ui.receiver_label.text()
        dialog = controls.dialog
        assert dialog.fingerprint_label.text() == sha256_of_certificate(cert_path)
        assert dialog.path_label.text() == str(cert_path)
        assert f"curl --cacert {cert_path}" in dialog.findChild(type(dialog.path_label), "trust_label").text()
        dialog.copy_fingerprint_button.click()
        assert QGuiApplication.clipboard().text() == sha256_of_certificate(cert_path)
        dialog.close()

        body = canonical_body("user_partner_connected", 1, 42)
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=cert_path)) as client:
            assert (await client.post(endpoint, content=body)).status_code == 200
        await wait_until(lambda: inspector.model.rowCount() == 1)
        captured = services.captures.get(inspector.model.summary_at(0).id)
        assert (captured.scheme, captured.body) == ("https", body)

        controls.toggle_action.setChecked(False)
        await wait_until(
            lambda: services.receiver.tls is None and window.receiver_label.text().startswith("Receiver: http:")
        )
        assert not controls.certificate_action.isEnabled() and services.settings.receiver_https is False
        plain = f"http://127.0.0.1:{port}/webhooks/benji"
        async with httpx.AsyncClient() as client:
            assert (await client.post(plain, content=body)).status_code == 200
        await wait_until(lambda: inspector.model.rowCount() == 2)
        assert services.captures.get(inspector.model.summary_at(0).id).scheme == "http"
