"""What only the SQLite store promises: a schema that migrates, WAL, sharing a file between
stores and processes, one transaction per batch, and no sqlite3 error leaking out."""

import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from fieldsync.domain.quota import CachedToken
from fieldsync.domain.records import BatchCommit, StoredFingerprint
from fieldsync.domain.sync import RunCounts
from fieldsync.exceptions import StoreError, SyncAlreadyRunningError
from fieldsync.stores import SQLiteStore
from fieldsync.stores import _codec as codec
from fieldsync.stores._sqlite_schema import MIGRATIONS, SCHEMA_VERSION, migrate
from fieldsync.testing.store_contract import a_checkpoint, a_run, a_skipped_record, a_sync

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def store(path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(path) as store:
        yield store


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def set_user_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA user_version = {version:d}")
    finally:
        conn.close()


# -- schema and migrations ---------------------------------------------------------------------


def test_a_new_file_gets_the_latest_schema_version(path: Path) -> None:
    SQLiteStore(path).close()

    assert user_version(path) == SCHEMA_VERSION


def test_reopening_a_file_keeps_its_data(path: Path) -> None:
    with SQLiteStore(path) as first:
        first.add_sync(a_sync())

    with SQLiteStore(path) as again:
        assert a_sync() == again.get_sync("s1")


def test_a_database_newer_than_this_fieldsync_is_refused_naming_both_versions(
    path: Path,
) -> None:
    SQLiteStore(path).close()
    set_user_version(path, SCHEMA_VERSION + 1)

    with pytest.raises(StoreError) as raised:
        SQLiteStore(path)

    assert f"version {SCHEMA_VERSION + 1}" in str(raised.value)
    assert f"version {SCHEMA_VERSION}:" in str(raised.value)


def test_missing_migration_steps_are_applied_in_order(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, "test", MIGRATIONS)
    later = (*MIGRATIONS, ("CREATE TABLE extra (n INTEGER)", "INSERT INTO extra VALUES (7)"))

    version = migrate(conn, "test", later)

    assert (len(later), [(7,)]) == (version, conn.execute("SELECT n FROM extra").fetchall())
    conn.close()


def test_a_failing_migration_step_leaves_the_old_version_untouched(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, "test", MIGRATIONS)
    broken = (*MIGRATIONS, ("CREATE TABLE extra (n INTEGER)", "NOT SQL AT ALL"))

    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, "test", broken)

    tables = conn.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchall()
    conn.close()
    assert (user_version(path), tables) == (SCHEMA_VERSION, [])


def test_a_file_that_is_not_a_database_raises_store_error(path: Path) -> None:
    path.write_bytes(b"this is not a database, just some text " * 100)

    with pytest.raises(StoreError):
        SQLiteStore(path)


def test_a_version_1_file_gains_the_quota_tables_and_keeps_its_data(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate(conn, str(path), MIGRATIONS[:1])
    finally:
        conn.close()

    with SQLiteStore(path) as store:
        store.store_token("k", CachedToken("1000.secret", 2e9))
        assert store.cached_token("k", now=1e9) is not None
    assert user_version(path) == SCHEMA_VERSION


# -- file permissions: the file holds access tokens ----------------------------------------------


def test_a_new_database_file_is_readable_by_its_owner_only(path: Path) -> None:
    with SQLiteStore(path) as store:
        store.store_token("k", CachedToken("1000.secret", 2e9))

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) & 0o077 == 0


def test_an_existing_database_file_is_narrowed_to_its_owner_when_opened(path: Path) -> None:
    SQLiteStore(path).close()
    path.chmod(0o644)

    SQLiteStore(path).close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_database_in_a_missing_directory_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        SQLiteStore(tmp_path / "missing" / "state.db")


# -- connection settings -----------------------------------------------------------------------


def test_the_journal_is_in_wal_mode(store: SQLiteStore) -> None:
    assert store.pragma("journal_mode") == "wal"


def test_foreign_keys_are_enforced(store: SQLiteStore) -> None:
    assert store.pragma("foreign_keys") == 1


def test_the_busy_timeout_follows_the_timeout_argument(path: Path) -> None:
    with SQLiteStore(path, timeout=2.5) as store:
        assert store.pragma("busy_timeout") == 2500


def test_an_in_memory_database_works() -> None:
    with SQLiteStore(":memory:") as store:
        store.add_sync(a_sync())

        assert [s.id for s in store.list_syncs()] == ["s1"]


