"""aiohttp's low-level server with a hook for the requests its parser refuses before any handler runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import http_exceptions, web
from aiohttp.web_protocol import RequestHandler, _ErrInfo

# (remote address, status sent, the parser's exception, its message)
RejectedCallback = Callable[[str | None, int, BaseException | None, str | None], None]

logger = logging.getLogger(__name__)


def rejection_code(exc: BaseException | None) -> str:
    """The classification for a request aiohttp's parser refused (llhttp says what in its message)."""
    text = str(getattr(exc, "message", "") or exc or "").lower()
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
    """Reports each parser rejection to the server's callback, then answers as aiohttp would (400, close)."""

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        server = self._manager
        callback = getattr(server, "rejected_callback", None)
        if callback is not None:
            try:
                callback(request.remote, status, exc, message)
            except Exception:  # a recording failure must not turn a 400 into a crash
                logger.exception("could not record a rejected request")
        return super().handle_error(request, status, exc, message)

    def data_received(self, data: bytes) -> None:
        before = len(self._messages)
        super().data_received(data)
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

    def __init__(self, handler: Any, *, rejected_callback: RejectedCallback | None = None, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.rejected_callback = rejected_callback

    def __call__(self) -> RequestHandler:
        return CapturingRequestHandler(self, loop=self._loop, **self._kwargs)
