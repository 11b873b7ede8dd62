"""Run leases on PostgreSQL, each one statement, timed by the database's clock.

``now_sql`` is the SQL of "now": ``clock_timestamp()`` (the server's clock, the default) or
the placeholder ``%(now)s`` (the time the caller passes, for fake clocks in tests). Every
statement passes the parameter ``now``, so either fits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from psycopg import sql

from fieldsync.domain.state import SyncState
from fieldsync.stores._pg_db import Connection

__all__ = ["claim_due", "extend", "take"]


def take(
    conn: Connection,
    now_sql: sql.Composable,
    sync_id: str,
    owner: str,
    *,
    now: datetime,
    ttl: timedelta,
) -> bool:
    """Take the lease when it is free, expired or ours; whether we hold it now.

    One upsert: two workers taking the same free lease at once are serialised by the
    primary key, and the second sees the first's lease.
    """
    query = sql.SQL(
        "INSERT INTO leases AS l (sync_id, owner, expires_at)"
        " VALUES (%(sync_id)s, %(owner)s, {now} + %(ttl)s)"
        " ON CONFLICT (sync_id) DO UPDATE"
        " SET owner = excluded.owner, expires_at = excluded.expires_at"
        " WHERE l.owner = excluded.owner OR l.expires_at <= {now} RETURNING 1"
    ).format(now=now_sql)
    params = {"sync_id": sync_id, "owner": owner, "now": now, "ttl": ttl}
    return conn.execute(query, params).fetchone() is not None


def extend(
    conn: Connection,
    now_sql: sql.Composable,
    sync_id: str,
    owner: str,
    *,
    now: datetime,
    ttl: timedelta,
) -> bool:
    """Extend ``owner``'s lease by ``ttl`` from now; whether ``owner`` held it."""
    query = sql.SQL(
        "UPDATE leases SET expires_at = {now} + %(ttl)s"
        " WHERE sync_id = %(sync_id)s AND owner = %(owner)s RETURNING 1"
    ).format(now=now_sql)
    params = {"sync_id": sync_id, "owner": owner, "now": now, "ttl": ttl}
    return conn.execute(query, params).fetchone() is not None


def claim_due(
    conn: Connection,
    now_sql: sql.Composable,
    owner: str,
    *,
    now: datetime,
    due_by: datetime,
    ttl: timedelta,
    limit: int,
    exclude: list[str],
) -> list[str]:
    """Lease up to ``limit`` active syncs due by ``due_by`` with no live lease, to
    ``owner``, leaving out the ids in ``exclude``.

    ``due_by`` is compared with the schedules' times (the caller's clock); lease expiry
    with ``now_sql``'s now (the caller's ``now``, or the database's clock). ``SKIP LOCKED``
    passes over syncs another transaction is claiming, so claimers never wait; the upsert's
    condition refuses a sync whose lease was taken between the scan and the insert.
    """
    query = sql.SQL(
        "WITH due AS ("
        " SELECT s.id, s.next_run_at, s.seq FROM syncs AS s"
        " LEFT JOIN leases AS held ON held.sync_id = s.id"
        " WHERE s.state = %(active)s AND s.next_run_at <= %(due_by)s"
        " AND (held.sync_id IS NULL OR held.expires_at <= {now})"
        " AND NOT (s.id = ANY(%(exclude)s))"
        " ORDER BY s.next_run_at, s.seq LIMIT %(limit)s"
        " FOR UPDATE OF s SKIP LOCKED)"
        " INSERT INTO leases AS l (sync_id, owner, expires_at)"
        " SELECT id, %(owner)s, {now} + %(ttl)s FROM due"
        " ON CONFLICT (sync_id) DO UPDATE"
        " SET owner = excluded.owner, expires_at = excluded.expires_at"
        " WHERE l.expires_at <= {now} RETURNING l.sync_id"
    ).format(now=now_sql)
    params = {
        "active": SyncState.ACTIVE.value,
        "due_by": due_by,
        "now": now,
        "owner": owner,
        "ttl": ttl,
        "limit": limit,
        "exclude": exclude,
    }
    return [row["sync_id"] for row in conn.execute(query, params).fetchall()]
