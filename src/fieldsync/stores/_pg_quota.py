"""The PostgreSQL store's quota ledger, token cache and mint lock: booked slots, locks,
access tokens and mint claims.

Each reservation is one transaction that first takes a transaction-scoped advisory lock on
its scope, so reservations of one scope (from any worker on any machine) are planned one
after the other, while other scopes book in parallel.

With the database's clock (the default), booked times are kept on the server's clock: a
reservation measures how far the caller's clock is from the server's, plans in server
time, and hands the slots back in the caller's time. Workers whose clocks disagree then
still share one consistent log of calls. Locks and tokens carry no "now" when they are
written, so they stay in the writer's time (a skew of seconds is harmless against locks of
minutes and tokens of an hour, which the callers shorten by a margin anyway). Mint claims
are in the caller's time too: a skew of seconds against a claim of a minute at most makes
a waiter take over a dead owner's claim a little early or late.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from fieldsync.domain.quota import (
    CachedToken,
    QuotaLock,
    QuotaRequest,
    Reservation,
    decide,
    prune_horizon,
)
from fieldsync.stores._pg_db import Connection, Database

__all__ = ["PostgresQuota"]

# A released slot comes back in the caller's time; translated to the server's with the
# offset of the moment, it may differ from the booked one by the few milliseconds between
# reading the two clocks. The nearest booked time within this distance is the one given back.
_RELEASE_TOLERANCE = 0.05

_DELETE_NEAREST = (
    "DELETE FROM quota_slots WHERE ctid IN (SELECT ctid FROM quota_slots"
    " WHERE scope = %(scope)s AND at BETWEEN %(at)s - %(tol)s AND %(at)s + %(tol)s"
    " ORDER BY abs(at - %(at)s) LIMIT 1)"
)


# What a reservation needs to know of its scope, in one round trip, once the times no
# window can hold any more are deleted: the lock, the latest booked time, and how many
# times each window holds (``sinces``: each window's start). The SELECT still sees the rows
# its own DELETE removes (one snapshot), which changes nothing: they are at or before the
# horizon, so at or before every window's start (not counted), and a latest time that old
# is before ``now``, which a reservation starts from anyway.
_SCOPE_STATE = (
    "WITH pruned AS (DELETE FROM quota_slots WHERE scope = %(scope)s AND at <= %(horizon)s)"
    " SELECT l.until, l.reason,"
    " (SELECT max(at) FROM quota_slots WHERE scope = %(scope)s) AS latest,"
    " ARRAY(SELECT (SELECT count(*) FROM quota_slots q WHERE q.scope = %(scope)s"
    " AND q.at > w.since) FROM unnest(%(sinces)s::float8[]) WITH ORDINALITY AS w(since, n)"
    " ORDER BY w.n) AS counts"
    " FROM (SELECT 1) AS one LEFT JOIN quota_locks AS l ON l.scope = %(scope)s"
)


class _Times:
    """One scope's booked times, read inside the reservation's transaction: the latest
    and the windows' counts as :data:`_SCOPE_STATE` found them, the rest asked for."""

    def __init__(
        self, conn: Connection, scope: str, latest: float | None, counts: dict[float, int]
    ) -> None:
        self._conn = conn
        self._scope = scope
        self._latest = latest
        self._counts = counts

    def count_since(self, since: float) -> int:
        known = self._counts.get(since)
        if known is not None:
            return known
        row = self._conn.execute(
            "SELECT count(*) AS n FROM quota_slots WHERE scope = %s AND at > %s",
            (self._scope, since),
        ).fetchone()
        return 0 if row is None else int(row["n"])

    def times_since(self, since: float, offset: int, limit: int) -> Sequence[float]:
        rows = self._conn.execute(
            "SELECT at FROM quota_slots WHERE scope = %s AND at > %s"
            " ORDER BY at LIMIT %s OFFSET %s",
            (self._scope, since, limit, offset),
        ).fetchall()
        return [float(row["at"]) for row in rows]

    def latest(self) -> float | None:
        return self._latest


def _scope_state(conn: Connection, request: QuotaRequest) -> tuple[QuotaLock | None, _Times]:
    """Prune the scope's times no window can hold, then read its lock and its times."""
    # each window's start, computed as plan_slots computes it (the same floats: dict keys)
    sinces = [request.now - w.period * (1.0 + request.margin) for w in request.windows]
    row = conn.execute(
        _SCOPE_STATE,
        {"scope": request.scope, "horizon": prune_horizon(request), "sinces": sinces},
    ).fetchone()
    assert row is not None  # FROM (SELECT 1): one row
    lock = None if row["until"] is None else _lock_of(request.scope, row)
    latest = None if row["latest"] is None else float(row["latest"])
    counts = dict(zip(sinces, (int(n) for n in row["counts"]), strict=True))
    return lock, _Times(conn, request.scope, latest, counts)


def _lock_of(scope: str, row: Mapping[str, Any]) -> QuotaLock:
    return QuotaLock(scope, float(row["until"]), str(row["reason"]))


def _release(conn: Connection, scope: str, slots: Sequence[float]) -> None:
    if not slots:
        return
    with conn.cursor() as cur:
        cur.executemany(
            _DELETE_NEAREST,
            [{"scope": scope, "at": slot, "tol": _RELEASE_TOLERANCE} for slot in slots],
        )


