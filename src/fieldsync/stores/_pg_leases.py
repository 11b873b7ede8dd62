"""Run leases on PostgreSQL, each one statement, timed by the database's clock; and the
:class:`PostgresLeases` mixin of the store that uses them.

``now_sql`` is the SQL of "now": ``clock_timestamp()`` (the server's clock, the default) or
the placeholder ``%(now)s`` (the time the caller passes, for fake clocks in tests). Every
statement passes the parameter ``now``, so either fits.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from psycopg import sql

from fieldsync.domain.state import SyncState
from fieldsync.exceptions import SyncAlreadyRunningError
from fieldsync.stores import _pg_ops as ops
from fieldsync.stores._lease import require_holder
from fieldsync.stores._pg_db import Connection, Database

__all__ = ["PostgresLeases", "claim_due", "extend", "take"]


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


class PostgresLeases:
    """The lease methods of :class:`~fieldsync.stores.postgres.PostgresStore`, over its
    ``_db`` and its SQL of "now" (``_now``)."""

    _db: Database
    _now: sql.Composable

    # leases -----------------------------------------------------------------------------

    def acquire_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Take the run lease when it is free, expired or already ours.

        Raises:
            SyncAlreadyRunningError: another owner holds a lease that has not expired.
        """
        with self._db.transaction() as conn:
            if not take(conn, self._now, sync_id, owner, now=now, ttl=ttl):
                held = ops.lease(conn, sync_id)
                raise SyncAlreadyRunningError(sync_id, expires_at=now if held is None else held[1])

    def renew_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Extend our lease to ``ttl`` from now.

        Raises:
            SyncAlreadyRunningError: another owner holds the lease, or nobody does (it was
                taken over, and given back): our run must stop.
        """
        with self._db.transaction() as conn:
            if not extend(conn, self._now, sync_id, owner, now=now, ttl=ttl):
                require_holder(sync_id, owner, ops.lease(conn, sync_id), when_free=now)

    def release_lease(self, sync_id: str, owner: str) -> None:
        """Give the lease back; nothing happens when another owner holds it."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM leases WHERE sync_id = %s AND owner = %s", (sync_id, owner))

    def claim_due(
        self,
        owner: str,
        *,
        now: datetime,
        ttl: timedelta,
        limit: int = 1,
        exclude: Collection[str] = (),
        due_by: datetime | None = None,
    ) -> list[str]:
        """Take the leases of up to ``limit`` active syncs due at ``due_by`` (default:
        ``now``) that nobody runs, earliest due first, and return their ids; syncs in
        ``exclude`` are left alone. ``now`` times the leases, as in :meth:`acquire_lease`.

        Workers claiming at once never wait on each other and never get the same sync: the
        candidates are locked with ``FOR UPDATE SKIP LOCKED``, so each worker passes over
        the ones another is claiming. The caller runs each claimed sync under ``owner``
        (taking a lease it holds already succeeds) and releases it.
        """
        with self._db.transaction() as conn:
            return claim_due(
                conn,
                self._now,
                owner,
                now=now,
                due_by=now if due_by is None else due_by,
                ttl=ttl,
                limit=limit,
                exclude=list(exclude),
            )
