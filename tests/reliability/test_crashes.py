"""Suite 2, crashes: a run in a child process on a store (an SQLite file, or PostgreSQL) is
SIGKILLed at seeded random points (mid-batch after a write, mid-commit, between batches, at
a page). The next
run takes the expired lease over, marks the killed run interrupted, continues from the
checkpoint, and the list ends identical to an uninterrupted run's, with every record
counted exactly once across the runs of the pass.
"""

from __future__ import annotations

import functools
import os
import random
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import attrs
import psycopg
import pytest
from _checks import account_for
from _crash_child import (
    KILLED,
    START,
    FileTarget,
    KillPlan,
    KillPoint,
    Paths,
    PgLocation,
    act,
    create_sync,
    in_child,
    open_store,
    people,
)
from psycopg import sql

from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.service import SyncService
from fieldsync.testing.clock import FakeClock

FAST_SCENARIOS = 32
PG_SCENARIOS = 10  # PostgreSQL round trips cost more: fewer scenarios, every kind of kill
PG_SOAK_SCENARIOS = 200
SOAK_SCENARIOS = 600
KILLS_PER_SCENARIO = 3
LEASE_EXPIRED = 15  # minutes between attempts: longer than the lease
KEYS = [key for key, _values, _at in people()]


@attrs.frozen
class Reference:
    """An uninterrupted run: the list it leaves and how many events of each kind it had."""

    contents: dict[str, tuple[str, str]]
    events: dict[KillPoint, int]


@attrs.frozen
class Where:
    """Where a suite's scenarios keep their stores: files under ``root``, or schemas of
    the PostgreSQL test server named after ``pg.schema``."""

    root: Path
    pg: PgLocation | None = None

    def paths(self, name: str) -> Paths:
        list_file = self.root / f"{name}-list.db"
        if self.pg is None:
            return Paths(self.root / f"{name}.db", list_file)
        return Paths(PgLocation(self.pg.url, f"{self.pg.schema}_{name}"), list_file)


@functools.cache
def reference(where: Where) -> Reference:
    paths = where.paths("reference")
    sync_id = create_sync(paths)
    run, events = act(paths, sync_id, initiate=True, minutes=0, plan=None)
    assert run.status is RunStatus.COMPLETED
    target = FileTarget(paths.target)
    try:
        return Reference(target.contents(), events)
    finally:
        target.close()


@attrs.frozen
class Outcome:
    kills: list[KillPlan]
    runs: list[SyncRun]  # oldest first
    contents: dict[str, tuple[str, str]]


def crash_scenario(where: Where, seed: int, ref: Reference) -> Outcome:
    """Initiate, then run, in children killed at up to three seeded points, then run to
    the end; return what the store and the list hold."""
    rng = random.Random(seed)
    paths = where.paths(f"s{seed}")
    sync_id = create_sync(paths)
    kills: list[KillPlan] = []
    for attempt in range(KILLS_PER_SCENARIO + 1):
        plan = None
        if attempt < KILLS_PER_SCENARIO:
            point = rng.choice(list(KillPoint))
            plan = KillPlan(point, rng.randint(1, ref.events[point]))

        def work(attempt: int = attempt, plan: KillPlan | None = plan) -> None:
            act(paths, sync_id, initiate=attempt == 0, minutes=attempt * LEASE_EXPIRED, plan=plan)

        code = in_child(work)
        if code != KILLED:
            assert code == 0, f"seed {seed}: the child failed (see its output)"
            break
        assert plan is not None
        kills.append(plan)
    else:
        code = in_child(lambda: act(paths, sync_id, initiate=False, minutes=99, plan=None))
        assert code == 0, f"seed {seed}: the final run failed"
    store = open_store(paths)
    try:
        runs = list(reversed(store.runs(sync_id)))
    finally:
        store.close()
    target = FileTarget(paths.target)
    try:
        return Outcome(kills, runs, target.contents())
    finally:
        target.close()


