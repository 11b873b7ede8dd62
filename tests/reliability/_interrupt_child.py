"""A paced run in real time for test_interrupt: prints "ready", then syncs until SIGINT.

The Campaigns window lets 4 calls through, then makes every worker wait 30 s for its next
slot: the wait a Ctrl-C used to sit through. Usage: python _interrupt_child.py CONCURRENCY
"""

from __future__ import annotations

import logging
import sys

import httpx

from fieldsync import SyncSpec
from fieldsync.clock import SystemClock
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.records import RateWindow, TargetLimits
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.emulators import AccountsEmulator, CampaignsEmulator
from fieldsync.testing.fakes import FakeSource
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget


def main(concurrency: int) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    clock = SystemClock()
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client("id", "secret", "refresh")
    emulator = CampaignsEmulator(accounts=accounts, clock=clock)
    list_key = emulator.create_list("News")
    auth = ZohoOAuth(
        client_id="id",
        client_secret="secret",
        refresh_token="refresh",
        client=httpx.Client(transport=accounts),
        clock=clock,
    )
    target = ZohoCampaignsTarget(
        auth,
        client=httpx.Client(transport=emulator),
        base_url="https://campaigns.zoho.com/api/v1.1",
        clock=clock,
        concurrency=concurrency,
        limits=TargetLimits(max_batch=50, windows=(RateWindow(4, 30.0, 1800.0),)),
    )
    source = FakeSource(clock=clock)
    for i in range(200):
        source.put(f"c{i:03d}", {"email": f"p{i}@example.com", "first_name": "P"})
    store = InMemoryStore()
    service = SyncService(store=store, clock=clock, worker_id="w")
    service.register_integration("zoho", source=source, target=target)
    mapping = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=list_key, mapping=mapping))
    print("ready", flush=True)
    try:
        service.initiate(sync.id)
    except KeyboardInterrupt:
        run = service.history(sync.id)[0]
        print(f"{run.status.value} {run.total}", flush=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
