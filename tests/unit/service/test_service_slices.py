"""Runs cut into time slices (for task queues whose jobs must stay short), a scheduled run of
one sync for a queue's job, and a stalled worker that lost its lease sending nothing."""

from __future__ import annotations

from datetime import timedelta

from service_helpers import LIST, MAPPING, counter_ids, put_people

from fieldsync import SyncSpec
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import RunStatus, Sync, SyncRun
from fieldsync.events import BatchCommitted, RunEvent
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

MINUTE = timedelta(minutes=1)


def a_minute_per_batch(target: FakeTarget, clock: FakeClock) -> None:
    target.on_upsert = lambda key, contacts: clock.advance(MINUTE)


def sent(target: FakeTarget) -> list[str]:
    return [email for call in target.upserts for email in call]


def test_a_run_stops_as_deferred_and_due_at_once_when_its_slice_is_over(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    service.initiate(sync.id)
    put_people(source, 40, first=100)  # pages of 10 in batches of 4, 4, 2; a minute each
    a_minute_per_batch(target, clock)

    run = service.run(sync.id, max_duration=3 * MINUTE)

    stored = service.list_syncs()[0]
    assert (run.status, run.added) == (RunStatus.DEFERRED, 10)
    assert stored.next_run_at == clock.now()


def test_slices_continue_the_pass_until_every_record_is_sent_once(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 40)
    a_minute_per_batch(target, clock)
    service.initiate(sync.id)  # the first run is whole: initiate takes no slice
    put_people(source, 40, first=100)

    runs: list[SyncRun] = []
    while not runs or runs[-1].status is RunStatus.DEFERRED:
        runs.append(service.run(sync.id, max_duration=2 * MINUTE))

    assert [run.added for run in runs][:6] == [8, 6, 6, 8, 6, 6]  # 2 minutes: 2 batches each
    assert sum(run.added for run in runs) == 40
    assert runs[-1].status is RunStatus.COMPLETED
    assert len(sent(target)) == len(set(sent(target))) == 80


def test_a_slice_sends_one_batch_at_least_however_short(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    service.initiate(sync.id)
    put_people(source, 8, first=100)

    run = service.run(sync.id, max_duration=timedelta(0))

    assert (run.status, run.added) == (RunStatus.DEFERRED, 4)


def test_run_if_due_runs_a_due_sync_as_its_schedule_would(
    service: SyncService, source: FakeSource, clock: FakeClock
) -> None:
    sync = service.create_sync(
        "crm",
        SyncSpec(name="Hourly", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(hours=1)),
    )
    service.initiate(sync.id)
    put_people(source, 3)

    early = service.run_if_due(sync.id)
    clock.advance(timedelta(hours=1))
    due = service.run_if_due(sync.id)

    assert early is None
    assert due is not None
    assert (due.trigger.value, due.added) == ("schedule", 3)


def test_run_if_due_leaves_a_paused_sync_alone(service: SyncService, sync: Sync) -> None:
    service.initiate(sync.id)
    service.pause(sync.id)

    assert service.run_if_due(sync.id) is None


def test_run_if_due_leaves_a_sync_running_elsewhere_alone(
    service: SyncService, store: InMemoryStore, source: FakeSource, clock: FakeClock
) -> None:
    sync = service.create_sync(
        "crm",
        SyncSpec(name="Hourly", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(hours=1)),
    )
    service.initiate(sync.id)
    clock.advance(timedelta(hours=1))
    store.acquire_lease(sync.id, "another-worker", now=clock.now(), ttl=timedelta(minutes=10))

    assert service.run_if_due(sync.id) is None


def test_a_stalled_worker_that_lost_its_lease_sends_no_further_batch(
    source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    store = InMemoryStore()
    stalled_once: list[bool] = []

    def stall_then_lose_the_lease(event: RunEvent) -> None:
        if isinstance(event, BatchCommitted) and not stalled_once:
            stalled_once.append(True)
            clock.advance(timedelta(minutes=20))  # a long pause between two batches
            store.acquire_lease(event.sync_id, "thief", now=clock.now(), ttl=timedelta(hours=1))

    service = SyncService(
        store=store,
        clock=clock,
        ids=counter_ids(),
        lease_ttl=timedelta(minutes=8),
        on_event=stall_then_lose_the_lease,
    )
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    put_people(source, 12)  # three batches of 4

    run = service.initiate(sync.id)

    assert run.status is RunStatus.INTERRUPTED
    assert len(sent(target)) == 4  # the first batch only
