"""The verification doctor: when a verdict is not VALID, say why and what to do (brief §3)."""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from benji_desktop.domain.masking import mask_secret
from benji_desktop.signature.signing import SIGNATURE_HEADER
from benji_desktop.signature.verify import (
    DecodedSignature,
    KnownSalt,
    SaltRole,
    SignatureMatch,
    Verdict,
    VerificationReport,
    find_match,
    header_values,
)

# Re-hashing variants of a huge body would stall a receiver; above this the doctor says it skipped them.
MAX_VARIANT_BODY = 1024 * 1024
MAX_DECODED_BODY = 8 * 1024 * 1024
_API_KEY = re.compile(r"^bk_[a-z]+_[0-9a-f]{32}$")
_SHOWN_TOKEN = 80


@dataclass
class _Diagnosis:
    reasons: list[str]
    causes: list[str] = field(default_factory=list)

    def finding(self, text: str) -> None:
        if text not in self.reasons:
            self.reasons.append(text)

    def suspect(self, cause: str) -> None:
        # Checks run from the most specific to the most generic: the first cause named is the likely one.
        self.causes.append(cause)


def _short(token: str) -> str:
    return token if len(token) <= _SHOWN_TOKEN else token[:_SHOWN_TOKEN] + "…"


def _signature_position(signature: DecodedSignature, count: int) -> str:
    return "The signature" if count == 1 else f"Signature {signature.index + 1} of {count}"


def looks_like_api_key(salt: str) -> bool:
    """A Benji API key (`bk_…`) pasted where the webhook salt belongs."""
    return salt.strip().startswith("bk_") or bool(_API_KEY.match(salt.strip()))


def _describe_salt_match(match: SignatureMatch) -> tuple[str, str]:
    label = match.salt.label
    if match.salt.role is SaltRole.PREVIOUS:
        return (
            f"It matches {label}, the salt a rotation replaced.",
            f"The sender still signs with the salt from before the rotation ({label}): switch it to the current salt.",
        )
    return (
        f"It matches {label}, the salt of another subscription.",
        f"The sender signed with the salt of {label}, not of the subscription for this endpoint: "
        "use the salt of the subscription that points here.",
    )


def _json_variants(body: bytes) -> Iterator[tuple[bytes, str]]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return
    layouts: list[tuple[dict[str, object], str]] = [
        ({"separators": (",", ":")}, "compact JSON"),
        ({"separators": (", ", ": ")}, "JSON with spaces after , and :"),
        ({"indent": 2}, "pretty JSON (indent 2)"),
        ({"indent": 4}, "pretty JSON (indent 4)"),
        ({"indent": "\t"}, "pretty JSON (tab indent)"),
    ]
    for options, layout in layouts:
        for sort_keys in (False, True):
            for ensure_ascii in (False, True):
                try:
                    text = json.dumps(payload, sort_keys=sort_keys, ensure_ascii=ensure_ascii, **options)  # type: ignore[arg-type]
                except (TypeError, ValueError, RecursionError):
                    continue
                description = (
                    layout + (", sorted keys" if sort_keys else "") + (", non-ASCII escaped" if ensure_ascii else "")
                )
                yield text.encode("utf-8", "surrogatepass"), description


def _newline_variants(body: bytes) -> Iterator[tuple[bytes, str, str]]:
    """(bytes, what was done, what the sender did) for trailing-newline and line-ending slips."""
    stripped = body.rstrip(b"\r\n")
    if stripped != body:
        yield stripped, "without its trailing newline", "signed the body without the trailing newline it sent"
    yield body + b"\n", "with a trailing LF added", "signed the body with a trailing newline it did not send"
    yield body + b"\r\n", "with a trailing CRLF added", "signed the body with a trailing CRLF it did not send"
    if body.endswith(b"\r\n"):
        yield body[:-2] + b"\n", "with the final CRLF as LF", "signed the body ending in LF but sent CRLF"
    elif body.endswith(b"\n"):
        yield body[:-1] + b"\r\n", "with the final LF as CRLF", "signed the body ending in CRLF but sent LF"
    if b"\r\n" in body:
        yield body.replace(b"\r\n", b"\n"), "with CRLF line endings as LF", "signed LF line endings, sent CRLF"
    elif b"\n" in body:
        yield body.replace(b"\n", b"\r\n"), "with LF line endings as CRLF", "signed CRLF line endings, sent LF"
    if body.strip() != body and body.strip() != stripped:
        yield body.strip(), "with surrounding whitespace removed", "signed the body without surrounding whitespace"


def _bounded_decompress(body: bytes, wbits: int) -> bytes | None:
    decompressor = zlib.decompressobj(wbits)
    try:
        out = decompressor.decompress(body, MAX_DECODED_BODY)
    except zlib.error:
        return None
    return out


