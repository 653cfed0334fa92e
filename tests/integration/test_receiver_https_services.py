"""AppServices.set_receiver_https: the receiver restarts with TLS on the same port, the choice survives a restart of
the app, and a sender that trusts the certificate in the data directory is captured over HTTPS."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from benji_desktop.app import AppServices
from benji_desktop.receiver.tls import CERT_FILE
from benji_desktop.secretstore import MemorySecretStore
from benji_desktop.signature import canonical_body, signed_headers
from benji_desktop.storage.captures import CaptureFilter

SALT = "salt_Tt3k9QmX2vLr8TnW4yHc6JbA1sEdFgUo"


def independent_fingerprint(cert_path: Path) -> str:
    der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(Encoding.DER)
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


async def test_https_toggle_restarts_on_the_same_port_and_is_remembered(tmp_path: Path) -> None:
    services = AppServices.create(tmp_path, secret_store=MemorySecretStore(), receiver_port=0, with_sandbox=False)
    await services.start()
    try:
        await services.add_manual_salt("partner", SALT)
        assert services.receiver_url.startswith("http://") and services.receiver_tls_fingerprint == ""
        port = services.receiver.port
        seen: list[str] = []
        services.add_receiver_listener(seen.append)

        url = await services.set_receiver_https(True)
        cert_path = services.layout.tls_dir / CERT_FILE
        assert url == f"https://localhost:{port}" and seen == [url]
        assert services.local_receiver_endpoint == f"https://localhost:{port}/webhooks/benji"
        assert services.receiver_tls_fingerprint == independent_fingerprint(cert_path)
        assert services.settings.receiver_https is True
        body = canonical_body("user_partner_connected", 1, 7)
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=cert_path)) as client:
            answer = await client.post(
                services.local_receiver_endpoint, content=body, headers=signed_headers(body, [SALT])
            )
        assert answer.status_code == 200
        (summary,) = services.captures.page(CaptureFilter(), 0, 10)
        capture = services.captures.get(summary.id)
        assert (capture.scheme, capture.verdict) == ("https", "VALID")

        assert await services.set_receiver_https(False) == f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as client:
            assert (await client.post(services.local_receiver_endpoint, content=body)).status_code == 200
        assert services.captures.count() == 2 and services.settings.receiver_https is False
        await services.set_receiver_https(True)
    finally:
        await services.stop()
        services.close()

    again = AppServices.create(tmp_path, secret_store=MemorySecretStore(), receiver_port=0, with_sandbox=False)
    await again.start()
    try:
        assert again.receiver_url.startswith("https://localhost:")  # the choice was kept in settings
        assert again.receiver_tls_fingerprint == independent_fingerprint(cert_path)  # the same certificate
    finally:
        await again.stop()
        again.close()


async def test_sandbox_send_test_reaches_the_https_receiver_and_verifies(tmp_path: Path) -> None:
    """With HTTPS on, "Use my local receiver" gives an https endpoint: the Sandbox must trust its certificate."""
    services = AppServices.create(tmp_path, secret_store=MemorySecretStore(), receiver_port=0)
    await services.start()
    try:
        await services.set_receiver_https(True)
        client = await services.client()
        created = await client.create_subscription(services.local_receiver_endpoint, 1, "user_partner_connected")
        await services.remember_subscription("sandbox", created.id, created.endpoint, created.salt)
        attempt = await client.send_test(created.id)
        assert attempt.response_status == 200, attempt.error
        (summary,) = services.captures.page(CaptureFilter(), 0, 10)
        capture = services.captures.get(summary.id)
        assert (capture.scheme, capture.verdict) == ("https", "VALID")
    finally:
        await services.stop()
        services.close()
