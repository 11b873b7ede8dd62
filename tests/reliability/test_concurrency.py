"""Suite 3, concurrency: several processes share one store (an SQLite file, or PostgreSQL)
and call ``run`` and
``run_due`` for the same syncs. Exactly one run per sync happens at a time; the others
get ``SyncAlreadyRunningError`` (``run``) or are skipped (``run_due``); a lease left by a
killed process is refused until it expires, then taken over.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from _crash_child import (
    KILLED,
    Attempt,
    Child,
    KillPlan,
    KillPoint,
    Paths,
    PgLocation,
    act,
    attempt,
    contend,
    create_sync,
    in_child,
    open_store,
)

from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import RunStatus

PROCESSES = 4
ITERATIONS = 6


@pytest.fixture(params=["sqlite", "postgres"])
def paths(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Paths]:
    if request.param == "postgres":
        url, schema = (
            request.getfixturevalue(name) for name in ("postgres_url", "postgres_schema")
        )
        yield Paths(PgLocation(url, schema), tmp_path / "list.db")
        return
    # tmpfs when available: fsync there is free (see test_crashes).
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        yield Paths(tmp_path / "fs.db", tmp_path / "list.db")
        return
    with tempfile.TemporaryDirectory(prefix="fieldsync-concurrency-", dir=shm) as where:
        yield Paths(Path(where) / "fs.db", Path(where) / "list.db")


def exit_with_attempt(paths: Paths, sync_id: str, *, minutes: float, due: bool = False) -> None:
    """In a child: call ``run`` (or ``run_due``) once and exit with how it ended."""
    os._exit(attempt(paths, sync_id, minutes=minutes, due=due))


def statuses(paths: Paths, sync_id: str) -> list[RunStatus]:
    store = open_store(paths)
    try:
        return [run.status for run in store.runs(sync_id)]
    finally:
        store.close()


def test_while_a_process_runs_a_sync_other_processes_are_refused_or_skip_it(
    paths: Paths,
) -> None:
    sync_id = create_sync(paths, Schedule.every(hours=1))
    assert in_child(lambda: act(paths, sync_id, initiate=True, minutes=0, plan=None)) == 0
    entered_r, entered_w = os.pipe()
    go_r, go_w = os.pipe()

    def hold() -> None:
        # Holding the lease at the first page: say so, then wait for the contenders.
        os.write(entered_w, b"x")
        os.read(go_r, 1)

    holder = Child(lambda: act(paths, sync_id, initiate=False, minutes=61, plan=None, on_page=hold))
    os.read(entered_r, 1)
    codes = [
        in_child(functools.partial(exit_with_attempt, paths, sync_id, minutes=61, due=due))
        for due in (False, True, False, True, False)
    ]
    os.write(go_w, b"x" * 100)

    assert [Attempt.BUSY, Attempt.SKIPPED] * 2 + [Attempt.BUSY] == codes
    assert 0 == holder.wait()
    assert [RunStatus.COMPLETED, RunStatus.COMPLETED] == statuses(paths, sync_id)


def test_processes_racing_for_the_same_syncs_never_run_one_sync_twice_at_once(
    paths: Paths,
) -> None:
    sync_ids = [create_sync(paths, Schedule.every(hours=1)) for _ in range(2)]
    for sync_id in sync_ids:
        initiate = functools.partial(act, paths, sync_id, initiate=True, minutes=0, plan=None)
        assert in_child(initiate) == 0
    results = paths.target.with_name("results.jsonl")
    # PostgreSQL round trips cost more than SQLite's: fewer rounds keep the suite fast
    iterations = ITERATIONS if isinstance(paths.store, Path) else ITERATIONS // 2
    start_r, start_w = os.pipe()
    children = [
        Child(
            lambda: contend(paths, sync_ids, iterations=iterations, start=start_r, results=results)
        )
        for _ in range(PROCESSES)
    ]
    os.write(start_w, b"x" * PROCESSES)  # all start at once
    codes = [child.wait() for child in children]
    lines = [json.loads(line) for line in results.read_text().splitlines()]

    calls = Counter(line["call"] for line in lines if "call" in line)
    print(f"\nconcurrency suite: {PROCESSES} processes, {dict(calls)}")
    assert [0] * PROCESSES == codes
    assert PROCESSES * iterations * len(sync_ids) == sum(calls.values())
    for sync_id in sync_ids:
        spans = sorted(tuple(line["span"]) for line in lines if line.get("sync") == sync_id)
        assert [] == [(a, b) for a, b in itertools.pairwise(spans) if b[0] <= a[1]]
        assert len(spans) == len(statuses(paths, sync_id)) - 1  # the initiate ran before
        assert {RunStatus.COMPLETED} == set(statuses(paths, sync_id))


def test_a_lease_left_by_a_killed_process_is_refused_until_it_expires_then_taken_over(
    paths: Paths,
) -> None:
    sync_id = create_sync(paths)
    killed = in_child(
        lambda: act(paths, sync_id, initiate=True, minutes=0, plan=KillPlan(KillPoint.WRITE, 15))
    )
    before_expiry = in_child(functools.partial(exit_with_attempt, paths, sync_id, minutes=5))
    after_expiry = in_child(functools.partial(exit_with_attempt, paths, sync_id, minutes=11))

    assert (KILLED, Attempt.BUSY, Attempt.RAN) == (killed, before_expiry, after_expiry)
    assert [RunStatus.COMPLETED, RunStatus.INTERRUPTED] == statuses(paths, sync_id)
