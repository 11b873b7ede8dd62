"""What only the PostgreSQL store promises: migrations, leases on the database's clock, due
syncs claimed without waiting, a lost connection costing one batch, and no password shown.

Every test runs against the real server of ``FIELDSYNC_TEST_POSTGRES`` (see conftest)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import attrs
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from fieldsync.domain.quota import QuotaRequest
from fieldsync.domain.records import BatchCommit, RateWindow, StoredFingerprint
from fieldsync.domain.state import SyncState
from fieldsync.exceptions import StoreError, SyncAlreadyRunningError
from fieldsync.stores._pg_schema import SCHEMA_VERSION
from fieldsync.stores.postgres import PostgresStore
from fieldsync.testing.store_contract import a_checkpoint, a_run, a_sync

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECRET = "s3cret-Pa55"


@pytest.fixture
def open_store(postgres_url: str, postgres_schema: str) -> Iterator[PostgresStore]:
    """A store on its own new schema, timing leases by the database's clock."""
    with PostgresStore(postgres_url, schema=postgres_schema) as store:
        yield store


def raw(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


def fp(n: int) -> StoredFingerprint:
    return StoredFingerprint(f"fp{n}", f"k{n}@example.com")


# -- schema and migrations ---------------------------------------------------------------------


def test_a_new_schema_gets_the_latest_version(
    open_store: PostgresStore, postgres_url: str, postgres_schema: str
) -> None:
    with raw(postgres_url) as conn:
        query = sql.SQL("SELECT version FROM {}.schema_version").format(
            sql.Identifier(postgres_schema)
        )
        assert conn.execute(query).fetchall() == [(SCHEMA_VERSION,)]


def test_reopening_a_schema_keeps_its_data(postgres_url: str, postgres_schema: str) -> None:
    with PostgresStore(postgres_url, schema=postgres_schema) as first:
        first.add_sync(a_sync())

    with PostgresStore(postgres_url, schema=postgres_schema) as again:
        assert a_sync() == again.get_sync("s1")


def test_a_schema_newer_than_this_fieldsync_is_refused_naming_both_versions(
    postgres_url: str, postgres_schema: str
) -> None:
    PostgresStore(postgres_url, schema=postgres_schema).close()
    with raw(postgres_url) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.schema_version SET version = %s").format(
                sql.Identifier(postgres_schema)
            ),
            (SCHEMA_VERSION + 1,),
        )

    with pytest.raises(StoreError) as raised:
        PostgresStore(postgres_url, schema=postgres_schema)

    assert f"version {SCHEMA_VERSION + 1}" in str(raised.value)


def test_workers_opening_a_new_schema_at_once_all_get_it(
    postgres_url: str, postgres_schema: str
) -> None:
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            PostgresStore(postgres_url, schema=postgres_schema).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []


def test_stores_on_two_schemas_of_one_database_see_nothing_of_each_other(
    open_store: PostgresStore, postgres_store: PostgresStore
) -> None:
    open_store.add_sync(a_sync())

    assert postgres_store.list_syncs() == []


# -- leases on the database's clock ------------------------------------------------------------


def test_a_worker_whose_clock_runs_ahead_cannot_take_a_live_lease(
    open_store: PostgresStore,
) -> None:
    open_store.acquire_lease("s1", "worker-a", now=datetime.now(UTC), ttl=HOUR)

    ahead = datetime.now(UTC) + 3 * HOUR
    with pytest.raises(SyncAlreadyRunningError):
        open_store.acquire_lease("s1", "worker-b", now=ahead, ttl=HOUR)


def test_a_lease_expired_by_the_database_clock_is_taken_over_whatever_the_worker_says(
    open_store: PostgresStore,
) -> None:
    # a negative time-to-live: already over by the server's clock
    open_store.acquire_lease("s1", "worker-a", now=datetime.now(UTC), ttl=-HOUR)

    behind = datetime.now(UTC) - 3 * HOUR
    open_store.acquire_lease("s1", "worker-b", now=behind, ttl=HOUR)

    with pytest.raises(SyncAlreadyRunningError):
        open_store.renew_lease("s1", "worker-a", now=behind, ttl=HOUR)


