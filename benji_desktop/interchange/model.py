"""The neutral request/exchange records every interchange format reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class InterchangeError(ValueError):
    """Input that cannot be read as the format it claims; the message is for the user, one sentence."""


@dataclass
class HttpRequest:
    method: str
    scheme: str
    host: str  # host[:port] as in the Host header
    path: str
    query: str  # without the leading "?"
    headers: list[tuple[str, str]]  # in received order, names in received case, duplicates kept
    body: bytes
    remote: str | None = None
    received_at: float | None = None  # POSIX seconds

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path or '/'}" + (f"?{self.query}" if self.query else "")

    def header(self, name: str) -> str | None:
        """The first value of a header, any case."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @classmethod
    def from_url(cls, method: str, url: str, headers: list[tuple[str, str]], body: bytes, **extra: Any) -> HttpRequest:
        if "://" not in url:
            url = "http://" + url  # as curl does for a bare host
        try:
            parts = urlsplit(url)
        except ValueError as error:
            raise InterchangeError(f"The URL {url!r} cannot be read ({error}).") from error
        if not parts.netloc:
            raise InterchangeError(f"The URL {url!r} has no host.")
        host = parts.netloc.rsplit("@", 1)[-1]  # userinfo never belongs in Host
        return cls(method.upper(), parts.scheme.lower(), host, parts.path or "/", parts.query, headers, body, **extra)


@dataclass
class HttpExchange:
    request: HttpRequest
    response_status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    verification: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
