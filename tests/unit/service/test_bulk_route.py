"""A sync that maps only the email goes through the target's bulk route (Zoho Campaigns'
addlistsubscribersinbulk); any other sync through upsert. Against emulated Zoho, in
simulated time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fieldsync import SyncSpec
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.reasons import ReasonCode
from fieldsync.events import RunEstimated, RunEvent
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import EmulatedZoho

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BULK = "POST addlistsubscribersinbulk"
SUBSCRIBE = "POST json/listsubscribe"
EMAIL_ONLY = FieldMapping.of(("email", "Contact Email"))


@pytest.fixture
def zoho() -> Iterator[EmulatedZoho]:
    with EmulatedZoho.build(contacts=300, seed=3, clock=FakeClock(START)) as built:
        yield built


def service_for(zoho: EmulatedZoho, events: list[RunEvent] | None = None) -> SyncService:
    hook = events.append if events is not None else None
    service = SyncService(store=InMemoryStore(), clock=zoho.clock, on_event=hook)
    service.register_integration("zoho", source=zoho.source, target=zoho.target)
    return service


def test_an_email_only_sync_adds_its_contacts_ten_to_a_bulk_call(zoho: EmulatedZoho) -> None:
    service = service_for(zoho)
    sync = service.create_sync(
        "zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=EMAIL_ONLY)
    )

    run = service.initiate(sync.id)

    sent = run.added + run.updated + run.counts.skipped_by_reason[ReasonCode.GROUP_ADDRESS]
    assert 0 == zoho.campaigns.calls[SUBSCRIBE]
    assert -(-sent // 10) <= zoho.campaigns.calls[BULK] <= -(-sent // 10) + run.total // 100 + 1
    assert run.added == len(zoho.campaigns.subscribers(zoho.list_key))
    assert run.total == run.added + run.updated + run.unchanged + run.skipped + run.failed
    assert 0 == zoho.campaigns.windows.lockouts


def test_a_sync_that_maps_more_than_the_email_goes_through_listsubscribe(
    zoho: EmulatedZoho,
) -> None:
    service = service_for(zoho)
    mapping = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=mapping))

    run = service.initiate(sync.id)

    groups = run.counts.skipped_by_reason[ReasonCode.GROUP_ADDRESS]
    assert 0 == zoho.campaigns.calls[BULK]
    assert run.added + groups == zoho.campaigns.calls[SUBSCRIBE]


def test_contacts_already_in_the_list_count_as_updated_and_deleted_ones_as_added_again(
    zoho: EmulatedZoho,
) -> None:
    service = service_for(zoho)
    first = service.create_sync(
        "zoho", SyncSpec(name="A", list_key=zoho.list_key, mapping=EMAIL_ONLY)
    )
    added = service.initiate(first.id).added
    gone = next(iter(zoho.campaigns.subscribers(zoho.list_key)))
    zoho.campaigns.delete_contact(gone)
    other = service.create_sync(
        "zoho", SyncSpec(name="B", list_key=zoho.list_key, mapping=EMAIL_ONLY)
    )

    again = service.initiate(other.id)

    assert (1, added - 1) == (again.added, again.updated)
    assert gone in zoho.campaigns.subscribers(zoho.list_key)


def test_a_second_run_of_an_email_only_sync_sends_nothing_unchanged(zoho: EmulatedZoho) -> None:
    service = service_for(zoho)
    sync = service.create_sync(
        "zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=EMAIL_ONLY)
    )
    first = service.initiate(sync.id)
    calls = zoho.campaigns.calls[BULK]
    zoho.clock.advance(86_400)

    second = service.run(sync.id)

    assert (calls, 0, 0) == (zoho.campaigns.calls[BULK], second.added, second.updated)
    assert first.added + first.updated >= second.unchanged


def test_preview_says_the_route_and_how_long_it_takes(zoho: EmulatedZoho) -> None:
    service = service_for(zoho)
    bulk = service.create_sync(
        "zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=EMAIL_ONLY)
    )
    mapping = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
    upsert = service.create_sync(
        "zoho", SyncSpec(name="T", list_key=zoho.list_key, mapping=mapping)
    )

    fast, slow = service.preview(bulk.id), service.preview(upsert.id)

    assert ("bulk", "upsert") == (fast.route, slow.route)
    assert fast.estimate is not None
    assert slow.estimate is not None
    assert fast.estimate.calls * 10 >= fast.would_add > (fast.estimate.calls - 1) * 10
    assert slow.estimate.calls == slow.would_add
    assert f"(bulk): {fast.estimate}" in str(fast)


def test_a_run_tells_its_route_and_estimate_from_the_last_completed_run(
    zoho: EmulatedZoho,
) -> None:
    events: list[RunEvent] = []
    service = service_for(zoho, events)
    sync = service.create_sync(
        "zoho", SyncSpec(name="S", list_key=zoho.list_key, mapping=EMAIL_ONLY)
    )
    first = service.initiate(sync.id)  # Zoho Invoice cannot count: no estimate yet
    zoho.clock.advance(86_400)

    service.run(sync.id)

    (estimated,) = [e for e in events if isinstance(e, RunEstimated)]
    assert ("bulk", first.total) == (estimated.route, estimated.estimate.contacts)
    assert f"under a minute for {first.total} contacts" in str(estimated)
