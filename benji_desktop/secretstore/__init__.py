"""Where secrets live: the OS keychain, or an encrypted file with a visible warning where there is none."""

from benji_desktop.secretstore.base import MemorySecretStore, SecretStore

__all__ = ["MemorySecretStore", "SecretStore"]
