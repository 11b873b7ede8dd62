"""One fieldsync process of the multi-process quota scenarios (test_shared_quota.py).

Run as ``python _quota_child.py '<json>'``. It opens the shared store (the SQLite file
``store``, or the PostgreSQL schema ``postgres: {url, schema}``), builds the Zoho adapters
on a ``ScaledClock`` shared with the emulators, does one thing and prints one JSON line.
With ``gate`` (a directory), it first says it is ready (a ``ready-<pid>`` file there) and
waits for a ``go`` file, so that many processes start their work at the same moment.

How the adapters are built (``wiring``):

- ``"cli"`` (the default): the way the CLI builds them (``build_zoho`` with the store as
  quota);
- ``"naive"``: the simplest wiring a new user writes, with no sharing argument at all:
  ``ZohoOAuth(client_id=..., client_secret=..., refresh_token=...)``, then
  ``ZohoInvoiceSource(auth, ...)`` and ``ZohoCampaignsTarget(auth)``, registered with a
  ``SyncService`` on the store (only the emulators' URLs and the clock are added);
- ``"local"``: the naive wiring with ``ledger=LocalQuota()`` on the ``ZohoOAuth``: the
  explicit choice to keep the account's limits inside this process.

What it does (``do``):

- ``"token"``: what every CLI command that talks to Zoho does first: get an access token
  (``target.schema()`` needs one).
- ``"sync"`` (with ``list_key`` and ``name``): create a sync of every customer to that list
  and initiate it (its first run), then print the run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from fieldsync import Criteria, FieldMapping, LocalQuota, SQLiteStore, SyncService, SyncSpec
from fieldsync.cli._zoho import build_zoho
from fieldsync.exceptions import FieldSyncError
from fieldsync.ports import Clock, Source, SyncStore, Target
from fieldsync.stores import QuotaStore
from fieldsync.testing import ScaledClock
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth


@contextmanager
def open_store(spec: dict[str, Any]) -> Iterator[SyncStore]:
    where = spec.get("postgres")
    if where is None:
        with SQLiteStore(spec["store"]) as sqlite:
            yield sqlite
        return
    from fieldsync.stores.postgres import PostgresStore

    with PostgresStore(where["url"], schema=where["schema"], clock="caller", max_size=2) as pg:
        yield pg


def adapters(spec: dict[str, Any], store: SyncStore, clock: Clock) -> tuple[Source, Target]:
    settings = spec["settings"]
    wiring = spec.get("wiring", "cli")
    if wiring == "cli":
        assert isinstance(store, QuotaStore)
        return build_zoho("zoho", settings, quota=store, clock=clock)
    kept_here = {"ledger": LocalQuota()} if wiring == "local" else {}
    auth = ZohoOAuth(
        client_id=settings["client_id"],
        client_secret=settings["client_secret"],
        refresh_token=settings["refresh_token"],
        accounts_url=settings["accounts_url"],
        clock=clock,
        **kept_here,
    )
    source = ZohoInvoiceSource(
        auth,
        organization_id=settings["organization_id"],
        base_url=settings["invoice_url"],
        clock=clock,
    )
    return source, ZohoCampaignsTarget(auth, base_url=settings["campaigns_url"], clock=clock)


def main(spec: dict[str, Any]) -> dict[str, Any]:
    clock = ScaledClock(spec["factor"], spec["origin"])
    with open_store(spec) as store:
        source, target = adapters(spec, store, clock)
        assert isinstance(source, ZohoInvoiceSource)
        assert isinstance(target, ZohoCampaignsTarget)
        if "gate" in spec:
            _wait_at(Path(spec["gate"]))
        try:
            if spec["do"] == "token":
                try:
                    target.schema()
                except FieldSyncError as exc:
                    return {"ok": False, "error": str(exc)}
                return {"ok": True}
            service = SyncService(store=store, clock=clock)
            service.register_integration("zoho", source=source, target=target)
            sync = service.create_sync(
                "zoho",
                SyncSpec(
                    name=spec["name"],
                    list_key=spec["list_key"],
                    mapping=FieldMapping.of(
                        ("email", "Contact Email"), ("first_name", "First Name")
                    ),
                    criteria=Criteria.all(),
                ),
            )
            run = service.initiate(sync.id)
            counts = run.counts
            return {
                "status": run.status.value,
                "error": run.error,
                "total": counts.total,
                "added": counts.added,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "skipped": counts.skipped,
                "failed": counts.failed,
                "resume_at": _timestamp(store.get_sync(sync.id).next_run_at),
            }
        finally:
            source.close()
            target.close()


def _wait_at(gate: Path) -> None:
    (gate / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 120.0
    while not (gate / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("the gate never opened")
        time.sleep(0.005)


def _timestamp(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
