"""The fleet: 20 emulated Zoho organizations (each its own Invoice and Campaigns account,
with their rate windows), 3 syncs each, synced by 4 worker processes on one PostgreSQL store
(two Procrastinate workers, two running the built-in `fieldsync worker` loop), a
Procrastinate worker SIGKILLed in the middle of a run (its job, left "doing" with its
account's lock, is failed by ``recover_stalled``). Two schedule slots later: no lockout,
no duplicate, every slot run exactly once, every record accounted for, every list equal to
the one computed here from the organizations' rows.

Time is scaled (one real second is twenty scaled minutes, see ``_fleet``), so two hourly
slots take seconds. ``make test`` runs a fleet of 6 organizations (18 syncs); the issue's
20 organizations (60 syncs) run with ``make soak``.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import procrastinate
import psycopg
import pytest
from _fleet import (
    FACTOR,
    MAPPING,
    ORGS,
    SYNCS,
    EmulatorFleet,
    builtin_worker,
    expected_list,
    make_service,
    org_name,
    procrastinate_worker,
)
from psycopg import sql

import fieldsync as fs
from fieldsync.domain.emails import email_key
from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.testing.clock import ScaledClock

HOUR = timedelta(hours=1)
BUDGET = 60.0  # real seconds the whole fleet may take before the test gives up


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(FACTOR, origin=time.time())


@pytest.fixture
def queue_schema(postgres_url: str, postgres_schema: str) -> str:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(postgres_schema)))
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=postgres_url, kwargs={"options": f"-c search_path={postgres_schema}"}
        )
    )
    with app.open():
        app.schema_manager.apply_schema()
    return postgres_schema


@pytest.fixture(
    params=[
        pytest.param(6, id="6-organizations"),
        pytest.param(ORGS, id="20-organizations", marks=pytest.mark.soak),
    ]
)
def emulators(request: pytest.FixtureRequest, clock: ScaledClock) -> Iterator[EmulatorFleet]:
    with EmulatorFleet(clock, orgs=request.param) as fleet:
        yield fleet


def create_syncs(
    service: fs.SyncService, fleet: EmulatorFleet, slot0: datetime
) -> dict[str, tuple[int, str]]:
    """Three hourly syncs per organization, active and first due at ``slot0`` (as if they
    had been initiated an hour before); sync id -> (organization, kind)."""
    made: dict[str, tuple[int, str]] = {}
    store = service._store
    for i, org in enumerate(fleet.orgs):
        for kind, criteria in SYNCS.items():
            sync = service.create_sync(
                org_name(i),
                fs.SyncSpec(
                    name=f"{org_name(i)} {kind}",
                    list_key=org.spec.lists[kind],
                    mapping=MAPPING,
                    criteria=fs.Criteria.parse(criteria),
                    schedule=fs.Schedule.every(hours=1),
                ),
            )
            sync.state, sync.next_run_at = fs.SyncState.ACTIVE, slot0
            store.save_sync(sync)
            made[sync.id] = (i, kind)
    return made


def wait_for(condition: Callable[[], bool], deadline: float, what: str) -> None:
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"the fleet did not get there in time: {what}")
        time.sleep(0.1)


def passes(runs: list[SyncRun]) -> list[list[SyncRun]]:
    """A sync's runs (oldest first) grouped into passes: each ends with a completed run."""
    grouped: list[list[SyncRun]] = [[]]
    for run in runs:
        grouped[-1].append(run)
        if run.status is RunStatus.COMPLETED:
            grouped.append([])
    return [group for group in grouped if group]


def completed_passes(service: fs.SyncService, sync_id: str) -> list[tuple[datetime, datetime]]:
    """(start, end) of each completed pass of a sync, oldest first."""
    runs = list(reversed(service.history(sync_id)))
    done = [group for group in passes(runs) if group[-1].status is RunStatus.COMPLETED]
    return [(group[0].started_at, group[-1].finished_at or group[-1].started_at) for group in done]


def test_a_fleet_of_workers_syncs_every_organization_exactly_once_per_slot(
    postgres_url: str,
    queue_schema: str,
    emulators: EmulatorFleet,
    clock: ScaledClock,
    tmp_path: Path,
) -> None:
    schema = queue_schema
    base = (emulators.base_url, emulators.server.specs)
    service = make_service(postgres_url, schema, base, clock, "fleet-parent")
    slot0 = clock.now() + timedelta(minutes=1)
    syncs = create_syncs(service, emulators, slot0)
    deadline = time.time() + BUDGET
    spawn = multiprocessing.get_context("spawn")
    kinds: list[tuple[str, Callable[..., None]]] = [
        ("procrastinate-0", procrastinate_worker),
        ("procrastinate-1", procrastinate_worker),
        ("builtin-2", builtin_worker),
        ("builtin-3", builtin_worker),
    ]
    workers = {
        name: spawn.Process(
            target=work,
            args=(postgres_url, schema, base, clock, f"fleet-{name}", deadline),
            name=name,
        )
        for name, work in kinds
    }
    for process in workers.values():
        process.start()
    try:
        # SIGKILL a Procrastinate worker while it holds a sync's lease: in the middle of a
        # run, with its job "doing" and its account's lock held until recover_stalled
        victim = workers["procrastinate-0"]
        wait_for(
            lambda: bool(running_under(postgres_url, schema, "fleet-procrastinate-0/")),
            deadline,
            "a run to kill",
        )
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGKILL)
        victim.join()
        killed = running_under(postgres_url, schema, "fleet-procrastinate-0/")
        # a change in every organization, before the second slot
        change_two_contacts_per_org(emulators)
        # the second slot (an hour after the first pass) done for every sync
        wait_for(
            lambda: all(len(completed_passes(service, sync_id)) >= 2 for sync_id in syncs),
            deadline,
            "the second slot of every sync",
        )
        # the dead worker's job, "doing" for good, failed by recover_stalled: its lock freed
        wait_for(
            lambda: job_statuses(postgres_url, schema).get("doing", 0) == 0,
            deadline,
            "the dead worker's job to be recovered",
        )
        recovered = job_statuses(postgres_url, schema).get("failed", 0)
    finally:
        for process in workers.values():
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in workers.values():
            process.join(timeout=30)
    check_the_fleet(service, syncs, emulators, slot0)
    assert recovered >= 1
    # the killed worker's run was taken over: marked interrupted, its pass continued
    every = {run.id: run for sync_id in syncs for run in service.history(sync_id)}
    assert [every[run_id].status for run_id in killed] == [RunStatus.INTERRUPTED] * len(killed)


