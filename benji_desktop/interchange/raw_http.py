"""A raw HTTP/1.1 request as pasted or captured: CRLF or LF line ends, Content-Length, chunked bodies."""

from __future__ import annotations

import re

from benji_desktop.interchange.model import HttpRequest, InterchangeError

_REQUEST_LINE = re.compile(r"^([A-Z][A-Z-]*)[ \t]+(\S+)(?:[ \t]+(HTTP/\d(?:\.\d)?))?[ \t]*$")
_MAX_SHOWN = 60


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    ends = [(data.find(marker), len(marker)) for marker in (b"\r\n\r\n", b"\n\n", b"\r\n\n", b"\n\r\n")]
    found = [(index, length) for index, length in ends if index >= 0]
    if not found:
        return data, b""
    index, length = min(found)
    return data[:index], data[index + length :]


def dechunk(data: bytes) -> bytes:
    """Undo chunked transfer coding; chunk-size lines may end in CRLF or LF; trailers are dropped."""
    out = bytearray()
    position = 0
    while True:
        line_end = data.find(b"\n", position)
        if line_end < 0:
            raise InterchangeError("The chunked body ends before its last (zero-size) chunk.")
        size_text = data[position:line_end].strip().split(b";", 1)[0]
        try:
            size = int(size_text, 16)
        except ValueError:
            shown = size_text[:_MAX_SHOWN].decode("latin-1")
            raise InterchangeError(f"The chunk size {shown!r} is not a hexadecimal number.") from None
        position = line_end + 1
        if size == 0:
            return bytes(out)
        chunk = data[position : position + size]
        if len(chunk) < size:
            raise InterchangeError(f"A chunk says {size} bytes but only {len(chunk)} follow.")
        out += chunk
        position += size
        if data.startswith(b"\r\n", position):
            position += 2
        elif data.startswith(b"\n", position):
            position += 1
        else:
            raise InterchangeError("A chunk is not followed by a line end.")


def parse_raw_http(data: bytes) -> HttpRequest:
    """Read a raw HTTP request; header bytes are read as Latin-1 so any byte survives."""
    data = data.lstrip(b"\r\n")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head, rest = _split_head(data)
    lines = head.decode("latin-1").split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    match = _REQUEST_LINE.match(lines[0])
    if not match:
        raise InterchangeError(
            f"The first line {lines[0][:_MAX_SHOWN]!r} is not an HTTP request line such as 'POST /path HTTP/1.1'."
        )
    method, target = match.group(1).upper(), match.group(2)
    headers: list[tuple[str, str]] = []
    for number, line in enumerate(lines[1:], start=2):
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or name != name.rstrip():
            raise InterchangeError(f"Line {number} ({line[:_MAX_SHOWN]!r}) is not a 'Name: value' header.")
        headers.append((name, value.strip(" \t")))

    def first(name: str) -> str | None:
        return next((value for key, value in headers if key.lower() == name), None)

    transfer_encoding = ",".join(value for key, value in headers if key.lower() == "transfer-encoding")
    content_length = first("content-length")
    if "chunked" in transfer_encoding.lower():
        body = dechunk(rest)
    elif content_length is not None:
        try:
            length = int(content_length.strip())
        except ValueError:
            raise InterchangeError(f"Content-Length {content_length!r} is not a number.") from None
        if length < 0:
            raise InterchangeError(f"Content-Length {length} is negative.")
        if len(rest) < length:
            raise InterchangeError(
                f"Content-Length says {length} bytes but only {len(rest)} follow: the paste looks cut short."
            )
        body = rest[:length]
    else:
        body = rest

    if target.lower().startswith(("http://", "https://")):
        return HttpRequest.from_url(method, target, headers, body)
    host = first("host")
    if not host:
        raise InterchangeError("The request has no Host header and no absolute URL, so its address is unknown.")
    path, _, query = target.partition("?")
    return HttpRequest(method, "http", host.strip(), path or "/", query, headers, body)
