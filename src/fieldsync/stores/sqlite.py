"""The embedded default store: one SQLite file, safe to share between processes."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime, timedelta

from fieldsync._closing import Closeable
from fieldsync.domain.emails import email_key
from fieldsync.domain.members import check_consent, with_consent
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import BatchCommit, Checkpoint, StoredFingerprint
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import Notification, SkippedRecord, Sync, SyncConfig, SyncRun
from fieldsync.exceptions import NotFoundError, StoreError, SyncAlreadyRunningError
from fieldsync.stores import _codec as codec
from fieldsync.stores import _sqlite_ops as ops
from fieldsync.stores._lease import require_holder
from fieldsync.stores._sqlite_db import Database
from fieldsync.stores._sqlite_quota import SQLiteQuota

__all__ = ["SQLiteStore"]

_STREAM_CHUNK = 500  # skipped records fetched per query while streaming


class SQLiteStore(SQLiteQuota, Closeable):
    """A :class:`~fieldsync.ports.SyncStore` in one SQLite file.

    Several processes on one machine may open the same file: every write is one
    ``BEGIN IMMEDIATE`` transaction, so batches are all-or-nothing and leases are exclusive
    across processes. Within a process the store is safe to share between threads.
    Network file systems are not supported (SQLite's locking is unreliable there).

    It is also a :class:`~fieldsync.ports.QuotaLedger` and :class:`~fieldsync.ports.TokenCache`
    shared by every process that opens the file: rate windows, endpoint locks and access
    tokens. Since it holds access tokens, a new file is created readable by its owner only
    (mode 0600), and an existing file is narrowed to that when it is opened.

    Args:
        path: the database file, created with the current schema when missing (older
            schemas are migrated on open); ``":memory:"`` for a private temporary one.
        timeout: seconds to wait for another process's write lock before failing.

    Raises:
        StoreError: the file cannot be opened, or was written by a newer fieldsync.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self._db = Database(path, timeout=timeout)

    def __repr__(self) -> str:
        return f"SQLiteStore({self._db.where!r})"

    def close(self) -> None:
        """Close the database. Idempotent; later calls raise ``StoreError``."""
        self._db.close()

    # syncs -------------------------------------------------------------------------------

    def add_sync(self, sync: Sync) -> None:
        """Store a new sync and its configuration versions. A taken id raises StoreError."""
        with self._db.write() as conn:
            if ops.exists(conn, "syncs", sync.id):
                raise StoreError(f"a sync {sync.id!r} already exists")
            row = codec.sync_to_row(sync)
            conn.execute(ops.insert_sql("syncs", row), row)
            ops.save_configs(conn, sync)

    def save_sync(self, sync: Sync) -> None:
        """Store a sync's state, configuration, pending version and watermark."""
        with self._db.write() as conn:
            ops.update_sync(conn, sync)

    def get_sync(self, sync_id: str) -> Sync:
        """The sync with this id. Raises NotFoundError."""
        with self._db.read() as conn:
            row = conn.execute(f"{ops.SELECT_SYNCS} WHERE s.id = ?", (sync_id,)).fetchone()
        if row is None:
            raise NotFoundError("sync", sync_id)
        return codec.sync_from_row(row)

    def list_syncs(
        self, *, integration: str | None = None, state: SyncState | None = None
    ) -> list[Sync]:
        """Syncs, oldest first, optionally only of one integration and/or in one state."""
        sql = f"{ops.SELECT_SYNCS} WHERE (:integration IS NULL OR s.integration = :integration)"
        sql += " AND (:state IS NULL OR s.state = :state) ORDER BY s.created_at, s.rowid"
        params = {"integration": integration, "state": None if state is None else state.value}
        with self._db.read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [codec.sync_from_row(row) for row in rows]

    def config_versions(self, sync_id: str) -> list[SyncConfig]:
        """Every configuration version of a sync, oldest first. Raises NotFoundError."""
        with self._db.read() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            rows = conn.execute(
                "SELECT config FROM sync_configs WHERE sync_id = ? ORDER BY version", (sync_id,)
            ).fetchall()
        return [codec.config_from_json(row["config"]) for row in rows]

    # runs --------------------------------------------------------------------------------

    def add_run(self, run: SyncRun) -> None:
        """Store a new run. Raises NotFoundError for an unknown sync, StoreError for a
        taken id."""
        row = codec.run_to_row(run)
        with self._db.write() as conn:
            ops.require(conn, "syncs", run.sync_id, "sync")
            if ops.exists(conn, "runs", run.id):
                raise StoreError(f"a run {run.id!r} already exists")
            conn.execute(ops.insert_sql("runs", row), row)

    def save_run(self, run: SyncRun) -> None:
        """Store a run's status, counts and end. Raises NotFoundError."""
        with self._db.write() as conn:
            ops.update_run(conn, run)

    def get_run(self, run_id: str) -> SyncRun:
        """The run with this id. Raises NotFoundError."""
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError("run", run_id)
        return codec.run_from_row(row)

    def runs(self, sync_id: str) -> list[SyncRun]:
        """A sync's runs, newest first. Raises NotFoundError."""
        with self._db.read() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            rows = conn.execute(
                "SELECT * FROM runs WHERE sync_id = ? ORDER BY started_at DESC, rowid DESC",
                (sync_id,),
            ).fetchall()
        return [codec.run_from_row(row) for row in rows]

    def commit_batch(self, batch: BatchCommit) -> None:
        """Write a batch's run, fingerprints, claims, skipped records and checkpoint in one
        transaction. Raises NotFoundError (nothing written) for an unknown run."""
        run = batch.run
        pass_id = run.id if batch.checkpoint is None else batch.checkpoint.pass_id
        claims = {codec.key_in(key): email for key, email in batch.claims}
        # One upsert per record: a written record's claim goes in the same statement.
        written = [
            (
                run.sync_id,
                key,
                fp.fingerprint,
                fp.email,
                fp.rejected and fp.rejected.value,
                claims.pop(key, None),
                pass_id,
            )
            for key, fp in ((codec.key_in(k), f) for k, f in batch.written)
        ]
        claimed = [(run.sync_id, key, email, pass_id) for key, email in claims.items()]
        with self._db.write() as conn:
            if batch.lease_owner is not None:
                held = ops.lease(conn, run.sync_id)
                require_holder(run.sync_id, batch.lease_owner, held, when_free=run.started_at)
            ops.update_run(conn, run)
            conn.executemany(
                "INSERT INTO records"
                " (sync_id, record_key, fingerprint, email, rejected, email_key, pass_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sync_id, record_key) DO UPDATE"
                " SET fingerprint = excluded.fingerprint, email = excluded.email,"
                " rejected = excluded.rejected,"
                " email_key = coalesce(excluded.email_key, email_key),"
                " pass_id = CASE WHEN excluded.email_key IS NULL"
                " THEN pass_id ELSE excluded.pass_id END",
                written,
            )
            conn.executemany(
                "INSERT INTO records (sync_id, record_key, email_key, pass_id)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (sync_id, record_key) DO UPDATE"
                " SET email_key = excluded.email_key, pass_id = excluded.pass_id",
                claimed,
            )
            ops.insert_skipped(conn, batch.skipped)
            if batch.checkpoint is not None:
                row = codec.checkpoint_to_row(run.sync_id, batch.checkpoint)
                conn.execute(ops.insert_sql("checkpoints", row, upsert_on="sync_id"), row)

    def finish_run(self, run: SyncRun, sync: Sync, *, clear_checkpoint: bool) -> None:
        """Save a finished run and its sync in one transaction; with ``clear_checkpoint``,
        drop the sync's checkpoint too. Raises NotFoundError (nothing written)."""
        with self._db.write() as conn:
            ops.update_run(conn, run)
            ops.update_sync(conn, sync)
            if clear_checkpoint:
                conn.execute("DELETE FROM checkpoints WHERE sync_id = ?", (sync.id,))

    # per-record state ----------------------------------------------------------------------

    def fingerprints(self, sync_id: str, keys: Collection[str]) -> dict[str, StoredFingerprint]:
        """The stored fingerprints of these keys; only these rows are read."""
        found: dict[str, StoredFingerprint] = {}
        with self._db.read() as conn:
            for chunk in ops.chunks([codec.key_in(key) for key in keys]):
                rows = conn.execute(
                    "SELECT record_key, fingerprint, email, rejected FROM records"  # noqa: S608
                    " WHERE sync_id = ? AND fingerprint IS NOT NULL"
                    f" AND record_key IN ({ops.marks(len(chunk))})",
                    (sync_id, *chunk),
                )
                for row in rows:
                    rejected = row["rejected"] and ReasonCode(row["rejected"])
                    found[codec.key_out(row["record_key"])] = StoredFingerprint(
                        row["fingerprint"], row["email"], rejected or None
                    )
        return found

    def claimed_emails(self, sync_id: str, pass_id: str, emails: Collection[str]) -> dict[str, str]:
        """Which of these emails belong to a record already: claimed in this pass, or
        written (not refused) in an earlier one. email -> record key (the smallest key when
        several hold it)."""
        found: dict[str, str] = {}
        with self._db.read() as conn:
            for chunk in ops.chunks(emails):
                rows = conn.execute(
                    # Without statistics SQLite would walk the primary key, i.e. every
                    # record of the sync, for each page: the index makes it a lookup.
                    "SELECT email_key, record_key FROM records INDEXED BY records_by_email"  # noqa: S608
                    f" WHERE sync_id = ? AND email_key IN ({ops.marks(len(chunk))})"
                    " AND (pass_id = ? OR (fingerprint IS NOT NULL AND rejected IS NULL))",
                    (sync_id, *chunk, pass_id),
                )
                for email, stored_key in rows:
                    key = codec.key_out(stored_key)
                    if email not in found or key < found[email]:
                        found[email] = key
        return found

    def set_consent(self, sync_id: str, consent: Mapping[str, ReasonCode | None]) -> int:
        """Record the target's view of addresses' consent (see ``SyncStore.set_consent``),
        in one transaction. Raises NotFoundError or ValueError (nothing written)."""
        check_consent(consent)
        wanted = {email_key(email): (email, reason) for email, reason in consent.items()}
        changed: list[tuple[str | None, str | None, str | None, str, str]] = []
        with self._db.write() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            for chunk in ops.chunks(list(wanted)):
                rows = conn.execute(
                    "SELECT record_key, fingerprint, email, rejected, email_key"  # noqa: S608
                    " FROM records INDEXED BY records_by_email"
                    f" WHERE sync_id = ? AND email_key IN ({ops.marks(len(chunk))})",
                    (sync_id, *chunk),
                ).fetchall()
                for row in rows:
                    email, reason = wanted[row["email_key"]]
                    stored = None
                    if row["fingerprint"] is not None:
                        rejected = row["rejected"] and ReasonCode(row["rejected"])
                        fingerprint, address = row["fingerprint"], row["email"]
                        stored = StoredFingerprint(fingerprint, address, rejected or None)
                    kept = with_consent(stored, email, reason)
                    if kept != stored:
                        columns = codec.fingerprint_columns(kept)
                        changed.append((*columns, sync_id, row["record_key"]))
            conn.executemany(
                "UPDATE records SET fingerprint = ?, email = ?, rejected = ?"
                " WHERE sync_id = ? AND record_key = ?",
                changed,
            )
        return len(changed)

    def forget_records(self, sync_id: str) -> None:
        """Forget every record's fingerprint and claim of a sync, but its consent refusals.
        Raises NotFoundError."""
        consent = codec.consent_values()
        with self._db.write() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            conn.execute(
                "DELETE FROM records WHERE sync_id = ?"  # noqa: S608
                f" AND (rejected IS NULL OR rejected NOT IN ({ops.marks(len(consent))}))",
                (sync_id, *consent),
            )

    def skipped_records(self, run_id: str) -> Iterator[SkippedRecord]:
        """A run's skipped and failed records in stored order, read in chunks.

        Raises NotFoundError at once for an unknown run.
        """
        with self._db.read() as conn:
            ops.require(conn, "runs", run_id, "run")
        return self._stream_skipped(run_id)

    def _stream_skipped(self, run_id: str) -> Iterator[SkippedRecord]:
        # keyset paging: each chunk is its own short read, so nothing holds the lock or a
        # cursor while the caller is busy with the records
        after = 0
        while True:
            with self._db.read() as conn:
                rows = conn.execute(
                    "SELECT * FROM skipped_records WHERE run_id = ? AND seq > ?"
                    " ORDER BY seq LIMIT ?",
                    (run_id, after, _STREAM_CHUNK),
                ).fetchall()
            if not rows:
                return
            yield from (codec.skipped_from_row(row) for row in rows)
            after = rows[-1]["seq"]

    def checkpoint(self, sync_id: str) -> Checkpoint | None:
        """Where the sync's unfinished pass stopped, or None. Raises NotFoundError."""
        with self._db.read() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            row = conn.execute("SELECT * FROM checkpoints WHERE sync_id = ?", (sync_id,)).fetchone()
        return None if row is None else codec.checkpoint_from_row(row)

    # leases -----------------------------------------------------------------------------

    def acquire_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Take the run lease when it is free, expired or already ours.

        Raises:
            SyncAlreadyRunningError: another owner holds a lease that has not expired.
        """
        with self._db.write() as conn:
            held = ops.lease(conn, sync_id)
            if held is not None and held[0] != owner and held[1] > now:
                raise SyncAlreadyRunningError(sync_id, expires_at=held[1])
            ops.set_lease(conn, sync_id, owner, now + ttl)

    def renew_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Extend our lease to ``now + ttl``.

        Raises:
            SyncAlreadyRunningError: another owner holds the lease, or nobody does (it was
                taken over, and given back): our run must stop.
        """
        with self._db.write() as conn:
            require_holder(sync_id, owner, ops.lease(conn, sync_id), when_free=now)
            ops.set_lease(conn, sync_id, owner, now + ttl)

    def release_lease(self, sync_id: str, owner: str) -> None:
        """Give the lease back; nothing happens when another owner holds it."""
        with self._db.write() as conn:
            conn.execute("DELETE FROM leases WHERE sync_id = ? AND owner = ?", (sync_id, owner))

    # integrations -------------------------------------------------------------------------

    def disable_integration(self, name: str, *, at: datetime) -> None:
        """Remember that an integration is disabled; the first time recorded is kept."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO integrations_disabled (name, disabled_at) VALUES (?, ?)",
                (name, codec.dt_to_text(at)),
            )

    def disabled_integrations(self) -> dict[str, datetime]:
        """Disabled integrations and when they were disabled, in that order."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT name, disabled_at FROM integrations_disabled ORDER BY disabled_at, name"
            ).fetchall()
        return {row["name"]: codec.dt_from_text(row["disabled_at"]) for row in rows}

    # notifications ------------------------------------------------------------------------

    def add_notification(self, notification: Notification) -> None:
        """Put a notification in the inbox. A taken id raises StoreError."""
        row = codec.notification_to_row(notification)
        with self._db.write() as conn:
            if ops.exists(conn, "notifications", notification.id):
                raise StoreError(f"a notification {notification.id!r} already exists")
            conn.execute(ops.insert_sql("notifications", row), row)

    def notifications(self, *, unread_only: bool = False) -> list[Notification]:
        """The inbox, newest first."""
        where = "WHERE is_read = 0" if unread_only else ""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT * FROM notifications {where} ORDER BY created_at DESC, seq DESC"  # noqa: S608
            ).fetchall()
        return [codec.notification_from_row(row) for row in rows]

    def mark_read(self, ids: Iterable[str] | None = None) -> int:
        """Mark these notifications (all with None) read; return how many were unread."""
        with self._db.write() as conn:
            if ids is None:
                return conn.execute(
                    "UPDATE notifications SET is_read = 1 WHERE is_read = 0"
                ).rowcount
            changed = 0
            for chunk in ops.chunks(list(ids)):
                changed += conn.execute(
                    "UPDATE notifications SET is_read = 1"  # noqa: S608
                    f" WHERE is_read = 0 AND id IN ({ops.marks(len(chunk))})",
                    chunk,
                ).rowcount
            return changed

    # diagnostics --------------------------------------------------------------------------

    def pragma(self, name: str) -> object:
        """The value of a SQLite ``PRAGMA`` such as ``journal_mode`` or ``user_version``."""
        return self._db.pragma(name)