def job_statuses(url: str, schema: str) -> dict[str, int]:
    """How many of Procrastinate's run_sync jobs are in each status."""
    with psycopg.connect(url, autocommit=True) as conn:
        query = sql.SQL(
            "SELECT status::text, count(*) FROM {} WHERE task_name = 'fieldsync:run_sync'"
            " GROUP BY status"
        ).format(sql.Identifier(schema, "procrastinate_jobs"))
        return {str(status): int(n) for status, n in conn.execute(query)}


def running_under(url: str, schema: str, prefix: str) -> list[str]:
    """The runs in progress under a lease of an owner whose name starts with ``prefix``."""
    with psycopg.connect(url, autocommit=True) as conn:
        query = sql.SQL(
            "SELECT r.id FROM {} AS l JOIN {} AS r ON r.sync_id = l.sync_id"
            " WHERE l.owner LIKE %s AND r.status = 'running'"
        ).format(sql.Identifier(schema, "leases"), sql.Identifier(schema, "runs"))
        return [str(row[0]) for row in conn.execute(query, (prefix + "%",))]


def change_two_contacts_per_org(fleet: EmulatorFleet) -> set[tuple[int, str]]:
    """Rename two active customers of every organization; (organization, email key)."""
    changed: set[tuple[int, str]] = set()
    for i, rows in enumerate(fleet.rows):
        unique = {
            key: values
            for key, values in expected_list(rows, "all").items()
            if values  # a duplicated email keeps the first row read: leave those alone
        }
        for contact_id, row in list(rows.items()):
            key = email_key(str(row.get("email") or "").strip())
            if key in unique and len([k for k in changed if k[0] == i]) < 2:
                fleet.change(i, contact_id, last_name=f"Renamed {i}")
                changed.add((i, key))
    return changed


def check_the_fleet(
    service: fs.SyncService,
    syncs: dict[str, tuple[int, str]],
    fleet: EmulatorFleet,
    slot0: datetime,
) -> None:
    # no lockout, no blocked token mint: every worker shared the windows and the tokens
    assert [org.campaigns.windows.lockouts for org in fleet.orgs] == [0] * len(fleet.orgs)
    assert [org.accounts.blocks for org in fleet.orgs] == [0] * len(fleet.orgs)
    for sync_id, (i, kind) in syncs.items():
        runs = list(reversed(service.history(sync_id)))
        # never two runs of one sync at once: a worker stalled past its lease (a busy
        # machine, at a second a lease) is the one exception, since another worker takes the
        # pass over and the stalled one may send nothing more (its lease is checked before
        # every batch, its commits refused); the lists and counts below show it sent nothing
        for before, after in itertools.pairwise(runs):
            assert before.finished_at is not None
            if not lost_its_lease(before):
                assert before.finished_at <= after.started_at, f"{sync_id}: runs overlap"
        # every slot exactly once: each pass starts once its slot is due (an hour after
        # the pass before ends, for an hourly sync) and never twice for one slot
        done = completed_passes(service, sync_id)
        assert len(done) >= 2, f"{sync_id}: the second slot never ran"
        assert done[0][0] >= slot0
        for (_, ended), (began, _) in itertools.pairwise(done):
            assert began >= ended + HOUR, f"{sync_id}: a pass ran before its slot was due"
        # every record accounted: the first pass counted every customer exactly once
        first = passes(runs)[0]
        customers = sum(
            1 for row in fleet.rows[i].values() if row.get("contact_type") == "customer"
        )
        assert sum(run.total for run in first) == customers, f"{sync_id}: records counted"
        # the list is the one computed from the rows, changes included
        expected = expected_list(fleet.rows[i], kind)
        subscribers = {
            email_key(email): values
            for email, values in fleet.orgs[i]
            .campaigns.subscribers(fleet.orgs[i].spec.lists[kind])
            .items()
        }
        assert set(subscribers) == set(expected), f"{org_name(i)} {kind}: the list differs"
        for key, names in expected.items():
            for field, value in names.items():
                assert (subscribers[key].get(field) or "") == value, f"{key} {field}"


def lost_its_lease(run: SyncRun) -> bool:
    """A run that stopped because another worker took its expired lease over."""
    return run.status is RunStatus.INTERRUPTED and run.error == "another worker took the lease over"
