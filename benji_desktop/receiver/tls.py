"""A self-signed certificate for localhost / 127.0.0.1, made once and kept in the data directory."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

CERT_FILE = "receiver-cert.pem"
KEY_FILE = "receiver-key.pem"
VALID_DAYS = 825


@dataclass(frozen=True)
class SelfSignedCert:
    cert_path: Path
    key_path: Path
    fingerprint_sha256: str  # "AB:CD:…", as browsers and curl show it

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


def _fingerprint(cert_pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    certificate = x509.load_pem_x509_certificate(cert_pem)
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def ensure_self_signed_cert(tls_dir: Path) -> SelfSignedCert:
    """Load the certificate from `tls_dir`, or make one (EC P-256) when missing or expired."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    tls_dir.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = tls_dir / CERT_FILE, tls_dir / KEY_FILE
    now = dt.datetime.now(dt.UTC)
    if cert_path.exists() and key_path.exists():
        pem = cert_path.read_bytes()
        certificate = x509.load_pem_x509_certificate(pem)
        if certificate.not_valid_after_utc > now + dt.timedelta(days=1):
            return SelfSignedCert(cert_path, key_path, _fingerprint(pem))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Benji Desktop local receiver")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # The key only protects a loopback test listener; still, only this user may read it.
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_pem)
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(cert_pem)
    return SelfSignedCert(cert_path, key_path, _fingerprint(cert_pem))
