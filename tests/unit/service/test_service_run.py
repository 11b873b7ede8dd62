"""The run loop: batches, counts, checkpoints, the watermark, pausing mid-run, the plan
limit, deferrals, fatal errors and leases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs
import pytest
from service_helpers import LIST, MAPPING, START, counter_ids, put_people

from fieldsync import SyncSpec
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMap
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, TargetContact, UpsertOutcome
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import (
    NotificationKind,
    RunStatus,
    RunTrigger,
    Sync,
    SyncOptions,
    SyncRun,
)
from fieldsync.exceptions import (
    QuotaExhaustedError,
    ServiceUnavailableError,
    SyncAlreadyRunningError,
)
from fieldsync.service import SyncService
from fieldsync.service._run import RETRY_DELAY
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier


def sent(target: FakeTarget) -> list[str]:
    return [email for call in target.upserts for email in call]


def counts(run: SyncRun) -> tuple[int, int, int, int, int]:
    return (run.added, run.updated, run.unchanged, run.skipped, run.failed)


def hourly_sync(service: SyncService) -> Sync:
    """A sync of the "crm" integration that runs every hour."""
    return service.create_sync(
        "crm",
        SyncSpec(name="Hourly", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(hours=1)),
    )


def pause_after_calls(service: SyncService, sync: Sync, target: FakeTarget, calls: int) -> None:
    def hook(list_key: str, contacts: Sequence[TargetContact]) -> None:
        if target.calls == calls:
            service.pause(sync.id)

    target.on_upsert = hook


# -- batches and counts ------------------------------------------------------------------


def test_contacts_are_sent_in_batches_of_the_target_maximum(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 10)

    service.initiate(sync.id)

    assert [4, 4, 2] == [len(call) for call in target.upserts]


def test_every_record_of_every_page_is_counted_once(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 25)
    source.put("bad", {"email": "not-an-email"})

    run = service.initiate(sync.id)

    assert ((25, 0, 0, 1, 0), 26, 25) == (counts(run), run.total, len(set(sent(target))))


def test_a_second_run_with_nothing_changed_makes_no_call(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 6)
    service.initiate(sync.id)
    calls = target.calls
    clock.advance(60)

    run = service.run(sync.id)

    assert ((0, 0, 6, 0, 0), calls) == (counts(run), target.calls)


def test_only_changed_records_are_sent_again(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 6)
    service.initiate(sync.id)
    clock.advance(3600)
    source.put("c002", {"email": "person2@example.com", "first_name": "Changed"})
    target.upserts.clear()

    run = service.run(sync.id)

    assert ([["person2@example.com"]], 1) == (target.upserts, run.updated)


def test_a_completed_pass_moves_the_watermark_to_its_start_minus_the_overlap(
    service: SyncService, sync: Sync, store: InMemoryStore, source: FakeSource, clock: FakeClock
) -> None:
    put_people(source, 2)
    service.initiate(sync.id)
    clock.advance(timedelta(days=1))

    service.run(sync.id)

    assert (START + timedelta(days=1) - timedelta(minutes=10), START - timedelta(minutes=10)) == (
        store.get_sync(sync.id).watermark,
        source.reads[-1][0],
    )


def test_a_new_pass_reads_from_retrieve_since_when_it_is_later(
    service: SyncService, source: FakeSource
) -> None:
    since = START - timedelta(hours=1)
    sync = service.create_sync(
        "crm",
        SyncSpec(
            name="Recent", list_key=LIST, mapping=MAPPING, options=SyncOptions(retrieve_since=since)
        ),
    )

    service.initiate(sync.id)

    assert (since, None) == source.reads[-1]


def test_a_completed_run_schedules_the_next_one(
    service: SyncService, store: InMemoryStore, clock: FakeClock
) -> None:
    sync = hourly_sync(service)

    service.initiate(sync.id)

    assert START + timedelta(hours=1) == store.get_sync(sync.id).next_run_at


def test_the_run_completion_is_notified_with_a_summary(
    service: SyncService, sync: Sync, source: FakeSource, notifier: RecordingNotifier
) -> None:
    put_people(source, 3)
    run = service.initiate(sync.id)

    (note,) = notifier.sent
    assert (NotificationKind.RUN_COMPLETED, sync.id, run.id) == (
        note.kind,
        note.sync_id,
        note.run_id,
    )
    assert "3 records: 3 added, 0 updated, 0 unchanged, 0 skipped, 0 failed" == note.summary


# -- duplicates and email changes --------------------------------------------------------


def test_a_duplicate_email_in_a_later_page_is_skipped_and_the_first_record_wins(
    service: SyncService, sync: Sync, source: FakeSource, store: InMemoryStore
) -> None:
    put_people(source, 15)
    source.put("c014", {"email": "PERSON0@example.com"})

    run = service.initiate(sync.id)

    (record,) = store.skipped_records(run.id)
    assert ("c014", ReasonCode.DUPLICATE_EMAIL) == (record.key, record.reason)


def test_a_changed_email_is_an_add_of_the_new_address(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 2)
    service.initiate(sync.id)
    clock.advance(3600)
    source.put("c000", {"email": "new0@example.com", "first_name": "P0"})

    run = service.run(sync.id)

    assert ((1, 0, 1, 0, 0), 3) == (counts(run), len(target.lists[LIST]))


def test_a_target_that_does_not_say_added_or_updated_is_counted_from_the_store(
    store: InMemoryStore, clock: FakeClock, source: FakeSource
) -> None:
    target = FakeTarget(reports_added=False)
    target.create_list(LIST)
    service = SyncService(store=store, clock=clock)
    service.register_integration("crm", source=source, target=target)
    put_people(source, 2)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    first = service.initiate(sync.id)
    clock.advance(3600)
    source.put("c000", {"email": "person0@example.com", "first_name": "New"})

    second = service.run(sync.id)

    assert ((2, 0, 0, 0, 0), (0, 1, 1, 0, 0)) == (counts(first), counts(second))


def test_a_contact_waiting_for_confirmation_is_not_sent_again(
    store: InMemoryStore, clock: FakeClock, source: FakeSource
) -> None:
    target = FakeTarget(confirmation_required=True)
    target.create_list(LIST)
    service = SyncService(store=store, clock=clock)
    service.register_integration("crm", source=source, target=target)
    put_people(source, 1)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    first = service.initiate(sync.id)
    clock.advance(60)

    second = service.run(sync.id)

    assert ({ReasonCode.CONFIRMATION_PENDING: 1}, 1, 1) == (
        first.counts.skipped_by_reason,
        second.unchanged,
        target.confirmation_emails,
    )


# -- pausing mid-run ---------------------------------------------------------------------


def test_a_pause_during_a_run_stops_it_at_the_next_batch_with_a_checkpoint(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    put_people(source, 10)
    pause_after_calls(service, sync, target, 1)

    run = service.initiate(sync.id)

    checkpoint = store.checkpoint(sync.id)
    assert (RunStatus.PAUSED, 4, "page:0", 4) == (
        run.status,
        run.total,
        checkpoint.position if checkpoint else None,
        checkpoint.offset if checkpoint else None,
    )


def test_resume_continues_a_paused_run_and_every_record_is_sent_once(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 10)
    pause_after_calls(service, sync, target, 1)
    first = service.initiate(sync.id)
    target.on_upsert = None

    service.resume(sync.id)
    second = service.run(sync.id)

    assert (RunTrigger.RESUME, first.id, 4 + 6, 10, 10) == (
        second.trigger,
        second.resumed_from,
        first.total + second.total,
        len(sent(target)),
        len(set(sent(target))),
    )


def test_resuming_a_cut_short_pass_makes_the_sync_due_at_once(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 10)
    pause_after_calls(service, sync, target, 1)
    service.initiate(sync.id)
    clock.advance(60)

    assert clock.now() == service.resume(sync.id).next_run_at


def test_the_completed_notification_of_a_resumed_pass_counts_the_whole_pass(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    target: FakeTarget,
    notifier: RecordingNotifier,
) -> None:
    put_people(source, 10)
    pause_after_calls(service, sync, target, 1)
    service.initiate(sync.id)
    target.on_upsert = None
    service.resume(sync.id)

    second = service.run(sync.id)

    assert second.total == 6
    assert notifier.sent[-1].summary.startswith("10 records: 10 added")
    assert "over 2 runs" in notifier.sent[-1].summary


def test_a_duplicate_across_a_pause_is_still_a_duplicate(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    put_people(source, 10)
    source.put("c009", {"email": "person0@example.com"})
    pause_after_calls(service, sync, target, 1)
    service.initiate(sync.id)
    target.on_upsert = None
    service.resume(sync.id)

    second = service.run(sync.id)

    assert [ReasonCode.DUPLICATE_EMAIL] == [r.reason for r in store.skipped_records(second.id)]


def test_a_sync_disabled_before_a_batch_stops_the_run_as_paused_with_the_reason(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 10)
    source.on_page = lambda page: service.disable_integration("crm", confirm=True)

    run = service.initiate(sync.id)

    assert (RunStatus.PAUSED, "the sync was disabled", 0) == (run.status, run.error, target.calls)


def test_a_sync_disabled_during_a_call_stops_the_run_as_paused_not_failed(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 10)
    # disabling revokes the credentials, so the call in flight fails as unauthorised
    target.on_upsert = lambda key, contacts: service.disable_integration("crm", confirm=True)

    run = service.initiate(sync.id)

    assert (RunStatus.PAUSED, "the sync was disabled") == (run.status, run.error)


def test_a_checkpoint_of_an_older_configuration_is_not_continued(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 10)
    pause_after_calls(service, sync, target, 1)
    service.initiate(sync.id)
    target.on_upsert = None
    service.edit(
        sync.id,
        attrs.evolve(service.spec(sync.id), mapping=MAPPING.with_pairs(("last_name", "Last Name"))),
    )

    run = service.initiate(sync.id)

    assert (None, 10) == (run.resumed_from, run.total)


# -- the plan limit ----------------------------------------------------------------------


@pytest.fixture
def small_plan(service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget) -> SyncRun:
    target.plan_limit = 5
    put_people(source, 10)
    return service.initiate(sync.id)


def test_at_the_plan_limit_the_rest_is_skipped_without_calls_and_the_run_deferred(
    small_plan: SyncRun, target: FakeTarget
) -> None:
    assert (RunStatus.DEFERRED, 5, {ReasonCode.PLAN_LIMIT: 5}, 2) == (
        small_plan.status,
        small_plan.added,
        small_plan.counts.skipped_by_reason,
        target.calls,
    )


def test_a_plan_limit_deferral_keeps_the_watermark_and_drops_the_checkpoint(
    small_plan: SyncRun, store: InMemoryStore
) -> None:
    sync = store.get_sync(small_plan.sync_id)

    assert (None, None) == (sync.watermark, store.checkpoint(sync.id))


def test_a_plan_limit_deferral_is_notified(
    small_plan: SyncRun, notifier: RecordingNotifier
) -> None:
    assert [NotificationKind.RUN_DEFERRED] == notifier.kinds


def test_after_the_limit_is_raised_a_run_sends_only_the_rest(
    small_plan: SyncRun, service: SyncService, target: FakeTarget
) -> None:
    target.plan_limit = 100
    target.upserts.clear()

    run = service.run(small_plan.sync_id)

    assert (RunStatus.COMPLETED, (5, 0, 5, 0, 0), 5) == (run.status, counts(run), len(sent(target)))


# -- deferrals and failures --------------------------------------------------------------


def test_an_exhausted_quota_defers_the_run_until_the_quota_resets(
    service: SyncService, sync: Sync, source: FakeSource, store: InMemoryStore
) -> None:
    put_people(source, 20)
    resets = START + timedelta(hours=5)
    source.fail_next_read(QuotaExhaustedError("daily cap", resume_at=resets), after_pages=1)

    run = service.initiate(sync.id)

    assert (RunStatus.DEFERRED, 10, resets, "daily cap") == (
        run.status,
        run.total,
        store.get_sync(sync.id).next_run_at,
        run.error,
    )


def test_a_deferred_run_is_continued_from_its_checkpoint(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 20)
    source.fail_next_read(QuotaExhaustedError("daily cap", resume_at=START), after_pages=1)
    first = service.initiate(sync.id)

    second = service.run_due(clock.now())[0]

    assert (first.id, RunTrigger.SCHEDULE, 10, 20) == (
        second.resumed_from,
        second.trigger,
        second.added,
        len(set(sent(target))),
    )


def test_retries_running_out_defer_the_run_for_a_short_while(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    put_people(source, 3)
    target.fail_next_upsert(ServiceUnavailableError("down"))

    run = service.initiate(sync.id)

    assert (RunStatus.DEFERRED, START + RETRY_DELAY) == (
        run.status,
        store.get_sync(sync.id).next_run_at,
    )


def test_revoked_credentials_fail_the_run_and_the_sync_needs_attention(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    target: FakeTarget,
    store: InMemoryStore,
    notifier: RecordingNotifier,
) -> None:
    put_people(source, 3)
    target.revoke_credentials()

    run = service.initiate(sync.id)

    stored = store.get_sync(sync.id)
    assert (
        RunStatus.FAILED,
        SyncState.NEEDS_ATTENTION,
        run.error,
        NotificationKind.RUN_FAILED,
    ) == (
        run.status,
        stored.state,
        stored.attention,
        notifier.kinds[-1],
    )


def test_a_deleted_list_fails_the_run(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    put_people(source, 3)
    target.delete_list(LIST)

    run = service.initiate(sync.id)

    assert (RunStatus.FAILED, True) == (run.status, "no list" in (run.error or ""))


def test_a_mapping_that_no_longer_fits_the_source_fails_the_run(
    service: SyncService, sync: Sync, store: InMemoryStore, target: FakeTarget
) -> None:
    service.initiate(sync.id)
    smaller = FakeSource(schema=Schema.of(Field("email", FieldType.EMAIL)))
    service.register_integration("crm", source=smaller, target=target)

    run = service.run(sync.id)

    assert (RunStatus.FAILED, SyncState.NEEDS_ATTENTION) == (
        run.status,
        store.get_sync(sync.id).state,
    )


def test_a_field_to_create_that_went_missing_is_created_again_by_the_run(
    service: SyncService, source: FakeSource
) -> None:
    mapping = MAPPING.with_pairs(FieldMap("country", "Country", create=True))
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=mapping))
    service.initiate(sync.id)
    fresh = FakeTarget()
    fresh.create_list(LIST)
    service.register_integration("crm", source=source, target=fresh)

    run = service.run(sync.id)

    assert (("Country",), ["Country"]) == (run.fields_created, fresh.fields_created)


def test_an_unexpected_error_fails_the_run_is_raised_and_frees_the_lease(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    put_people(source, 3)
    target.fail_next_upsert(RuntimeError("bug"))

    with pytest.raises(RuntimeError, match="bug"):
        service.initiate(sync.id)

    (failed,) = store.runs(sync.id)
    assert (RunStatus.FAILED, RunStatus.COMPLETED) == (failed.status, service.run(sync.id).status)


def test_an_interrupted_process_leaves_the_run_interrupted_with_its_checkpoint(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    put_people(source, 10)

    def interrupt(list_key: str, contacts: Sequence[TargetContact]) -> None:
        if target.calls == 2:
            raise KeyboardInterrupt

    target.on_upsert = interrupt

    with pytest.raises(KeyboardInterrupt):
        service.initiate(sync.id)

    (run,) = store.runs(sync.id)
    assert (RunStatus.INTERRUPTED, 4) == (run.status, run.total)


def test_a_failing_notifier_never_fails_a_run(
    store: InMemoryStore, clock: FakeClock, source: FakeSource, target: FakeTarget
) -> None:
    class Broken:
        def notify(self, notification: object) -> None:
            raise OSError("smtp down")

    service = SyncService(store=store, clock=clock, notifier=Broken())  # type: ignore[arg-type]
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    assert RunStatus.COMPLETED == service.initiate(sync.id).status


def test_a_write_whose_retries_ran_out_is_sent_again_by_the_next_run(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 3)
    target.fail_writes_of("person1@example.com")
    first = service.initiate(sync.id)
    clock.advance(timedelta(days=1))
    target.upserts.clear()

    second = service.run(sync.id)

    assert ({ReasonCode.TARGET_ERROR: 1}, [["person1@example.com"]], 1) == (
        first.counts.failed_by_reason,
        target.upserts,
        second.added,
    )


def test_a_failed_write_keeps_the_watermark_where_it_was(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    put_people(source, 3)
    target.fail_writes_of("person1@example.com")

    service.initiate(sync.id)

    assert None is store.get_sync(sync.id).watermark


def test_a_failed_write_in_an_earlier_run_of_the_pass_keeps_the_watermark_too(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    put_people(source, 10)
    target.fail_writes_of("person0@example.com")
    pause_after_calls(service, sync, target, 1)
    service.initiate(sync.id)
    target.on_upsert = None
    service.resume(sync.id)

    second = service.run(sync.id)

    assert (RunStatus.COMPLETED, 0, None) == (
        second.status,
        second.failed,
        store.get_sync(sync.id).watermark,
    )


def test_plan_limit_skips_before_a_pause_are_sent_by_the_next_pass(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    target: FakeTarget,
    store: InMemoryStore,
    clock: FakeClock,
) -> None:
    target.plan_limit = 2
    put_people(source, 10)
    pause_after_calls(service, sync, target, 1)
    first = service.initiate(sync.id)  # 2 added, 2 refused at the limit, then paused
    target.on_upsert, target.plan_limit = None, None
    service.resume(sync.id)
    second = service.run(sync.id)  # completes the pass: the 6 not yet read
    watermark = store.get_sync(sync.id).watermark
    clock.advance(timedelta(days=1))

    third = service.run(sync.id)

    assert ((2, 2), 6, None, 2) == (
        (first.added, first.skipped),
        second.added,
        watermark,
        third.added,
    )


def test_a_permanently_rejected_record_does_not_hold_the_watermark_back(
    store: InMemoryStore, clock: FakeClock, source: FakeSource
) -> None:
    class Picky(FakeTarget):
        def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
            return [
                UpsertOutcome(o.key, OutcomeKind.FAILED, ReasonCode.TARGET_REJECTED, "no")
                if o.key == "c000"
                else o
                for o in super().upsert(list_key, contacts)
            ]

    target = Picky()
    target.create_list(LIST)
    service = SyncService(store=store, clock=clock)
    service.register_integration("crm", source=source, target=target)
    put_people(source, 2)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    run = service.initiate(sync.id)

    assert ({ReasonCode.TARGET_REJECTED: 1}, START - timedelta(minutes=10)) == (
        run.counts.failed_by_reason,
        store.get_sync(sync.id).watermark,
    )


# -- leases ------------------------------------------------------------------------------


def test_a_run_while_another_worker_holds_the_lease_is_refused(
    service: SyncService, sync: Sync, store: InMemoryStore, clock: FakeClock
) -> None:
    service.initiate(sync.id)
    store.acquire_lease(sync.id, "elsewhere", now=clock.now(), ttl=timedelta(minutes=5))

    with pytest.raises(SyncAlreadyRunningError):
        service.run(sync.id)
    assert 1 == len(store.runs(sync.id))


def test_an_expired_lease_is_taken_over_and_the_dead_run_marked_interrupted(
    service: SyncService, sync: Sync, store: InMemoryStore, clock: FakeClock
) -> None:
    service.initiate(sync.id)
    dead = SyncRun("dead", sync.id, 1, RunTrigger.SCHEDULE, clock.now())
    store.add_run(dead)
    store.acquire_lease(sync.id, "crashed", now=clock.now(), ttl=timedelta(minutes=5))
    clock.advance(timedelta(minutes=6))

    run = service.run(sync.id)

    assert (RunStatus.COMPLETED, RunStatus.INTERRUPTED, clock.now()) == (
        run.status,
        store.get_run("dead").status,
        store.get_run("dead").finished_at,
    )


def test_a_run_whose_lease_was_taken_over_stops_as_interrupted(
    service: SyncService,
    sync: Sync,
    source: FakeSource,
    target: FakeTarget,
    store: InMemoryStore,
    clock: FakeClock,
) -> None:
    put_people(source, 10)

    def stall_and_lose_the_lease(list_key: str, contacts: Sequence[TargetContact]) -> None:
        clock.advance(timedelta(hours=1))  # the run stalls past its lease ...
        store.acquire_lease(sync.id, "thief", now=clock.now(), ttl=timedelta(minutes=10))

    target.on_upsert = stall_and_lose_the_lease

    run = service.initiate(sync.id)

    # The batch in flight is not recorded: the worker that took over owns the pass now and
    # sends it again (an upsert by email, so nothing is doubled in the list).
    assert (RunStatus.INTERRUPTED, 0) == (run.status, run.total)
    assert store.checkpoint(sync.id) is None


# -- run_due -----------------------------------------------------------------------------


def test_run_due_runs_the_active_syncs_that_are_due(
    service: SyncService, source: FakeSource, clock: FakeClock
) -> None:
    put_people(source, 2)
    hourly = hourly_sync(service)
    daily = service.create_sync(
        "crm",
        SyncSpec(name="Daily", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(days=1)),
    )
    service.initiate(hourly.id)
    service.initiate(daily.id)
    clock.advance(timedelta(hours=1))

    runs = service.run_due()

    assert [(hourly.id, RunTrigger.SCHEDULE)] == [(r.sync_id, r.trigger) for r in runs]


def test_run_due_skips_a_sync_running_elsewhere(
    service: SyncService, store: InMemoryStore, clock: FakeClock
) -> None:
    sync = hourly_sync(service)
    service.initiate(sync.id)
    clock.advance(timedelta(hours=1))
    store.acquire_lease(sync.id, "elsewhere", now=clock.now(), ttl=timedelta(minutes=5))

    assert [] == service.run_due()


def test_run_due_leaves_out_paused_syncs(service: SyncService, clock: FakeClock) -> None:
    sync = hourly_sync(service)
    service.initiate(sync.id)
    service.pause(sync.id)
    clock.advance(timedelta(hours=2))

    assert [] == service.run_due()


def test_run_due_leaves_out_syncs_of_unregistered_integrations(
    service: SyncService, store: InMemoryStore, clock: FakeClock
) -> None:
    sync = hourly_sync(service)
    service.initiate(sync.id)
    fresh = SyncService(store=store, clock=clock, ids=counter_ids())

    assert [] == fresh.run_due(clock.now() + timedelta(hours=2))


# -- refusals in the data cost one call, not one per run ------------------------------------


def test_a_group_address_the_target_refused_is_not_sent_again_while_unchanged(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    source.put("g1", {"email": "info@example.com", "first_name": "Desk"})
    first = service.initiate(sync.id)
    clock.advance(timedelta(hours=1))
    source.put("g1", {"email": "info@example.com", "first_name": "Desk"})  # re-read, same data

    second = service.run(sync.id)

    assert sent(target) == ["info@example.com"]
    assert first.counts.skipped_by_reason == {ReasonCode.GROUP_ADDRESS: 1}
    assert second.counts.skipped_by_reason == {ReasonCode.GROUP_ADDRESS: 1}


def test_a_refused_record_is_sent_again_once_it_changes(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    source.put("g1", {"email": "info@example.com", "first_name": "Desk"})
    service.initiate(sync.id)
    clock.advance(timedelta(hours=1))
    source.put("g1", {"email": "desk@example.com", "first_name": "Desk"})

    second = service.run(sync.id)

    assert sent(target) == ["info@example.com", "desk@example.com"]
    assert second.added == 1


def test_a_duplicate_that_changes_later_never_takes_the_first_records_contact(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    # The source reads newest first: "owner" is read first and wins the first pass.
    source.put("loser", {"email": "ann@example.com", "first_name": "Impostor"})
    clock.advance(timedelta(seconds=1))
    source.put("owner", {"email": "ann@example.com", "first_name": "Ann"})
    first = service.initiate(sync.id)
    clock.advance(timedelta(hours=2))
    source.put("loser", {"email": "ann@example.com", "first_name": "Impostor, changed"})

    again = service.run(sync.id)

    assert first.counts.skipped_by_reason == {ReasonCode.DUPLICATE_EMAIL: 1}
    assert again.counts.skipped_by_reason == {ReasonCode.DUPLICATE_EMAIL: 1}
    assert target.contact(LIST, "ann@example.com")["First Name"] == "Ann"


class CountingStore(InMemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.renewals = 0

    def renew_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        self.renewals += 1
        super().renew_lease(sync_id, owner, now=now, ttl=ttl)


def test_the_lease_is_renewed_before_a_batch_once_a_quarter_of_it_has_passed(
    source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    store = CountingStore()
    service = SyncService(store=store, clock=clock, lease_ttl=timedelta(minutes=8))
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    put_people(source, 40)  # pages of 10 in batches of 4, 4 and 2: 12 batches, 12 minutes
    target.on_upsert = lambda key, contacts: clock.advance(timedelta(minutes=1))

    service.initiate(sync.id)

    # before the batches sent at minutes 2, 4, 6, 8 and 10 of the run: every 2 minutes
    assert store.renewals == 5


class StaleListingStore(InMemoryStore):
    """Lists syncs as they were before another worker ran them (a race made plain)."""

    def __init__(self) -> None:
        super().__init__()
        self.stale: list[Sync] | None = None

    def list_syncs(self, **kwargs: object) -> list[Sync]:  # type: ignore[override]
        return self.stale if self.stale is not None else super().list_syncs(**kwargs)  # type: ignore[arg-type]


def test_run_due_does_not_run_again_a_sync_another_worker_ran_meanwhile(
    source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    store = StaleListingStore()
    service = SyncService(store=store, clock=clock)
    service.register_integration("crm", source=source, target=target)
    sync = hourly_sync(service)
    service.initiate(sync.id)
    clock.advance(timedelta(hours=1))
    service.run_due()  # another worker runs it: its next run is an hour away
    stale = store.get_sync(sync.id)
    stale.next_run_at = clock.now()  # this worker's listing, made before that run: due
    store.stale = [stale]

    assert service.run_due() == []
    assert len(service.history(sync.id)) == 2  # the initiate and the other worker's run


class BrokenSource(FakeSource):
    def read(self, **kwargs: object):  # type: ignore[no-untyped-def, override]
        raise RuntimeError("a bug in a custom adapter")


def test_one_broken_sync_does_not_stop_the_others_and_waits_before_its_retry(
    service: SyncService, source: FakeSource, target: FakeTarget, clock: FakeClock
) -> None:
    put_people(source, 2)
    good = service.create_sync(
        "crm",
        SyncSpec(name="Good", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(hours=1)),
    )
    service.initiate(good.id)
    service.register_integration("broken", source=BrokenSource(clock=clock), target=target)
    bad = service.create_sync(
        "broken", SyncSpec(name="Bad", list_key=LIST, mapping=MAPPING, schedule=Schedule.once())
    )
    with pytest.raises(RuntimeError):
        service.initiate(bad.id)
    clock.advance(timedelta(hours=1))

    runs = service.run_due()

    assert [r.sync_id for r in runs] == [good.id]
    statuses = [r.status for r in service.history(bad.id)]
    assert statuses == [RunStatus.FAILED, RunStatus.FAILED]  # retried once it was due again
    assert service.sync_detail(bad.id).sync.next_run_at == clock.now() + RETRY_DELAY


class LeakySource(FakeSource):
    def read(self, **kwargs: object):  # type: ignore[no-untyped-def, override]
        raise RuntimeError("GET https://crm.example/api?access_token=SECRET-123 blew up")


def test_an_unexpected_error_is_stored_without_the_credentials_it_quotes(
    service: SyncService, target: FakeTarget, clock: FakeClock
) -> None:
    service.register_integration("leaky", source=LeakySource(clock=clock), target=target)
    sync = service.create_sync("leaky", SyncSpec(name="Leaky", list_key=LIST, mapping=MAPPING))

    with pytest.raises(RuntimeError):
        service.initiate(sync.id)

    (run,) = service.history(sync.id)
    assert run.error is not None
    assert "SECRET-123" not in run.error
    assert "access_token=REDACTED" in run.error
