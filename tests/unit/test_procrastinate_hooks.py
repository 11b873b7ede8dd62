"""Webhooks on Procrastinate: the receiver queues one job per active sync through its
queueing lock instead of running it, and the job runs the sync though it is not due. A
real Procrastinate worker on the real PostgreSQL server, in a schema of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql
from starlette.testclient import TestClient
from test_procrastinate import Fleet

from fieldsync.domain.sync import RunTrigger
from fieldsync.procrastinate import account_lock, sync_queueing_lock
from fieldsync.web import webhooks

SECRET = "hook-secret-a"
WINDOW = timedelta(seconds=5)


@pytest.fixture
def fleet(postgres_url: str, postgres_schema: str) -> Iterator[Fleet]:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(postgres_schema)))
    fleet = Fleet(postgres_url, postgres_schema)
    with fleet.app.open():
        fleet.app.schema_manager.apply_schema()
        yield fleet
    fleet.store.close()


def hooked(fleet: Fleet, hooks: int) -> None:
    """Post ``hooks`` hooks for acct-a to a receiver that defers to the fleet's tasks."""
    app = webhooks(
        fleet.service,
        secrets={"acct-a": SECRET},
        debounce=WINDOW,
        clock=fleet.clock,
        defer=fleet.tasks.enqueue_changed,
    )
    client = TestClient(app)
    for _ in range(hooks):
        assert client.post("/hooks/acct-a", headers={"X-Fieldsync-Token": SECRET}).is_success
    assert app.state.hooks.wait(10)
    fleet.clock.advance(WINDOW)  # the trailing start of the burst
    assert app.state.hooks.wait(10)
    app.state.hooks.close()


def test_a_burst_of_hooks_queues_one_job_per_active_sync_with_its_locks(fleet: Fleet) -> None:
    first = fleet.sync("First", "acct-a", list_key="one")
    second = fleet.sync("Second", "acct-a", list_key="two")
    fleet.sync("Elsewhere", "acct-b")

    hooked(fleet, hooks=30)

    jobs = fleet.jobs()
    assert [(job["queueing_lock"], job["lock"], job["args"]) for job in jobs] == [
        (sync_queueing_lock(sync.id), account_lock("acct-a"), {"sync_id": sync.id, "changed": True})
        for sync in (first, second)
    ]
    assert {job["status"] for job in jobs} == {"todo"}


def test_a_changed_job_runs_its_sync_though_it_is_not_due(fleet: Fleet) -> None:
    sync = fleet.sync("First", "acct-a")  # hourly: not due for an hour
    fleet.sources["acct-a"].put("new", {"email": "new@example.com"})

    hooked(fleet, hooks=1)
    fleet.work()

    latest = fleet.service.history(sync.id)[0]
    assert (latest.trigger, latest.added) == (RunTrigger.MANUAL, 1)
    assert [job["status"] for job in fleet.jobs()] == ["succeeded"]


def test_a_changed_job_finding_its_sync_running_elsewhere_comes_back_after_it(
    fleet: Fleet,
) -> None:
    sync = fleet.sync("First", "acct-a")
    # another process's run (a `fieldsync worker`) holds the sync's lease
    now = fleet.clock.now()
    fleet.store.acquire_lease(sync.id, "elsewhere", now=now, ttl=timedelta(minutes=10))
    before = len(fleet.service.history(sync.id))

    fleet.tasks.enqueue_changed(sync)
    fleet.work()

    jobs = fleet.jobs()
    assert [job["status"] for job in jobs] == ["succeeded", "todo"]
    assert jobs[1]["args"] == {"sync_id": sync.id, "changed": True}
    assert jobs[1]["scheduled_at"] > datetime.now(UTC)
    assert len(fleet.service.history(sync.id)) == before
