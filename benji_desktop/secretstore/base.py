"""The `SecretStore` interface every layer uses for API keys, salts and integration credentials."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class SecretStore(Protocol):
    """Names are like `env/sandbox/api-key`, `salt/sandbox/12`, `sandbox/encryption-key`.

    Calls may block (an OS keychain can prompt): async code calls them through an executor.
    """

    @property
    def is_secure(self) -> bool:
        """True when secrets are protected by the OS keychain."""
        ...

    @property
    def backend_description(self) -> str:
        """A sentence for the user: where secrets are kept and what that protects against."""
        ...

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


class MemorySecretStore:
    """Secrets in process memory only (tests, and `--ephemeral` runs); nothing is written anywhere."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    @property
    def is_secure(self) -> bool:
        return True

    @property
    def backend_description(self) -> str:
        return "Secrets are kept in memory for this run only and are forgotten when it ends."

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        self._values[name] = value

    def delete(self, name: str) -> None:
        self._values.pop(name, None)
