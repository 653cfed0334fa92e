"""Typed platform errors with readable messages that never carry an API key, a salt or a credential."""

from __future__ import annotations


class PlatformError(Exception):
    """A request to the platform failed; `message` is a sentence for the user, already redacted."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, code={self.code!r})"


class AuthError(PlatformError):
    """401: the API key is missing, wrong, deleted or rotated away."""


class ForbiddenError(PlatformError):
    """403: the key is fine but the call is not allowed (e.g. this computer's IP is not whitelisted)."""


class NotFoundError(PlatformError):
    """404 from an environment that implements the path: the thing itself does not exist."""


class ValidationError(PlatformError):
    """400/422: the request was understood and refused; the message says which field."""


class NotAvailableError(PlatformError):
    """The environment does not implement this extension (or it is Sandbox-only)."""


class NetworkError(PlatformError):
    """No HTTP answer at all: refused connection, DNS failure, TLS failure, timeout."""


class ServerError(PlatformError):
    """5xx: the platform failed; retrying later may help."""
