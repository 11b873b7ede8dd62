"""The SQLite store's schema, as a list of migration steps.

The database's ``PRAGMA user_version`` is the number of steps applied. Opening a store
applies the missing steps in one ``BEGIN IMMEDIATE`` transaction, so two processes opening
a new file at once cannot both migrate it. A database with more steps than this code knows
was written by a newer fieldsync and is refused rather than misread.

Never edit a released step: append a new one (``ALTER TABLE``, a new index, a data fix).
"""

from __future__ import annotations

import sqlite3

from fieldsync.exceptions import StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

_V1 = (
    # syncs: one row per sync; its configurations live in sync_configs, by version
    """
    CREATE TABLE syncs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        integration TEXT NOT NULL,
        state TEXT NOT NULL,
        config_version INTEGER NOT NULL,
        pending_version INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        watermark TEXT,
        next_run_at TEXT,
        attention TEXT
    )
    """,
    "CREATE INDEX syncs_by_integration ON syncs (integration, state)",
    """
    CREATE TABLE sync_configs (
        sync_id TEXT NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (sync_id, version)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        sync_id TEXT NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
        config_version INTEGER NOT NULL,
        triggered_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        status TEXT NOT NULL,
        finished_at TEXT,
        total INTEGER NOT NULL,
        added INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        reasons TEXT NOT NULL,
        fields_created TEXT NOT NULL,
        resumed_from TEXT,
        error TEXT
    )
    """,
    "CREATE INDEX runs_by_sync ON runs (sync_id, started_at)",
    # seq is the rowid: the order records were stored in, and the streaming cursor
    """
    CREATE TABLE skipped_records (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        record_key TEXT NOT NULL,
        email TEXT,
        reason TEXT NOT NULL,
        reason_text TEXT NOT NULL,
        record_values TEXT NOT NULL,
        failed INTEGER NOT NULL CHECK (failed IN (0, 1))
    )
    """,
    "CREATE INDEX skipped_by_run ON skipped_records (run_id, seq)",
    # one row per source record: its last write (fingerprint, email) and its claim of an
    # email in the current pass (email_key, pass_id), for duplicate detection across pages
    """
    CREATE TABLE records (
        sync_id TEXT NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
        record_key TEXT NOT NULL,
        fingerprint TEXT,
        email TEXT,
        rejected TEXT,
        email_key TEXT,
        pass_id TEXT,
        PRIMARY KEY (sync_id, record_key)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX records_by_email ON records (sync_id, email_key)",
    """
    CREATE TABLE checkpoints (
        sync_id TEXT PRIMARY KEY REFERENCES syncs (id) ON DELETE CASCADE,
        run_id TEXT NOT NULL,
        pass_id TEXT NOT NULL,
        pass_started_at TEXT NOT NULL,
        since TEXT,
        position TEXT,
        page_offset INTEGER NOT NULL
    )
    """,
    # no foreign key: a lease only guards a name, and must outlive nothing
    """
    CREATE TABLE leases (
        sync_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE integrations_disabled (
        name TEXT PRIMARY KEY,
        disabled_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE notifications (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sync_id TEXT,
        run_id TEXT,
        is_read INTEGER NOT NULL CHECK (is_read IN (0, 1))
    )
    """,
    "CREATE INDEX notifications_by_time ON notifications (created_at, seq)",
)

_V2 = (
    # the quota ledger: one row per booked call slot (POSIX seconds), pruned as it books
    "CREATE TABLE quota_slots (scope TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX quota_slots_by_time ON quota_slots (scope, at)",
    # endpoint locks a service announced, with their end
    """
    CREATE TABLE quota_locks (
        scope TEXT PRIMARY KEY,
        until REAL NOT NULL,
        reason TEXT NOT NULL
    )
    """,
    # access tokens (secrets: the file is owner-only); keys are digests, never a secret
    """
    CREATE TABLE access_tokens (
        key TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        expires_at REAL NOT NULL,
        api_domain TEXT
    )
    """,
)

_V3 = (
    # who is minting an access token for a refresh token (key: the token's digest), until
    # when: the others wait for that token instead of minting their own
    "CREATE TABLE mint_claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until REAL NOT NULL)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)
"""The migration steps, oldest first; step ``n`` (1-based) brings the schema to version n."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this fieldsync writes."""


def migrate(
    conn: sqlite3.Connection,
    where: str,
    migrations: tuple[tuple[str, ...], ...] = MIGRATIONS,
) -> int:
    """Bring the database up to the latest schema version and return that version.

    ``conn`` must be in autocommit mode (``isolation_level=None``). ``where`` names the
    database in error messages.

    Raises:
        StoreError: the database was written by a newer fieldsync (its version is higher
            than ``len(migrations)``).
        sqlite3.Error: the database failed; the caller translates it.
    """
    target = len(migrations)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # read inside the write lock: another process may have migrated meanwhile
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > target:
            raise StoreError(
                f"the state database {where} has schema version {current}, but this "
                f"fieldsync knows only up to version {target}: upgrade fieldsync to open it"
            )
        for version in range(current + 1, target + 1):
            for statement in migrations[version - 1]:
                conn.execute(statement)
        if current != target:
            # PRAGMA takes no parameters; target is an int we computed
            conn.execute(f"PRAGMA user_version = {target:d}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # some errors end the transaction by themselves
            conn.execute("ROLLBACK")
        raise
    return target