def check(where: Where, seed: int, outcome: Outcome, ref: Reference) -> None:
    runs = outcome.runs
    statuses = [run.status for run in runs]
    assert statuses == [RunStatus.INTERRUPTED] * len(outcome.kills) + [RunStatus.COMPLETED], (
        f"seed {seed}: {statuses}"
    )
    for run in runs[:-1]:
        assert run.finished_at is not None, f"seed {seed}: {run}"
        assert run.error, f"seed {seed}: {run}"
    # Each run continues the checkpoint of the last run that committed a batch.
    checkpointed = None
    for run in runs:
        assert run.resumed_from == checkpointed, f"seed {seed}: run {run.id} did not resume"
        if run.total:
            checkpointed = run.id
    assert outcome.contents == ref.contents, f"seed {seed}: the list differs"
    store = open_store(where.paths(f"s{seed}"))
    try:
        service = SyncService(store=store, clock=FakeClock(START))
        account_for(service, store, runs, KEYS)
    finally:
        store.close()


def scenarios(where: Where, count: int, first: int = 0) -> Iterator[Outcome]:
    ref = reference(where)
    for seed in range(first, first + count):
        outcome = crash_scenario(where, seed, ref)
        check(where, seed, outcome, ref)
        yield outcome


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # On tmpfs when there is one: fsync there is free, and a process kill (unlike a power
    # cut) loses nothing the OS was handed, so the files behave the same as on a disk.
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        yield tmp_path_factory.mktemp("crashes")
        return
    with tempfile.TemporaryDirectory(prefix="fieldsync-crashes-", dir=shm) as where:
        yield Path(where)


@pytest.fixture
def on_postgres(root: Path, postgres_url: str) -> Iterator[Where]:
    """Scenarios whose stores are schemas of the PostgreSQL test server, dropped after."""
    prefix = f"fs_crash_{uuid.uuid4().hex[:12]}"
    (root / prefix).mkdir()
    yield Where(root / prefix, PgLocation(postgres_url, prefix))
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        names = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (prefix + "%",)
        ).fetchall()
        for (name,) in names:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def test_runs_killed_at_fifty_random_points_resume_and_end_with_the_uninterrupted_list(
    root: Path,
) -> None:
    kills = [plan for outcome in scenarios(Where(root), FAST_SCENARIOS) for plan in outcome.kills]

    by_point = Counter(plan.point.name for plan in kills)
    print(f"\ncrash suite: {len(kills)} kill points ({dict(sorted(by_point.items()))})")
    assert len(kills) >= 50
    assert set(by_point) == {point.name for point in KillPoint}


def test_runs_on_postgresql_killed_at_random_points_resume_and_end_alike(
    on_postgres: Where,
) -> None:
    # mid-commit on PostgreSQL: the child dies with the batch's transaction open
    kills = [plan for outcome in scenarios(on_postgres, PG_SCENARIOS) for plan in outcome.kills]

    by_point = Counter(plan.point.name for plan in kills)
    print(
        f"\ncrash suite on PostgreSQL: {len(kills)} kill points ({dict(sorted(by_point.items()))})"
    )
    assert len(kills) >= 15
    assert set(by_point) == {point.name for point in KillPoint}


@pytest.mark.soak
def test_runs_on_postgresql_killed_at_hundreds_of_random_points_resume_and_end_alike(
    on_postgres: Where,
) -> None:
    outcomes = scenarios(on_postgres, PG_SOAK_SCENARIOS, 10_000)
    kills = [plan for outcome in outcomes for plan in outcome.kills]

    assert len(kills) >= 300


@pytest.mark.soak
def test_runs_killed_at_a_thousand_random_points_resume_and_end_with_the_uninterrupted_list(
    root: Path,
) -> None:
    where = Where(root)
    kills = [plan for outcome in scenarios(where, SOAK_SCENARIOS, 10_000) for plan in outcome.kills]

    by_point = Counter(plan.point.name for plan in kills)
    print(f"\ncrash soak: {len(kills)} kill points ({dict(sorted(by_point.items()))})")
    assert len(kills) >= 1_000
