"""The PostgreSQL store waits a bounded time (issue 19): a lock another session holds, a
statement that runs too long and a session idle inside a transaction each end in a clear
``StoreError``; a reservation waits for its lock again; TCP keepalives are on.

Every test runs against the real server of ``FIELDSYNC_TEST_POSTGRES`` (see conftest), with
short timeouts. A peer process stopped inside a reservation: tests/reliability/test_hung_peer.py.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from fieldsync.domain.quota import QuotaRequest
from fieldsync.domain.records import RateWindow
from fieldsync.exceptions import StoreError
from fieldsync.stores.postgres import PostgresStore
from fieldsync.testing.store_contract import a_sync

WINDOW = RateWindow(1_000, 60.0)


@pytest.fixture
def migrated(postgres_url: str, postgres_schema: str) -> str:
    """This test's schema, created with fieldsync's tables."""
    PostgresStore(postgres_url, schema=postgres_schema).close()
    return postgres_schema


@pytest.fixture
def holder(postgres_url: str, migrated: str) -> Iterator[psycopg.Connection[Any]]:
    """Another session, in the test's schema, that takes locks and keeps them."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(migrated)))
        yield conn
        conn.execute("ROLLBACK")


def a_request() -> QuotaRequest:
    return QuotaRequest(f"waits/{uuid.uuid4().hex}", (WINDOW,), 1, time.time())


def setting(store: PostgresStore, name: str) -> str:
    row = store._db.fetch_one("SELECT current_setting(%s) AS value", (name,))
    assert row is not None
    return str(row["value"])


def test_the_sessions_carry_the_default_timeouts(postgres_url: str, migrated: str) -> None:
    with PostgresStore(postgres_url, schema=migrated) as store:
        assert setting(store, "lock_timeout") == "5s"
        assert setting(store, "statement_timeout") == "30s"
        assert setting(store, "idle_in_transaction_session_timeout") == "5s"


def test_the_sessions_carry_the_timeouts_given(postgres_url: str, migrated: str) -> None:
    waits = {"lock_timeout": 0.25, "statement_timeout": 90, "idle_in_transaction_timeout": 12}
    with PostgresStore(postgres_url, schema=migrated, **waits) as store:
        assert setting(store, "lock_timeout") == "250ms"
        assert setting(store, "statement_timeout") == "90s"
        assert setting(store, "idle_in_transaction_session_timeout") == "12s"


def test_none_leaves_a_timeout_to_the_server(postgres_url: str, migrated: str) -> None:
    with PostgresStore(postgres_url, schema=migrated, lock_timeout=None) as store:
        assert setting(store, "lock_timeout") == "0"  # the server's default: no limit


@pytest.mark.parametrize("value", [0, -1.0, math.nan])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(
    postgres_url: str, migrated: str, value: float
) -> None:
    with pytest.raises(ValueError, match="statement_timeout must be a positive number"):
        PostgresStore(postgres_url, schema=migrated, statement_timeout=value)


def test_tcp_keepalives_are_on_unless_the_connection_string_sets_its_own(
    postgres_url: str, migrated: str
) -> None:
    def parameters(store: PostgresStore) -> dict[str, str]:
        with store._db.transaction() as conn:
            return conn.info.get_parameters()

    with PostgresStore(postgres_url, schema=migrated) as store:
        given = parameters(store)
    own = make_conninfo(postgres_url, keepalives_idle="7")
    with PostgresStore(own, schema=migrated) as store:
        kept = parameters(store)

    assert given["keepalives"] == "1"
    assert (given["keepalives_idle"], given["keepalives_interval"]) == ("30", "10")
    assert given["keepalives_count"] == "3"
    assert (kept["keepalives_idle"], kept["keepalives_interval"]) == ("7", "10")


def test_a_table_lock_held_elsewhere_is_a_clear_store_error_after_the_lock_timeout(
    postgres_url: str, migrated: str, holder: psycopg.Connection[Any]
) -> None:
    with PostgresStore(postgres_url, schema=migrated, lock_timeout=0.3) as store:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE syncs IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(StoreError) as raised:
            store.add_sync(a_sync())
        waited = time.monotonic() - started
        holder.execute("ROLLBACK")

        store.add_sync(a_sync())  # the lock gone, the store goes on
        assert [sync.id for sync in store.list_syncs()] == ["s1"]

    assert waited < 10.0  # a bound, not a benchmark
    message = str(raised.value)
    assert "another session holds a lock this one waited for (lock_timeout is 0.3 s)" in message
    assert "canceling statement due to lock timeout" in message


