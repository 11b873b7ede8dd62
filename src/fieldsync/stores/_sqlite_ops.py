"""SQL building blocks of the SQLite store, each run inside a transaction the caller holds.

Table and column names in the SQL built here come from this package's code, never from
input; values always go through parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime

from fieldsync.domain.sync import SkippedRecord, Sync, SyncRun
from fieldsync.exceptions import NotFoundError
from fieldsync.stores import _codec as codec

__all__ = [
    "CHUNK",
    "SELECT_SYNCS",
    "chunks",
    "exists",
    "insert_skipped",
    "insert_sql",
    "lease",
    "marks",
    "require",
    "save_configs",
    "set_lease",
    "update_run",
    "update_sync",
]

CHUNK = 500
"""Bound parameters per ``IN (...)`` list (old SQLite builds allow 999 per statement)."""

SELECT_SYNCS = """
    SELECT s.*, c.config AS config_json, p.config AS pending_json
    FROM syncs AS s
    JOIN sync_configs AS c ON c.sync_id = s.id AND c.version = s.config_version
    LEFT JOIN sync_configs AS p ON p.sync_id = s.id AND p.version = s.pending_version
"""
"""Syncs joined with their configuration and pending configuration (for ``sync_from_row``)."""


def chunks(items: Collection[str]) -> Iterator[list[str]]:
    """``items`` without duplicates, in lists of at most :data:`CHUNK`."""
    unique = list(dict.fromkeys(items))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def marks(n: int) -> str:
    """``n`` parameter marks for an ``IN (...)`` list."""
    return ", ".join("?" * n)


def insert_sql(table: str, row: dict[str, object], *, upsert_on: str | None = None) -> str:
    """An INSERT of ``row``'s columns by name; with ``upsert_on``, an upsert on that key."""
    columns = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608
    if upsert_on is not None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != upsert_on)
        sql += f" ON CONFLICT ({upsert_on}) DO UPDATE SET {updates}"
    return sql


def _update_sql(table: str, row: dict[str, object]) -> str:
    assignments = ", ".join(f"{c} = :{c}" for c in row if c != "id")
    return f"UPDATE {table} SET {assignments} WHERE id = :id"  # noqa: S608


def exists(conn: sqlite3.Connection, table: str, key: str) -> bool:
    """Whether ``table`` has a row with this ``id``."""
    return conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (key,)).fetchone() is not None  # noqa: S608


def require(conn: sqlite3.Connection, table: str, key: str, kind: str) -> None:
    """Raise ``NotFoundError(kind, key)`` unless ``table`` has a row with this ``id``."""
    if not exists(conn, table, key):
        raise NotFoundError(kind, key)


def save_configs(conn: sqlite3.Connection, sync: Sync) -> None:
    """Store the sync's configuration and pending configuration, unless already stored."""
    configs = [sync.config] if sync.pending is None else [sync.config, sync.pending]
    conn.executemany(
        "INSERT OR IGNORE INTO sync_configs (sync_id, version, config) VALUES (?, ?, ?)",
        [(sync.id, c.version, codec.config_to_json(c)) for c in configs],
    )


def update_sync(conn: sqlite3.Connection, sync: Sync) -> None:
    """Overwrite a stored sync (and add its new configurations). Raises NotFoundError."""
    row = codec.sync_to_row(sync)
    if conn.execute(_update_sql("syncs", row), row).rowcount == 0:
        raise NotFoundError("sync", sync.id)
    save_configs(conn, sync)


def update_run(conn: sqlite3.Connection, run: SyncRun) -> None:
    """Overwrite a stored run. Raises NotFoundError."""
    row = codec.run_to_row(run)
    if conn.execute(_update_sql("runs", row), row).rowcount == 0:
        raise NotFoundError("run", run.id)


def insert_skipped(conn: sqlite3.Connection, skipped: Sequence[SkippedRecord]) -> None:
    """Append skipped records. Raises NotFoundError when one names an unknown run."""
    for run_id in {record.run_id for record in skipped}:
        require(conn, "runs", run_id, "run")
    rows = [codec.skipped_to_row(record) for record in skipped]
    if rows:
        conn.executemany(insert_sql("skipped_records", rows[0]), rows)


def lease(conn: sqlite3.Connection, sync_id: str) -> tuple[str, datetime] | None:
    """The owner and expiry of a sync's lease, if one is stored."""
    row = conn.execute(
        "SELECT owner, expires_at FROM leases WHERE sync_id = ?", (sync_id,)
    ).fetchone()
    return None if row is None else (row["owner"], codec.dt_from_text(row["expires_at"]))


def set_lease(conn: sqlite3.Connection, sync_id: str, owner: str, until: datetime) -> None:
    """Give the lease of a sync to ``owner`` until ``until``."""
    conn.execute(
        "INSERT INTO leases (sync_id, owner, expires_at) VALUES (?, ?, ?)"
        " ON CONFLICT (sync_id) DO UPDATE"
        " SET owner = excluded.owner, expires_at = excluded.expires_at",
        (sync_id, owner, codec.dt_to_text(until)),
    )
