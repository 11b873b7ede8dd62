"""Runs on Procrastinate: due syncs queued once, one account's jobs never at once, deferred
runs queued again for their resume time, long runs in slices. A real Procrastinate worker
on the real PostgreSQL server, in a schema of the test's own."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
import psycopg
import pytest
from psycopg import sql

from fieldsync import SyncSpec
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import RunStatus, Sync
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.procrastinate import SyncTasks, account_lock, sync_queueing_lock
from fieldsync.service import SyncService
from fieldsync.stores.postgres import PostgresStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

# Procrastinate schedules jobs by the real clock: the tests create syncs an hour and a
# minute before the real time, then move the fake clock an hour on, to when they are due
START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1, minutes=1)
LIST = "news"
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
HOURLY = Schedule.every(hours=1)


class Fleet:
    """A service on PostgreSQL with two integrations (accounts), its tasks and an app."""

    def __init__(self, url: str, schema: str) -> None:
        self.clock = FakeClock(START)
        self.store = PostgresStore(url, schema=schema, clock="caller")
        numbers = itertools.count(1)
        self.service = SyncService(
            store=self.store, clock=self.clock, ids=lambda: f"id{next(numbers)}"
        )
        self.targets: dict[str, FakeTarget] = {}
        self.sources: dict[str, FakeSource] = {}
        for account in ("acct-a", "acct-b"):
            source = FakeSource(clock=self.clock, page_size=10)
            target = FakeTarget(max_batch=4)
            target.create_list(LIST)
            self.sources[account], self.targets[account] = source, target
            self.service.register_integration(account, source=source, target=target)
            for i in range(6):
                source.put(f"{account}-{i}", {"email": f"{account}-{i}@example.com"})
        self.tasks = SyncTasks(lambda: self.service, max_run_duration=None)
        connector = procrastinate.PsycopgConnector(
            conninfo=url, kwargs={"options": f"-c search_path={schema}"}
        )
        self.app = procrastinate.App(connector=connector)
        self.app.add_tasks_from(self.tasks.blueprint, namespace="fieldsync")
        self.url, self.schema = url, schema

    def sync(self, name: str, account: str, list_key: str = LIST) -> Sync:
        self.targets[account].create_list(list_key)
        sync = self.service.create_sync(
            account, SyncSpec(name=name, list_key=list_key, mapping=MAPPING, schedule=HOURLY)
        )
        self.service.initiate(sync.id)
        return sync

    def work(self, concurrency: int = 1) -> None:
        """Run a worker until no job it may take now is left (jobs waiting on a lock or a
        later time included: it goes round again while one could start)."""
        for _ in range(20):
            self.app.run_worker(wait=False, concurrency=concurrency, install_signal_handlers=False)
            now = datetime.now(UTC)
            ready = [
                job
                for job in self.jobs()
                if job["status"] == "todo"
                and (job["scheduled_at"] is None or job["scheduled_at"] <= now)
            ]
            if not ready:
                return

    def jobs(self) -> list[dict[str, Any]]:
        with psycopg.connect(self.url, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(
                sql.SQL(
                    "SELECT args, status, lock, queueing_lock, scheduled_at"
                    " FROM {}.procrastinate_jobs WHERE task_name = 'fieldsync:run_sync'"
                    " ORDER BY id"
                ).format(sql.Identifier(self.schema))
            )
            names = [column.name for column in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@pytest.fixture
def fleet(postgres_url: str, postgres_schema: str) -> Iterator[Fleet]:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(postgres_schema)))
    fleet = Fleet(postgres_url, postgres_schema)
    with fleet.app.open():
        fleet.app.schema_manager.apply_schema()
        yield fleet
    fleet.store.close()


def test_due_syncs_are_queued_once_with_their_locks(fleet: Fleet) -> None:
    first = fleet.sync("First", "acct-a")
    fleet.sync("Second", "acct-b")
    fleet.clock.advance(timedelta(hours=1))

    queued = [fleet.tasks.enqueue_due_now(), fleet.tasks.enqueue_due_now()]

    jobs = fleet.jobs()
    assert queued == [2, 0]
    assert jobs[0]["queueing_lock"] == sync_queueing_lock(first.id)
    assert jobs[0]["lock"] == account_lock("acct-a")


def test_a_worker_runs_each_queued_sync_as_its_schedules_run(fleet: Fleet) -> None:
    first = fleet.sync("First", "acct-a")
    fleet.clock.advance(timedelta(hours=1))
    fleet.sources["acct-a"].put("new", {"email": "new@example.com"})
    fleet.tasks.enqueue_due_now()

    fleet.work()

    latest = fleet.service.history(first.id)[0]
    assert (latest.trigger.value, latest.status, latest.added) == (
        "schedule",
        RunStatus.COMPLETED,
        1,
    )
    assert [job["status"] for job in fleet.jobs()] == ["succeeded"]


def test_jobs_of_one_account_never_run_at_once(fleet: Fleet) -> None:
    syncs = [fleet.sync(name, "acct-a", list_key=name) for name in ("One", "Two", "Three")]
    fleet.clock.advance(timedelta(hours=1))
    for i in range(8):  # two batches for each sync
        fleet.sources["acct-a"].put(f"more-{i}", {"email": f"more-{i}@example.com"})
    running, most = [0], [0]
    guard = threading.Lock()

    def slow_upsert(list_key: str, contacts: object) -> None:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)  # a window in which a second job would overlap
        with guard:
            running[0] -= 1

    fleet.targets["acct-a"].on_upsert = slow_upsert
    fleet.tasks.enqueue_due_now()

    fleet.work(concurrency=3)

    # (a job queued by the periodic enqueue_due while its sync ran finds it not due: skipped)
    assert {job["status"] for job in fleet.jobs()} == {"succeeded"}
    assert [len(fleet.service.history(sync.id)) for sync in syncs] == [2, 2, 2]
    assert most[0] == 1


def test_a_run_deferred_by_a_quota_is_queued_again_for_its_resume_time(fleet: Fleet) -> None:
    first = fleet.sync("First", "acct-a")
    fleet.clock.advance(timedelta(hours=1))
    fleet.sources["acct-a"].put("new", {"email": "new@example.com"})
    resume_at = fleet.clock.now() + timedelta(hours=5)
    fleet.targets["acct-a"].fail_next_upsert(QuotaExhaustedError("daily cap", resume_at=resume_at))
    fleet.tasks.enqueue_due_now()

    fleet.work()

    assert fleet.service.history(first.id)[0].status is RunStatus.DEFERRED
    waiting = [job for job in fleet.jobs() if job["status"] == "todo"]
    assert [job["scheduled_at"] for job in waiting] == [resume_at]


def test_a_long_run_is_cut_into_slices_queued_one_after_the_other(fleet: Fleet) -> None:
    first = fleet.sync("First", "acct-a")
    fleet.clock.advance(timedelta(hours=1))
    for i in range(12):  # three batches
        fleet.sources["acct-a"].put(f"more-{i}", {"email": f"more-{i}@example.com"})
    # slices of no time at all: one batch each
    fleet.tasks = tasks = SyncTasks(lambda: fleet.service, max_run_duration=timedelta(0))
    fleet.app = procrastinate.App(connector=fleet.app.connector)
    fleet.app.add_tasks_from(tasks.blueprint, namespace="fieldsync")
    with fleet.app.open():
        tasks.enqueue_due_now()
        fleet.work()  # each slice queues the next, due at once: the worker runs them all

    statuses = [run.status for run in reversed(fleet.service.history(first.id))]
    assert statuses[0] == statuses[-1] == RunStatus.COMPLETED  # the initiate, the last slice
    assert set(statuses[1:-1]) == {RunStatus.DEFERRED}
    assert len(statuses) >= 4  # three batches: one slice each, at least
    assert len(fleet.targets["acct-a"].lists[LIST]) == 6 + 12


def test_the_job_of_a_dead_worker_is_failed_so_its_account_can_run_again(fleet: Fleet) -> None:
    fleet.sync("First", "acct-a")
    fleet.clock.advance(timedelta(hours=1))
    fleet.tasks.enqueue_due_now()
    schema = sql.Identifier(fleet.schema)
    with psycopg.connect(fleet.url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(schema))  # for its triggers
        # a worker that took the job, then stopped beating an hour ago (SIGKILL, say)
        (worker,) = conn.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat)"
            " VALUES (now() - interval '1 hour') RETURNING id"
        ).fetchone() or (None,)
        conn.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s", (worker,))

    async def recover() -> int:
        async with fleet.app.open_async():
            return await fleet.tasks.recover_stalled_now(fleet.app.job_manager)

    assert asyncio.run(recover()) == 1
    assert [job["status"] for job in fleet.jobs()] == ["failed"]