def test_a_statement_running_past_the_statement_timeout_is_a_clear_store_error(
    postgres_url: str, migrated: str, holder: psycopg.Connection[Any]
) -> None:
    # no lock timeout: the wait for the table lock is what runs too long
    waits: dict[str, Any] = {"lock_timeout": None, "statement_timeout": 0.3}
    with PostgresStore(postgres_url, schema=migrated, **waits) as store:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE syncs IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreError, match=r"a statement ran too long \(statement_timeout is"):
            store.list_syncs()


def test_a_reservation_waits_again_for_a_table_lock_held_past_the_lock_timeout(
    postgres_url: str, migrated: str, holder: psycopg.Connection[Any]
) -> None:
    # lock waits of 0.2 s, for up to 2.2 s in all; the table lock is given back after 0.6 s
    waits = {"lock_timeout": 0.2, "idle_in_transaction_timeout": 2.0}
    with PostgresStore(postgres_url, schema=migrated, **waits) as store:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE quota_slots IN ACCESS EXCLUSIVE MODE")
        release = threading.Timer(0.6, holder.execute, ("ROLLBACK",))
        release.start()
        try:
            answer = store.reserve(a_request())
        finally:
            release.join()

    assert len(answer.slots) == 1


@pytest.mark.parametrize("table", ["quota_slots", "quota_locks"])
def test_releasing_slots_and_recording_a_lock_wait_again_for_a_table_lock_too(
    postgres_url: str, migrated: str, holder: psycopg.Connection[Any], table: str
) -> None:
    waits = {"lock_timeout": 0.2, "idle_in_transaction_timeout": 2.0}
    request = a_request()
    with PostgresStore(postgres_url, schema=migrated, **waits) as store:
        slots = store.reserve(request).slots
        holder.execute("BEGIN")
        holder.execute(
            sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table))
        )
        release = threading.Timer(0.6, holder.execute, ("ROLLBACK",))
        release.start()
        try:
            if table == "quota_slots":
                store.release(request.scope, slots)
            else:
                store.lock(request.scope, until=time.time() + 60.0, reason="locked by Zoho")
        finally:
            release.join()
        held = store.lock_of(request.scope, now=time.time())
        booked = store._db.fetch_one(
            "SELECT count(*) AS n FROM quota_slots WHERE scope = %s", (request.scope,)
        )

    assert booked is not None
    assert (booked["n"], held is not None) == ((0, False) if table == "quota_slots" else (1, True))


def test_a_reservation_gives_up_on_a_table_lock_never_given_back(
    postgres_url: str, migrated: str, holder: psycopg.Connection[Any]
) -> None:
    waits = {"lock_timeout": 0.2, "idle_in_transaction_timeout": 0.4}
    with PostgresStore(postgres_url, schema=migrated, **waits) as store:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE quota_slots IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreError, match=r"\(lock_timeout is 0.2 s\)"):
            store.reserve(a_request())
        holder.execute("ROLLBACK")

        assert len(store.reserve(a_request()).slots) == 1


def test_a_transaction_left_idle_is_ended_by_the_server_and_its_locks_freed(
    postgres_url: str, migrated: str
) -> None:
    waits = {"lock_timeout": 0.2, "idle_in_transaction_timeout": 0.3}

    def stopped_in_a_transaction(store: PostgresStore) -> None:
        with store._db.transaction() as conn:
            conn.execute("LOCK TABLE syncs IN ACCESS EXCLUSIVE MODE")
            time.sleep(1.0)  # a process stopped in the middle of its transaction
            conn.execute("SELECT 1")

    with PostgresStore(postgres_url, schema=migrated, **waits) as store:
        with pytest.raises(StoreError) as raised:
            stopped_in_a_transaction(store)
        store.add_sync(a_sync())  # the lock went with the transaction

    message = str(raised.value)
    assert "sat inside a transaction, doing nothing, too long (was it stopped?)" in message
    assert "(idle_in_transaction_session_timeout is 0.3 s)" in message
