"""Support bundles: one zip with captures, reports, version and settings, every secret masked; read back (also by
`benji-desktop export --format bundle` / `import` as real processes) with the sender's verdicts, re-verifiable."""

from __future__ import annotations

import base64
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import run_cli  # tests/integration is on sys.path (rootdir-relative test modules)

from benji_desktop import __version__
from benji_desktop.receiver.bundle import BUNDLE_FORMAT, import_bundle, is_bundle, read_bundle, write_bundle
from benji_desktop.receiver.verification import apply_verification
from benji_desktop.signature import KnownSalt, canonical_body, signed_headers
from benji_desktop.storage.captures import Capture, CaptureStore
from benji_desktop.storage.paths import DataLayout
from benji_desktop.storage.settings import Settings, settings_to_json

SALT = "salt_Q7mZ2xK9pL4vN8rT1wY6bC3dF5gH0jSa"
OTHER_SALT = "salt_AAAAbbbbCCCCddddEEEEffffGGGGhhhh"
API_KEY = "bk_sandbox_0123456789abcdef0123456789abcdef"
BEARER = "bk_sandbox_fedcba9876543210fedcba9876543210"
COOKIE_VALUE = "session=s3cr3t-cookie-value-1234567890"
STRIPE = "sk_test_51Hx9ZZabcdefghijklmnop"
CLEAR_VALUES = (SALT, OTHER_SALT, API_KEY, BEARER, COOKIE_VALUE, "s3cr3t-cookie-value", STRIPE)


def delivery(entity_id: int, salts_signed: list[str], known: list[KnownSalt], *, extra: bool = False) -> Capture:
    body = canonical_body("transaction_created", 3, entity_id)
    headers = list(signed_headers(body, salts_signed).items())
    if extra:
        headers += [("x-api-key", API_KEY), ("Authorization", f"Bearer {BEARER}"), ("Cookie", COOKIE_VALUE)]
    capture = Capture(
        received_at=time.time() - 60 + entity_id,
        host="127.0.0.1:8787",
        path="/webhooks/benji",
        query=f"token={API_KEY}&page=2" if extra else "",
        headers=headers,
        body=body,
        body_size=len(body),
        event="transaction_created",
        entity_type=3,
        entity_id=str(entity_id),
        response_status=200,
        response_headers=[("Set-Cookie", COOKIE_VALUE), ("Content-Type", "application/json")],
        response_body=b'{"received":true}',
        notes=[f"Forwarded with key {API_KEY}."] if extra else [],
    )
    apply_verification(capture, known, 300.0)
    return capture


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "sender" / "captures.sqlite3") as opened:
        yield opened


def settings_snapshot() -> dict[str, object]:
    snapshot = settings_to_json(Settings(salt_labels=("partner",)))
    # Settings never hold secrets; the bundle masks defensively anyway (a hand-edited file might).
    snapshot["receiver_response_rules"] = [
        {"path_prefix": "/", "status": 200, "body": None, "delay_ms": 0, "headers": [["Authorization", BEARER]]}
    ]
    snapshot["partner_api_key"] = "not-a-known-shape-but-named-as-a-key"
    snapshot["last_tab"] = f"note with {STRIPE}"
    return snapshot


def every_text_in(bundle: Path) -> str:
    """Everything a reader of the zip could see: the members, and every body decoded from base64."""
    texts: list[str] = [bundle.read_bytes().decode("latin-1")]
    with zipfile.ZipFile(bundle) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            texts.append(text)
            if name == "captures.json":
                for item in json.loads(text)["exchanges"]:
                    for part in ("request", "response"):
                        texts.append(base64.b64decode(item[part]["body_base64"]).decode("latin-1"))
    return "\n".join(texts)


