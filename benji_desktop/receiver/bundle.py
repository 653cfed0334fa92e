"""Support bundles: selected captures with their reports, the app version and a settings snapshot in one zip,
every key, salt and credential masked; read back as imported captures that keep the sender's verdicts."""

from __future__ import annotations

import json
import platform
import re
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from benji_desktop.domain.masking import mask_secret, redact
from benji_desktop.interchange import HttpExchange, InterchangeError, exchanges_to_json, json_to_exchanges
from benji_desktop.receiver.exchange import IMPORT_REMOTE, capture_to_exchange
from benji_desktop.receiver.salts import StaticSaltSource
from benji_desktop.receiver.verification import reverify_captures
from benji_desktop.signature import KnownSalt
from benji_desktop.storage.captures import Capture, CaptureStore

BUNDLE_FORMAT = "benji-desktop-support-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
CAPTURES = "captures.json"
SETTINGS = "settings.json"
README = "README.txt"
MAX_MEMBER_BYTES = 512 * 1024 * 1024  # a bundle member larger than this is refused rather than read

# Header and query/setting names whose values are credentials wherever they appear.
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_NAME = re.compile(r"(api[_-]?key|token|secret|password|passwd|credential|authori[sz]ation|cookie)", re.I)
# Shapes of every secret the platform hands out (API keys, salts, integration credentials); masked even when
# the writer was not told the value.
SECRET_SHAPES = (
    re.compile(r"bk_[a-z]+_[0-9a-f]{16,}", re.IGNORECASE),
    re.compile(r"salt_[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\b[sr]k_(?:test|live)_[A-Za-z0-9]{8,}"),
    re.compile(r"\bEAAA[A-Za-z0-9_\-]{8,}"),
)

README_TEXT = """Benji Desktop support bundle
============================

This zip was written by Benji Desktop {version} on {created} ({platform}).
It holds {count} with the verification report and verdict each had, and a snapshot
of the app's settings, so someone helping you sees exactly what you saw.

  manifest.json  what this is: format version, app version, when, platform, counts
  captures.json  the captures in Benji Desktop's JSON export format (bodies byte-exact, base64)
  settings.json  the settings (they hold no secrets; anything secret-looking is masked anyway)

Every API key, salt and credential is masked (x-api-key, Authorization and Cookie header values too), so
the bundle is safe to attach to a support request. Signatures are kept: they do not reveal the salt.

To open it: in Benji Desktop, Inspector -> Import... and choose this file, or run
    benji-desktop import {name}
The captures appear with the verdicts they had here. To check a signature yourself, add the salt
(Inspector -> Known salts...) and re-verify the capture, or run
    benji-desktop import --salt <salt> {name}
"""


@dataclass
class SupportBundle:
    """A bundle as read back: its manifest, the captures (ready to store) and the settings snapshot."""

    manifest: dict[str, Any]
    captures: list[Capture]
    settings: dict[str, Any] = field(default_factory=dict)


def _mask_text(text: str, secrets: Sequence[str]) -> str:
    text = redact(text, list(secrets))
    for shape in SECRET_SHAPES:
        text = shape.sub(lambda match: mask_secret(match.group(0)), text)
    return text


def _mask_header_value(name: str, value: str) -> str:
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, credential = value.partition(" ")
    if credential and scheme.lower() in ("bearer", "basic", "token", "digest"):
        return f"{scheme} {mask_secret(credential)}"  # keep the scheme: "which auth was used" helps support
    return mask_secret(value)


def _mask_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, _mask_header_value(name, value)) for name, value in headers]


def _mask_query(query: str) -> str:
    if not query or not _SECRET_NAME.search(query):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, mask_secret(value) if _SECRET_NAME.search(name) else value) for name, value in pairs])


