"""The fleet's store: PostgreSQL, shared by every worker on every machine.

Needs the ``postgres`` extra (``pip install 'fieldsync[postgres]'``: psycopg 3 and
psycopg-pool).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Literal

from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from fieldsync._closing import Closeable
from fieldsync._secrets import register_secret
from fieldsync.domain.emails import email_key
from fieldsync.domain.members import check_consent, with_consent
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import BatchCommit, Checkpoint, StoredFingerprint
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import SkippedRecord, Sync, SyncConfig, SyncRun
from fieldsync.exceptions import NotFoundError
from fieldsync.stores import _codec as codec
from fieldsync.stores import _pg_ops as ops
from fieldsync.stores._lease import require_holder
from fieldsync.stores._pg_db import Database
from fieldsync.stores._pg_inbox import PostgresInbox
from fieldsync.stores._pg_leases import PostgresLeases
from fieldsync.stores._pg_quota import PostgresQuota
from fieldsync.stores._pg_waits import Waits

__all__ = ["PostgresStore"]

_STREAM_CHUNK = 500  # skipped records fetched per query while streaming

ClockChoice = Literal["database", "caller"]


class PostgresStore(PostgresLeases, PostgresInbox, PostgresQuota, Closeable):
    """A :class:`~fieldsync.ports.SyncStore` in PostgreSQL, for many workers on many machines.

    Every method is one transaction on a pooled connection, so batches are all-or-nothing
    and a connection lost in the middle of one loses that batch only. The store is safe to
    share between the threads of a process. Tables live in their own PostgreSQL schema,
    created and migrated on open.

    It is also the fleet's :class:`~fieldsync.ports.QuotaLedger` and
    :class:`~fieldsync.ports.TokenCache`: rate windows, endpoint locks and access tokens
    shared by every worker. Access tokens are secrets: keep the database's role to
    fieldsync (its tables are readable by their owner only, as PostgreSQL makes them).

    Leases and booked rate-window slots are timed by the database's clock: a lease taken
    for ten minutes ends ten minutes later by the server's clock, whatever the worker's
    clock says, and the slots of every worker are kept on the server's clock too. Workers
    whose clocks disagree never take a live lease from each other nor crowd a window.

    Args:
        conninfo: a libpq connection string or URL (``postgresql://user@host/db``). Its
            password is never shown: reprs and errors show the string without it.
        schema: the PostgreSQL schema of fieldsync's tables (one per fleet or per test).
        min_size: connections kept open.
        max_size: most connections open at once (one per thread running a sync is enough).
        timeout: seconds to wait to connect, or for a free connection.
        clock: ``"database"`` (the default) times leases and booked slots by the server's
            clock; ``"caller"`` by the ``now`` each call passes, for tests that drive time
            with a fake clock. Never mix the two on one schema.
        lock_timeout: seconds a statement waits for a lock another session holds before
            it fails with ``StoreError`` (a quota reservation waits again, see below).
        statement_timeout: seconds a statement may run, waits included, before it fails
            with ``StoreError``.
        idle_in_transaction_timeout: seconds one of the store's sessions may sit inside a
            transaction between two statements before the server ends it. The store's
            transactions never wait on anything but the database, so only a process that
            stopped (SIGSTOP, a paused VM, a partition) meets it: its transaction is rolled
            back and its locks go to the others, instead of staying held until it is
            killed.

        ``None`` leaves a wait to the server's own setting (no limit, by default). TCP
        keepalives are on (a first probe after 30 s of silence, then every 10 s; 3 lost and
        the connection is dropped), unless ``conninfo`` sets its own ``keepalives*``.

    A quota reservation takes its scope's lock for its own statements only (a
    transaction-scoped advisory lock). When another process holds it past
    ``lock_timeout``, the reservation waits again, for up to
    ``idle_in_transaction_timeout + lock_timeout`` seconds in all: by then a holder that
    stopped inside its reservation has lost its transaction. With the defaults, a process
    that hangs inside a reservation costs the others of its Zoho account about 5 s.

    Raises:
        StoreError: the server cannot be reached or refuses us, or the schema was written
            by a newer fieldsync.
        ValueError: a timeout that is not a positive number of seconds.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str = "fieldsync",
        min_size: int = 1,
        max_size: int = 4,
        timeout: float = 30.0,
        clock: ClockChoice = "database",
        lock_timeout: float | None = 5.0,
        statement_timeout: float | None = 30.0,
        idle_in_transaction_timeout: float | None = 5.0,
    ) -> None:
        if clock not in ("database", "caller"):
            raise ValueError(f"clock must be 'database' or 'caller', not {clock!r}")
        waits = Waits(lock_timeout, statement_timeout, idle_in_transaction_timeout)
        self._database_clock = clock == "database"
        self._now: sql.Composable = (
            sql.SQL("clock_timestamp()") if self._database_clock else sql.Placeholder("now")
        )
        self._db = Database(
            conninfo,
            schema=schema,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            waits=waits,
        )
        # the password, scrubbed by value from whatever fieldsync stores, logs or prints
        for key, value in conninfo_to_dict(conninfo).items():
            if key in ("password", "sslpassword") and isinstance(value, str):
                register_secret(value)

    def __repr__(self) -> str:
        return f"PostgresStore({self._db.where!r}, schema={self._db.schema!r})"

    def close(self) -> None:
        """Close every pooled connection. Idempotent; later calls raise ``StoreError``."""
        self._db.close()

    # syncs -------------------------------------------------------------------------------

    def add_sync(self, sync: Sync) -> None:
        """Store a new sync and its configuration versions. A taken id raises StoreError."""
        with self._db.transaction() as conn:
            ops.insert(conn, "syncs", codec.sync_to_row(sync))
            ops.save_configs(conn, sync)

    def save_sync(self, sync: Sync) -> None:
        """Store a sync's state, configuration, pending version and watermark."""
        with self._db.transaction() as conn:
            ops.update_sync(conn, sync)

    def get_sync(self, sync_id: str) -> Sync:
        """The sync with this id. Raises NotFoundError."""
        row = self._db.fetch_one(ops.SELECT_SYNCS + " WHERE s.id = %s", (sync_id,))
        if row is None:
            raise NotFoundError("sync", sync_id)
        return codec.sync_from_row(ops.row_out(row))

    def list_syncs(
        self, *, integration: str | None = None, state: SyncState | None = None
    ) -> list[Sync]:
        """Syncs, oldest first, optionally only of one integration and/or in one state."""
        query = ops.SELECT_SYNCS + (
            " WHERE (%(integration)s::text IS NULL OR s.integration = %(integration)s)"
            " AND (%(state)s::text IS NULL OR s.state = %(state)s) ORDER BY s.created_at, s.seq"
        )
        params = {"integration": integration, "state": None if state is None else state.value}
        rows = self._db.fetch_all(query, params)
        return [codec.sync_from_row(ops.row_out(row)) for row in rows]

    def config_versions(self, sync_id: str) -> list[SyncConfig]:
        """Every configuration version of a sync, oldest first. Raises NotFoundError."""
        with self._db.transaction() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            rows = conn.execute(
                "SELECT config FROM sync_configs WHERE sync_id = %s ORDER BY version", (sync_id,)
            ).fetchall()
        return [codec.config_from_json(row["config"]) for row in rows]

    # runs --------------------------------------------------------------------------------

    def add_run(self, run: SyncRun) -> None:
        """Store a new run. Raises NotFoundError for an unknown sync, StoreError for a
        taken id."""
        with self._db.transaction() as conn:
            ops.require(conn, "syncs", run.sync_id, "sync")
            ops.insert(conn, "runs", codec.run_to_row(run))

    def save_run(self, run: SyncRun) -> None:
        """Store a run's status, counts and end. Raises NotFoundError."""
        with self._db.transaction() as conn:
            ops.update_run(conn, run)

    def get_run(self, run_id: str) -> SyncRun:
        """The run with this id. Raises NotFoundError."""
        row = self._db.fetch_one("SELECT * FROM runs WHERE id = %s", (run_id,))
        if row is None:
            raise NotFoundError("run", run_id)
        return codec.run_from_row(ops.row_out(row))

    def runs(self, sync_id: str) -> list[SyncRun]:
        """A sync's runs, newest first. Raises NotFoundError."""
        with self._db.transaction() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            rows = conn.execute(
                "SELECT * FROM runs WHERE sync_id = %s ORDER BY started_at DESC, seq DESC",
                (sync_id,),
            ).fetchall()
        return [codec.run_from_row(ops.row_out(row)) for row in rows]

    def commit_batch(self, batch: BatchCommit) -> None:
        """Write a batch's run, fingerprints, claims, skipped records and checkpoint in one
        transaction. Raises NotFoundError (nothing written) for an unknown run, and
        SyncAlreadyRunningError when ``batch.lease_owner`` lost the lease."""
        run = batch.run
        pass_id = run.id if batch.checkpoint is None else batch.checkpoint.pass_id
        claims = {ops.full_key_in(key): email for key, email in batch.claims}
        # A written record's claim goes in the same row. The rows go as arrays, a column
        # each: one statement a batch rather than one per record. A key written twice in
        # one batch is one row, as the second of two upserts would leave it.
        written: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        for raw_key, fp in batch.written:
            key = ops.full_key_in(raw_key)
            claim = ops.opt_key_in(claims.pop(key, None))
            if claim is None and key in written:
                claim = written[key][3]  # coalesce(excluded.email_key, r.email_key)
            email = ops.full_key_in(fp.email)
            written[key] = (fp.fingerprint, email, fp.rejected and fp.rejected.value, claim)
        with self._db.transaction() as conn:
            if batch.lease_owner is not None:
                held = ops.lease(conn, run.sync_id, lock=True)
                require_holder(run.sync_id, batch.lease_owner, held, when_free=run.started_at)
            ops.update_run(conn, run)
            if written:
                prints, emails, rejected, email_keys = (
                    list(column) for column in zip(*written.values(), strict=True)
                )
                conn.execute(
                    "INSERT INTO records AS r"
                    " (sync_id, record_key, fingerprint, email, rejected, email_key, pass_id)"
                    " SELECT %s, w.*, %s FROM unnest(%s::text[], %s::text[], %s::text[],"
                    " %s::text[], %s::text[]) AS w ON CONFLICT (sync_id, record_key)"
                    " DO UPDATE SET fingerprint = excluded.fingerprint, email = excluded.email,"
                    " rejected = excluded.rejected,"
                    " email_key = coalesce(excluded.email_key, r.email_key),"
                    " pass_id = CASE WHEN excluded.email_key IS NULL"
                    " THEN r.pass_id ELSE excluded.pass_id END",
                    (run.sync_id, pass_id, list(written), prints, emails, rejected, email_keys),
                )
            if claims:
                conn.execute(
                    "INSERT INTO records (sync_id, record_key, email_key, pass_id)"
                    " SELECT %s, c.*, %s FROM unnest(%s::text[], %s::text[]) AS c"
                    " ON CONFLICT (sync_id, record_key) DO UPDATE"
                    " SET email_key = excluded.email_key, pass_id = excluded.pass_id",
                    (
                        run.sync_id,
                        pass_id,
                        list(claims),
                        [ops.full_key_in(email) for email in claims.values()],
                    ),
                )
            ops.insert_skipped(conn, batch.skipped, known_run=run.id)  # updated above
            if batch.checkpoint is not None:
                ops.save_checkpoint(conn, run.sync_id, batch.checkpoint)

    def finish_run(self, run: SyncRun, sync: Sync, *, clear_checkpoint: bool) -> None:
        """Save a finished run and its sync in one transaction; with ``clear_checkpoint``,
        drop the sync's checkpoint too. Raises NotFoundError (nothing written)."""
        with self._db.transaction() as conn:
            ops.update_run(conn, run)
            ops.update_sync(conn, sync)
            if clear_checkpoint:
                conn.execute("DELETE FROM checkpoints WHERE sync_id = %s", (sync.id,))

    # per-record state ----------------------------------------------------------------------

    def fingerprints(self, sync_id: str, keys: Collection[str]) -> dict[str, StoredFingerprint]:
        """The stored fingerprints of these keys; only these rows are read."""
        rows = self._db.fetch_all(
            "SELECT record_key, fingerprint, email, rejected FROM records"
            " WHERE sync_id = %s AND fingerprint IS NOT NULL AND record_key = ANY(%s)",
            (sync_id, list({ops.full_key_in(key) for key in keys})),
        )
        return {
            ops.full_key_out(row["record_key"]): StoredFingerprint(
                row["fingerprint"],
                ops.full_key_out(row["email"]),
                ReasonCode(row["rejected"]) if row["rejected"] else None,
            )
            for row in rows
        }

    def claimed_emails(self, sync_id: str, pass_id: str, emails: Collection[str]) -> dict[str, str]:
        """Which of these emails belong to a record already: claimed in this pass, or
        written (not refused) in an earlier one. email -> record key (the smallest key when
        several hold it)."""
        rows = self._db.fetch_all(
            "SELECT email_key, record_key FROM records"
            " WHERE sync_id = %s AND email_key = ANY(%s)"
            " AND (pass_id = %s OR (fingerprint IS NOT NULL AND rejected IS NULL))",
            (sync_id, list({ops.full_key_in(email) for email in emails}), pass_id),
        )
        found: dict[str, str] = {}
        for row in rows:
            email, key = ops.key_out(row["email_key"]), ops.full_key_out(row["record_key"])
            if email not in found or key < found[email]:
                found[email] = key
        return found

    def set_consent(self, sync_id: str, consent: Mapping[str, ReasonCode | None]) -> int:
        """Record the target's view of addresses' consent (see ``SyncStore.set_consent``),
        in one transaction. Raises NotFoundError or ValueError (nothing written)."""
        check_consent(consent)
        wanted = {ops.full_key_in(email_key(e)): (e, r) for e, r in consent.items()}
        changed: list[tuple[str | None, str | None, str | None, str, str]] = []
        with self._db.transaction() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            rows = conn.execute(
                "SELECT record_key, fingerprint, email, rejected, email_key FROM records"
                " WHERE sync_id = %s AND email_key = ANY(%s) FOR UPDATE",
                (sync_id, list(wanted)),
            ).fetchall()
            for row in rows:
                email, reason = wanted[row["email_key"]]
                stored = None
                if row["fingerprint"] is not None:
                    stored = StoredFingerprint(
                        row["fingerprint"],
                        ops.full_key_out(row["email"]),
                        ReasonCode(row["rejected"]) if row["rejected"] else None,
                    )
                kept = with_consent(stored, email, reason)
                if kept != stored:
                    fingerprint, address, rejected = codec.fingerprint_columns(kept)
                    address = ops.opt_key_in(address)
                    changed.append((fingerprint, address, rejected, sync_id, row["record_key"]))
            if changed:
                with conn.cursor() as cursor:
                    cursor.executemany(
                        "UPDATE records SET fingerprint = %s, email = %s, rejected = %s"
                        " WHERE sync_id = %s AND record_key = %s",
                        changed,
                    )
        return len(changed)

    def forget_records(self, sync_id: str) -> None:
        """Forget every record's fingerprint and claim of a sync, but its consent refusals.
        Raises NotFoundError."""
        with self._db.transaction() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            conn.execute(
                "DELETE FROM records WHERE sync_id = %s"
                " AND (rejected IS NULL OR NOT rejected = ANY(%s))",
                (sync_id, list(codec.consent_values())),
            )

    def skipped_records(self, run_id: str) -> Iterator[SkippedRecord]:
        """A run's skipped and failed records in stored order, read in chunks.

        Raises NotFoundError at once for an unknown run.
        """
        with self._db.transaction() as conn:
            ops.require(conn, "runs", run_id, "run")
        return self._stream_skipped(run_id)

    def _stream_skipped(self, run_id: str) -> Iterator[SkippedRecord]:
        # keyset paging: no connection is held while the caller is busy with the records
        after = 0
        while True:
            with self._db.transaction() as conn:
                rows = conn.execute(
                    "SELECT * FROM skipped_records WHERE run_id = %s AND seq > %s"
                    " ORDER BY seq LIMIT %s",
                    (run_id, after, _STREAM_CHUNK),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield codec.skipped_from_row(ops.row_out(row))
            after = rows[-1]["seq"]

    def checkpoint(self, sync_id: str) -> Checkpoint | None:
        """Where the sync's unfinished pass stopped, or None. Raises NotFoundError."""
        with self._db.transaction() as conn:
            ops.require(conn, "syncs", sync_id, "sync")
            row = conn.execute(
                "SELECT * FROM checkpoints WHERE sync_id = %s", (sync_id,)
            ).fetchone()
        return None if row is None else codec.checkpoint_from_row(ops.row_out(row))
