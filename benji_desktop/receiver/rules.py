"""Response rules: what the receiver answers, per path prefix (status, headers, body, delay)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class ResponseRule:
    """Answer requests whose path starts with `path_prefix` like this. `{id}` in the body is the capture id."""

    path_prefix: str = "/"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None  # None: the default JSON acknowledgement
    delay_seconds: float = 0.0

    def render_body(self, capture_id: int) -> bytes:
        if self.body is None:
            return default_body(capture_id)
        return self.body.replace("{id}", str(capture_id)).encode("utf-8")

    def response_headers(self) -> list[tuple[str, str]]:
        return list(self._response_headers)

    @cached_property
    def _response_headers(self) -> tuple[tuple[str, str], ...]:
        # Worked out once per rule: the receiver asks for every request.
        headers = list(self.headers)
        if not any(name.lower() == "content-type" for name, _ in headers):
            content_type = "application/json" if self.body is None else "text/plain; charset=utf-8"
            headers.insert(0, ("Content-Type", content_type))
        return tuple(headers)


def default_body(capture_id: int) -> bytes:
    """`{"received":true,"id":N}` — formatted directly: this runs once per request."""
    return b'{"received":true,"id":%d}' % capture_id


DEFAULT_RULE = ResponseRule()


@dataclass(frozen=True)
class ResponseRules:
    """An ordered set of rules; the longest matching prefix wins, else `default`."""

    rules: tuple[ResponseRule, ...] = ()
    default: ResponseRule = field(default=DEFAULT_RULE)

    def rule_for(self, path: str) -> ResponseRule:
        best: ResponseRule | None = None
        for rule in self.rules:
            if path.startswith(rule.path_prefix) and (best is None or len(rule.path_prefix) > len(best.path_prefix)):
                best = rule
        return best or self.default

    @classmethod
    def always(cls, status: int, body: str | None = None, delay_seconds: float = 0.0) -> ResponseRules:
        return cls(default=ResponseRule(status=status, body=body, delay_seconds=delay_seconds))
