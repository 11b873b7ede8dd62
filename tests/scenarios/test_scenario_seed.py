"""The seed, end to end, on both stores: map (with a new field) and filter, initiate (with
and without the disclaimer), watch, export, pause and resume mid-run, edit, schedule, hit
limits and errors, and disable the integration."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from scenario_data import CRITERIA, GOOD, LIST, MAPPING, START, World, counted, seed, sent

from fieldsync import SyncSpec
from fieldsync.domain.mapping import FieldMap
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import TargetContact
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import NotificationKind, RunStatus, RunTrigger, Sync, SyncRun
from fieldsync.exceptions import (
    DisclaimerNotAcknowledgedError,
    InvalidTransitionError,
    QuotaExhaustedError,
    SyncAlreadyRunningError,
)
from fieldsync.service import DISCLAIMER

EXPECTED_SKIPS = {
    ReasonCode.CRITERIA_NOT_MET: 2,
    ReasonCode.DUPLICATE_EMAIL: 1,
    ReasonCode.GROUP_ADDRESS: 1,
    ReasonCode.INVALID_EMAIL: 1,
}
RECORDS = GOOD + 5


def create(world: World, schedule: Schedule | None = None) -> Sync:
    seed(world.source)
    return world.service.create_sync(
        "invoice",
        SyncSpec(
            name="Indian customers",
            list_key=LIST,
            mapping=MAPPING,
            criteria=CRITERIA,
            schedule=schedule or Schedule.daily("02:00", tz="Asia/Kolkata"),
        ),
    )


def test_initiate_needs_the_disclaimer_then_syncs_notifies_and_shows_the_detail(
    world: World,
) -> None:
    world.target.plan_limit, world.target.auto_upgrade = 40, True
    sync = create(world)
    preview = world.service.preview(sync.id)

    with pytest.raises(DisclaimerNotAcknowledgedError) as refused:
        world.service.initiate(sync.id)
    run = world.service.initiate(sync.id, acknowledge_disclaimer=True)

    detail = world.service.sync_detail(sync.id)
    inbox = world.service.notifications(unread_only=True)
    assert (DISCLAIMER, ["Country"], 0) == (
        refused.value.disclaimer,
        [f.name for f in preview.fields_to_create],
        len(world.store.runs(sync.id)) - 1,
    )
    assert (RunStatus.COMPLETED, 50, EXPECTED_SKIPS, RECORDS, ("Country",)) == (
        run.status,
        run.added,
        dict(run.counts.skipped_by_reason),
        counted([run]),
        run.fields_created,
    )
    # the preview foresees the target's refusal of the group address
    assert (run.added, 10) == (preview.would_add, world.target.upgrades)
    assert ([run.id], SyncState.ACTIVE, "daily at 02:00 (Asia/Kolkata)") == (
        [r.id for r in detail.history],
        detail.sync.state,
        detail.schedule,
    )
    assert ([run.id], [NotificationKind.RUN_COMPLETED]) == (
        [n.run_id for n in inbox],
        world.notifier.kinds,
    )


def test_without_auto_upgrade_a_run_stops_at_the_limit_and_the_rest_follows_an_upgrade(
    world: World,
) -> None:
    world.target.plan_limit = 30
    sync = create(world)

    first = world.service.initiate(sync.id)
    world.target.plan_limit = 1000
    second = world.service.run(sync.id)

    # the 20 customers left and the group address, never sent once the limit was reached
    assert (RunStatus.DEFERRED, 30, 21) == (
        first.status,
        first.added,
        first.counts.skipped_by_reason[ReasonCode.PLAN_LIMIT],
    )
    assert (RunStatus.COMPLETED, 20, 30) == (second.status, second.added, second.unchanged)
    assert (RECORDS, RECORDS, 50) == (
        counted([first]),
        counted([second]),
        len(world.target.lists[LIST]),
    )
    # each contact added once; only the 5 refused at the limit were sent a second time
    assert (50, 5) == (
        first.added + second.added,
        len(sent(world.target)) - len(set(sent(world.target))),
    )


def test_the_skipped_export_reads_back_with_reasons_and_safe_cells(
    world: World, tmp_path: Path
) -> None:
    sync = create(world)
    run = world.service.initiate(sync.id)
    path = tmp_path / "skipped.csv"

    rows = world.service.export_skipped(run.id, path)

    with path.open(encoding="utf-8", newline="") as file:
        table = list(csv.DictReader(file))
    by_key = {row["key"]: row for row in table}
    assert (5, 5) == (rows, len(table))
    assert {
        "x-abroad": "criteria_not_met",
        "x-group": "group_address",
        "x-inactive": "criteria_not_met",
        "x-invalid": "invalid_email",
        "x-twin": "duplicate_email",
    } == {key: row["reason_code"] for key, row in by_key.items()}
    assert ("'=HYPERLINK(1)", "Germany", "skipped") == (
        by_key["x-abroad"]["First Name"],
        by_key["x-abroad"]["Country"],
        by_key["x-abroad"]["disposition"],
    )


def test_a_pause_mid_run_stops_at_a_batch_and_resume_sends_the_rest_exactly_once(
    world: World,
) -> None:
    sync = create(world)

    def pause_on_third_call(list_key: str, contacts: Sequence[TargetContact]) -> None:
        if world.target.calls == 3:
            world.service.pause(sync.id)

    world.target.on_upsert = pause_on_third_call
    first = world.service.initiate(sync.id)
    world.target.on_upsert = None
    world.clock.advance(60)
    resumed = world.service.resume(sync.id)
    due = world.service.run_due()

    assert (RunStatus.PAUSED, 25, world.clock.now()) == (
        first.status,
        first.total,
        resumed.next_run_at,
    )
    assert ([RunTrigger.RESUME], [first.id]) == (
        [r.trigger for r in due],
        [r.resumed_from for r in due],
    )
    assert (RECORDS, 51, 51) == (
        counted([first, *due]),
        len(sent(world.target)),
        len(set(sent(world.target))),
    )


def test_an_edit_applies_at_the_next_initiate_and_runs_record_their_version(
    world: World,
) -> None:
    sync = create(world)
    first = world.service.initiate(sync.id)
    world.service.edit(
        sync.id,
        attrs.evolve(
            world.service.spec(sync.id),
            mapping=MAPPING.with_pairs(FieldMap("status", "Status", True)),
        ),
    )
    kept = world.service.run(sync.id)

    second = world.service.initiate(sync.id)

    versions = [c.version for c in world.service.sync_detail(sync.id).config_versions]
    assert ([1, 1, 2], [1, 2]) == (
        [first.config_version, kept.config_version, second.config_version],
        versions,
    )
    # a new mapping reads every record again and changes every written contact's values
    assert (50, RECORDS, ("Status",)) == (
        second.updated,
        counted([second]),
        second.fields_created,
    )


def test_scheduled_runs_send_only_what_changed(world: World) -> None:
    sync = create(world, Schedule.every(hours=6))
    world.clock.advance(timedelta(hours=1))  # the overlap re-reads nothing older than 50 min
    world.service.initiate(sync.id)
    world.clock.advance(timedelta(hours=3))
    world.source.put("c001", {"email": "customer1@example.in", "first_name": "Renamed",
                              "country": "India", "status": "active"})  # fmt: skip
    world.source.put("c002", {"email": "new2@example.in", "country": "India", "status": "active"})
    world.target.upserts.clear()

    early = world.service.run_due()
    world.clock.advance(timedelta(hours=3))
    (run,) = world.service.run_due()

    assert [] == early
    assert (RunTrigger.SCHEDULE, 1, 1, [["customer1@example.in", "new2@example.in"]]) == (
        run.trigger,
        run.added,
        run.updated,
        world.target.upserts,
    )
    assert START + timedelta(hours=13) == world.store.get_sync(sync.id).next_run_at


def test_a_fatal_error_needs_attention_and_a_fixed_sync_continues_its_pass(
    world: World,
) -> None:
    sync = create(world)
    world.target.on_upsert = lambda key, contacts: (
        world.target.revoke_credentials() if world.target.calls == 2 else None
    )

    failed = world.service.initiate(sync.id)
    stuck = world.store.get_sync(sync.id)
    world.target.on_upsert = None
    world.target.restore_credentials()  # the user connected the account again
    fixed = world.service.initiate(sync.id)

    assert (RunStatus.FAILED, SyncState.NEEDS_ATTENTION, failed.error) == (
        failed.status,
        stuck.state,
        stuck.attention,
    )
    assert NotificationKind.RUN_FAILED in world.notifier.kinds
    assert (failed.id, RECORDS, 51, 51) == (
        fixed.resumed_from,
        counted([failed, fixed]),
        len(sent(world.target)),
        len(set(sent(world.target))),
    )


def test_an_exhausted_quota_defers_and_the_schedule_continues_the_pass(world: World) -> None:
    sync = create(world)
    reset = START + timedelta(hours=8)
    world.source.fail_next_read(QuotaExhaustedError("daily cap", resume_at=reset), after_pages=1)

    deferred = world.service.initiate(sync.id)
    too_early = world.service.run_due()
    world.clock.set(reset)
    (continued,) = world.service.run_due()

    assert (RunStatus.DEFERRED, [], RunStatus.COMPLETED, deferred.id) == (
        deferred.status,
        too_early,
        continued.status,
        continued.resumed_from,
    )
    assert (RECORDS, 51, 51) == (
        counted([deferred, continued]),
        len(sent(world.target)),
        len(set(sent(world.target))),
    )
    assert NotificationKind.RUN_DEFERRED in world.notifier.kinds


def test_a_second_worker_is_refused_and_an_expired_lease_is_taken_over(world: World) -> None:
    sync = create(world)
    world.service.initiate(sync.id)
    world.store.acquire_lease(sync.id, "other", now=world.clock.now(), ttl=timedelta(minutes=5))
    world.store.add_run(SyncRun("dead", sync.id, 1, RunTrigger.SCHEDULE, world.clock.now()))

    with pytest.raises(SyncAlreadyRunningError):
        world.service.run(sync.id)
    world.clock.advance(timedelta(minutes=6))
    taken_over = world.service.run(sync.id)

    assert (RunStatus.COMPLETED, RunStatus.INTERRUPTED) == (
        taken_over.status,
        world.store.get_run("dead").status,
    )


def test_disabling_the_integration_shows_the_impact_then_stops_everything(world: World) -> None:
    sync = create(world)
    run = world.service.initiate(sync.id)

    impact = world.service.disable_integration("invoice")
    unchanged = world.store.get_sync(sync.id).state
    done = world.service.disable_integration("invoice", confirm=True)

    assert (SyncState.ACTIVE, False, ("fake source token", "fake target token")) == (
        unchanged,
        impact.confirmed,
        impact.credentials,
    )
    assert (SyncState.DISABLED, True, True, [run.id]) == (
        world.store.get_sync(sync.id).state,
        world.source.revoked,
        world.target.revoked,
        [r.id for r in world.service.history(sync.id)],
    )
    assert done.confirmed
    with pytest.raises(InvalidTransitionError):
        world.service.run(sync.id)