def content_decode(body: bytes, encoding: str) -> bytes | None:
    """The body with a Content-Encoding undone (gzip, deflate; br when a brotli module exists), else None."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return _bounded_decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # "deflate" is zlib-wrapped per RFC 9110, but some senders send raw deflate.
        return _bounded_decompress(body, zlib.MAX_WBITS) or _bounded_decompress(body, -zlib.MAX_WBITS)
    if encoding == "br":
        try:
            import brotli  # optional: only when a brotli module is installed

            decoded: bytes = brotli.decompress(body)
        except Exception:
            return None
        return decoded
    return None


def _check_content_encoding(
    diagnosis: _Diagnosis,
    body: bytes,
    headers: Sequence[tuple[str, str]],
    match: Callable[[bytes], SignatureMatch | None],
) -> None:
    encodings = [part for value in header_values(headers, "content-encoding") for part in value.split(",")]
    encodings = [part.strip().lower() for part in encodings if part.strip() and part.strip().lower() != "identity"]
    if not encodings and body[:2] == b"\x1f\x8b":
        encodings = ["gzip"]
        diagnosis.finding("The body is gzip data although no Content-Encoding header says so.")
    if not encodings:
        return
    decoded: bytes | None = body
    for encoding in reversed(encodings):
        decoded = content_decode(decoded, encoding) if decoded is not None else None
    label = "+".join(encodings)
    if decoded is None:
        if encodings == ["br"]:
            diagnosis.finding("The body is brotli-encoded and this build has no brotli decoder to check it.")
        else:
            diagnosis.finding(
                f"Content-Encoding says {label} but the body is not {label} data: something on the way "
                "(a proxy or the framework) may have decoded it, so the bytes hashed are not the bytes signed."
            )
        return
    found = match(decoded)
    if found is not None:
        diagnosis.finding(
            f"The signature matches the {label}-decoded body ({len(decoded)} bytes), "
            f"not the {len(body)} bytes on the wire."
        )
        diagnosis.suspect(
            f"The sender signed the body before {label}-compressing it: verify the decoded body, "
            "or have the sender sign the bytes it sends."
        )
    else:
        diagnosis.finding(f"The {label}-decoded body does not match either.")


def _explain_undecodable(diagnosis: _Diagnosis, tokens: Sequence[str]) -> None:
    for token in tokens[:5]:
        shown = _short(token)
        lowered = token.lower()
        if lowered.startswith("sha1="):
            detail = "it is a SHA-1 digest; Benji uses HMAC-SHA256"
        elif "=" in token and not token.endswith("="):
            detail = f"it looks like a key=value pair ({token.split('=', 1)[0]}=…), not a digest"
        elif token[:1] in "\"'" or token[-1:] in "\"'":
            detail = "it is wrapped in quotes"
        elif re.fullmatch(r"[0-9a-fA-F]+", token):
            detail = f"it is {len(token)} hex characters; a SHA-256 digest has 64"
        else:
            detail = f"it is {len(token)} characters; SHA-256 is 64 hex or 44 base64 characters"
        diagnosis.finding(f"'{shown}' is not a SHA-256 digest in hex or base64: {detail}.")


def _check_salts(diagnosis: _Diagnosis, salts: Sequence[KnownSalt]) -> None:
    for salt in salts:
        if looks_like_api_key(salt.salt):
            diagnosis.finding(
                f"The salt for {salt.label} ({mask_secret(salt.salt)}) looks like an API key, not a webhook salt."
            )
        if salt.salt != salt.salt.strip():
            diagnosis.finding(f"The salt for {salt.label} has whitespace around it.")
        if not salt.salt:
            diagnosis.finding(f"The salt for {salt.label} is empty.")


def _check_time(diagnosis: _Diagnosis, report: VerificationReport, datetime_count: int) -> None:
    if datetime_count > 1:
        diagnosis.finding(f"There are {datetime_count} x-webhook-datetime headers; the first one is used.")
    if report.datetime_text is None:
        if not report.timestamp_ignored:
            diagnosis.finding("The x-webhook-datetime header is missing.")
        return
    if report.timestamp is None:
        diagnosis.finding(
            f"The x-webhook-datetime '{_short(report.datetime_text)}' is not a date this app can read "
            "(IMF-fixdate, RFC 850, asctime or ISO-8601 with an offset)."
        )
        return
    if report.datetime_form not in (None, "IMF-fixdate"):
        diagnosis.finding(f"The x-webhook-datetime is in {report.datetime_form} form; Benji sends IMF-fixdate.")
    skew = report.skew_seconds
    if skew is not None and abs(skew) > report.tolerance_seconds:
        direction = "ahead of" if skew > 0 else "behind"
        outcome = "ignored as asked" if report.timestamp_ignored else "outside"
        diagnosis.finding(
            f"The datetime is {human_duration(skew)} {direction} this computer's clock, "
            f"{outcome} the ±{report.tolerance_seconds:.0f} s window."
        )


def human_duration(seconds: float) -> str:
    """A clock skew as a person reads it: seconds up to a day (the window is in seconds), then days
    ("772 days", not "66685366 s")."""
    size = abs(seconds)
    if size <= 86400:
        return f"{size:.0f} s"
    days = size / 86400
    return f"{days:.1f} days" if days < 10 else f"{days:.0f} days"


def _stale_cause(report: VerificationReport) -> str:
    if report.datetime_text is None:
        return (
            "The signature is right but the x-webhook-datetime header is missing: have the sender add it, "
            "or ignore the timestamp to check an old capture."
        )
    if report.timestamp is None:
        return (
            "The signature is right but the x-webhook-datetime is unreadable: send an IMF-fixdate "
            "such as 'Tue, 22 Oct 2024 21:57:02 GMT', or ignore the timestamp."
        )
    skew = report.skew_seconds or 0.0
    if skew > 0:
        return (
            f"The signature is right but the datetime is {human_duration(skew)} in the future: one of the clocks is "
            "wrong; sync them (NTP), or ignore the timestamp to check a replay."
        )
    return (
        f"The signature is right but the datetime is {human_duration(skew)} old: this is a late replay or a clock "
        "problem; sync the clocks, or ignore the timestamp to check an old capture."
    )


def _check_look_alike_headers(diagnosis: _Diagnosis, headers: Sequence[tuple[str, str]]) -> None:
    names = sorted({name for name, _ in headers if "signature" in name.lower()})
    names = [name for name in names if name.strip().lower() != SIGNATURE_HEADER]
    if names:
        diagnosis.finding(f"No x-benji-signature header, but there is {', '.join(names[:3])}.")
        diagnosis.suspect(
            f"The signature came in a header named {names[0]}: send it as x-benji-signature "
            "(proxies such as nginx drop header names with underscores)."
        )


def _search_for_the_signed_bytes(
    diagnosis: _Diagnosis,
    report: VerificationReport,
    body: bytes,
    headers: Sequence[tuple[str, str]],
    salts: Sequence[KnownSalt],
    decoded: Sequence[DecodedSignature],
    other_salts: Sequence[KnownSalt],
) -> None:
    every_salt = [*salts, *other_salts]
    tried: set[bytes] = {body}  # many variants coincide (an ASCII body escapes to itself); hash each once

    def match(candidate: bytes) -> SignatureMatch | None:
        if candidate in tried:
            return None
        tried.add(candidate)
        return find_match(candidate, decoded, every_salt)

    count = len(report.received)
    elsewhere = find_match(body, decoded, other_salts)
    if elsewhere is not None:
        finding, cause = _describe_salt_match(elsewhere)
        diagnosis.finding(
            f"{_signature_position(elsewhere.signature, count)} is valid, but not for this endpoint. " + finding
        )
        diagnosis.suspect(cause)
        return

    for salt in every_salt:
        trimmed = salt.salt.strip()
        if trimmed != salt.salt and find_match(body, decoded, [KnownSalt(trimmed, salt.label)]):
            diagnosis.finding(f"The signature matches {salt.label} once the whitespace around the salt is removed.")
            diagnosis.suspect("The salt was pasted with whitespace around it: remove the spaces or newline.")
            return

    if len(body) > MAX_VARIANT_BODY:
        diagnosis.finding(f"The body is {len(body)} bytes; the doctor did not try re-serialised variants of it.")
    else:
        for candidate, done, sender_did in _newline_variants(body):
            found = match(candidate)
            if found is not None:
                diagnosis.finding(f"The signature matches the body {done} ({found.salt.label}).")
                diagnosis.suspect(f"The sender {sender_did}: sign exactly the bytes you send.")
                return
        for candidate, description in _json_variants(body):
            found = match(candidate)
            if found is not None:
                diagnosis.finding(
                    f"The signature matches the payload re-serialised as {description} ({found.salt.label}): "
                    "the sender signed something other than what it sent."
                )
                diagnosis.suspect(
                    f"The sender signed the payload serialised as {description} but sent other bytes: "
                    "serialise once and sign exactly the bytes you send."
                )
                return

    before = len(diagnosis.causes)
    _check_content_encoding(diagnosis, body, headers, match)
    if len(diagnosis.causes) > before:
        return

    if body and match(b"") is not None:
        diagnosis.finding("The signature is the HMAC of an empty body.")
        diagnosis.suspect("The sender signed an empty body: sign the body after it is built, not before.")
        return
    plain = hashlib.sha256(body).digest()
    if any(signature.value == plain for signature in decoded):
        diagnosis.finding("The signature is a plain SHA-256 of the body, with no salt.")
        diagnosis.suspect("The sender hashed the body without the salt: use HMAC-SHA256 keyed with the salt.")
        return
    for salt in every_salt:
        key = salt.salt.encode("utf-8", "surrogatepass")
        for combined, order in ((key + body, "salt + body"), (body + key, "body + salt")):
            if any(signature.value == hashlib.sha256(combined).digest() for signature in decoded):
                diagnosis.finding(f"The signature is SHA-256 of {order} ({salt.label}), not an HMAC.")
                diagnosis.suspect(
                    "The sender concatenated salt and body and hashed them: use HMAC-SHA256 keyed with the salt."
                )
                return


def explain(
    report: VerificationReport,
    body: bytes,
    headers: Sequence[tuple[str, str]],
    salts: Sequence[KnownSalt],
    decoded: Sequence[DecodedSignature],
    *,
    other_salts: Sequence[KnownSalt] = (),
) -> None:
    """Fill `report.reasons` and `report.cause`. Never raises: a doctor failure is itself a finding."""
    diagnosis = _Diagnosis(report.reasons)
    try:
        _explain(diagnosis, report, body, headers, salts, decoded, other_salts)
    except Exception as error:  # the verdict stands even when an explanation cannot be given
        diagnosis.finding(f"The doctor could not finish its checks ({type(error).__name__}).")
    if report.verdict is not Verdict.VALID and report.cause is None:
        report.cause = diagnosis.causes[0] if diagnosis.causes else _generic_cause(report)


def _generic_cause(report: VerificationReport) -> str:
    return {
        Verdict.UNSIGNED: "The request has no x-benji-signature header: the sender did not sign it.",
        Verdict.NO_SALT: "No salt is known for this endpoint: add the subscription's salt to verify it.",
        Verdict.MALFORMED: "The x-benji-signature header is not a SHA-256 digest in hex or base64: "
        "send lowercase hex of HMAC-SHA256.",
        Verdict.INVALID: "No known salt reproduces the signature: check that the salt belongs to the subscription "
        "for this endpoint and that nothing altered the body on the way.",
        Verdict.STALE: _stale_cause(report),
    }.get(report.verdict, "The request did not verify.")


def _explain(
    diagnosis: _Diagnosis,
    report: VerificationReport,
    body: bytes,
    headers: Sequence[tuple[str, str]],
    salts: Sequence[KnownSalt],
    decoded: Sequence[DecodedSignature],
    other_salts: Sequence[KnownSalt],
) -> None:
    count = len(report.received)
    if report.match is not None:
        signature = report.match.signature
        diagnosis.finding(
            f"{_signature_position(signature, count)} matches with {report.match.salt.label} ({signature.form})."
        )
        if not signature.canonical:
            diagnosis.finding(
                f"It matched in {signature.form} form; Benji's canonical form is lowercase hex with no prefix."
            )
        if report.match.salt.role is SaltRole.PREVIOUS:
            diagnosis.finding("It matched the salt a rotation replaced, still accepted during the overlap.")
    if report.undecodable:
        _explain_undecodable(diagnosis, report.undecodable)
    _check_salts(diagnosis, [*salts, *other_salts])
    _check_time(diagnosis, report, len(header_values(headers, "x-webhook-datetime")))
    if report.payload is not None:
        for problem in report.payload.problems:
            diagnosis.finding(problem)

    if report.verdict is Verdict.UNSIGNED:
        _check_look_alike_headers(diagnosis, headers)
    elif report.verdict is Verdict.NO_SALT:
        found = find_match(body, decoded, other_salts)
        if found is not None:
            finding, cause = _describe_salt_match(found)
            diagnosis.finding(finding)
            diagnosis.suspect(cause)
    elif report.verdict is Verdict.INVALID:
        if report.expected is not None and salts:
            received = ", ".join(_short(token) for token in report.received[:5])
            diagnosis.finding(f"Expected {report.expected} (lowercase hex with {salts[0].label}); received {received}.")
        _search_for_the_signed_bytes(diagnosis, report, body, headers, salts, decoded, other_salts)
        api_keys = [salt for salt in salts if looks_like_api_key(salt.salt)]
        if api_keys:
            diagnosis.suspect(
                f"The salt for {api_keys[0].label} is an API key: use the subscription's webhook salt instead."
            )
    elif report.verdict is Verdict.STALE:
        diagnosis.suspect(_stale_cause(report))
