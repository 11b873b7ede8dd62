"""One fieldsync process of the multi-process quota scenarios (test_shared_quota.py).

Run as ``python _quota_child.py '<json>'``. It opens the shared store (the SQLite file
``store``, or the PostgreSQL ``postgres: {"url", "schema"}``), builds the Zoho adapters the
way the CLI does (``build_zoho`` with the store as quota), on a ``ScaledClock`` shared with
the emulators, does one thing and prints one JSON line. With ``gate`` (a directory), it
first says it is ready (a ``ready-<pid>`` file there) and waits for a ``go`` file, so that
many processes start their work at the same moment.

- ``{"do": "token"}``: what every CLI command that talks to Zoho does first: get an access
  token (``target.schema()`` needs one).
- ``{"do": "sync", "list_key": ..., "name": ...}``: create a sync of every customer to that
  list and initiate it (its first run), then print the run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from fieldsync import Criteria, FieldMapping, SQLiteStore, SyncService, SyncSpec
from fieldsync.cli._zoho import build_zoho
from fieldsync.exceptions import FieldSyncError
from fieldsync.stores.postgres import PostgresStore
from fieldsync.testing import ScaledClock
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource


def main(spec: dict[str, Any]) -> dict[str, Any]:
    clock = ScaledClock(spec["factor"], spec["origin"])
    with _open_store(spec) as store:
        source, target = build_zoho("zoho", spec["settings"], quota=store, clock=clock)
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


def _open_store(spec: dict[str, Any]) -> SQLiteStore | PostgresStore:
    postgres = spec.get("postgres")
    if postgres is None:
        return SQLiteStore(spec["store"])
    return PostgresStore(postgres["url"], schema=postgres["schema"])


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