def test_the_refusal_says_when_the_lease_ends_by_the_database_clock(
    open_store: PostgresStore,
) -> None:
    before = datetime.now(UTC)
    open_store.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)

    with pytest.raises(SyncAlreadyRunningError) as raised:
        open_store.acquire_lease("s1", "worker-b", now=T0, ttl=HOUR)

    # generous bounds: the test server's clock and ours may differ a little
    assert before + HOUR - timedelta(minutes=1) < raised.value.expires_at
    assert raised.value.expires_at < datetime.now(UTC) + HOUR + timedelta(minutes=1)


def test_an_unknown_clock_is_refused(postgres_url: str) -> None:
    with pytest.raises(ValueError, match="clock"):
        PostgresStore(postgres_url, clock="worker")  # type: ignore[arg-type]


# -- claiming due syncs ------------------------------------------------------------------------


def due_syncs(store: PostgresStore, *ids: str, due: datetime = T0) -> None:
    for sync_id in ids:
        store.add_sync(a_sync(sync_id, state=SyncState.ACTIVE, next_run_at=due))


def test_claiming_takes_the_leases_of_due_syncs_earliest_first(
    postgres_store: PostgresStore,
) -> None:
    due_syncs(postgres_store, "later", due=T0)
    due_syncs(postgres_store, "first", due=T0 - HOUR)

    claimed = postgres_store.claim_due("w1", now=T0, ttl=HOUR, limit=1)

    assert claimed == ["first"]
    with pytest.raises(SyncAlreadyRunningError):
        postgres_store.acquire_lease("first", "w2", now=T0, ttl=HOUR)


def test_two_claimers_never_get_the_same_sync(postgres_store: PostgresStore) -> None:
    due_syncs(postgres_store, "s1", "s2", "s3")

    first = postgres_store.claim_due("w1", now=T0, ttl=HOUR, limit=2)
    second = postgres_store.claim_due("w2", now=T0, ttl=HOUR, limit=2)

    assert (len(first), len(second), set(first) | set(second)) == (2, 1, {"s1", "s2", "s3"})


def test_syncs_not_due_inactive_or_leased_are_not_claimed(postgres_store: PostgresStore) -> None:
    due_syncs(postgres_store, "future", due=T0 + HOUR)
    postgres_store.add_sync(a_sync("paused", state=SyncState.PAUSED, next_run_at=T0))
    due_syncs(postgres_store, "running")
    postgres_store.acquire_lease("running", "other", now=T0, ttl=HOUR)

    assert postgres_store.claim_due("w1", now=T0, ttl=HOUR, limit=10) == []


def test_a_sync_whose_lease_expired_is_claimed_again(postgres_store: PostgresStore) -> None:
    due_syncs(postgres_store, "s1")
    postgres_store.acquire_lease("s1", "dead-worker", now=T0 - 2 * HOUR, ttl=HOUR)

    assert postgres_store.claim_due("w1", now=T0, ttl=HOUR) == ["s1"]


def test_a_claimer_passes_over_a_sync_being_claimed_without_waiting(
    postgres_store: PostgresStore, postgres_url: str, postgres_worker_schema: str
) -> None:
    due_syncs(postgres_store, "s1", "s2")
    claimed: list[str] = []
    with raw(postgres_url) as other, other.transaction():
        # another worker's claim in flight holds s1's row
        other.execute(
            sql.SQL("SELECT 1 FROM {} WHERE id = 's1' FOR UPDATE").format(
                sql.Identifier(postgres_worker_schema, "syncs")
            )
        )
        worker = threading.Thread(
            target=lambda: claimed.extend(postgres_store.claim_due("w1", now=T0, ttl=HOUR))
        )
        worker.start()
        worker.join(timeout=10)
        finished_while_locked = not worker.is_alive()

    assert (finished_while_locked, claimed) == (True, ["s2"])


# -- a connection lost ------------------------------------------------------------------------


