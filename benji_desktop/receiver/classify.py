"""Name what is wrong with a request in one short code the user sees, plus sentences for the details."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from benji_desktop.signature.payload import PayloadInfo, parse_payload

# Headers that must appear once; a repeat makes "which one counts" ambiguous for the sender and us.
SINGLE_HEADERS = frozenset(
    {"content-type", "content-length", "x-benji-signature", "x-webhook-datetime", "host", "content-encoding"}
)
# aiohttp's own limit is 8190 bytes; we raise it so a large header is captured and named instead of refused.
OVERSIZED_HEADER_BYTES = 8190
DECOMPRESSED_LIMIT = 1 << 20

OK = "ok"


@dataclass
class Classification:
    code: str = OK
    notes: list[str] = field(default_factory=list)
    payload: PayloadInfo = field(default_factory=PayloadInfo)


@dataclass
class TransportFacts:
    """What went wrong while the request was read, before its content is looked at."""

    oversize: bool = False
    framing_error: str | None = None
    stalled: bool = False
    disconnected: bool = False


def decode_content(body: bytes, encoding: str) -> bytes | None:
    """The content-decoded body for gzip/deflate (bounded), or None when not decodable."""
    try:
        if encoding == "gzip":
            return gzip.decompress(body)[:DECOMPRESSED_LIMIT]
        if encoding == "deflate":
            try:
                return zlib.decompressobj().decompress(body, DECOMPRESSED_LIMIT)
            except zlib.error:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, DECOMPRESSED_LIMIT)
    except (OSError, EOFError, zlib.error):
        return None
    return None


def classify(
    method: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    transport: TransportFacts,
    payload: PayloadInfo | None = None,
) -> Classification:
    """Never raises. The first problem found (framing, then headers, then body) is the code.
    `payload` is the body's parse when the caller has it already (verification reads it too)."""
    result = Classification()
    codes: list[str] = []
    if transport.oversize:
        codes.append("oversize")
        result.notes.append("The body is larger than the receiver's limit; only its first bytes are kept.")
    if transport.framing_error:
        codes.append("bad_framing")
        result.notes.append(f"The body framing is broken: {transport.framing_error}.")
    if transport.stalled:
        codes.append("stalled")
        result.notes.append("The client stopped sending the body before it was complete.")
    if transport.disconnected:
        codes.append("client_disconnected")
        result.notes.append("The client closed the connection before the body was complete.")

    # One pass over the headers (this runs per request): repeats of single headers, oversized ones, and the
    # first Content-Type and Content-Encoding.
    seen: set[str] = set()
    repeated_names: set[str] = set()
    large_names: set[str] = set()
    content_type: str | None = None
    encoding_value: str | None = None
    for name, value in headers:
        key = name.lower()
        if key in SINGLE_HEADERS:
            if key in seen:
                repeated_names.add(key)
            else:
                seen.add(key)
                if key == "content-type":
                    content_type = value
                elif key == "content-encoding":
                    encoding_value = value
        if len(name) + len(value) > OVERSIZED_HEADER_BYTES:
            large_names.add(name)
    if repeated_names:
        repeated = sorted(repeated_names)
        codes.append("duplicate_headers")
        result.notes.append(f"Header{'s' if len(repeated) > 1 else ''} sent more than once: {', '.join(repeated)}.")
    if large_names:
        large = sorted(large_names)
        codes.append("oversized_headers")
        result.notes.append(f"Header{'s' if len(large) > 1 else ''} over 8 KiB: {', '.join(large)}.")

    encoding = encoding_value.strip().lower() if encoding_value is not None else ""
    content = body
    if encoding and encoding != "identity" and body:
        decoded = decode_content(body, encoding)
        if decoded is None:
            result.notes.append(f"Content-Encoding is {encoding!r} but the body could not be decoded with it.")
        else:
            content = decoded
            result.notes.append(f"The body is {encoding}-encoded on the wire; its content is read decoded.")

    truncated = transport.oversize or transport.framing_error or transport.stalled or transport.disconnected
    if not body:
        if not truncated:
            codes.append("empty_body")
            result.notes.append("The body is empty.")
    elif not truncated:
        result.payload = payload if payload is not None and content is body else parse_payload(content)
        problems = result.payload.problems
        try:
            content.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        if not utf8:
            codes.append("non_utf8")
        elif any("not valid JSON" in problem for problem in problems):
            codes.append("invalid_json")
        elif content_type is None or "json" not in content_type.lower():
            codes.append("not_json_content_type")
            shown = repr(content_type) if content_type is not None else "missing"
            result.notes.append(f"Content-Type is {shown}; Benji sends application/json.")
        elif problems:
            codes.append("unexpected_shape")
        result.notes.extend(problems)
    result.code = codes[0] if codes else OK
    return result
