"""A run that meets an hourly or daily cap checkpoints, defers itself to the time the window
frees and goes on from there: across an hourly and a daily window, against the emulators
with reduced windows (the same code path as Zoho's 12,500 an hour and 75,000 a day), in
simulated time, with no lockout and every contact written once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import attrs
import httpx

from fieldsync import SyncSpec
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.records import RateWindow, TargetLimits
from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.events import RunDeferred, RunEvent
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators.accounts import AccountsEmulator
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.testing.emulators.generate import generate_organization
from fieldsync.testing.emulators.invoice import InvoiceEmulator
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget
from fieldsync.zoho.invoice import ZohoInvoiceSource

START = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # two hours before midnight
SUBSCRIBE = "POST json/listsubscribe"
# Zoho's three listsubscribe windows, cut down: 10 a minute, 40 an hour, 100 a day.
WINDOWS = (
    RateWindow(10, 60.0, 1800.0),
    RateWindow(40, 3600.0, 1800.0),
    RateWindow(100, 86_400.0, 1800.0),
)
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))


class Written(httpx.BaseTransport):
    """Passes calls to the emulator, counting the listsubscribe calls per address."""

    def __init__(self, inner: CampaignsEmulator) -> None:
        self.inner = inner
        self.per_address: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("json/listsubscribe"):
            form = dict(httpx.QueryParams(request.read().decode()))
            self.per_address[json.loads(form["contactinfo"])["Contact Email"].lower()] += 1
        return self.inner.handle_request(request)


@attrs.define
class World:
    service: SyncService
    campaigns: CampaignsEmulator
    written: Written
    list_key: str
    clock: FakeClock
    events: list[RunEvent]


def world(contacts: int) -> World:
    clock = FakeClock(START)
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client("client", "secret", "refresh")
    organization = generate_organization(contacts, seed=8)
    invoice = InvoiceEmulator(
        accounts=accounts, clock=clock, organization=organization, daily_cap=None
    )
    campaigns = CampaignsEmulator(accounts=accounts, clock=clock, limits={SUBSCRIBE: WINDOWS})
    written = Written(campaigns)
    auth = ZohoOAuth(
        client_id="client",
        client_secret="secret",
        refresh_token="refresh",
        client=httpx.Client(transport=accounts),
        clock=clock,
    )
    source = ZohoInvoiceSource(
        auth,
        organization_id=organization.organization_id,
        client=httpx.Client(transport=invoice),
        clock=clock,
    )
    target = ZohoCampaignsTarget(
        auth,
        client=httpx.Client(transport=written),
        clock=clock,
        concurrency=1,
        limits=TargetLimits(max_batch=10, windows=WINDOWS),
    )
    list_key = campaigns.create_list("Customers")
    events: list[RunEvent] = []
    service = SyncService(store=InMemoryStore(), clock=clock, on_event=events.append)
    service.register_integration("zoho", source=source, target=target)
    return World(service, campaigns, written, list_key, clock, events)


def run_to_the_end(service: SyncService, sync_id: str, clock: FakeClock) -> list[SyncRun]:
    """Initiate, then run the sync each time it is due, until a run completes."""
    runs = [service.initiate(sync_id)]
    while runs[-1].status is RunStatus.DEFERRED and len(runs) < 50:
        due = service.sync_detail(sync_id).next_run_at
        assert due is not None
        clock.set(max(due, clock.now()))
        runs += service.run_due()
    return runs


def test_a_run_crosses_hourly_and_daily_windows_deferring_itself_without_a_lockout() -> None:
    w = world(260)
    service, campaigns, written, list_key, clock = (
        w.service,
        w.campaigns,
        w.written,
        w.list_key,
        w.clock,
    )
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=list_key, mapping=MAPPING))

    runs = run_to_the_end(service, sync.id, clock)

    deferred = [r for r in runs if r.status is RunStatus.DEFERRED]
    resumes = [e.resume_at for e in w.events if isinstance(e, RunDeferred)]
    assert RunStatus.COMPLETED == runs[-1].status
    assert 0 == campaigns.windows.lockouts
    assert {1} == set(written.per_address.values())  # every contact written once
    sent = sum(written.per_address.values())
    assert sent == campaigns.calls[SUBSCRIBE] > 200  # more than two days' worth
    # Deferred at the hourly cap within a day, and at the daily cap across midnight.
    caps = {cap for r in deferred for cap in ("3600 s", "86400 s") if cap in (r.error or "")}
    assert {"3600 s", "86400 s"} == caps
    assert any(r.finished_at and r.finished_at.date() == START.date() for r in deferred)
    assert clock.now() - START > timedelta(days=2)
    assert all(at is not None for at in resumes)
    total = sum(r.total for r in runs)
    assert total == sum(r.added + r.updated + r.unchanged + r.skipped + r.failed for r in runs)
    assert sum(r.added for r in runs) == len(campaigns.subscribers(list_key))


def test_a_deferred_run_is_due_when_the_window_frees_not_before() -> None:
    w = world(80)
    service = w.service
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=w.list_key, mapping=MAPPING))

    first = service.initiate(sync.id)
    due = service.sync_detail(sync.id).next_run_at

    assert RunStatus.DEFERRED == first.status
    assert due is not None
    assert timedelta(minutes=30) < due - START <= timedelta(hours=1, minutes=5)
    assert 30 < w.campaigns.calls[SUBSCRIBE] <= 40  # what fits in the hour's 40, no more
    assert 0 == w.campaigns.windows.lockouts
    assert [] == service.run_due(due - timedelta(seconds=1))