def _mask_body(body: bytes, secrets: Sequence[str]) -> tuple[bytes, bool]:
    """Bodies travel byte-exact, unless a secret is in them: then that secret is masked and the caller notes it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
        masked = _mask_text(text, secrets)
        return (masked.encode("latin-1", "replace"), True) if masked != text else (body, False)
    masked = _mask_text(text, secrets)
    return (masked.encode("utf-8"), True) if masked != text else (body, False)


def masked_exchange(exchange: HttpExchange, secrets: Sequence[str]) -> HttpExchange:
    request = exchange.request
    request.headers = _mask_headers(request.headers)
    request.query = _mask_query(request.query)
    exchange.response_headers = _mask_headers(exchange.response_headers)
    request.body, request_masked = _mask_body(request.body, secrets)
    exchange.response_body, response_masked = _mask_body(exchange.response_body, secrets)
    if request_masked or response_masked:
        notes = list(exchange.meta.get("notes") or [])
        notes.append("A secret in this capture's body was masked in the support bundle, so its bytes differ.")
        exchange.meta["notes"] = notes
    return exchange


def _mask_settings(value: Any, secrets: Sequence[str], name: str = "") -> Any:
    if isinstance(value, Mapping):
        return {key: _mask_settings(item, secrets, str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        # Header pairs in response rules: [name, value].
        if len(value) == 2 and all(isinstance(part, str) for part in value) and value[0].lower() in SECRET_HEADERS:
            return [value[0], mask_secret(value[1])]
        return [_mask_settings(item, secrets, name) for item in value]
    if isinstance(value, str):
        if _SECRET_NAME.search(name) and value:
            return mask_secret(value)
        return _mask_text(value, secrets)
    return value


def _dump(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_bundle(
    captures: Sequence[Capture],
    settings_snapshot: Mapping[str, Any],
    app_version: str,
    path: Path,
    *,
    secrets: Sequence[str] = (),
    created_at: float | None = None,
) -> Path:
    """Write one zip at `path` (atomically). `secrets` are values known to this app (salts, keys) that must not
    appear in clear; shapes of platform secrets and credential headers are masked whether given or not."""
    path = Path(path)
    created = datetime.fromtimestamp(time.time() if created_at is None else created_at, UTC)
    exchanges = [masked_exchange(capture_to_exchange(capture), secrets) for capture in captures]
    # Reports and notes already mask salts; the text pass catches any value the capture's own fields hold.
    captures_doc = json.loads(_mask_text(json.dumps(exchanges_to_json(exchanges), ensure_ascii=False), secrets))
    verdicts: dict[str, int] = {}
    for capture in captures:
        verdicts[capture.verdict or "not verified"] = verdicts.get(capture.verdict or "not verified", 0) + 1
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "app_version": app_version,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "counts": {"captures": len(captures), "verdicts": verdicts},
        "files": [CAPTURES, SETTINGS, README],
    }
    readme = README_TEXT.format(
        version=app_version,
        created=manifest["created_at"],
        platform=manifest["platform"],
        count=f"{len(captures)} captured request{'' if len(captures) == 1 else 's'}",
        name=path.name,
    )
    temporary = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _dump(manifest))
        archive.writestr(CAPTURES, _dump(captures_doc))
        archive.writestr(SETTINGS, _dump(_mask_settings(dict(settings_snapshot), secrets)))
        archive.writestr(README, readme.encode("utf-8"))
    temporary.replace(path)  # a half-written bundle never takes the real name
    return path


def is_bundle(data_or_path: bytes | Path) -> bool:
    """True for a zip that holds our manifest (cheap: reads the zip directory only)."""
    if isinstance(data_or_path, bytes):
        if not data_or_path.startswith(b"PK\x03\x04"):
            return False
        import io

        source: Any = io.BytesIO(data_or_path)
    else:
        source = Path(data_or_path)
        if not zipfile.is_zipfile(source):
            return False
    try:
        with zipfile.ZipFile(source) as archive:
            return MANIFEST in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _member_json(archive: zipfile.ZipFile, name: str, required: bool = True) -> Any:
    try:
        info = archive.getinfo(name)
    except KeyError:
        if required:
            raise InterchangeError(f"The support bundle has no {name}.") from None
        return None
    if info.file_size > MAX_MEMBER_BYTES:
        raise InterchangeError(f"{name} in the support bundle is too large to read.")
    try:
        return json.loads(archive.read(name).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InterchangeError(f"{name} in the support bundle is not valid JSON.") from None


def _text_meta(meta: Mapping[str, Any], name: str) -> str | None:
    value = meta.get(name)
    return value if isinstance(value, str) else None


def _int_meta(meta: Mapping[str, Any], name: str) -> int | None:
    value = meta.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def capture_from_bundle(exchange: HttpExchange, note: str) -> Capture:
    """The capture as the sender had it: same time, request, answer, verdict and report; marked imported.
    Ids of the sender's store (parent, duplicate) are kept as words only: they name nothing here."""
    request, meta = exchange.request, exchange.meta
    verdict = _text_meta(meta, "verdict")
    notes = [note]
    original_id = _int_meta(meta, "id")
    if original_id is not None:
        notes.append(f"It was #{original_id} in the sender's app.")
    if verdict:
        notes.append(f"Verdict {verdict} as the sender's app found it; re-verify after adding the salt to check here.")
    for name, words in (("parent_id", "a replay of"), ("duplicate_of", "a duplicate of")):
        other = _int_meta(meta, name)
        if other is not None:
            notes.append(f"There it was {words} #{other}.")
    original_notes = meta.get("notes")
    if isinstance(original_notes, list):
        notes.extend(str(item) for item in original_notes)
    entity_type = _int_meta(meta, "entity_type")
    entity_id = meta.get("entity_id")
    forward = meta.get("forward")
    return Capture(
        received_at=request.received_at or time.time(),
        method=request.method,
        scheme=request.scheme,
        host=request.host,
        path=request.path or "/",
        query=request.query,
        headers=list(request.headers),
        body=request.body,
        body_size=_int_meta(meta, "body_size") or len(request.body),
        declared_size=_int_meta(meta, "declared_size"),
        remote=request.remote or IMPORT_REMOTE,
        classification=_text_meta(meta, "classification") or "ok",
        event=_text_meta(meta, "event"),
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        verdict=verdict,
        report=exchange.verification,
        matched_salt_label=_text_meta(meta, "matched_salt_label"),
        subscription_id=_int_meta(meta, "subscription_id"),
        environment=_text_meta(meta, "environment"),
        response_status=exchange.response_status,
        response_headers=list(exchange.response_headers),
        response_body=exchange.response_body,
        source="imported",
        notes=notes,
        forward=forward if isinstance(forward, dict) else None,
    )


