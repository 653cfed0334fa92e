"""The embedded webhook receiver: aiohttp on loopback, every request stored raw before it is answered."""

from benji_desktop.receiver.rules import ResponseRule, ResponseRules
from benji_desktop.receiver.salts import SaltSource, StaticSaltSource
from benji_desktop.receiver.server import PortInUseError, Receiver, ReplayResult
from benji_desktop.receiver.tls import SelfSignedCert, ensure_self_signed_cert
from benji_desktop.receiver.verification import reverify_captures

__all__ = [
    "PortInUseError",
    "Receiver",
    "ReplayResult",
    "ResponseRule",
    "ResponseRules",
    "SaltSource",
    "SelfSignedCert",
    "StaticSaltSource",
    "ensure_self_signed_cert",
    "reverify_captures",
]
