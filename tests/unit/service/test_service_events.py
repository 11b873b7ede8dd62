"""The event hook: what a run tells ``on_event``, in which order, with which fields."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import pytest
from service_helpers import LIST, MAPPING, START, PacedTarget, counter_ids, put_people

from fieldsync import SyncSpec
from fieldsync.domain.sync import RunStatus, Sync
from fieldsync.events import (
    BatchCommitted,
    RunDeferred,
    RunEvent,
    RunFinished,
    RunStarted,
    Waiting,
    WaitReason,
    combine,
)
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget


@pytest.fixture
def events() -> list[RunEvent]:
    return []


@pytest.fixture
def observed(
    store: InMemoryStore,
    clock: FakeClock,
    source: FakeSource,
    target: FakeTarget,
    events: list[RunEvent],
) -> SyncService:
    service = SyncService(
        store=store, clock=clock, ids=counter_ids(), worker_id="w", on_event=events.append
    )
    service.register_integration("crm", source=source, target=target)
    return service


def people_sync(service: SyncService) -> Sync:
    return service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))


def kinds(events: Sequence[RunEvent]) -> list[str]:
    return [type(event).__name__ for event in events]


def test_a_run_emits_started_each_batch_and_finished_in_order(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 10)

    observed.initiate(people_sync(observed).id)

    assert ["RunStarted", "BatchCommitted", "BatchCommitted", "BatchCommitted", "RunFinished"] == (
        kinds(events)
    )


def test_batch_events_carry_the_running_totals_and_the_batch_alone(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 10)

    observed.initiate(people_sync(observed).id)

    batches = [e for e in events if isinstance(e, BatchCommitted)]
    assert ([4, 8, 10], [4, 4, 2]) == (
        [e.run.total for e in batches],
        [e.batch.total for e in batches],
    )


def test_every_event_names_the_sync_the_run_and_the_integration(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 3)
    sync = people_sync(observed)

    run = observed.initiate(sync.id)

    assert {(sync.id, run.id, "crm")} == {(e.sync_id, e.run_id, e.integration) for e in events}


def test_a_full_pass_expects_the_sources_count(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 7)

    observed.initiate(people_sync(observed).id)

    assert isinstance(events[0], RunStarted)
    assert 7 == events[0].expected


def test_an_incremental_pass_expects_no_count(
    observed: SyncService, source: FakeSource, events: list[RunEvent], clock: FakeClock
) -> None:
    put_people(source, 3)
    sync = people_sync(observed)
    observed.initiate(sync.id)
    clock.advance(timedelta(hours=1))
    events.clear()

    observed.run(sync.id)

    assert isinstance(events[0], RunStarted)
    assert events[0].expected is None


def test_the_finished_event_carries_the_run_as_it_ended(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 3)

    run = observed.initiate(people_sync(observed).id)

    assert events[-1] == RunFinished(
        sync_id=run.sync_id, run_id=run.id, integration="crm", at=events[-1].at, run=run
    )


def test_a_deferred_run_says_when_it_continues_then_finishes(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 20)
    resets = START + timedelta(hours=5)
    source.fail_next_read(QuotaExhaustedError("daily cap", resume_at=resets), after_pages=1)

    observed.initiate(people_sync(observed).id)

    deferred = events[-2]
    assert isinstance(deferred, RunDeferred)
    assert (resets, "daily cap", "RunFinished") == (
        deferred.resume_at,
        deferred.run.error,
        kinds(events)[-1],
    )


def test_a_run_ended_by_an_unexpected_error_still_finishes(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 3)
    source.fail_next_read(ZeroDivisionError("a bug"))

    with pytest.raises(ZeroDivisionError):
        observed.initiate(people_sync(observed).id)

    last = events[-1]
    assert isinstance(last, RunFinished)
    assert RunStatus.FAILED is last.run.status


def test_a_hook_that_raises_does_not_stop_the_run(
    store: InMemoryStore,
    clock: FakeClock,
    source: FakeSource,
    target: FakeTarget,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(event: RunEvent) -> None:
        raise RuntimeError("a broken dashboard")

    service = SyncService(store=store, clock=clock, on_event=broken)
    service.register_integration("crm", source=source, target=target)
    put_people(source, 5)

    run = service.initiate(people_sync(service).id)

    assert (RunStatus.COMPLETED, True) == (
        run.status,
        any("event hook failed" in r.getMessage() for r in caplog.records),
    )


def test_combined_hooks_each_get_every_event_even_after_one_raises() -> None:
    seen: list[str] = []

    def broken(event: RunEvent) -> None:
        raise RuntimeError("no")

    hook = combine(broken, lambda e: seen.append(e.run_id))
    event = RunEvent(sync_id="s", run_id="r", integration="i", at=START)

    hook(event)
    hook(event)

    assert ["r", "r"] == seen


def test_the_deprecated_on_progress_warns_and_still_sees_each_batch(
    store: InMemoryStore, clock: FakeClock, source: FakeSource, target: FakeTarget
) -> None:
    totals: list[int] = []
    with pytest.deprecated_call():
        service = SyncService(
            store=store, clock=clock, on_progress=lambda run: totals.append(run.total)
        )
    service.register_integration("crm", source=source, target=target)
    put_people(source, 10)

    service.initiate(people_sync(service).id)

    assert [4, 8, 10] == totals


# -- waiting ----------------------------------------------------------------------------------


@pytest.fixture
def paced(
    store: InMemoryStore, clock: FakeClock, source: FakeSource, events: list[RunEvent]
) -> SyncService:
    target = PacedTarget(clock)
    target.create_list(LIST)
    service = SyncService(store=store, clock=clock, ids=counter_ids(), on_event=events.append)
    service.register_integration("crm", source=source, target=target)
    return service


def test_a_paced_call_announces_its_wait_with_until_when(
    paced: SyncService, source: FakeSource, events: list[RunEvent], clock: FakeClock
) -> None:
    put_people(source, 8)

    paced.initiate(people_sync(paced).id)

    waits = [e for e in events if isinstance(e, Waiting) and e.reason is WaitReason.RATE_LIMIT]
    assert [(w.at + timedelta(seconds=w.seconds), "POST upsert") for w in waits] == [
        (w.until, w.endpoint) for w in waits
    ]
    assert waits, "the second and third calls wait for the one-a-minute window"


def test_a_retry_announces_its_back_off(
    paced: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 3)

    paced.initiate(people_sync(paced).id)

    retries = [e for e in events if isinstance(e, Waiting) and e.reason is WaitReason.RETRY]
    assert [2.0] == [e.seconds for e in retries]


def test_a_long_rate_limit_wait_is_logged_with_the_runs_fields(
    paced: SyncService, source: FakeSource, caplog: pytest.LogCaptureFixture
) -> None:
    put_people(source, 8)
    caplog.set_level(logging.INFO, logger="fieldsync.wait")

    run = paced.initiate(people_sync(paced).id)

    waits = [r for r in caplog.records if r.name == "fieldsync.wait"]
    assert waits
    assert {(run.id, run.sync_id, "crm")} == {
        (r.__dict__["run_id"], r.__dict__["sync_id"], r.__dict__["integration"]) for r in waits
    }


def test_a_wait_reads_as_one_line() -> None:
    event = Waiting(
        sync_id="s",
        run_id="r",
        integration="zoho",
        at=START,
        until=START + timedelta(minutes=14),
        seconds=840.0,
        reason=WaitReason.RATE_LIMIT,
        endpoint="POST json/listsubscribe",
    )

    assert "waiting for the rate limit of POST json/listsubscribe until 09:14:00 UTC (840 s)" == (
        str(event)
    )


def test_every_record_the_run_logs_carries_the_sync_the_run_and_the_integration(
    observed: SyncService, source: FakeSource, caplog: pytest.LogCaptureFixture
) -> None:
    put_people(source, 5)
    sync = people_sync(observed)
    caplog.set_level(logging.DEBUG, logger="fieldsync.run")

    run = observed.initiate(sync.id)

    records = [r for r in caplog.records if r.name == "fieldsync.run"]
    assert len(records) >= 3  # started, a batch, completed
    assert {(sync.id, run.id, "crm")} == {
        (r.__dict__["sync_id"], r.__dict__["run_id"], r.__dict__["integration"]) for r in records
    }


def test_records_about_a_sync_outside_a_run_carry_its_id_and_integration(
    observed: SyncService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fieldsync.service")

    sync = people_sync(observed)

    (record,) = [r for r in caplog.records if r.name == "fieldsync.service"]
    assert (sync.id, "crm") == (record.__dict__["sync_id"], record.__dict__["integration"])


def test_every_event_reads_as_one_line(
    observed: SyncService, source: FakeSource, events: list[RunEvent]
) -> None:
    put_people(source, 20)
    source.fail_next_read(QuotaExhaustedError("daily cap", resume_at=START), after_pages=1)

    run = observed.initiate(people_sync(observed).id)

    prefix = f"run {run.id} of sync {run.sync_id}"
    assert [str(e) for e in events] == [
        f"{prefix} started (initiate, 20 records expected)",
        f"{prefix}: 4 records done",
        f"{prefix}: 8 records done",
        f"{prefix}: 10 records done",
        f"{prefix} deferred: daily cap; it continues at 2026-03-02T09:00:00+00:00",
        f"{prefix} deferred",
    ]
    assert prefix == str(RunEvent(sync_id=run.sync_id, run_id=run.id, integration="crm", at=START))
