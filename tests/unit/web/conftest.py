"""Fixtures of the console tests: a service on fakes and a fake clock, and its console."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from web_helpers import EVIL, LIST, START

from fieldsync import InMemoryStore, SyncService
from fieldsync.testing import FakeClock, FakeSource, FakeTarget
from fieldsync.web import console


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def source(clock: FakeClock) -> FakeSource:
    source = FakeSource(clock=clock, page_size=4)
    for i in range(8):
        source.put(
            f"c{i}",
            {"email": f"p{i}@example.com", "first_name": f"P{i}", "status": "active"},
        )
    # Record data comes from other people: this one must show as text everywhere.
    source.put("evil", {"email": "not-an-email", "first_name": EVIL, "status": "active"})
    return source


@pytest.fixture
def target() -> FakeTarget:
    target = FakeTarget(plan_limit=5, auto_upgrade=True)
    target.create_list(LIST)
    return target


@pytest.fixture
def service(clock: FakeClock, source: FakeSource, target: FakeTarget) -> SyncService:
    service = SyncService(store=InMemoryStore(), clock=clock)
    service.register_integration("crm", source=source, target=target)
    return service


@pytest.fixture
def app(service: SyncService) -> Starlette:
    return console(service, authorize=lambda request: True)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
    assert app.state.runs.wait()
    assert app.state.previews.wait()
