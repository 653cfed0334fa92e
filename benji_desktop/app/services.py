"""The one place that builds settings, secrets, captures, receiver, sandbox and clients, and starts/stops them."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from benji_desktop.domain.environments import DEFAULT_ENVIRONMENTS, SANDBOX_ID, Environment
from benji_desktop.storage.paths import DataLayout, ensure_private_dir
from benji_desktop.storage.settings import Settings, SettingsStore

if TYPE_CHECKING:  # the heavy modules (aiohttp, httpx, keyring, cryptography; asyncio) load after the window is up
    import asyncio

    import httpx

    from benji_desktop.client import PlatformClient
    from benji_desktop.receiver import Receiver
    from benji_desktop.receiver.tls import SelfSignedCert
    from benji_desktop.sandbox import SandboxServer
    from benji_desktop.secretstore import SecretStore
    from benji_desktop.signature import KnownSalt, SaltRole
    from benji_desktop.storage.captures import CaptureStore

log = logging.getLogger(__name__)


def api_key_name(environment_id: str) -> str:
    # Imported on use: the secretstore package loads keyring and cryptography, which the window's first
    # paint does not need.
    from benji_desktop.secretstore.names import api_key_name as name

    return name(environment_id)


def salt_name(environment_id: str, subscription_id: int | str) -> str:
    from benji_desktop.secretstore.names import salt_name as name

    return name(environment_id, subscription_id)


def manual_salt_name(label: str) -> str:
    from benji_desktop.secretstore.names import manual_salt_name as name

    return name(label)


T = TypeVar("T")

# Secret store backends cannot list names, so the subscription salts we hold are indexed under this name.
SALT_INDEX_NAME = "salt/index"
LOCAL_RECEIVER_PATH = "/webhooks/benji"
UNMATCHED_VERDICTS = ("NO_SALT", "INVALID")


@dataclass(frozen=True)
class SubscriptionSalt:
    """A subscription's salt as the receiver needs it: which endpoint it signs for, and the rotated-out one."""

    environment_id: str
    subscription_id: int
    endpoint: str
    salt: str
    previous_salt: str | None = None

    @property
    def index_key(self) -> str:
        return f"{self.environment_id}/{self.subscription_id}"


class AppSaltSource:
    """Every subscription's salt from every environment, plus the salts the user typed (the receiver asks)."""

    def __init__(self) -> None:
        self._subscriptions: dict[tuple[str, int], SubscriptionSalt] = {}
        self._manual: dict[str, str] = {}

    def put_subscription(self, record: SubscriptionSalt) -> None:
        self._subscriptions[(record.environment_id, record.subscription_id)] = record

    def forget_subscription(self, environment_id: str, subscription_id: int) -> None:
        self._subscriptions.pop((environment_id, subscription_id), None)

    def subscriptions(self, environment_id: str | None = None) -> list[SubscriptionSalt]:
        return [r for r in self._subscriptions.values() if environment_id in (None, r.environment_id)]

    def put_manual(self, label: str, salt: str) -> None:
        self._manual[label] = salt

    def forget_manual(self, label: str) -> None:
        self._manual.pop(label, None)

    def manual_salt(self, label: str) -> str | None:
        """A typed salt's value, for the one masked field that may reveal it on request."""
        return self._manual.get(label)

    def salt_for_subscription(self, environment_id: str, subscription_id: int) -> str | None:
        record = self._subscriptions.get((environment_id, subscription_id))
        return record.salt if record else None

    def all_secrets(self) -> list[str]:
        """Every salt value known, for redaction of text shown in presentation mode or written to logs."""
        values = [r.salt for r in self._subscriptions.values()]
        values += [r.previous_salt for r in self._subscriptions.values() if r.previous_salt]
        return values + list(self._manual.values())

    def salts_for(self, host: str, path: str) -> list[KnownSalt]:
        from benji_desktop.signature import KnownSalt, SaltRole

        matching: list[SubscriptionSalt] = []
        others: list[SubscriptionSalt] = []
        for record in self._subscriptions.values():
            endpoint_path = urlsplit(record.endpoint).path or "/"
            (matching if endpoint_path == (path or "/") else others).append(record)
        result: list[KnownSalt] = []
        for record in matching:
            result.append(self._known(record, record.salt, SaltRole.CURRENT))
            if record.previous_salt:
                result.append(self._known(record, record.previous_salt, SaltRole.PREVIOUS))
        # With no subscription for this path every salt is a fair candidate; otherwise the rest only explain.
        other_role = SaltRole.OTHER_SUBSCRIPTION if matching else SaltRole.CURRENT
        for record in others:
            result.append(self._known(record, record.salt, other_role))
        for label, salt in self._manual.items():
            result.append(KnownSalt(salt=salt, label=f"typed salt “{label}”"))
        return result

    @staticmethod
    def _known(record: SubscriptionSalt, salt: str, role: SaltRole) -> KnownSalt:
        from benji_desktop.signature import KnownSalt, SaltRole

        name = DEFAULT_ENVIRONMENTS[record.environment_id].name if record.environment_id in DEFAULT_ENVIRONMENTS else ""
        suffix = " (previous)" if role is SaltRole.PREVIOUS else ""
        return KnownSalt(
            salt=salt,
            label=f"{name or record.environment_id} subscription #{record.subscription_id}{suffix}",
            subscription_id=record.subscription_id,
            environment=record.environment_id,
            role=role,
        )


