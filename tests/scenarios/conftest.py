"""Scenario fixtures: a whole service on fakes and a fake clock, on every shipped store."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from scenario_data import LIST, START, World

from fieldsync.ports import SyncStore
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.stores.sqlite import SQLiteStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncStore]:
    if request.param == "postgres":
        # an emptied PostgresStore on this worker's schema, on the fake clock's time
        yield request.getfixturevalue("postgres_store")
        return
    chosen: SyncStore = (
        InMemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "fs.db")
    )
    yield chosen
    chosen.close()


@pytest.fixture
def world(store: SyncStore) -> World:
    clock = FakeClock(START)
    source = FakeSource(clock=clock, page_size=25)
    target = FakeTarget(max_batch=10)
    target.create_list(LIST)
    notifier = RecordingNotifier()
    numbers = itertools.count(1)
    service = SyncService(
        store=store, notifier=notifier, clock=clock, ids=lambda: f"id{next(numbers)}"
    )
    service.register_integration("invoice", source=source, target=target)
    return World(store, clock, source, target, notifier, service)
