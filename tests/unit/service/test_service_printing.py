"""Printed, the service's values read as a few lines for people; their repr stays the full
attrs repr for debugging."""

from __future__ import annotations

from datetime import timedelta

from service_helpers import LIST, START

import fieldsync as fs
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import RunCounts, RunStatus, RunTrigger, SyncRun
from fieldsync.domain.wording import duration
from fieldsync.service import SyncService
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource


def a_run() -> SyncRun:
    return SyncRun(
        id="r1",
        sync_id="s1",
        config_version=2,
        trigger=RunTrigger.SCHEDULE,
        started_at=START,
        status=RunStatus.DEFERRED,
        finished_at=START + timedelta(minutes=2, seconds=5),
        counts=RunCounts(
            added=1200,
            updated=3,
            unchanged=10,
            skipped_by_reason={ReasonCode.INVALID_EMAIL: 2, ReasonCode.CRITERIA_NOT_MET: 5},
            failed_by_reason={ReasonCode.TARGET_ERROR: 1},
        ),
        error="the daily quota is used up",
    )


def test_a_run_prints_its_status_times_counts_reasons_and_why() -> None:
    assert str(a_run()) == (
        "Run r1 of sync s1: deferred\n"
        "  started 2026-03-02 09:00:00 UTC, finished 09:02:05 (2 min 5 s); schedule, "
        "configuration v2\n"
        "  1,221 records: 1,200 added, 3 updated, 10 unchanged, 7 skipped, 1 failed\n"
        "  skipped: criteria_not_met 5, invalid_email 2\n"
        "  failed: target_error 1\n"
        "  why: the daily quota is used up"
    )


def test_a_runs_repr_stays_the_full_record() -> None:
    assert repr(a_run()).startswith("SyncRun(id='r1', sync_id='s1', config_version=2,")


def test_durations_read_in_the_largest_sensible_units() -> None:
    spans = [timedelta(seconds=4), timedelta(seconds=125), timedelta(hours=1, minutes=3)]

    assert ["4 s", "2 min 5 s", "1 h 3 min"] == [duration(s) for s in spans]


def test_a_preview_prints_what_would_happen(
    service: SyncService, sync: fs.Sync, source: FakeSource
) -> None:
    source.put("c1", {"email": "asha@example.in", "first_name": "Asha"})
    source.put("c2", {"email": "not-an-email", "first_name": "B"})

    assert str(service.preview(sync.id)) == (
        f"Preview of sync {sync.id} (configuration v1): 2 records\n"
        "  1 would be added, 0 updated, 0 unchanged, 1 skipped\n"
        "  skipped: invalid_email 1"
    )


def test_a_preview_with_problems_prints_each_problem(
    service: SyncService, source: FakeSource
) -> None:
    mapping = fs.FieldMapping.of(("email", "Contact Email"), ("nickname", "Nick"))
    sync = service.create_sync("crm", fs.SyncSpec(name="Bad", list_key=LIST, mapping=mapping))

    text = str(service.preview(sync.id))

    assert text.startswith(f"Preview of sync {sync.id} (configuration v1): 2 problems, ")
    assert "\n  - " in text


def test_a_sync_detail_prints_its_configuration_mapping_and_runs(
    service: SyncService, sync: fs.Sync, source: FakeSource, clock: FakeClock
) -> None:
    source.put("c1", {"email": "asha@example.in", "first_name": "Asha"})
    service.initiate(sync.id)

    assert str(service.sync_detail(sync.id)) == (
        f'Sync "People" ({sync.id}): active, integration crm\n'
        "  list: news; configuration v1\n"
        "  schedule: once; next run: none\n"
        "  criteria: every record\n"
        "  mapping:\n"
        "    email -> Contact Email\n"
        "    first_name -> First Name\n"
        "  runs (1, newest first):\n"
        "    2026-03-02 09:00:00 UTC  completed: "
        "1 record: 1 added, 0 updated, 0 unchanged, 0 skipped, 0 failed"
    )


def test_a_disable_impact_says_what_would_stop_and_be_revoked(
    service: SyncService, sync: fs.Sync
) -> None:
    assert str(service.disable_integration("crm")) == (
        "Integration 'crm': would disable\n"
        f"  sync 'People' ({sync.id}) stops\n"
        "  credential to revoke: fake source token\n"
        "  credential to revoke: fake target token"
    )
