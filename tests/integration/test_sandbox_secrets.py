"""Secrets at rest: nothing the Sandbox issues (keys, salts, credentials) is on disk in clear."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from benji_desktop.sandbox import SandboxServer, VaultError
from benji_desktop.secretstore import MemorySecretStore


def forms_of(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, raw.hex().encode(), base64.b64encode(raw), secret.encode("utf-16-le")]


async def test_no_issued_secret_is_on_disk_in_clear(sandbox_dir: Path, secret_store: MemorySecretStore) -> None:
    server = SandboxServer(sandbox_dir, secret_store)
    await server.start()
    issued = [server.api_key]
    try:
        async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.api_key}) as api:
            issued.append((await api.post("/developer/api-keys", json={"name": "a"})).json()["data"]["key"])
            made = (await api.post("/developer/api-keys", json={"name": "b"})).json()["data"]
            issued.append((await api.post(f"/developer/api-keys/{made['id']}/rotate")).json()["data"]["key"])
            sub = (
                await api.post("/webhooks/subscribe", json={"endpoint": "http://127.0.0.1:9/x", "entity_type": 1})
            ).json()["data"]
            issued.append(sub["salt"])
            issued.append((await api.post(f"/webhooks/subscriptions/{sub['id']}/rotate-salt")).json()["data"]["salt"])
            credentials = {"secret_key": "sk_test_" + "Q" * 24 + "zz91", "account_id": "acct_1Abcdefgh"}
            connect = await api.post("/developer/integrations/stripe/connect", json={"credentials": credentials})
            assert connect.status_code == 200
            issued.extend(credentials.values())
            await api.post(f"/webhooks/subscriptions/{sub['id']}/test")
    finally:
        await server.stop()
    assert files_holding(sandbox_dir, issued) == []


def files_holding(directory: Path, secrets: list[str]) -> list[str]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    assert files, "the sandbox wrote nothing"
    return [path.name for path in files for secret in secrets for form in forms_of(secret) if form in path.read_bytes()]


async def test_state_and_the_bootstrap_key_survive_a_restart(
    sandbox_dir: Path, secret_store: MemorySecretStore
) -> None:
    first = SandboxServer(sandbox_dir, secret_store)
    await first.start()
    key = first.api_key
    async with httpx.AsyncClient(base_url=first.url, headers={"x-api-key": key}) as api:
        await api.post("/developer/api-keys", json={"name": "kept"})
        await api.post("/webhooks/subscribe", json={"endpoint": "http://127.0.0.1:9/x", "entity_type": 1})
    await first.stop()
    second = SandboxServer(sandbox_dir, secret_store)
    await second.start()
    try:
        assert second.api_key == key
        async with httpx.AsyncClient(base_url=second.url, headers={"x-api-key": key}) as api:
            names = [k["name"] for k in (await api.get("/developer/api-keys")).json()["data"]["api_keys"]]
            assert names == ["Bootstrap key", "kept"]
            assert len((await api.get("/webhooks/subscriptions")).json()["data"]["subscriptions"]) == 1
            await api.delete("/developer/api-keys/1")
    finally:
        await second.stop()
    # A deleted bootstrap key is replaced by a fresh one at the next start.
    third = SandboxServer(sandbox_dir, secret_store)
    await third.start()
    try:
        assert third.api_key != key
        async with httpx.AsyncClient(base_url=third.url, headers={"x-api-key": third.api_key}) as api:
            assert (await api.get("/developer/api-keys")).status_code == 200
    finally:
        await third.stop()


async def test_data_encrypted_with_another_key_is_refused_with_the_remedy(sandbox_dir: Path) -> None:
    first = SandboxServer(sandbox_dir, MemorySecretStore())
    await first.start()
    await first.stop()
    with pytest.raises(VaultError, match="--reset"):
        await SandboxServer(sandbox_dir, MemorySecretStore()).start()


async def test_an_ipv6_loopback_host_gives_a_bracketed_url(sandbox_dir: Path) -> None:
    server = SandboxServer(sandbox_dir, MemorySecretStore(), host="::1")
    try:
        await server.start()
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    try:
        assert server.url.startswith("http://[::1]:")
        async with httpx.AsyncClient(base_url=server.url, headers={"x-api-key": server.api_key}) as api:
            assert (await api.get("/developer/api-keys")).status_code == 200
    finally:
        await server.stop()
