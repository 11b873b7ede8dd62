"""``SyncService.verify`` on the fakes: the states it refuses to repair in, a repair that
fails, a target that cannot read its lists, a sync without any write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import fieldsync as fs
from fieldsync.domain.emails import email_key
from fieldsync.testing import FakeClock, FakeSource, FakeTarget

START = datetime(2026, 5, 4, 6, tzinfo=UTC)
MAPPING = fs.FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))


def setup(
    target: FakeTarget | None = None, store: fs.ports.SyncStore | None = None
) -> tuple[fs.SyncService, fs.Sync, FakeTarget]:
    clock = FakeClock(START)
    source = FakeSource(clock=clock)
    for i in range(6):
        source.put(f"c{i}", {"email": f"p{i}@example.com", "first_name": f"P{i}"})
    target = target or FakeTarget()
    target.create_list("news")
    service = fs.SyncService(store=store or fs.InMemoryStore(), clock=clock)
    service.register_integration("crm", source=source, target=target)
    sync = service.create_sync("crm", fs.SyncSpec(name="S", list_key="news", mapping=MAPPING))
    return service, sync, target


def test_a_sync_never_initiated_has_nothing_missing() -> None:
    service, sync, _ = setup()
    report = service.verify(sync.id)
    assert (report.drift, report.members, report.records) == (False, 0, 6)


def test_a_paused_sync_is_verified_but_not_repaired() -> None:
    service, sync, target = setup()
    service.initiate(sync.id)
    del target.lists["news"][email_key("p1@example.com")]
    service.pause(sync.id)

    assert service.verify(sync.id).missing == ("c1",)
    with pytest.raises(fs.InvalidTransitionError):
        service.verify(sync.id, repair=True)
    assert target.contact("news", "p1@example.com") is None


def test_a_repair_that_fails_is_a_failed_run_and_the_next_verify_finds_what_is_left() -> None:
    service, sync, target = setup()
    service.initiate(sync.id)
    del target.lists["news"][email_key("p1@example.com")]
    target.fail_next_upsert(fs.ListNotFoundError("the list was deleted"))

    with pytest.raises(fs.ListNotFoundError):
        service.verify(sync.id, repair=True)

    failed = service.history(sync.id)[0]
    assert (failed.trigger, failed.status) == (fs.RunTrigger.REPAIR, fs.RunStatus.FAILED)
    assert "deleted" in (failed.error or "")
    assert service.verify(sync.id).missing == ("c1",)
    assert service.verify(sync.id, repair=True).repair == fs.RunCounts(added=1, readded=1)


def test_a_repair_while_a_run_holds_the_lease_is_refused() -> None:
    store = fs.InMemoryStore()
    service, sync, _ = setup(store=store)
    service.initiate(sync.id)
    # the lease a run in another process holds
    store.acquire_lease(sync.id, "elsewhere", now=START, ttl=timedelta(minutes=10))
    with pytest.raises(fs.SyncAlreadyRunningError):
        service.verify(sync.id, repair=True)
    assert [fs.RunTrigger.INITIATE] == [r.trigger for r in service.history(sync.id)]


class _Blind(FakeTarget):
    """A target without the ListReader port (a Protocol member set to None is absent)."""

    members = None  # type: ignore[assignment]


def test_a_target_that_cannot_read_its_lists_is_a_configuration_error() -> None:
    service, sync, _ = setup(_Blind())
    with pytest.raises(fs.ConfigurationError, match="cannot read its lists back"):
        service.verify(sync.id)
