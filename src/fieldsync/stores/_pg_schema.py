"""The PostgreSQL store's schema, as a list of migration steps, like the SQLite store's.

All of fieldsync's tables live in one PostgreSQL schema (``fieldsync`` unless told
otherwise), created when missing. Its table ``schema_version`` holds the number of steps
applied. Opening a store applies the missing steps in one transaction under an advisory
lock, so two workers starting at once against a new database cannot both migrate it. A
database with more steps than this code knows was written by a newer fieldsync and is
refused rather than misread.

Never edit a released step: append a new one.

Columns mirror the SQLite store's, with PostgreSQL's types: ``timestamptz`` for instants,
``boolean`` for flags, an identity ``seq`` where the order rows were stored in matters.
JSON stays ``text``: ``jsonb`` would refuse the ``\\u0000`` a record's value may hold.
"""

from __future__ import annotations

from typing import Any, LiteralString

import psycopg
from psycopg import sql

from fieldsync.exceptions import StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

_V1 = (
    """
    CREATE TABLE syncs (
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id text PRIMARY KEY,
        name text NOT NULL,
        integration text NOT NULL,
        state text NOT NULL,
        config_version integer NOT NULL,
        pending_version integer,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        watermark timestamptz,
        next_run_at timestamptz,
        attention text
    )
    """,
    "CREATE INDEX syncs_by_integration ON syncs (integration, state)",
    # what claim_due scans: active syncs by due time
    "CREATE INDEX syncs_due ON syncs (next_run_at) WHERE state = 'active'",
    """
    CREATE TABLE sync_configs (
        sync_id text NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
        version integer NOT NULL,
        config text NOT NULL,
        PRIMARY KEY (sync_id, version)
    )
    """,
    """
    CREATE TABLE runs (
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id text PRIMARY KEY,
        sync_id text NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
        config_version integer NOT NULL,
        triggered_by text NOT NULL,
        started_at timestamptz NOT NULL,
        status text NOT NULL,
        finished_at timestamptz,
        total integer NOT NULL,
        added integer NOT NULL,
        updated integer NOT NULL,
        unchanged integer NOT NULL,
        skipped integer NOT NULL,
        failed integer NOT NULL,
        reasons text NOT NULL,
        fields_created text NOT NULL,
        resumed_from text,
        error text
    )
    """,
    "CREATE INDEX runs_by_sync ON runs (sync_id, started_at, seq)",
    """
    CREATE TABLE skipped_records (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        record_key text NOT NULL,
        email text,
        reason text NOT NULL,
        reason_text text NOT NULL,
        record_values text NOT NULL,
        failed boolean NOT NULL
    )
    """,
    "CREATE INDEX skipped_by_run ON skipped_records (run_id, seq)",
    """
    CREATE TABLE records (
        sync_id text NOT NULL REFERENCES syncs (id) ON DELETE CASCADE,
        record_key text NOT NULL,
        fingerprint text,
        email text,
        rejected text,
        email_key text,
        pass_id text,
        PRIMARY KEY (sync_id, record_key)
    )
    """,
    "CREATE INDEX records_by_email ON records (sync_id, email_key)",
    """
    CREATE TABLE checkpoints (
        sync_id text PRIMARY KEY REFERENCES syncs (id) ON DELETE CASCADE,
        run_id text NOT NULL,
        pass_id text NOT NULL,
        pass_started_at timestamptz NOT NULL,
        since timestamptz,
        position text,
        page_offset integer NOT NULL
    )
    """,
    # no foreign key: a lease only guards a name, and must outlive nothing
    """
    CREATE TABLE leases (
        sync_id text PRIMARY KEY,
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE integrations_disabled (
        name text PRIMARY KEY,
        disabled_at timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE notifications (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        kind text NOT NULL,
        title text NOT NULL,
        summary text NOT NULL,
        created_at timestamptz NOT NULL,
        sync_id text,
        run_id text,
        is_read boolean NOT NULL
    )
    """,
    "CREATE INDEX notifications_by_time ON notifications (created_at, seq)",
)

_V2 = (
    # the quota ledger: one row per booked call slot (POSIX seconds), pruned as it books
    "CREATE TABLE quota_slots (scope text NOT NULL, at double precision NOT NULL)",
    "CREATE INDEX quota_slots_by_time ON quota_slots (scope, at)",
    # endpoint locks a service announced, with their end
    """
    CREATE TABLE quota_locks (
        scope text PRIMARY KEY,
        until double precision NOT NULL,
        reason text NOT NULL
    )
    """,
    # access tokens (secrets): only the tables' owner may read them, as for every table
    # here; PUBLIC is refused explicitly in case the schema's defaults grant more
    """
    CREATE TABLE access_tokens (
        key text PRIMARY KEY,
        token text NOT NULL,
        expires_at double precision NOT NULL,
        api_domain text
    )
    """,
    "REVOKE ALL ON access_tokens FROM PUBLIC",
)

_V3: tuple[LiteralString, ...] = (
    # who is minting an access token for a refresh token (key: the token's digest), until
    # when: the others wait for that token instead of minting their own
    """
    CREATE TABLE mint_claims (
        key text PRIMARY KEY,
        owner text NOT NULL,
        until double precision NOT NULL
    )
    """,
)

MIGRATIONS: tuple[tuple[LiteralString, ...], ...] = (_V1, _V2, _V3)
"""The migration steps, oldest first; step ``n`` (1-based) brings the schema to version n."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this fieldsync writes."""

# One advisory lock key for every fieldsync migration; two stores of different schemas in
# one database then migrate one after the other, which costs nothing worth a second key.
_MIGRATION_LOCK = 0x6669656C6473796E  # "fieldsyn"


def migrate(
    conn: psycopg.Connection[Any],
    schema: str,
    where: str,
    migrations: tuple[tuple[LiteralString, ...], ...] = MIGRATIONS,
) -> int:
    """Bring ``schema`` up to the latest version in one transaction; return that version.

    ``conn`` must not be in a transaction. ``where`` names the database in error messages.

    Raises:
        StoreError: the schema was written by a newer fieldsync.
        psycopg.Error: the database failed; the caller translates it.
    """
    target = len(migrations)
    name = sql.Identifier(schema)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(name))
        conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(name))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
        row = conn.execute("SELECT max(version) AS v FROM schema_version").fetchone()
        current = _first(row) or 0
        if current > target:
            raise StoreError(
                f"the state database {where} (schema {schema}) has schema version {current}, "
                f"but this fieldsync knows only up to version {target}: upgrade fieldsync"
            )
        for version in range(current + 1, target + 1):
            for statement in migrations[version - 1]:
                conn.execute(statement)
        if current != target:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (target,))
    return target


def _first(row: Any) -> Any:
    """The first column of a row, whichever row factory made it (tuple or dict)."""
    if row is None:
        return None
    return next(iter(row.values())) if isinstance(row, dict) else row[0]