@pytest.fixture
def named_url(postgres_url: str, postgres_schema: str) -> str:
    """The server's URL with an application name only this test's connections carry."""
    return make_conninfo(postgres_url, application_name=postgres_schema)


def kill_connections(url: str, application_name: str) -> int:
    with raw(url) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application_name,),
        ).fetchall()
    return len(rows)


def test_a_connection_dropped_while_idle_is_replaced_unnoticed(
    named_url: str, postgres_schema: str
) -> None:
    with PostgresStore(named_url, schema=postgres_schema, max_size=1) as store:
        store.add_sync(a_sync())
        assert kill_connections(named_url, postgres_schema) == 1

        assert store.get_sync("s1") == a_sync()


def test_a_transaction_on_connections_dropped_while_idle_runs_on_a_new_one(
    named_url: str, postgres_schema: str
) -> None:
    with PostgresStore(named_url, schema=postgres_schema, min_size=2, max_size=2) as store:
        store.add_sync(a_sync())
        assert kill_connections(named_url, postgres_schema) == 2

        store.add_run(a_run())

        assert store.get_run("r1") == a_run()


def test_a_connection_lost_mid_batch_loses_that_batch_only(
    postgres_url: str, named_url: str, postgres_schema: str
) -> None:
    with PostgresStore(named_url, schema=postgres_schema, max_size=1) as store:
        store.add_sync(a_sync())
        run = a_run()
        store.add_run(run)
        first = a_checkpoint(position="p1")
        store.commit_batch(BatchCommit(run=run, written=[("k1", fp(1))], checkpoint=first))
        failures: list[BaseException] = []
        lost = BatchCommit(run=run, written=[("k2", fp(2))], checkpoint=a_checkpoint(position="p2"))

        def commit_lost_batch() -> None:
            try:
                store.commit_batch(lost)
            except StoreError as exc:
                failures.append(exc)

        with raw(postgres_url) as blocker, blocker.transaction():
            # hold the run's row: the batch's transaction waits on it, half done, and dies
            blocker.execute(
                sql.SQL("SELECT 1 FROM {} WHERE id = 'r1' FOR UPDATE").format(
                    sql.Identifier(postgres_schema, "runs")
                )
            )
            worker = threading.Thread(target=commit_lost_batch)
            worker.start()
            _wait_until_blocked(blocker, postgres_schema)
            kill_connections(named_url, postgres_schema)
            worker.join(timeout=10)

        assert len(failures) == 1
        assert store.fingerprints("s1", ["k1", "k2"]) == {"k1": fp(1)}
        assert store.checkpoint("s1") == first
        store.commit_batch(lost)  # the next batch goes through on a new connection
        assert store.checkpoint("s1") == lost.checkpoint


def _wait_until_blocked(conn: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    for _ in range(200):
        waiting = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = %s AND wait_event_type = 'Lock'",
            (name,),
        ).fetchone()
        if waiting and waiting[0]:
            return
        threading.Event().wait(0.02)
    raise AssertionError("the batch never waited on the held row")


def test_a_closed_store_refuses_work_with_a_store_error(open_store: PostgresStore) -> None:
    open_store.close()

    with pytest.raises(StoreError, match="closed"):
        open_store.list_syncs()


# -- secrets -----------------------------------------------------------------------------------


def with_password(url: str) -> str:
    return make_conninfo(url, password=SECRET)


def test_the_repr_shows_the_server_but_never_the_password(
    postgres_url: str, postgres_schema: str
) -> None:
    # the test server trusts every connection, so a password is accepted and ignored
    with PostgresStore(with_password(postgres_url), schema=postgres_schema) as store:
        shown = repr(store)

    assert (SECRET in shown, "host=" in shown) == (False, True)


