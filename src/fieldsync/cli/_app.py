"""What every configured command needs: the configuration, the store, the service, the syncs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Protocol

import attrs

from fieldsync.cli._config import Config, load_config
from fieldsync.cli._output import Output, parse_zone
from fieldsync.cli._progress import ProgressHook
from fieldsync.cli._watch import CredentialsWatch, watched
from fieldsync.domain.sync import Sync
from fieldsync.exceptions import ConfigurationError, NotFoundError
from fieldsync.ports import SyncStore
from fieldsync.service import SyncService
from fieldsync.stores import QuotaStore
from fieldsync.stores.sqlite import SQLiteStore

__all__ = ["App", "Store", "open_app", "open_store"]


class Store(SyncStore, QuotaStore, Protocol):
    """What the command's store is: the state store, and the quota ledger and token cache
    the Zoho adapters share through it (``SQLiteStore`` and ``PostgresStore`` are both)."""


@attrs.define
class App:
    """The configuration and a service wired to the configured store and integrations."""

    config: Config
    store: Store
    service: SyncService
    json: bool
    progress: ProgressHook
    out: Output = attrs.field(factory=Output)
    watch: CredentialsWatch = attrs.field(factory=CredentialsWatch)
    adapters: list[object] = attrs.field(factory=list)  # closed with the app (httpx clients)

    def sync(self, name: str) -> Sync:
        """The stored sync called ``name``, created from the file on first use."""
        for sync in self.service.list_syncs():
            if sync.name == name:
                return sync
        integration, spec = self.config.sync(name)
        return self.service.create_sync(integration, spec)

    def stored_sync(self, name: str) -> Sync:
        """The stored sync called ``name`` (no creation)."""
        for sync in self.service.list_syncs():
            if sync.name == name:
                return sync
        raise NotFoundError("sync", name)

    def names(self) -> dict[str, str]:
        """Each stored sync's id and name (messages name syncs by name)."""
        return {sync.id: sync.name for sync in self.service.list_syncs()}

    def close(self) -> None:
        """Close the adapters that hold connections (httpx clients), then the store."""
        for adapter in self.adapters:
            close = getattr(adapter, "close", None)
            if callable(close):
                close()
        self.store.close()


def open_store(config: Config) -> Store:
    """The configured store: PostgreSQL for a ``postgresql://`` URL, else the SQLite file."""
    if config.store_url is None:
        config.store_path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteStore(config.store_path)
    try:
        from fieldsync.stores.postgres import PostgresStore
    except ImportError:
        raise ConfigurationError(
            "the store is PostgreSQL: install it with pip install 'fieldsync[postgres]'"
        ) from None
    return PostgresStore(config.store_url, schema=config.store_schema)


def open_app(config_path: Path, *, json: bool, tz: str | None = None) -> App:
    """Load the configuration, open the store and register every configured integration
    that was not disabled (commands that need a disabled one's adapters refuse then; the
    others, such as ``syncs`` and ``history``, work as before).

    ``tz``: the zone times are shown in (``--tz``), over the file's ``[cli] tz``.
    """
    config = load_config(config_path)
    out = Output.for_terminal(zone=parse_zone(tz or config.tz))
    store = open_store(config)
    hook = ProgressHook(
        {name: "Zoho" for name, i in config.integrations.items() if i.type == "zoho"}
    )
    hours = config.source_scan_hours
    scan = None if hours is None else timedelta(hours=hours)
    service = SyncService(store=store, on_event=hook, source_scan_every=scan)
    app = App(config=config, store=store, service=service, json=json, progress=hook, out=out)
    try:
        disabled = store.disabled_integrations()
        for integration in config.integrations.values():
            if integration.name in disabled:
                continue
            source, target = integration.build(app.adapters, quota=store)
            app.adapters += [source, target]
            service.register_integration(
                integration.name,
                source=watched(source, app.watch),
                target=watched(target, app.watch),
            )
    except BaseException:
        app.close()
        raise
    return app
