"""A process that hangs inside a quota reservation costs its peers seconds, not forever
(issue 19), on the real PostgreSQL server of ``FIELDSYNC_TEST_POSTGRES``.

A peer (``_hung_child.py``, a real process) stops itself with SIGSTOP in the middle of a
reservation, holding its scope's advisory lock, as a paused VM or a partition leaves a
process. Its session's ``idle_in_transaction_session_timeout`` makes the server end its
transaction, which releases the lock; the others' reservations, which wait for the lock no
longer than ``lock_timeout`` a time and then wait again, go on. The tests configure short
timeouts and assert a generous bound; ``make soak`` runs the realistic case with the
defaults, several peers booking all along, and prints the longest pause (before and after).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fieldsync.domain.quota import QuotaRequest
from fieldsync.domain.records import RateWindow
from fieldsync.exceptions import StoreError
from fieldsync.stores.postgres import PostgresStore

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="tells a stopped process by /proc (Linux)"
)

CHILD = Path(__file__).with_name("_hung_child.py")
WINDOW = RateWindow(1_000_000, 60.0)
# the tests' timeouts: a hung peer loses its transaction after 2 s; the others wait for a
# lock 0.5 s a time (and again, for up to 2.5 s in all)
SHORT = {"lock_timeout": 0.5, "statement_timeout": 10.0, "idle_in_transaction_timeout": 2.0}
BOUND = 15.0  # seconds: a bound on the others' wait, generous for a loaded machine


@pytest.fixture
def shared(postgres_url: str, postgres_schema: str) -> dict[str, Any]:
    """The store (migrated once) and a quota scope of this test's own: advisory locks are
    the database's, so another test's scope must not be this one."""
    PostgresStore(postgres_url, schema=postgres_schema).close()
    return {"url": postgres_url, "schema": postgres_schema, "scope": f"hung/{uuid.uuid4().hex}"}


def start(shared: dict[str, Any], **spec: Any) -> subprocess.Popen[str]:
    command = [sys.executable, str(CHILD), json.dumps({**shared, "seconds": 0, **spec})]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stopped_inside(
    shared: dict[str, Any], waits: dict[str, Any], *, nth: int = 1, seconds: float = 0
) -> subprocess.Popen[str]:
    """A peer stopped (SIGSTOP) inside its ``nth`` reservation, the scope's lock held."""
    peer = start(shared, waits=waits, stop_at=nth, seconds=seconds)
    assert peer.stdout is not None
    while (line := peer.stdout.readline().strip()) != "inside":
        assert line, "the peer ended before it stopped"
    deadline = time.monotonic() + 10.0
    while _state(peer.pid) != "T":  # the SIGSTOP it sent itself has taken effect
        assert time.monotonic() < deadline, "the peer did not stop"
        time.sleep(0.01)
    return peer


def _state(pid: int) -> str:
    # /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, not ")"
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def lock_is_held(url: str, scope: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (scope,)
        ).fetchone()
        assert row is not None
        if row[0]:
            conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (scope,))
        return not row[0]


def reserve(store: PostgresStore, scope: str) -> tuple[int, float]:
    """Slots booked by one reservation, and the seconds it took."""
    started = time.monotonic()
    answer = store.reserve(QuotaRequest(scope, (WINDOW,), 1, time.time()))
    return len(answer.slots), time.monotonic() - started


def finish(peer: subprocess.Popen[str]) -> dict[str, Any]:
    """Let a stopped peer go on, and its last line."""
    os.kill(peer.pid, signal.SIGCONT)
    out, err = peer.communicate(timeout=60)
    assert peer.returncode == 0, err
    answer: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return answer


def test_a_peer_stopped_inside_a_reservation_holds_the_others_up_seconds_only(
    shared: dict[str, Any],
) -> None:
    peer = stopped_inside(shared, SHORT)
    try:
        assert lock_is_held(shared["url"], shared["scope"])  # the set-up: it holds the lock
        with PostgresStore(shared["url"], schema=shared["schema"], **SHORT) as store:
            booked, waited = reserve(store, shared["scope"])
            again, _ = reserve(store, shared["scope"])  # and the store goes on as usual
    finally:
        woken = finish(peer)

    assert booked == again == 1
    assert waited < BOUND
    # the stopped peer lost its transaction: woken, it is told why, and booked nothing
    assert "idle_in_transaction_session_timeout is 2 s" in woken["error"]
    assert "was it stopped?" in woken["error"]


def test_a_lock_held_by_a_session_without_timeouts_fails_the_reservation_in_bounded_time(
    shared: dict[str, Any],
) -> None:
    # someone else's session (an operator's psql, say) sits on the scope's lock: no
    # idle-in-transaction timeout of ours ends it, so the reservation gives up, clearly
    waits = {"lock_timeout": 0.3, "idle_in_transaction_timeout": 0.5}
    with (
        psycopg.connect(shared["url"], autocommit=True) as holder,
        PostgresStore(shared["url"], schema=shared["schema"], **waits) as store,
    ):
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (shared["scope"],))
        started = time.monotonic()
        with pytest.raises(StoreError) as raised:
            reserve(store, shared["scope"])
        waited = time.monotonic() - started
        holder.execute("ROLLBACK")

        booked, _ = reserve(store, shared["scope"])

    assert waited < BOUND
    message = str(raised.value)
    assert "another session holds a lock this one waited for (lock_timeout is 0.3 s)" in message
    assert booked == 1


# -- soak: the realistic case, with the default timeouts ---------------------------------------

PEERS = 3
STOPPED_FOR = 60.0  # seconds the hung peer stays stopped before it is killed


def longest_pause(shared: dict[str, Any], waits: dict[str, Any]) -> float:
    """The longest time, in seconds, between two reservations of one of :data:`PEERS`
    processes booking all along, while another, which booked along with them, sits stopped
    inside a reservation for :data:`STOPPED_FOR` seconds and is then killed."""
    seconds = STOPPED_FOR + 10.0
    peers = [start(shared, waits=waits, seconds=seconds) for _ in range(PEERS)]
    hung = stopped_inside(shared, waits, nth=50, seconds=seconds)  # about a second in
    try:
        time.sleep(STOPPED_FOR)
    finally:
        hung.kill()
        hung.communicate()
    pauses = []
    for peer in peers:
        out, err = peer.communicate(timeout=seconds + 120.0)
        assert peer.returncode == 0, err
        lines = [json.loads(line) for line in out.strip().splitlines()]
        assert "done" in lines[-1], lines[-1]
        times = [line["at"] for line in lines[:-1]]
        pauses.append(max(b - a for a, b in itertools.pairwise(times)))
    return max(pauses)


@pytest.mark.soak
def test_soak_a_hung_peer_costs_the_others_seconds_with_the_default_timeouts(
    shared: dict[str, Any],
) -> None:
    defaults: dict[str, Any] = {}
    unbounded = dict.fromkeys(
        ("lock_timeout", "statement_timeout", "idle_in_transaction_timeout"), None
    )

    after = longest_pause(shared, defaults)
    before = longest_pause({**shared, "scope": shared["scope"] + "/unbounded"}, unbounded)

    print(
        f"\nhung peer ({PEERS} peers, one stopped {STOPPED_FOR:g} s inside a reservation):"
        f" longest pause {after:.2f} s with the default timeouts,"
        f" {before:.2f} s without timeouts"
    )
    assert after < BOUND
    assert before >= STOPPED_FOR  # without them, nobody went on until the peer was killed
