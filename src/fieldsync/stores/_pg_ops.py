"""SQL building blocks of the PostgreSQL store, each run inside a transaction the caller holds.

The rows are the SQLite store's (``_codec``), adapted at the edge: instants travel as
``timestamptz`` and flags as ``boolean``, and text PostgreSQL cannot hold (a NUL character)
is escaped reversibly. Table and column names in the SQL built here come from this
package's code, never from input; values always go through parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, LiteralString

from psycopg import errors, sql

from fieldsync.domain.records import Checkpoint
from fieldsync.domain.sync import SkippedRecord, Sync, SyncRun
from fieldsync.exceptions import NotFoundError, StoreError
from fieldsync.stores import _codec as codec
from fieldsync.stores._pg_db import Connection, storable

__all__ = [
    "SELECT_SYNCS",
    "exists",
    "full_key_in",
    "full_key_out",
    "insert",
    "insert_skipped",
    "key_in",
    "key_out",
    "lease",
    "opt_key_in",
    "require",
    "row_in",
    "row_out",
    "save_checkpoint",
    "save_configs",
    "update_run",
    "update_sync",
]

SELECT_SYNCS: LiteralString = """
    SELECT s.*, c.config AS config_json, p.config AS pending_json
    FROM syncs AS s
    JOIN sync_configs AS c ON c.sync_id = s.id AND c.version = s.config_version
    LEFT JOIN sync_configs AS p ON p.sync_id = s.id AND p.version = s.pending_version
"""
"""Syncs joined with their configuration and pending configuration (for ``sync_from_row``)."""

_INSTANTS = frozenset(
    {
        "created_at",
        "updated_at",
        "watermark",
        "next_run_at",
        "started_at",
        "finished_at",
        "pass_started_at",
        "since",
        "disabled_at",
    }
)
# columns that are flags (0/1 in the codec's rows), by table; runs.failed is a count
_FLAGS = {"skipped_records": "failed", "notifications": "is_read"}
_KEYS = frozenset({"record_key", "email"})
# PostgreSQL text cannot hold NUL. A key with one (or one that starts with this tag) is
# stored as the tag and its UTF-8 in hex; no other key starts with the tag.
_ESCAPED = "\x01pg:"


def key_in(key: str) -> str:
    """A record key (already through ``codec.key_in``) as PostgreSQL text can hold it."""
    if "\x00" in key or key.startswith(_ESCAPED):
        return _ESCAPED + key.encode("utf-8").hex()
    return key


def key_out(text: str) -> str:
    """The key :func:`key_in` stored."""
    if text.startswith(_ESCAPED):
        return bytes.fromhex(text[len(_ESCAPED) :]).decode("utf-8")
    return text


def full_key_in(key: str) -> str:
    """A record key or email as stored: through ``codec.key_in`` (lone surrogates), then
    :func:`key_in` (NUL)."""
    return key_in(codec.key_in(key))


def full_key_out(text: str) -> str:
    """The key or email :func:`full_key_in` stored."""
    return codec.key_out(key_out(text))


def opt_key_in(key: str | None) -> str | None:
    """:func:`full_key_in`, letting ``None`` through."""
    return None if key is None else full_key_in(key)


def row_in(row: Mapping[str, object], *, flag: str | None = None) -> dict[str, object]:
    """A codec row as this store's columns take it; ``flag`` names a 0/1 column."""
    out = dict(row)
    for name, value in row.items():
        if name in _INSTANTS and isinstance(value, str):
            out[name] = codec.dt_from_text(value)
        elif name == flag:
            out[name] = bool(value)
        elif name in _KEYS and isinstance(value, str):
            out[name] = key_in(value)
    return out


def row_out(row: Mapping[str, Any]) -> dict[str, Any]:
    """A database row as the codec reads it (instants as its text, keys unescaped)."""
    out = dict(row)
    for name, value in row.items():
        if isinstance(value, datetime):
            out[name] = codec.dt_to_text(value)
        elif name in _KEYS and isinstance(value, str):
            out[name] = key_out(value)
    return out


def insert(conn: Connection, table: LiteralString, row: Mapping[str, object]) -> None:
    """Insert a codec row. A taken unique key raises ``StoreError``."""
    values = row_in(row, flag=_FLAGS.get(table))
    statement = _kept(
        conn,
        ("insert", table, tuple(values)),
        lambda: sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(map(sql.Placeholder, values)),
        ),
    )
    try:
        with conn.transaction():  # a savepoint: the caller's transaction stays usable
            conn.execute(statement, values)
    except errors.UniqueViolation:
        raise StoreError(f"a row with this id already exists in {table}") from None