@pytest.mark.parametrize(
    "conninfo",
    [
        f"postgresql://fieldsync:{SECRET}@127.0.0.1:1/nowhere",
        f"host=127.0.0.1 port=1 user=fieldsync password={SECRET} dbname=nowhere",
        f"postgresql://fieldsync@127.0.0.1:1/nowhere?password={SECRET}",
    ],
    ids=["url", "keywords", "query"],
)
def test_a_failed_connection_names_the_server_but_never_the_password(
    conninfo: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    with pytest.raises(StoreError) as raised:
        PostgresStore(conninfo, timeout=1)

    shown = [str(raised.value), repr(raised.value), caplog.text]
    assert [SECRET in text for text in shown] == [False, False, False]
    assert "port=1" in str(raised.value)


def test_a_failing_statement_names_the_server_but_never_the_password(
    postgres_url: str, postgres_schema: str
) -> None:
    with PostgresStore(with_password(postgres_url), schema=postgres_schema) as store:
        store.add_sync(a_sync())
        with pytest.raises(StoreError) as raised:
            store.save_sync(attrs.evolve(a_sync(), name="x\x00y"))  # NUL: PostgreSQL refuses it

    assert SECRET not in str(raised.value)


# -- quota windows on the database's clock -----------------------------------------------------

WINDOW = RateWindow(5, 10.0)


def booking(now: float, count: int = 1) -> QuotaRequest:
    return QuotaRequest("acct/listsubscribe", (WINDOW,), count, now, margin=0.0)


def test_slots_come_back_in_the_callers_time(open_store: PostgresStore) -> None:
    skewed = time.time() + 3600.0

    slots = open_store.reserve(booking(skewed, count=2)).slots

    assert [abs(slot - skewed) < 1.0 for slot in slots] == [True, True]


def test_workers_whose_clocks_disagree_share_one_window(open_store: PostgresStore) -> None:
    open_store.reserve(booking(time.time() + 3600.0, count=5))  # a clock an hour ahead

    now = time.time()
    (slot,) = open_store.reserve(booking(now)).slots

    # a window after the other worker's calls, by the server's clock; not an hour later
    assert 9.0 < slot - now < 11.0


def test_slots_released_by_a_skewed_worker_make_room_again(open_store: PostgresStore) -> None:
    ahead = time.time() + 3600.0
    booked = open_store.reserve(booking(ahead, count=5)).slots

    open_store.release("acct/listsubscribe", booked[3:])

    now = time.time()
    assert [slot - now < 1.0 for slot in open_store.reserve(booking(now, count=2)).slots] == [
        True,
        True,
    ]


def test_claiming_leaves_out_the_syncs_it_is_told_to(postgres_store: PostgresStore) -> None:
    due_syncs(postgres_store, "s1", "s2")

    assert postgres_store.claim_due("w1", now=T0, ttl=HOUR, exclude=["s1"]) == ["s2"]


def test_claiming_tells_due_syncs_by_due_by_and_leases_by_now(
    postgres_store: PostgresStore,
) -> None:
    due_syncs(postgres_store, "s1", due=T0 + 2 * HOUR)
    postgres_store.acquire_lease("s1", "other", now=T0, ttl=HOUR)

    # due by then, but its lease still runs now: not claimed
    assert postgres_store.claim_due("w1", now=T0, due_by=T0 + 3 * HOUR, ttl=HOUR) == []


@pytest.mark.parametrize(
    ("where", "shown"),
    [
        ("schema", "user=postgres"),
        ("password", "<an unreadable connection string>"),
        ("database", "<an unreadable connection string>"),
    ],
)
def test_a_lone_surrogate_in_what_opens_the_store_is_a_store_error_that_quotes_no_password(
    postgres_url: str, where: str, shown: str
) -> None:
    cut = "\udc80"  # half an emoji: not UTF-8, as libpq and the server take text
    conninfo = with_password(postgres_url)  # key=value text: one more pair goes last
    if where == "password":
        conninfo = f"{postgres_url} password={SECRET}{cut}"
    elif where == "database":
        conninfo = f"{conninfo} dbname=test{cut}"
    schema = "fs" + cut if where == "schema" else "fs_never_made"

    with pytest.raises(StoreError, match="surrogates not allowed") as raised:
        PostgresStore(conninfo, schema=schema)

    assert shown in str(raised.value)
    assert SECRET not in str(raised.value)