@dataclass(frozen=True)
class RetargetedSubscription:
    """One subscription that pointed at this app's receiver before its address changed."""

    environment_id: str
    subscription_id: int
    old_endpoint: str
    new_endpoint: str

    @property
    def label(self) -> str:
        environment = DEFAULT_ENVIRONMENTS.get(self.environment_id)
        return f"{environment.name if environment else self.environment_id} #{self.subscription_id}"


@dataclass(frozen=True)
class RetargetReport:
    """What followed the receiver to its new address: Sandbox subscriptions moved, live ones left alone."""

    old_base: str
    new_base: str
    updated: tuple[RetargetedSubscription, ...] = ()
    still_old: tuple[RetargetedSubscription, ...] = ()  # live environments: never changed from here
    failed: tuple[RetargetedSubscription, ...] = ()  # the Sandbox refused or could not be reached
    error: str = ""

    @property
    def message(self) -> str:
        """One status-bar notice; empty when no subscription pointed at the old address."""
        parts: list[str] = []
        if self.updated:
            count = len(self.updated)
            noun = "subscription now points" if count == 1 else "subscriptions now point"
            parts.append(f"{count} Sandbox {noun} at the receiver's new address {self.updated[0].new_endpoint}")
        if self.failed:
            names = ", ".join(s.label for s in self.failed)
            parts.append(f"could not move {names} to the new address ({self.error or 'the Sandbox refused'})")
        if self.still_old:
            names = ", ".join(s.label for s in self.still_old)
            parts.append(f"{names} still point at the old local address {self.old_base} (edit them there)")
        text = "; ".join(parts)
        return text[:1].upper() + text[1:]


def retargeted_endpoint(endpoint: str, old_base: str, new_base: str) -> str | None:
    """`endpoint` moved to `new_base` when it reaches the receiver at `old_base` (any scheme or loopback spelling
    of its host, the same port; the path is kept), else None."""
    old, new, theirs = urlsplit(old_base), urlsplit(new_base), urlsplit(endpoint.strip())
    try:
        old_port, their_port = old.port, theirs.port
    except ValueError:
        return None
    loopback = {"127.0.0.1", "localhost", "::1", (old.hostname or "").lower()}
    if (theirs.hostname or "").lower() not in loopback or their_port is None or their_port != old_port:
        return None
    moved = theirs._replace(scheme=new.scheme, netloc=new.netloc)
    return moved.geturl()


EnvironmentListener = Callable[[Environment], None]
RetentionListener = Callable[[int], None]

# Retention runs at start and then this often, on a worker thread in short transactions.
RETENTION_INTERVAL_SECONDS = 600.0


