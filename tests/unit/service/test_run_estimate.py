"""Preview and the run say how long the writes take at the target's rate limits."""

from __future__ import annotations

from service_helpers import LIST, MAPPING

from fieldsync import RateWindow, RunEstimate, Sync, SyncService, SyncSpec
from fieldsync.events import BatchCommitted, RunEstimated, RunEvent
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing import FakeClock, FakeSource, FakeTarget

HOURLY = (RateWindow(500, 60.0), RateWindow(12_500, 3600.0))


def people(source: FakeSource, n: int) -> None:
    for i in range(n):
        source.put(f"c{i}", {"email": f"p{i}@example.com", "first_name": "P"})


def test_a_preview_without_rate_windows_has_no_estimate(
    service: SyncService, sync: Sync, source: FakeSource
) -> None:
    people(source, 3)

    preview = service.preview(sync.id)

    assert (preview.route, preview.estimate) == ("upsert", None)
    assert "rate limits" not in str(preview)


def test_a_preview_says_how_long_its_adds_take_at_the_target_s_windows(
    service: SyncService, sync: Sync, source: FakeSource, target: FakeTarget
) -> None:
    target.windows = HOURLY
    people(source, 30)

    preview = service.preview(sync.id)

    assert preview.estimate is not None
    assert (30, 0.0) == (preview.estimate.contacts, preview.estimate.seconds)
    assert str(preview).endswith(
        "at the target's rate limits (upsert): under a minute for 30 contacts"
    )


def test_a_run_whose_source_counts_emits_its_estimate_after_it_started(
    clock: FakeClock, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    target.windows = (RateWindow(10, 60.0),)
    people(source, 25)
    events: list[RunEvent] = []
    service = SyncService(store=store, clock=clock, on_event=events.append)
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    service.initiate(sync.id)

    kinds = [type(e).__name__ for e in events]
    (estimated,) = [e for e in events if isinstance(e, RunEstimated)]
    assert kinds[:2] == ["RunStarted", "RunEstimated"]
    assert "about 2 min for 25 contacts at 10 a minute" == str(estimated.estimate)


def test_a_run_in_progress_says_its_expected_duration_until_it_ends(
    clock: FakeClock, source: FakeSource, target: FakeTarget, store: InMemoryStore
) -> None:
    target.windows = (RateWindow(10, 60.0),)
    people(source, 25)
    seen: list[object] = []
    service: SyncService

    def during(event: RunEvent) -> None:
        if isinstance(event, BatchCommitted):
            seen.append(service.expected_duration(event.run_id))

    service = SyncService(store=store, clock=clock, on_event=during)
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    run = service.initiate(sync.id)

    assert seen
    assert all(isinstance(found, RunEstimate) for found in seen)
    assert {25} == {found.contacts for found in seen if isinstance(found, RunEstimate)}
    assert service.expected_duration(run.id) is None  # it ended