def read_bundle(path: Path | bytes, name: str | None = None) -> SupportBundle:
    """Read a bundle written by `write_bundle` (a file, or its bytes and file `name`); raises InterchangeError
    (one sentence) when it is not one."""
    import io

    source: Any = io.BytesIO(path) if isinstance(path, bytes) else Path(path)
    name = name or ("support bundle" if isinstance(path, bytes) else Path(path).name)
    try:
        with zipfile.ZipFile(source) as archive:
            manifest = _member_json(archive, MANIFEST)
            if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
                raise InterchangeError("This zip is not a Benji Desktop support bundle.")
            version = manifest.get("version")
            if not isinstance(version, int) or version > BUNDLE_VERSION:
                raise InterchangeError(f"This bundle is version {version!r}; this app reads up to {BUNDLE_VERSION}.")
            exchanges = json_to_exchanges(_member_json(archive, CAPTURES))
            settings = _member_json(archive, SETTINGS, required=False)
    except zipfile.BadZipFile:
        raise InterchangeError("The file is not a readable zip.") from None
    except OSError as error:
        raise InterchangeError(f"{name} cannot be read ({error.strerror}).") from None
    made = f", made {manifest.get('created_at')}" if manifest.get("created_at") else ""
    by = f" by Benji Desktop {manifest.get('app_version')}" if manifest.get("app_version") else ""
    note = f"From support bundle {name}{made}{by}."
    return SupportBundle(
        manifest=manifest,
        captures=[capture_from_bundle(exchange, note) for exchange in exchanges],
        settings=settings if isinstance(settings, dict) else {},
    )


BUNDLE_READ_CHUNK = 500


def write_store_bundle(
    store: CaptureStore,
    capture_ids: Sequence[int],
    settings_snapshot: Mapping[str, Any],
    app_version: str,
    path: Path,
    *,
    secrets: Sequence[str] = (),
) -> int:
    """The stored captures with these ids as a bundle at `path`; returns how many. Blocking: run it off the loop."""
    captures: list[Capture] = []
    ids = list(capture_ids)
    for start in range(0, len(ids), BUNDLE_READ_CHUNK):
        captures.extend(store.get_many(ids[start : start + BUNDLE_READ_CHUNK]))
    write_bundle(captures, settings_snapshot, app_version, path, secrets=secrets)
    return len(captures)


def import_bundle(
    store: CaptureStore,
    bundle: SupportBundle,
    salts: Sequence[KnownSalt] = (),
    *,
    tolerance_seconds: float = 300.0,
) -> list[int]:
    """Store the bundle's captures with the sender's verdicts; with `salts`, verify them again here at once
    (each judged as of when it was received). Returns the new ids. Blocking."""
    ids = store.add_many(bundle.captures)
    if salts:
        reverify_captures(store, ids, StaticSaltSource(salts), tolerance_seconds)
    return ids