def test_a_bundle_masks_every_secret_and_reads_back_with_the_senders_verdicts(
    store: CaptureStore, tmp_path: Path
) -> None:
    known = [KnownSalt(SALT, "Sandbox subscription #7", subscription_id=7, environment="sandbox")]
    captures = [
        delivery(1, [SALT], known, extra=True),
        delivery(2, [OTHER_SALT], known),
        delivery(3, [SALT], []),
    ]
    assert [c.verdict for c in captures] == ["VALID", "INVALID", "NO_SALT"]
    ids = store.add_many(captures)
    stored = store.get_many(ids)
    target = tmp_path / "support.zip"

    write_bundle(stored, settings_snapshot(), __version__, target, secrets=[SALT, OTHER_SALT])

    assert is_bundle(target) and is_bundle(target.read_bytes())
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "captures.json", "manifest.json", "settings.json"]
        manifest = json.loads(archive.read("manifest.json"))
        readme = archive.read("README.txt").decode("utf-8")
        settings = json.loads(archive.read("settings.json"))
    assert manifest["format"] == BUNDLE_FORMAT and manifest["app_version"] == __version__
    assert manifest["counts"] == {"captures": 3, "verdicts": {"VALID": 1, "INVALID": 1, "NO_SALT": 1}}
    assert manifest["created_at"].endswith("Z") and manifest["platform"]
    assert "benji-desktop import support.zip" in readme
    assert settings["salt_labels"] == ["partner"] and settings["receiver_port"] == 8787
    everything = every_text_in(target)
    for clear in CLEAR_VALUES:
        assert clear not in everything, clear

    bundle = read_bundle(target)
    assert bundle.manifest["counts"]["captures"] == 3
    by_entity = {c.entity_id: c for c in bundle.captures}
    for original in stored:
        copy = by_entity[original.entity_id]
        assert copy.body == original.body  # byte-exact: the signature still checks out with the salt
        assert (copy.verdict, copy.report, copy.matched_salt_label) == (
            original.verdict,
            original.report,
            original.matched_salt_label,
        )
        assert copy.received_at == original.received_at and copy.source == "imported"
        assert copy.notes[0].startswith("From support bundle support.zip")
    masked = dict(by_entity["1"].headers)
    assert masked["x-api-key"] != API_KEY and masked["Authorization"].startswith("Bearer ")
    assert "page=2" in by_entity["1"].query


def test_the_receiving_copy_keeps_verdicts_until_a_salt_is_typed(store: CaptureStore, tmp_path: Path) -> None:
    known = [KnownSalt(SALT, "Sandbox subscription #7")]
    ids = store.add_many([delivery(1, [SALT], known, extra=True), delivery(2, [SALT], [])])
    target = tmp_path / "support.zip"
    write_bundle(store.get_many(ids), {}, __version__, target, secrets=[SALT])

    with CaptureStore(tmp_path / "receiver" / "captures.sqlite3") as theirs:
        kept = import_bundle(theirs, read_bundle(target))
        assert [c.verdict for c in theirs.get_many(kept)] == ["VALID", "NO_SALT"]  # as the sender saw them
        wrong = import_bundle(theirs, read_bundle(target), [KnownSalt(OTHER_SALT, "typed")])
        assert [c.verdict for c in theirs.get_many(wrong)] == ["INVALID", "INVALID"]
        typed = import_bundle(theirs, read_bundle(target), [KnownSalt(SALT, "typed salt")])
        checked = theirs.get_many(typed)
        assert [c.verdict for c in checked] == ["VALID", "VALID"]
        assert checked[1].matched_salt_label == "typed salt"


def test_something_else_is_not_read_as_a_bundle(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert not is_bundle(plain) and not is_bundle(b'{"format": "x"}')


async def test_export_and_import_a_bundle_as_processes(tmp_path: Path) -> None:
    sender, helper = tmp_path / "sender", tmp_path / "helper"
    with CaptureStore(DataLayout.at(sender).captures_db) as store:
        known = [KnownSalt(SALT, "Sandbox subscription #7")]
        ids = store.add_many([delivery(1, [SALT], known, extra=True), delivery(2, [OTHER_SALT], known)])
    target = tmp_path / "bundle.zip"

    exported = await run_cli(
        "export", "--data-dir", str(sender), "--format", "bundle", "--out", str(target), "--ids", *map(str, ids)
    )
    assert exported.code == 0, exported.stderr
    assert "support bundle with 2 capture(s)" in exported.stderr
    for clear in CLEAR_VALUES:
        assert clear not in every_text_in(target)
    no_out = await run_cli("export", "--data-dir", str(sender), "--format", "bundle")
    assert no_out.code == 2 and "--out" in no_out.stderr

    imported = await run_cli("import", "--data-dir", str(helper), str(target))
    assert imported.code == 1, imported.stderr  # one capture was INVALID at the sender's, and stays so
    lines = imported.stdout.splitlines()
    assert lines[0].startswith("#1 VALID") and lines[1].startswith("#2 INVALID")
    assert "2 captures imported" in lines[2]

    checked = await run_cli("import", "--data-dir", str(helper), "--salt", OTHER_SALT, "--json", str(target))
    results = json.loads(checked.stdout)["captures"]
    assert [r["verdict"] for r in results] == ["INVALID", "VALID"]  # verified here with the typed salt
    assert OTHER_SALT not in checked.stdout
    with CaptureStore(DataLayout.at(helper).captures_db) as theirs:
        assert theirs.count() == 4
        assert all(c.source == "imported" for c in theirs.get_many(theirs.all_ids()))
