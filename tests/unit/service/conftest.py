"""Fixtures for the sync service tests: a service wired to fakes, on a fake clock."""

from __future__ import annotations

import pytest
from service_helpers import LIST, MAPPING, START, counter_ids

from fieldsync import SyncSpec
from fieldsync.domain.sync import Sync
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def source(clock: FakeClock) -> FakeSource:
    return FakeSource(clock=clock, page_size=10)


@pytest.fixture
def target() -> FakeTarget:
    target = FakeTarget(max_batch=4)
    target.create_list(LIST)
    return target


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def service(
    store: InMemoryStore,
    notifier: RecordingNotifier,
    clock: FakeClock,
    source: FakeSource,
    target: FakeTarget,
) -> SyncService:
    service = SyncService(
        store=store, notifier=notifier, clock=clock, ids=counter_ids(), worker_id="w"
    )
    service.register_integration("crm", source=source, target=target)
    return service


@pytest.fixture
def sync(service: SyncService) -> Sync:
    return service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
