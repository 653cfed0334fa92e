"""aiohttp's low-level server with a hook for the requests its parser refuses before any handler runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import http_exceptions, web
from aiohttp.web_protocol import RequestHandler, _ErrInfo

# (remote address, status sent, the parser's exception, its message, the connection's first bytes or b"")
RejectedCallback = Callable[[str | None, int, BaseException | None, str | None, bytes], None]
# How much of a connection's first bytes are kept, to show a refused or stalled request as it arrived.
FIRST_BYTES_KEPT = 8192


class HeadStalledError(Exception):
    """The client opened a connection, sent part of a request head and stopped."""


logger = logging.getLogger(__name__)


def rejection_code(exc: BaseException | None) -> str:
    """The classification for a request aiohttp's parser refused (llhttp says what in its message)."""
    text = str(getattr(exc, "message", "") or exc or "").lower()
    if isinstance(exc, HeadStalledError):
        return "stalled"
    if isinstance(exc, http_exceptions.LineTooLong):
        return "headers_too_large"
    if "too many headers" in text:
        return "too_many_headers"
    if isinstance(exc, http_exceptions.BadHttpMethod | http_exceptions.BadStatusLine | http_exceptions.InvalidURLError):
        return "bad_request_line"
    if isinstance(exc, http_exceptions.PayloadEncodingError) or any(
        word in text for word in ("chunk", "content-length", "transfer-encoding", "data after")
    ):
        return "bad_framing"
    if isinstance(exc, http_exceptions.InvalidHeader) or "header" in text:
        return "bad_headers"
    if isinstance(exc, http_exceptions.BadHttpMessage):
        return "bad_request"
    return "rejected"


class CapturingRequestHandler(RequestHandler):
    """Reports each parser rejection (with the connection's first bytes when they belong to it) and each
    client that stalls before its first request head is complete, then answers as aiohttp would."""

    _first_bytes: bytearray
    _stall_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._first_bytes = bytearray()
        timeout = getattr(self._manager, "head_timeout", None)
        if timeout:
            self._stall_timer = asyncio.get_running_loop().call_later(timeout, self._head_stalled)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        super().connection_lost(exc)

    def _report(self, remote: str | None, status: int, exc: BaseException | None, message: str | None) -> None:
        callback = getattr(self._manager, "rejected_callback", None)
        if callback is None:
            return
        # The kept bytes are this request's only while it is the connection's first one.
        first = bytes(self._first_bytes) if self._request_count <= 1 else b""
        try:
            callback(remote, status, exc, message, first)
        except Exception:  # a recording failure must not turn a 400 into a crash
            logger.exception("could not record a rejected request")

    def _head_stalled(self) -> None:
        self._stall_timer = None
        if self._request_count > 0 or self.transport is None or self._manager is None:
            return
        peer = self.transport.get_extra_info("peername")
        remote = str(peer[0]) if isinstance(peer, tuple) and peer else None
        if self._first_bytes:
            self._report(remote, 408, HeadStalledError(), "The client stopped before the request head was complete.")
        self.transport.close()

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        self._report(request.remote, status, exc, message)
        return super().handle_error(request, status, exc, message)

    def data_received(self, data: bytes) -> None:
        if self._request_count == 0 and len(self._first_bytes) < FIRST_BYTES_KEPT:
            self._first_bytes += data[: FIRST_BYTES_KEPT - len(self._first_bytes)]
        before = len(self._messages)
        super().data_received(data)
        if self._stall_timer is not None and self._request_count > 0:
            self._stall_timer.cancel()
            self._stall_timer = None
        request = self._current_request
        if request is None or len(self._messages) <= before:
            return
        # A parse error in the middle of a streamed body (broken chunking) is queued as a new message and
        # the body being read would wait forever: hand the error to that body instead, so the request being
        # read is recorded as badly framed (with what arrived) rather than as stalled plus a separate refusal.
        for message, payload in list(self._messages)[before:]:
            if isinstance(message, _ErrInfo):
                self._messages.remove((message, payload))
                request._cancel(message.exc)
                break

    def log_exception(self, *args: Any, **kw: Any) -> None:
        # Malformed requests are expected traffic here and are recorded as captures; keep stderr quiet.
        kw.pop("exc_info", None)
        self.logger.debug(*args, **kw)


class CapturingServer(web.Server):
    """`web.Server` whose connections use `CapturingRequestHandler`."""

    def __init__(
        self,
        handler: Any,
        *,
        rejected_callback: RejectedCallback | None = None,
        head_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(handler, **kwargs)
        self.rejected_callback = rejected_callback
        self.head_timeout = head_timeout

    def __call__(self) -> RequestHandler:
        return CapturingRequestHandler(self, loop=self._loop, **self._kwargs)
