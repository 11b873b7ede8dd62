"""Several fieldsync processes on one store share Zoho's limits (issues 10 and 18).

Real processes (``_quota_child.py``, with the adapters built the way the CLI builds them,
or the simplest way a new user would) talk over real sockets to the emulators served on
127.0.0.1 (port 0), which enforce Zoho's real windows: 10 mints per refresh token per 10
minutes, 500 ``json/listsubscribe`` calls a minute with a 30-minute lock. Time is real
time scaled by a :class:`ScaledClock` that every process builds from the same origin, so a
minute passes in a second (or in six).

Issue 18: with the simplest wiring (``ZohoOAuth(client_id=..., client_secret=...,
refresh_token=...)``, no ``ledger`` nor ``token_cache``), fieldsync used to keep the rate
windows inside each process, so two processes in a row initiating two lists of one account
sent some 760 calls within a minute and the second tripped the 30-minute lockout (run
deferred, contacts failed). Adapters now book in the store of the service they are
registered with; keeping the limits per process is the explicit ``ledger=LocalQuota()``,
and ``test_limits_kept_per_process_on_purpose_trip_the_lockout`` shows what it (and the
naive wiring before) does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldsync.testing import ScaledClock
from fieldsync.testing.emulators.serve import EmulatorServer

CHILD = Path(__file__).with_name("_quota_child.py")
SUBSCRIBE = "POST json/listsubscribe"


class World:
    """The served emulators on a scaled clock, and how to start a fieldsync process."""

    def __init__(
        self,
        server: EmulatorServer,
        clock: ScaledClock,
        store: Path,
        postgres: dict[str, str] | None = None,
    ) -> None:
        self.server = server
        self.clock = clock
        self.store = store
        self.postgres = postgres  # url and schema: the processes share it, not `store`

    def spec(self, **extra: Any) -> dict[str, Any]:
        credentials = self.server.credentials
        settings = {
            "type": "zoho",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "refresh_token": credentials.refresh_token,
            "organization_id": self.server.organization.organization_id,
            **self.server.urls,
        }
        return {
            "store": str(self.store),
            "postgres": self.postgres,
            "settings": settings,
            "factor": self.clock.factor,
            "origin": self.clock.origin,
            **extra,
        }

    def start(self, **extra: Any) -> subprocess.Popen[str]:
        command = [sys.executable, str(CHILD), json.dumps(self.spec(**extra))]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    @staticmethod
    def result(process: subprocess.Popen[str]) -> dict[str, Any]:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        answer: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return answer

    def run(self, **extra: Any) -> dict[str, Any]:
        return self.result(self.start(**extra))


def serve(
    tmp_path: Path, *, factor: float, contacts: int, postgres: dict[str, str] | None = None
) -> Iterator[World]:
    clock = ScaledClock(factor, time.time())
    with EmulatorServer(port=0, contacts=contacts, seed=5, clock=clock) as server:
        yield World(server, clock, tmp_path / "fieldsync.db", postgres)


@pytest.fixture
def slow_world(tmp_path: Path) -> Iterator[World]:
    """Ten times real time: 10 minutes pass in a minute."""
    yield from serve(tmp_path, factor=10.0, contacts=20)


@pytest.fixture
def busy_world(tmp_path: Path) -> Iterator[World]:
    """Fifteen times real time: a minute passes in four seconds, in which two processes
    over loopback HTTP can send far more than 500 calls (they would trip the lock if they
    did not share the window)."""
    yield from serve(tmp_path, factor=15.0, contacts=330)


# Issue 18's scenario: 381 customers, so two lists take some 720 calls, far more than 500.
# At eight times real time a minute lasts 7.5 s: sharing the window, the second process
# waits for it (about 7 s). Keeping the limits per process, both send theirs within a
# minute and trip the lock; that case runs at twice real time (a minute lasts 30 s), so
# that a busy machine starting two processes cannot spread them over more than a minute.
IN_A_ROW = {"factor": 8.0, "contacts": 400}


@pytest.fixture
def in_a_row_world(tmp_path: Path) -> Iterator[World]:
    """Eight times real time, one SQLite file."""
    yield from serve(tmp_path, **IN_A_ROW)


@pytest.fixture
def in_a_row_slow_world(tmp_path: Path) -> Iterator[World]:
    """Twice real time, one SQLite file."""
    yield from serve(tmp_path, **{**IN_A_ROW, "factor": 2.0})


@pytest.fixture
def in_a_row_postgres_world(
    tmp_path: Path, postgres_url: str, postgres_schema: str
) -> Iterator[World]:
    """Eight times real time, one PostgreSQL schema."""
    yield from serve(
        tmp_path, **IN_A_ROW, postgres={"url": postgres_url, "schema": postgres_schema}
    )


@pytest.fixture
def fast_world(tmp_path: Path) -> Iterator[World]:
    """Sixty times real time: a minute passes in a second."""
    yield from serve(tmp_path, factor=60.0, contacts=20)


def test_twelve_consecutive_commands_within_ten_minutes_have_no_mint_refused(
    slow_world: World,
) -> None:
    started = slow_world.clock.now()

    answers = [slow_world.run(do="token") for _ in range(12)]

    assert (slow_world.clock.now() - started).total_seconds() < 600
    assert answers == [{"ok": True}] * 12
    assert slow_world.server.accounts.minted == 1  # the first minted, eleven reused it
    assert slow_world.server.accounts.blocks == 0


def test_two_processes_syncing_two_lists_of_one_account_share_its_window(
    busy_world: World,
) -> None:
    campaigns = busy_world.server.campaigns
    americas = campaigns.create_list("Americas")
    apac = busy_world.server.list_key

    both = [
        busy_world.start(do="sync", list_key=apac, name="APAC"),
        busy_world.start(do="sync", list_key=americas, name="Americas"),
    ]
    runs = [World.result(process) for process in both]

    assert campaigns.calls[SUBSCRIBE] > 500
    assert campaigns.windows.lockouts == 0
    customers = sum(1 for c in busy_world.server.organization.contacts if _customer(c))
    for run, key in zip(runs, (apac, americas), strict=True):
        assert run["status"] == "completed", run["error"]
        parts = ("added", "updated", "unchanged", "skipped", "failed")
        assert run["total"] == sum(run[part] for part in parts) == customers
        assert run["failed"] == 0
        assert len(campaigns.subscribers(key)) == run["added"]
    assert campaigns.subscribers(apac).keys() == campaigns.subscribers(americas).keys()


def test_a_lock_met_by_one_process_defers_another_without_a_call(fast_world: World) -> None:
    campaigns = fast_world.server.campaigns
    americas = campaigns.create_list("Americas")
    while campaigns.windows.hit(SUBSCRIBE) is None:  # another app trips the lock
        pass
    lock_end = campaigns.windows.locked_until(SUBSCRIBE)
    assert lock_end is not None
    before = campaigns.calls[SUBSCRIBE]

    first = fast_world.run(do="sync", list_key=fast_world.server.list_key, name="APAC")
    after_first = campaigns.calls[SUBSCRIBE]
    second = fast_world.run(do="sync", list_key=americas, name="Americas")

    assert first["status"] == second["status"] == "deferred"
    assert 1 <= after_first - before <= 4  # the calls in flight met the lock; none retried
    assert campaigns.calls[SUBSCRIBE] == after_first  # the second process never called
    # the lock the first recorded (each call that met it recorded it; the latest end wins)
    assert second["resume_at"] == pytest.approx(first["resume_at"], abs=5.0)
    assert abs(first["resume_at"] - lock_end) <= 60.0  # Zoho says the lock in minutes
    assert "locked" in second["error"]


def two_lists_in_a_row(world: World, *, wiring: str) -> list[dict[str, Any]]:
    """Issue 18's scenario: one process initiates a sync to one list of the account, and
    when it is done another initiates one to a second list, each wired as ``wiring``."""
    americas = world.server.campaigns.create_list("Americas")
    first = world.run(do="sync", list_key=world.server.list_key, name="APAC", wiring=wiring)
    second = world.run(do="sync", list_key=americas, name="Americas", wiring=wiring)
    return [first, second]


def assert_both_lists_written_without_a_lockout(world: World, runs: list[dict[str, Any]]) -> None:
    campaigns = world.server.campaigns
    customers = sum(1 for c in world.server.organization.contacts if _customer(c))
    assert campaigns.calls[SUBSCRIBE] > 500  # more than one minute's worth
    assert campaigns.windows.lockouts == 0
    for run in runs:
        assert run["status"] == "completed", run["error"]
        parts = ("added", "updated", "unchanged", "skipped", "failed")
        assert run["total"] == sum(run[part] for part in parts) == customers
        assert run["failed"] == 0
    assert world.server.accounts.minted == 1  # the second process reused the first's token


def test_two_processes_in_a_row_with_the_simplest_wiring_share_the_window_on_sqlite(
    in_a_row_world: World,
) -> None:
    runs = two_lists_in_a_row(in_a_row_world, wiring="naive")

    assert_both_lists_written_without_a_lockout(in_a_row_world, runs)


def test_two_processes_in_a_row_with_the_simplest_wiring_share_the_window_on_postgres(
    in_a_row_postgres_world: World,
) -> None:
    runs = two_lists_in_a_row(in_a_row_postgres_world, wiring="naive")

    assert_both_lists_written_without_a_lockout(in_a_row_postgres_world, runs)


def test_limits_kept_per_process_on_purpose_trip_the_lockout(in_a_row_slow_world: World) -> None:
    # ledger=LocalQuota(): each process believes it has the whole minute, as the naive
    # wiring did before adapters shared their service's store.
    first, second = two_lists_in_a_row(in_a_row_slow_world, wiring="local")

    assert first["status"] == "completed"
    assert in_a_row_slow_world.server.campaigns.windows.lockouts >= 1
    assert second["status"] == "deferred"
    assert "locked" in second["error"]


def _customer(row: dict[str, Any]) -> bool:
    return row.get("contact_type", "customer") == "customer"