def test_datetimes_are_stored_as_utc_iso_text(store: SQLiteStore, path: Path) -> None:
    store.add_sync(a_sync(created_at=T0))

    conn = sqlite3.connect(path)
    stored = conn.execute("SELECT created_at FROM syncs").fetchone()[0]
    conn.close()
    assert stored == "2026-03-01T09:30:00.000000+00:00"


# -- sharing one file --------------------------------------------------------------------------


def test_two_stores_on_one_file_see_each_others_writes(path: Path) -> None:
    with SQLiteStore(path) as writer, SQLiteStore(path) as reader:
        writer.add_sync(a_sync())

        assert a_sync() == reader.get_sync("s1")


def test_the_lease_is_exclusive_between_two_stores_on_one_file(path: Path) -> None:
    with SQLiteStore(path) as one, SQLiteStore(path) as two:
        one.acquire_lease("s1", "worker-a", now=T0, ttl=HOUR)

        with pytest.raises(SyncAlreadyRunningError):
            two.acquire_lease("s1", "worker-b", now=T0, ttl=HOUR)


def test_only_one_of_many_racing_stores_gets_the_lease(path: Path) -> None:
    SQLiteStore(path).close()
    start = threading.Barrier(8)
    winners: list[str] = []

    def race(owner: str) -> None:
        with SQLiteStore(path) as store:
            start.wait()
            try:
                store.acquire_lease("s1", owner, now=T0, ttl=HOUR)
            except SyncAlreadyRunningError:
                return
            winners.append(owner)

    threads = [threading.Thread(target=race, args=(f"worker-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1


def test_a_lease_held_here_refuses_a_worker_in_another_process(
    store: SQLiteStore, path: Path
) -> None:
    store.acquire_lease("s1", "here", now=T0, ttl=HOUR)
    script = (
        "import sys\n"
        "from datetime import datetime, timedelta\n"
        "from fieldsync.exceptions import SyncAlreadyRunningError\n"
        "from fieldsync.stores import SQLiteStore\n"
        "with SQLiteStore(sys.argv[1]) as store:\n"
        "    try:\n"
        "        store.acquire_lease('s1', 'there', now=datetime.fromisoformat(sys.argv[2]),"
        " ttl=timedelta(hours=1))\n"
        "    except SyncAlreadyRunningError:\n"
        "        print('refused')\n"
        "    else:\n"
        "        print('taken')\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script, str(path), T0.isoformat()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "refused"


def test_a_write_blocked_by_another_connection_raises_store_error(path: Path) -> None:
    with SQLiteStore(path, timeout=0) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="locked"):
                store.add_sync(a_sync())
        finally:
            other.execute("ROLLBACK")
            other.close()


def test_streaming_skipped_records_does_not_block_other_threads(store: SQLiteStore) -> None:
    store.add_sync(a_sync())
    run = a_run()
    store.add_run(run)
    skipped = [a_skipped_record("r1", f"k{n}") for n in range(1200)]
    store.commit_batch(BatchCommit(run=run, skipped=skipped))
    stream = store.skipped_records("r1")
    next(stream)

    writer = threading.Thread(target=store.save_run, args=(attrs.evolve(run, error="x"),))
    writer.start()
    writer.join(timeout=10)

    assert (writer.is_alive(), sum(1 for _ in stream)) == (False, 1199)


# -- transactions and errors -------------------------------------------------------------------


def failing_checkpoint_batch(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> BatchCommit:
    """A batch whose last step (the checkpoint) fails inside SQLite's transaction."""
    store.add_sync(a_sync())
    store.add_run(a_run())

    def disk_failure(*_: object) -> dict[str, object]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(codec, "checkpoint_to_row", disk_failure)
    return BatchCommit(
        run=a_run(counts=RunCounts(added=1)),
        written=[("k1", StoredFingerprint("fp1", "k1@example.com"))],
        skipped=[a_skipped_record("r1", "k2")],
        checkpoint=a_checkpoint(),
    )


def test_a_sqlite_failure_inside_commit_batch_leaves_nothing_written(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = failing_checkpoint_batch(store, monkeypatch)

    with pytest.raises(StoreError):
        store.commit_batch(batch)

    written = (
        store.get_run("r1").counts,
        store.fingerprints("s1", ["k1"]),
        list(store.skipped_records("r1")),
    )
    assert (RunCounts(), {}, []) == written


def test_a_sqlite_error_comes_out_as_store_error_caused_by_it(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = failing_checkpoint_batch(store, monkeypatch)

    with pytest.raises(StoreError) as raised:
        store.commit_batch(batch)

    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)


def test_a_closed_store_raises_store_error(path: Path) -> None:
    store = SQLiteStore(path)
    store.close()

    with pytest.raises(StoreError, match="closed"):
        store.list_syncs()