class AppServices:
    """Owns every long-lived service; the window and the tests get them from here, never from globals."""

    def __init__(
        self,
        layout: DataLayout,
        settings_store: SettingsStore,
        *,
        secret_store: SecretStore | None = None,
        receiver_host: str | None = None,
        receiver_port: int | None = None,
        with_sandbox: bool = True,
        sandbox_time_scale: float | None = None,
        client_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.layout = layout
        self.settings_store = settings_store
        self._secret_store = secret_store
        self._receiver_host = receiver_host
        self._receiver_port = receiver_port
        self._with_sandbox = with_sandbox
        self._sandbox_time_scale = sandbox_time_scale
        self._client_transport = client_transport
        self.salt_source = AppSaltSource()
        self._captures: CaptureStore | None = None
        self.receiver: Receiver | None = None
        self.sandbox: SandboxServer | None = None
        self._clients: dict[str, PlatformClient] = {}
        self._sandbox_url = ""
        self._environment_listeners: list[EnvironmentListener] = []
        self._retention_listeners: list[RetentionListener] = []
        self._receiver_listeners: list[Callable[[str], None]] = []
        self._retention_task: asyncio.Task[None] | None = None
        # The port the receiver was asked for (0 for any): when it listens elsewhere, that port was busy.
        self._receiver_wanted_port = 0
        self.last_retarget_report: RetargetReport | None = None
        self.retention_interval_seconds = RETENTION_INTERVAL_SECONDS
        self._started = False

    # ----- construction ---------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        data_dir: str | Path | None = None,
        *,
        secret_store: SecretStore | None = None,
        receiver_host: str | None = None,
        receiver_port: int | None = None,
        with_sandbox: bool = True,
        sandbox_time_scale: float | None = None,
        client_transport: httpx.AsyncBaseTransport | None = None,
    ) -> AppServices:
        """Cheap and synchronous: files and settings only. Sockets, keychain and aiohttp wait for `start()`."""
        layout = DataLayout.at(data_dir)
        ensure_private_dir(layout.log_dir)
        settings_store = SettingsStore(layout.settings_file)
        settings_store.load()
        for problem in settings_store.report.problems:
            log.warning("settings: %s", problem)
        return cls(
            layout,
            settings_store,
            secret_store=secret_store,
            receiver_host=receiver_host,
            receiver_port=receiver_port,
            with_sandbox=with_sandbox,
            sandbox_time_scale=sandbox_time_scale,
            client_transport=client_transport,
        )

    # ----- properties -----------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self.settings_store.settings

    @property
    def secret_store(self) -> SecretStore:
        if self._secret_store is None:
            raise RuntimeError("The secret store opens in start(); call it first")
        return self._secret_store

    @property
    def captures(self) -> CaptureStore:
        """Opened on first use: the capture store's module and SQLite file wait until after the first paint."""
        if self._captures is None:
            from benji_desktop.storage.captures import CaptureStore

            self._captures = CaptureStore(self.layout.captures_db)
        return self._captures

    @property
    def started(self) -> bool:
        return self._started

    def environment(self, environment_id: str | None = None) -> Environment:
        """The environment with the user's URL overrides; the Sandbox points at the embedded server."""
        environment = self.settings.environment(environment_id)
        if environment.id == SANDBOX_ID and self._sandbox_url:
            environment = environment.with_urls(self._sandbox_url)
        return environment

    @property
    def current_environment(self) -> Environment:
        return self.environment()

    def environments(self) -> list[Environment]:
        return [self.environment(environment_id) for environment_id in DEFAULT_ENVIRONMENTS]

    @property
    def receiver_url(self) -> str:
        return self.receiver.url if self.receiver is not None else ""

    @property
    def local_receiver_endpoint(self) -> str:
        """The URL to subscribe so deliveries land in this app's Inspector."""
        return self.receiver_url.rstrip("/") + LOCAL_RECEIVER_PATH if self.receiver_url else ""

    def is_local_receiver(self, endpoint: str) -> bool:
        if self.receiver is None:
            return False
        ours, theirs = urlsplit(self.receiver_url), urlsplit(endpoint)
        local_names = {"127.0.0.1", "localhost", "::1", ours.hostname}
        return theirs.hostname in local_names and theirs.port == ours.port

    def add_environment_listener(self, listener: EnvironmentListener) -> None:
        self._environment_listeners.append(listener)

    def add_retention_listener(self, listener: RetentionListener) -> None:
        """`listener(deleted)` runs on the loop after a retention run that dropped captures."""
        self._retention_listeners.append(listener)

    # ----- secrets (every call through the executor: a keychain can block or prompt) -----------------------

    async def _in_executor(self, function: Callable[..., T], *args: Any) -> T:
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    async def get_secret(self, name: str) -> str | None:
        return await self._in_executor(self.secret_store.get, name)

    async def set_secret(self, name: str, value: str) -> None:
        await self._in_executor(self.secret_store.set, name, value)

    async def delete_secret(self, name: str) -> None:
        await self._in_executor(self.secret_store.delete, name)

    async def api_key(self, environment_id: str | None = None) -> str | None:
        return await self.get_secret(api_key_name(environment_id or self.settings.current_environment))

    async def set_api_key(self, environment_id: str, value: str | None) -> None:
        """Store (or with None/empty, forget) an environment's key; its client is rebuilt on next use."""
        if value:
            await self.set_secret(api_key_name(environment_id), value)
        else:
            await self.delete_secret(api_key_name(environment_id))
        await self.close_client(environment_id)

    # ----- salts ----------------------------------------------------------------------------------------

    async def _load_salts(self) -> None:
        index_text = await self.get_secret(SALT_INDEX_NAME)
        try:
            index = json.loads(index_text) if index_text else {}
        except ValueError:
            index = {}
        for key, endpoint in index.items() if isinstance(index, dict) else ():
            environment_id, _, subscription_id = str(key).partition("/")
            if not subscription_id.isdigit():
                continue
            salt = await self.get_secret(salt_name(environment_id, subscription_id))
            if salt:
                self.salt_source.put_subscription(
                    SubscriptionSalt(environment_id, int(subscription_id), str(endpoint), salt)
                )
        for label in self.settings.salt_labels:
            salt = await self.get_secret(manual_salt_name(label))
            if salt:
                self.salt_source.put_manual(label, salt)

    async def _save_salt_index(self) -> None:
        index = {r.index_key: r.endpoint for r in self.salt_source.subscriptions()}
        await self.set_secret(SALT_INDEX_NAME, json.dumps(index, sort_keys=True))

    async def remember_subscription(
        self,
        environment_id: str,
        subscription_id: int,
        endpoint: str,
        salt: str | None,
        previous_salt: str | None = None,
    ) -> None:
        """Keep a subscription's salt in the secret store and give it to the receiver at once."""
        if not salt:
            return
        record = SubscriptionSalt(environment_id, subscription_id, endpoint, salt, previous_salt)
        known = next(
            (r for r in self.salt_source.subscriptions(environment_id) if r.subscription_id == subscription_id),
            None,
        )
        self.salt_source.put_subscription(record)
        if known is None or known.salt != salt:
            await self.set_secret(salt_name(environment_id, subscription_id), salt)
        if known is None or known.endpoint != endpoint:
            await self._save_salt_index()

    async def sync_subscriptions(self, environment_id: str, subscriptions: Iterable[Any]) -> None:
        """After a list: store new or changed salts, forget deleted subscriptions (objects with the DTO shape)."""
        seen: set[int] = set()
        for subscription in subscriptions:
            seen.add(int(subscription.id))
            await self.remember_subscription(
                environment_id,
                int(subscription.id),
                str(subscription.endpoint),
                getattr(subscription, "salt", None),
                getattr(subscription, "previous_salt", None),
            )
        gone = [r for r in self.salt_source.subscriptions(environment_id) if r.subscription_id not in seen]
        for record in gone:
            await self.forget_subscription(environment_id, record.subscription_id, save_index=False)
        if gone:
            await self._save_salt_index()

    async def forget_subscription(self, environment_id: str, subscription_id: int, *, save_index: bool = True) -> None:
        self.salt_source.forget_subscription(environment_id, subscription_id)
        await self.delete_secret(salt_name(environment_id, subscription_id))
        if save_index:
            await self._save_salt_index()

    async def add_manual_salt(self, label: str, salt: str) -> None:
        """A salt the user typed (copied from Pilot or from a partner): the receiver verifies with it too."""
        await self.set_secret(manual_salt_name(label), salt)
        self.salt_source.put_manual(label, salt)
        labels = tuple(dict.fromkeys((*self.settings.salt_labels, label)))
        self.settings_store.update(salt_labels=labels)

    def unmatched_capture_count(self) -> int:
        """Captures a newly added salt might explain: no salt matched (NO_SALT) or none verified (INVALID)."""
        from benji_desktop.storage.captures import CaptureFilter

        return sum(self.captures.count(CaptureFilter(verdict=verdict)) for verdict in UNMATCHED_VERDICTS)

    async def reverify_unmatched(self) -> int:
        """Verify the NO_SALT and INVALID captures again with every salt known now; returns how many changed."""
        from benji_desktop.storage.captures import CaptureFilter

        ids: list[int] = []
        for verdict in UNMATCHED_VERDICTS:
            ids += await self._in_executor(self.captures.ids_after, 0, CaptureFilter(verdict=verdict))
        if not ids:
            return 0
        if self.receiver is not None:
            return await self.receiver.reverify(sorted(ids))  # also repaints the Inspector's rows
        from benji_desktop.receiver.verification import reverify_captures

        changed = await self._in_executor(
            reverify_captures, self.captures, sorted(ids), self.salt_source, float(self.settings.tolerance_seconds)
        )
        return len(changed)

    async def remove_manual_salt(self, label: str) -> None:
        await self.delete_secret(manual_salt_name(label))
        self.salt_source.forget_manual(label)
        self.settings_store.update(salt_labels=tuple(x for x in self.settings.salt_labels if x != label))

    # ----- clients --------------------------------------------------------------------------------------

    async def client(self, environment_id: str | None = None) -> PlatformClient:
        """The environment's long-lived client, built on first use with the key from the secret store."""
        from benji_desktop.client import PlatformClient

        environment = self.environment(environment_id)
        client = self._clients.get(environment.id)
        if client is None:
            api_key = await self.api_key(environment.id) or ""
            client = PlatformClient(environment, api_key, transport=self._client_transport)
            self._clients[environment.id] = client
        return client

    async def close_client(self, environment_id: str) -> None:
        client = self._clients.pop(environment_id, None)
        if client is not None:
            await client.aclose()

    async def switch_environment(self, environment_id: str) -> Environment:
        """Make another environment current; the old one's client is closed (its connections too)."""
        if environment_id not in DEFAULT_ENVIRONMENTS:
            raise ValueError(f"There is no environment called {environment_id!r}")
        previous = self.settings.current_environment
        if previous != environment_id:
            self.settings_store.update(current_environment=environment_id)
            await self.close_client(previous)
        environment = self.current_environment
        for listener in list(self._environment_listeners):
            listener(environment)
        return environment

    async def set_environment_urls(self, environment_id: str, api_base_url: str, notification_base_url: str) -> None:
        defaults = DEFAULT_ENVIRONMENTS[environment_id]
        api = api_base_url.strip() or None
        notification = notification_base_url.strip() or None
        if api == defaults.api_base_url:
            api = None
        if notification == defaults.notification_base_url:
            notification = None
        self.settings_store.set_environment_urls(environment_id, api, notification)
        await self.close_client(environment_id)

    # ----- start / stop ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Secret store, sandbox, then receiver; the sandbox's first key becomes the Sandbox environment's key."""
        if self._started:
            return
        if self._secret_store is None:
            from benji_desktop.secretstore import open_secret_store

            self._secret_store = await self._in_executor(open_secret_store, self.layout)
        await self._load_salts()
        try:
            if self._with_sandbox:
                await self._start_sandbox()
            await self._start_receiver()
        except BaseException:
            await self.stop()
            raise
        self._started = True
        import asyncio

        self._retention_task = asyncio.ensure_future(self._keep_retention())
        if self.sandbox is not None:
            await self._sync_sandbox_salts()
        await self._follow_port_change()

    async def _follow_port_change(self) -> None:
        """The receiver listens on another port than last time: subscriptions to the old one follow it."""
        receiver = self.receiver
        if receiver is None:
            return
        last_port = self.settings.receiver_last_port
        if last_port != receiver.port:
            self.settings_store.update(receiver_last_port=receiver.port)
        if last_port and last_port != receiver.port:
            old_base = f"{receiver.scheme}://127.0.0.1:{last_port}"
            try:
                await self.retarget_local_subscriptions(old_base, receiver.url)
            except Exception as error:  # the app still starts; the subscriptions can be edited by hand
                log.warning("could not move the Sandbox's subscriptions to the new port: %s", type(error).__name__)

    async def retarget_local_subscriptions(self, old_base: str, new_base: str) -> RetargetReport:
        """Point the Sandbox's subscriptions to the receiver at `old_base` at `new_base` instead (the platform and
        the salt index both); in live environments only say which ones still point at the old address."""
        from benji_desktop.client import PlatformError

        old_key, new_key = urlsplit(old_base), urlsplit(new_base)
        if (old_key.scheme, old_key.port) == (new_key.scheme, new_key.port):
            self.last_retarget_report = RetargetReport(old_base, new_base)
            return self.last_retarget_report
        still_old = tuple(
            RetargetedSubscription(r.environment_id, r.subscription_id, r.endpoint, moved)
            for r in self.salt_source.subscriptions()
            if r.environment_id != SANDBOX_ID and (moved := retargeted_endpoint(r.endpoint, old_base, new_base))
        )
        updated: list[RetargetedSubscription] = []
        failed: list[RetargetedSubscription] = []
        error = ""
        if self.sandbox is not None:
            client = await self.client(SANDBOX_ID)
            try:
                subscriptions = await client.list_subscriptions()
            except PlatformError as problem:
                subscriptions, error = [], problem.__class__.__name__
                log.warning("could not list the Sandbox's subscriptions to retarget them: %s", error)
            for subscription in subscriptions:
                moved = retargeted_endpoint(subscription.endpoint, old_base, new_base)
                if moved is None:
                    continue
                change = RetargetedSubscription(SANDBOX_ID, subscription.id, subscription.endpoint, moved)
                try:
                    result = await client.update_subscription(subscription.id, endpoint=moved)
                except PlatformError as problem:
                    error = str(problem) or problem.__class__.__name__
                    failed.append(change)
                    continue
                updated.append(change)
                await self.remember_subscription(
                    SANDBOX_ID,
                    subscription.id,
                    str(getattr(result, "endpoint", moved) or moved),
                    getattr(result, "salt", None) or subscription.salt,
                    getattr(result, "previous_salt", None) or subscription.previous_salt,
                )
        report = RetargetReport(old_base, new_base, tuple(updated), still_old, tuple(failed), error)
        self.last_retarget_report = report
        return report

    async def _sync_sandbox_salts(self) -> None:
        """Subscriptions made outside the window (CLI, another run) verify from the first delivery on."""
        from benji_desktop.client import PlatformError

        try:
            subscriptions = await (await self.client(SANDBOX_ID)).list_subscriptions()
        except PlatformError as error:
            log.warning("could not read the Sandbox's subscriptions: %s", type(error).__name__)
            return
        await self.sync_subscriptions(SANDBOX_ID, subscriptions)

    async def _start_sandbox(self) -> None:
        from benji_desktop.sandbox import SandboxServer

        time_scale = self._sandbox_time_scale or self.settings.sandbox_time_scale
        from benji_desktop.receiver.tls import CERT_FILE

        self.sandbox = SandboxServer(
            self.layout.sandbox_dir,
            self.secret_store,
            time_scale=time_scale,
            # When the receiver serves HTTPS, "Send test" to it must trust its self-signed certificate.
            trusted_cert_file=self.layout.tls_dir / CERT_FILE,
        )
        await self.sandbox.start()
        self._sandbox_url = self.sandbox.url.rstrip("/")
        if not await self.api_key(SANDBOX_ID):
            await self.set_secret(api_key_name(SANDBOX_ID), self.sandbox.api_key)

    async def _start_receiver(self) -> None:
        from benji_desktop.app.receiver_settings import response_rules_from_settings
        from benji_desktop.receiver import Receiver

        settings = self.settings
        port = settings.receiver_port if self._receiver_port is None else self._receiver_port
        host = self._receiver_host or settings.receiver_host
        rules = response_rules_from_settings(settings)  # the rules saved from the Inspector's dialog
        tls = await self._receiver_certificate() if settings.receiver_https else None
        self.receiver = Receiver(self.captures, self.salt_source, host=host, port=port, rules=rules, tls=tls)
        self._receiver_wanted_port = port
        await self._start_on_some_port(self.receiver, (port, settings.receiver_last_port))

    @staticmethod
    async def _start_on_some_port(receiver: Receiver, ports: Iterable[int]) -> None:
        """The first of `ports` that is free (0 and repeats skipped), else any free one."""
        from benji_desktop.receiver import PortInUseError

        for port in dict.fromkeys(p for p in ports if p):
            receiver.requested_port = port
            try:
                await receiver.start()
                return
            except PortInUseError:
                continue
        receiver.requested_port = 0
        await receiver.start()

    # ----- HTTPS for the receiver ----------------------------------------------------------------------

    async def _receiver_certificate(self) -> SelfSignedCert:
        """The self-signed localhost certificate in the data directory (made on first use, off the loop)."""
        from benji_desktop.receiver.tls import ensure_self_signed_cert

        return await self._in_executor(ensure_self_signed_cert, self.layout.tls_dir)

    @property
    def receiver_tls(self) -> SelfSignedCert | None:
        """The certificate the receiver serves now; None while it serves plain HTTP (or is not running)."""
        return self.receiver.tls if self.receiver is not None else None

    @property
    def receiver_tls_fingerprint(self) -> str:
        """SHA-256 of the served certificate as "AB:CD:…", for the user to compare; empty without HTTPS."""
        tls = self.receiver_tls
        return tls.fingerprint_sha256 if tls is not None else ""

    async def set_receiver_https(self, enabled: bool) -> str:
        """Serve HTTPS (self-signed) or plain HTTP from now on and after the next start; the receiver restarts on
        the port it has (another one, noted, if that is taken meanwhile). Returns the receiver URL."""
        self.settings_store.update(receiver_https=enabled)
        receiver = self.receiver
        if receiver is None or (receiver.tls is not None) == enabled:
            return self.receiver_url
        tls = await self._receiver_certificate() if enabled else None
        old_base = receiver.url
        # The same Receiver object restarts, so its listeners (the Inspector's list), rules and forward stay.
        await receiver.stop()
        receiver.tls = tls
        await self._start_on_some_port(receiver, (receiver.port, self._receiver_wanted_port))
        if receiver.port != self.settings.receiver_last_port:
            self.settings_store.update(receiver_last_port=receiver.port)
        # The scheme (and perhaps the port) changed: subscriptions made with "Use my local receiver" follow it.
        await self.retarget_local_subscriptions(old_base, receiver.url)
        for listener in list(self._receiver_listeners):
            listener(receiver.url)
        return receiver.url

    def add_receiver_listener(self, listener: Callable[[str], None]) -> None:
        """`listener(url)` runs after the receiver restarted with another scheme (the URL changed)."""
        self._receiver_listeners.append(listener)

    async def set_response_rules(self, rules: Any) -> None:
        """Answer by these rules from now on, and after the next start too."""
        from benji_desktop.app.receiver_settings import save_response_rules

        save_response_rules(self.settings_store, rules)
        if self.receiver is not None:
            self.receiver.rules = rules

    async def apply_retention(self) -> int:
        """Drop captures beyond the retention settings (0 = no limit) on a worker thread; capture goes on."""
        settings = self.settings
        max_count = settings.retention_max_captures or None
        max_age = settings.retention_max_age_days * 86400.0 if settings.retention_max_age_days else None
        if max_count is None and max_age is None:
            return 0
        deleted = await self._in_executor(self.captures.apply_retention, max_count, max_age)
        if deleted:
            log.info("retention dropped %d captures", deleted)
            for listener in list(self._retention_listeners):
                listener(deleted)
        return deleted

    async def _keep_retention(self) -> None:
        import asyncio

        while True:
            try:
                await self.apply_retention()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a failed run is retried next time; capture is not affected
                log.warning("retention failed: %s", type(error).__name__)
            await asyncio.sleep(self.retention_interval_seconds)

    @property
    def receiver_busy_port(self) -> int | None:
        """The port the receiver was asked for when it listens on another one (it was busy), else None."""
        receiver = self.receiver
        wanted = self._receiver_wanted_port
        if receiver is None or not receiver.running or not wanted or receiver.port == wanted:
            return None
        return wanted

    @property
    def receiver_port_note(self) -> str:
        """Derived from where the receiver listens now, so it holds after any restart (HTTPS toggle included)."""
        busy = self.receiver_busy_port
        if busy is None or self.receiver is None:
            return ""
        return f"Port {busy} is in use by another program; listening on port {self.receiver.port} instead."

    async def stop(self) -> None:
        """Reverse order of start: retention, receiver, clients, sandbox, then the capture store is closed."""
        if self._retention_task is not None:
            import asyncio

            self._retention_task.cancel()
            await asyncio.gather(self._retention_task, return_exceptions=True)
            self._retention_task = None
        if self.receiver is not None:
            await _quietly(self.receiver.stop(), "receiver")
            self.receiver = None
        for environment_id in list(self._clients):
            await _quietly(self.close_client(environment_id), "client")
        if self.sandbox is not None:
            await _quietly(self.sandbox.stop(), "sandbox")
            self.sandbox = None
            self._sandbox_url = ""
        self._started = False

    def close(self) -> None:
        """Releases the capture store's connections; after `stop()`, at process end."""
        if self._captures is not None:
            self._captures.close()


async def _quietly(step: Any, what: str) -> None:
    """A failing step of shutdown is logged, and the next one still runs."""
    try:
        await step
    except Exception:
        log.exception("stopping the %s failed", what)
