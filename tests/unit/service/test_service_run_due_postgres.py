"""``run_due`` on PostgreSQL: due syncs are claimed one at a time with ``FOR UPDATE SKIP
LOCKED``, so workers pass over the syncs others run instead of lining up behind them."""

from __future__ import annotations

from datetime import timedelta

from service_helpers import LIST, MAPPING, START, counter_ids, put_people

from fieldsync import SyncSpec
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import Sync
from fieldsync.service import SyncService
from fieldsync.stores.postgres import PostgresStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

HOURLY = Schedule.every(hours=1)


def a_service(store: PostgresStore, clock: FakeClock, *, registered: bool = True) -> SyncService:
    service = SyncService(store=store, clock=clock, ids=counter_ids())
    if registered:
        source = FakeSource(clock=clock, page_size=10)
        target = FakeTarget(max_batch=4)
        target.create_list(LIST)
        put_people(source, 5)
        service.register_integration("crm", source=source, target=target)
    return service


def due_sync(service: SyncService, name: str) -> Sync:
    sync = service.create_sync(
        "crm", SyncSpec(name=name, list_key=LIST, mapping=MAPPING, schedule=HOURLY)
    )
    service.initiate(sync.id)
    return sync


def test_run_due_passes_over_a_sync_another_worker_runs(postgres_store: PostgresStore) -> None:
    clock = FakeClock(START)
    service = a_service(postgres_store, clock)
    busy, free = due_sync(service, "Busy"), due_sync(service, "Free")
    clock.advance(timedelta(hours=1))
    postgres_store.acquire_lease(busy.id, "another-worker", now=clock.now(), ttl=timedelta(hours=1))

    runs = service.run_due()

    assert [run.sync_id for run in runs] == [free.id]


def test_run_due_runs_each_due_sync_once(postgres_store: PostgresStore) -> None:
    clock = FakeClock(START)
    service = a_service(postgres_store, clock)
    syncs = [due_sync(service, name) for name in ("One", "Two", "Three")]
    clock.advance(timedelta(hours=1))

    runs = service.run_due()

    assert sorted(run.sync_id for run in runs) == sorted(sync.id for sync in syncs)


def test_a_claimed_sync_whose_integration_is_unavailable_is_released(
    postgres_store: PostgresStore,
) -> None:
    clock = FakeClock(START)
    sync = due_sync(a_service(postgres_store, clock), "Orphan")
    clock.advance(timedelta(hours=1))
    elsewhere = a_service(postgres_store, clock, registered=False)  # knows no integration

    assert elsewhere.run_due() == []
    postgres_store.acquire_lease(sync.id, "next-worker", now=clock.now(), ttl=timedelta(hours=1))
