"""The SQLite store's quota ledger, token cache and mint lock: booked slots, locks, access
tokens and mint claims.

Each reservation is one ``BEGIN IMMEDIATE`` transaction: it takes the database's write
lock, so the slots planned from what it reads cannot be overtaken by another process's
booking before they are written. It runs at most two small queries per window (a count
over an index range, and the few times the plan needs), whatever the window holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from fieldsync.domain.quota import (
    CachedToken,
    QuotaLock,
    QuotaRequest,
    Reservation,
    decide,
    prune_horizon,
)
from fieldsync.stores._sqlite_db import Database

__all__ = ["SQLiteQuota"]

_DELETE_ONE = (
    "DELETE FROM quota_slots WHERE rowid IN"
    " (SELECT rowid FROM quota_slots WHERE scope = ? AND at = ? LIMIT 1)"
)


class _Times:
    """One scope's booked times, read inside the reservation's transaction."""

    def __init__(self, conn: sqlite3.Connection, scope: str) -> None:
        self._conn = conn
        self._scope = scope

    def count_since(self, since: float) -> int:
        row = self._conn.execute(
            "SELECT count(*) FROM quota_slots WHERE scope = ? AND at > ?", (self._scope, since)
        ).fetchone()
        return int(row[0])

    def times_since(self, since: float, offset: int, limit: int) -> Sequence[float]:
        rows = self._conn.execute(
            "SELECT at FROM quota_slots WHERE scope = ? AND at > ? ORDER BY at LIMIT ? OFFSET ?",
            (self._scope, since, limit, offset),
        ).fetchall()
        return [float(row[0]) for row in rows]

    def latest(self) -> float | None:
        row = self._conn.execute(
            "SELECT max(at) FROM quota_slots WHERE scope = ?", (self._scope,)
        ).fetchone()
        return None if row[0] is None else float(row[0])


def _lock_row(conn: sqlite3.Connection, scope: str) -> QuotaLock | None:
    row = conn.execute("SELECT until, reason FROM quota_locks WHERE scope = ?", (scope,)).fetchone()
    return None if row is None else QuotaLock(scope, float(row[0]), str(row[1]))


class SQLiteQuota:
    """The :class:`~fieldsync.ports.QuotaLedger`, :class:`~fieldsync.ports.TokenCache` and
    :class:`~fieldsync.ports.MintLock` methods of :class:`~fieldsync.stores.SQLiteStore` (a
    mixin over its ``_db``)."""

    _db: Database

    def reserve(self, request: QuotaRequest) -> Reservation:
        """Book ``request.count`` slots (or refuse) in one ``BEGIN IMMEDIATE`` transaction;
        see :class:`~fieldsync.ports.QuotaLedger`."""
        scope = request.scope
        with self._db.write() as conn:
            conn.executemany(_DELETE_ONE, [(scope, slot) for slot in request.release])
            conn.execute(
                "DELETE FROM quota_slots WHERE scope = ? AND at <= ?",
                (scope, prune_horizon(request)),
            )
            answer = decide(request, _Times(conn, scope), _lock_row(conn, scope))
            conn.executemany(
                "INSERT INTO quota_slots (scope, at) VALUES (?, ?)",
                [(scope, slot) for slot in answer.slots],
            )
        return answer

    def release(self, scope: str, slots: Sequence[float]) -> None:
        """Give back booked slots that were never used."""
        if not slots:
            return
        with self._db.write() as conn:
            conn.executemany(_DELETE_ONE, [(scope, slot) for slot in slots])

    def lock(self, scope: str, *, until: float, reason: str) -> None:
        """Record a lock of ``scope``; a lock that ends later is kept."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO quota_locks (scope, until, reason) VALUES (?, ?, ?)"
                " ON CONFLICT (scope) DO UPDATE SET until = excluded.until,"
                " reason = excluded.reason WHERE excluded.until > quota_locks.until",
                (scope, until, reason),
            )

    def lock_of(self, scope: str, *, now: float) -> QuotaLock | None:
        """The scope's lock, when it lasts beyond ``now``."""
        with self._db.read() as conn:
            held = _lock_row(conn, scope)
        return held if held is not None and held.until > now else None

    def cached_token(self, key: str, *, now: float) -> CachedToken | None:
        """The token under ``key`` while valid at ``now``."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT token, expires_at, api_domain FROM access_tokens"
                " WHERE key = ? AND expires_at > ?",
                (key, now),
            ).fetchone()
        return None if row is None else CachedToken(row[0], float(row[1]), row[2])

    def store_token(self, key: str, token: CachedToken) -> None:
        """Keep ``token`` under ``key``, replacing what was there."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO access_tokens (key, token, expires_at, api_domain)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET token = excluded.token,"
                " expires_at = excluded.expires_at, api_domain = excluded.api_domain",
                (key, token.access_token, token.expires_at, token.api_domain),
            )

    def drop_token(self, key: str, *, access_token: str | None = None) -> None:
        """Forget the token under ``key`` (only when it is ``access_token``, if given)."""
        with self._db.write() as conn:
            conn.execute(
                "DELETE FROM access_tokens WHERE key = ? AND (? IS NULL OR token = ?)",
                (key, access_token, access_token),
            )

    def claim_mint(self, key: str, owner: str, *, now: float, until: float) -> bool:
        """Claim the right to mint the token under ``key`` (one ``BEGIN IMMEDIATE``
        upsert); see :class:`~fieldsync.ports.MintLock`."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO mint_claims (key, owner, until) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until"
                " WHERE mint_claims.owner = excluded.owner OR mint_claims.until <= ?",
                (key, owner, until, now),
            )
            return cursor.rowcount == 1

    def release_mint(self, key: str, owner: str) -> None:
        """Give back ``owner``'s claim on ``key``."""
        with self._db.write() as conn:
            conn.execute("DELETE FROM mint_claims WHERE key = ? AND owner = ?", (key, owner))