def _update(conn: Connection, table: LiteralString, row: Mapping[str, object]) -> int:
    values = row_in(row)
    statement = _kept(
        conn,
        ("update", table, tuple(values)),
        lambda: sql.SQL("UPDATE {} SET {} WHERE id = %(id)s").format(
            sql.Identifier(table),
            sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c))
                for c in values
                if c != "id"
            ),
        ),
    )
    return conn.execute(statement, values).rowcount


def exists(conn: Connection, table: LiteralString, key: str) -> bool:
    """Whether ``table`` has a row with this ``id`` (none has an id PostgreSQL cannot hold:
    an id typed into a URL with a NUL in it is unknown, as it would be on another store)."""
    if not storable(key):
        return False
    statement = _kept(
        conn,
        ("exists", table),
        lambda: sql.SQL("SELECT 1 FROM {} WHERE id = %s").format(sql.Identifier(table)),
    )
    return conn.execute(statement, (key,)).fetchone() is not None


def require(conn: Connection, table: LiteralString, key: str, kind: str) -> None:
    """Raise ``NotFoundError(kind, key)`` unless ``table`` has a row with this ``id``."""
    if not exists(conn, table, key):
        raise NotFoundError(kind, key)


# Statements composed once per statement, table and columns: composing quotes every
# identifier anew, which costs more than a small statement's round trip.
_KEPT: dict[tuple[object, ...], bytes] = {}


def _kept(conn: Connection, key: tuple[object, ...], compose: Callable[[], sql.Composed]) -> bytes:
    """The statement ``compose`` makes, as bytes, composed the first time ``key`` is seen."""
    found = _KEPT.get(key)
    if found is None:
        found = _KEPT[key] = compose().as_bytes(conn)
    return found


def save_configs(conn: Connection, sync: Sync) -> None:
    """Store the sync's configuration and pending configuration, unless already stored."""
    configs = [sync.config] if sync.pending is None else [sync.config, sync.pending]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO sync_configs (sync_id, version, config) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [(sync.id, c.version, codec.config_to_json(c)) for c in configs],
        )


def update_sync(conn: Connection, sync: Sync) -> None:
    """Overwrite a stored sync (and add its new configurations). Raises NotFoundError."""
    if _update(conn, "syncs", codec.sync_to_row(sync)) == 0:
        raise NotFoundError("sync", sync.id)
    save_configs(conn, sync)


def update_run(conn: Connection, run: SyncRun) -> None:
    """Overwrite a stored run. Raises NotFoundError."""
    if _update(conn, "runs", codec.run_to_row(run)) == 0:
        raise NotFoundError("run", run.id)


def insert_skipped(
    conn: Connection, skipped: Sequence[SkippedRecord], *, known_run: str | None = None
) -> None:
    """Append skipped records. Raises NotFoundError when one names an unknown run
    (``known_run`` is one the caller found in this transaction already)."""
    for run_id in {record.run_id for record in skipped} - {known_run}:
        require(conn, "runs", run_id, "run")
    rows = [row_in(codec.skipped_to_row(record), flag="failed") for record in skipped]
    if rows:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO skipped_records"
                " (run_id, record_key, email, reason, reason_text, record_values, failed)"
                " VALUES (%(run_id)s, %(record_key)s, %(email)s, %(reason)s, %(reason_text)s,"
                " %(record_values)s, %(failed)s)",
                rows,
            )


def lease(conn: Connection, sync_id: str, *, lock: bool = False) -> tuple[str, datetime] | None:
    """The owner and expiry of a sync's lease, if one is stored.

    With ``lock``, the row stays share-locked until the transaction ends, so nobody takes
    the lease over before what we write under it is committed.
    """
    query: LiteralString = "SELECT owner, expires_at FROM leases WHERE sync_id = %s"
    row = conn.execute(query + " FOR SHARE" if lock else query, (sync_id,)).fetchone()
    return None if row is None else (row["owner"], row["expires_at"].astimezone(UTC))


def save_checkpoint(conn: Connection, sync_id: str, checkpoint: Checkpoint) -> None:
    """Store (or replace) a sync's checkpoint."""
    row = row_in(codec.checkpoint_to_row(sync_id, checkpoint))
    conn.execute(
        "INSERT INTO checkpoints"
        " (sync_id, run_id, pass_id, pass_started_at, since, position, page_offset)"
        " VALUES (%(sync_id)s, %(run_id)s, %(pass_id)s, %(pass_started_at)s, %(since)s,"
        " %(position)s, %(page_offset)s) ON CONFLICT (sync_id) DO UPDATE SET"
        " run_id = excluded.run_id, pass_id = excluded.pass_id,"
        " pass_started_at = excluded.pass_started_at, since = excluded.since,"
        " position = excluded.position, page_offset = excluded.page_offset",
        row,
    )