class PostgresQuota:
    """The :class:`~fieldsync.ports.QuotaLedger`, :class:`~fieldsync.ports.TokenCache` and
    :class:`~fieldsync.ports.MintLock` methods of
    :class:`~fieldsync.stores.postgres.PostgresStore` (a mixin over its ``_db``).
    """

    _db: Database
    _database_clock: bool
    # server time minus caller time, as last measured (to translate releases, which carry
    # no "now" of their own)
    _offset: float = 0.0

    def reserve(self, request: QuotaRequest) -> Reservation:
        """Book ``request.count`` slots (or refuse) in one transaction, under the scope's
        advisory lock; see :class:`~fieldsync.ports.QuotaLedger`.

        The lock is held for the transaction's own statements only. When another process
        holds it past the lock timeout, the whole transaction runs again (it wrote nothing),
        until the holder is done or has lost its transaction (see ``Database.run``).
        """
        answer, offset, lock = self._db.run(lambda conn: self._book(conn, request))
        if offset == 0.0:
            return answer
        return attrs.evolve(
            answer,
            slots=tuple(slot - offset for slot in answer.slots),
            resume_at=None if answer.resume_at is None else answer.resume_at - offset,
            lock=lock if answer.lock is not None else None,
        )

    def _book(
        self, conn: Connection, request: QuotaRequest
    ) -> tuple[Reservation, float, QuotaLock | None]:
        """A reservation's statements, planned in the server's time: the answer, the offset
        of the server's clock from the caller's, and the scope's lock in the caller's time."""
        scope = request.scope
        offset = self._lock(conn, scope, request.now)
        planned = attrs.evolve(
            request,
            now=request.now + offset,
            release=tuple(slot + offset for slot in request.release),
        )
        _release(conn, scope, planned.release)
        lock, times = _scope_state(conn, planned)
        shifted = None if lock is None else attrs.evolve(lock, until=lock.until + offset)
        answer = decide(planned, times, shifted)
        if answer.slots:  # one statement for the batch's slots
            conn.execute(
                "INSERT INTO quota_slots (scope, at) SELECT %s, unnest(%s::float8[])",
                (scope, list(answer.slots)),
            )
        return answer, offset, lock

    def release(self, scope: str, slots: Sequence[float]) -> None:
        """Give back booked slots that were never used (waiting again for a lock held past
        the lock timeout, as :meth:`reserve` does)."""
        if not slots:
            return
        offset = self._offset if self._database_clock else 0.0
        self._db.run(lambda conn: _release(conn, scope, [slot + offset for slot in slots]))

    def lock(self, scope: str, *, until: float, reason: str) -> None:
        """Record a lock of ``scope``; a lock that ends later is kept (waiting again for a
        lock held past the lock timeout, as :meth:`reserve` does)."""
        self._db.run(
            lambda conn: conn.execute(
                "INSERT INTO quota_locks AS l (scope, until, reason) VALUES (%s, %s, %s)"
                " ON CONFLICT (scope) DO UPDATE SET until = excluded.until,"
                " reason = excluded.reason WHERE excluded.until > l.until",
                (scope, until, reason),
            )
        )

    def lock_of(self, scope: str, *, now: float) -> QuotaLock | None:
        """The scope's lock, when it lasts beyond ``now``."""
        row = self._db.fetch_one("SELECT until, reason FROM quota_locks WHERE scope = %s", (scope,))
        held = None if row is None else _lock_of(scope, row)
        return held if held is not None and held.until > now else None

    def cached_token(self, key: str, *, now: float) -> CachedToken | None:
        """The token under ``key`` while valid at ``now``."""
        row = self._db.fetch_one(
            "SELECT token, expires_at, api_domain FROM access_tokens"
            " WHERE key = %s AND expires_at > %s",
            (key, now),
        )
        if row is None:
            return None
        return CachedToken(row["token"], float(row["expires_at"]), row["api_domain"])

    def store_token(self, key: str, token: CachedToken) -> None:
        """Keep ``token`` under ``key``, replacing what was there."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO access_tokens (key, token, expires_at, api_domain)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET token = excluded.token,"
                " expires_at = excluded.expires_at, api_domain = excluded.api_domain",
                (key, token.access_token, token.expires_at, token.api_domain),
            )

    def drop_token(self, key: str, *, access_token: str | None = None) -> None:
        """Forget the token under ``key`` (only when it is ``access_token``, if given)."""
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM access_tokens WHERE key = %(key)s"
                " AND (%(token)s::text IS NULL OR token = %(token)s)",
                {"key": key, "token": access_token},
            )

    def claim_mint(self, key: str, owner: str, *, now: float, until: float) -> bool:
        """Claim the right to mint the token under ``key`` (one upsert, which the row's
        lock orders against a concurrent claim); see :class:`~fieldsync.ports.MintLock`."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO mint_claims AS c (key, owner, until) VALUES (%s, %s, %s)"
                " ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until"
                " WHERE c.owner = excluded.owner OR c.until <= %s RETURNING owner",
                (key, owner, until, now),
            ).fetchone()
        return row is not None

    def release_mint(self, key: str, owner: str) -> None:
        """Give back ``owner``'s claim on ``key``."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM mint_claims WHERE key = %s AND owner = %s", (key, owner))

    def _lock(self, conn: Connection, scope: str, caller_now: float) -> float:
        """Take the scope's advisory lock and, with the database's clock, measure how far
        the caller's clock is from the server's once the lock is held (one round trip: the
        lock is taken in a subquery, which a volatile function keeps from being merged)."""
        if not self._database_clock:
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (scope,))
            return 0.0
        row = conn.execute(
            "SELECT extract(epoch FROM clock_timestamp())::float8 AS t"
            " FROM (SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))) AS locked",
            (scope,),
        ).fetchone()
        assert row is not None  # the subquery returns one row
        self._offset = float(row["t"]) - caller_now
        return self._offset
