"""A store in dictionaries, for tests and for trying fieldsync out. Nothing survives the process."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

import attrs

from fieldsync._closing import Closeable
from fieldsync.domain.emails import email_key
from fieldsync.domain.members import check_consent, with_consent
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import BatchCommit, Checkpoint, StoredFingerprint
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import Notification, SkippedRecord, Sync, SyncConfig, SyncRun
from fieldsync.exceptions import NotFoundError, StoreError, SyncAlreadyRunningError
from fieldsync.quota import LocalQuota
from fieldsync.stores._lease import require_holder

__all__ = ["InMemoryStore"]

_T = TypeVar("_T", Sync, SyncRun, Notification)


def _copy(value: _T) -> _T:
    # Sync, SyncRun and Notification are mutable: hand out copies, as a database would,
    # so that changing a returned object changes nothing until it is saved
    return attrs.evolve(value)


@attrs.define
class _Record:
    fingerprint: StoredFingerprint | None = None
    email_key: str | None = None
    pass_id: str | None = None


class InMemoryStore(LocalQuota, Closeable):
    """A :class:`~fieldsync.ports.SyncStore` in memory, safe to share between threads.

    It behaves like :class:`~fieldsync.stores.SQLiteStore` (both pass the same contract
    suite): each method is atomic under one lock, and a batch that fails is checked before
    anything of it is written. It is also a :class:`~fieldsync.ports.QuotaLedger` and a
    :class:`~fieldsync.ports.TokenCache` (those of :class:`LocalQuota`), shared by the
    threads of this process only.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._syncs: dict[str, Sync] = {}
        self._configs: dict[str, dict[int, SyncConfig]] = {}
        self._runs: dict[str, SyncRun] = {}
        self._skipped: dict[str, list[SkippedRecord]] = {}
        self._records: dict[str, dict[str, _Record]] = {}
        # sync -> email key -> the record keys that claimed it: claims looked up by email
        self._by_email: dict[str, dict[str, set[str]]] = {}
        self._checkpoints: dict[str, Checkpoint] = {}
        self._leases: dict[str, tuple[str, datetime]] = {}
        self._disabled: dict[str, datetime] = {}
        self._notifications: dict[str, Notification] = {}

    def __repr__(self) -> str:
        return f"InMemoryStore(syncs={len(self._syncs)}, runs={len(self._runs)})"

    def close(self) -> None:
        """Nothing to release; the data stays readable. Idempotent."""

    # syncs -------------------------------------------------------------------------------

    def add_sync(self, sync: Sync) -> None:
        """Store a new sync and its configuration versions. A taken id raises StoreError."""
        with self._lock:
            if sync.id in self._syncs:
                raise StoreError(f"a sync {sync.id!r} already exists")
            self._syncs[sync.id] = _copy(sync)
            self._records[sync.id] = {}
            self._save_configs(sync)

    def save_sync(self, sync: Sync) -> None:
        """Store a sync's state, configuration, pending version and watermark."""
        with self._lock:
            self._sync(sync.id)
            self._syncs[sync.id] = _copy(sync)
            self._save_configs(sync)

    def get_sync(self, sync_id: str) -> Sync:
        """The sync with this id. Raises NotFoundError."""
        with self._lock:
            return _copy(self._sync(sync_id))

    def list_syncs(
        self, *, integration: str | None = None, state: SyncState | None = None
    ) -> list[Sync]:
        """Syncs, oldest first, optionally only of one integration and/or in one state."""
        with self._lock:
            # sorted() is stable: syncs created at the same instant stay in insertion order
            syncs = sorted(self._syncs.values(), key=lambda s: s.created_at)
            return [
                _copy(s)
                for s in syncs
                if (integration is None or s.integration == integration)
                and (state is None or s.state is state)
            ]

    def config_versions(self, sync_id: str) -> list[SyncConfig]:
        """Every configuration version of a sync, oldest first. Raises NotFoundError."""
        with self._lock:
            self._sync(sync_id)
            versions = self._configs[sync_id]
            return [versions[v] for v in sorted(versions)]

    # runs --------------------------------------------------------------------------------

    def add_run(self, run: SyncRun) -> None:
        """Store a new run. Raises NotFoundError for an unknown sync, StoreError for a
        taken id."""
        with self._lock:
            self._sync(run.sync_id)
            if run.id in self._runs:
                raise StoreError(f"a run {run.id!r} already exists")
            self._runs[run.id] = _copy(run)
            self._skipped[run.id] = []

    def save_run(self, run: SyncRun) -> None:
        """Store a run's status, counts and end. Raises NotFoundError."""
        with self._lock:
            self._run(run.id)
            self._runs[run.id] = _copy(run)

    def get_run(self, run_id: str) -> SyncRun:
        """The run with this id. Raises NotFoundError."""
        with self._lock:
            return _copy(self._run(run_id))

    def runs(self, sync_id: str) -> list[SyncRun]:
        """A sync's runs, newest first. Raises NotFoundError."""
        with self._lock:
            self._sync(sync_id)
            # insertion order breaks ties of started_at, newest first like SQLite's rowid
            mine = [r for r in self._runs.values() if r.sync_id == sync_id]
            ordered = sorted(enumerate(mine), key=lambda ir: (ir[1].started_at, ir[0]))
            return [_copy(run) for _, run in reversed(ordered)]

    def commit_batch(self, batch: BatchCommit) -> None:
        """Write a batch's run, fingerprints, claims, skipped records and checkpoint at once.
        Raises NotFoundError (nothing written) for an unknown run."""
        with self._lock:
            # check everything first: once writing starts, nothing below can fail
            run = batch.run
            self._run(run.id)
            if batch.lease_owner is not None:
                held = self._leases.get(run.sync_id)
                require_holder(run.sync_id, batch.lease_owner, held, when_free=run.started_at)
            for run_id in {record.run_id for record in batch.skipped}:
                self._run(run_id)
            records = self._records[run.sync_id]
            pass_id = run.id if batch.checkpoint is None else batch.checkpoint.pass_id

            self._runs[run.id] = _copy(run)
            for key, stored in batch.written:
                records.setdefault(key, _Record()).fingerprint = stored
            holders = self._by_email.setdefault(run.sync_id, {})
            for key, email in batch.claims:
                record = records.setdefault(key, _Record())
                if record.email_key is not None:
                    holders[record.email_key].discard(key)
                holders.setdefault(email, set()).add(key)
                record.email_key, record.pass_id = email, pass_id
            for skipped in batch.skipped:
                self._skipped[skipped.run_id].append(skipped)
            if batch.checkpoint is not None:
                self._checkpoints[run.sync_id] = batch.checkpoint

    def finish_run(self, run: SyncRun, sync: Sync, *, clear_checkpoint: bool) -> None:
        """Save a finished run and its sync at once; with ``clear_checkpoint``, drop the
        sync's checkpoint too. Raises NotFoundError (nothing written)."""
        with self._lock:
            self._run(run.id)
            self._sync(sync.id)
            self._runs[run.id] = _copy(run)
            self._syncs[sync.id] = _copy(sync)
            self._save_configs(sync)
            if clear_checkpoint:
                self._checkpoints.pop(sync.id, None)

    # per-record state ----------------------------------------------------------------------

    def fingerprints(self, sync_id: str, keys: Collection[str]) -> dict[str, StoredFingerprint]:
        """The stored fingerprints of these keys (keys never written are absent)."""
        with self._lock:
            records = self._records.get(sync_id, {})
            found = {key: records.get(key) for key in keys}
            return {k: r.fingerprint for k, r in found.items() if r and r.fingerprint}

    def claimed_emails(self, sync_id: str, pass_id: str, emails: Collection[str]) -> dict[str, str]:
        """Which of these emails belong to a record already: claimed in this pass, or
        written (not refused) in an earlier one. email -> record key (the smallest key)."""
        with self._lock:
            records = self._records.get(sync_id, {})
            holders = self._by_email.get(sync_id, {})
            claimed: dict[str, str] = {}
            for email in set(emails):
                for key in sorted(holders.get(email, ())):
                    record = records[key]
                    written = record.fingerprint is not None and record.fingerprint.rejected is None
                    if record.pass_id == pass_id or written:
                        claimed[email] = key
                        break
            return claimed

    def set_consent(self, sync_id: str, consent: Mapping[str, ReasonCode | None]) -> int:
        """Record the target's view of addresses' consent (see ``SyncStore.set_consent``).
        Raises NotFoundError or ValueError (nothing written)."""
        check_consent(consent)
        with self._lock:
            self._sync(sync_id)
            records = self._records.get(sync_id, {})
            holders = self._by_email.get(sync_id, {})
            changed = 0
            for email, reason in consent.items():
                for key in holders.get(email_key(email), ()):
                    record = records[key]
                    kept = with_consent(record.fingerprint, email, reason)
                    if kept != record.fingerprint:
                        record.fingerprint = kept
                        changed += 1
            return changed

    def forget_records(self, sync_id: str) -> None:
        """Forget every record's fingerprint and claim of a sync, but its consent refusals.
        Raises NotFoundError."""
        with self._lock:
            self._sync(sync_id)
            kept = {
                key: record
                for key, record in self._records.get(sync_id, {}).items()
                if record.fingerprint is not None
                and record.fingerprint.rejected is not None
                and record.fingerprint.rejected.withholds_consent
            }
            self._records[sync_id] = kept
            holders: dict[str, set[str]] = {}
            for key, record in kept.items():
                if record.email_key is not None:
                    holders.setdefault(record.email_key, set()).add(key)
            self._by_email[sync_id] = holders

    def skipped_records(self, run_id: str) -> Iterator[SkippedRecord]:
        """A run's skipped and failed records in stored order. Raises NotFoundError at once."""
        with self._lock:
            self._run(run_id)
            return iter(list(self._skipped[run_id]))

    def checkpoint(self, sync_id: str) -> Checkpoint | None:
        """Where the sync's unfinished pass stopped, or None. Raises NotFoundError."""
        with self._lock:
            self._sync(sync_id)
            return self._checkpoints.get(sync_id)

    # leases -----------------------------------------------------------------------------

    def acquire_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Take the run lease when it is free, expired or already ours.

        Raises:
            SyncAlreadyRunningError: another owner holds a lease that has not expired.
        """
        with self._lock:
            held = self._leases.get(sync_id)
            if held is not None and held[0] != owner and held[1] > now:
                raise SyncAlreadyRunningError(sync_id, expires_at=held[1])
            self._leases[sync_id] = (owner, now + ttl)

    def renew_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Extend our lease to ``now + ttl``.

        Raises:
            SyncAlreadyRunningError: another owner holds the lease, or nobody does (it was
                taken over, and given back): our run must stop.
        """
        with self._lock:
            require_holder(sync_id, owner, self._leases.get(sync_id), when_free=now)
            self._leases[sync_id] = (owner, now + ttl)

    def release_lease(self, sync_id: str, owner: str) -> None:
        """Give the lease back; nothing happens when another owner holds it."""
        with self._lock:
            held = self._leases.get(sync_id)
            if held is not None and held[0] == owner:
                del self._leases[sync_id]

    # integrations -------------------------------------------------------------------------

    def disable_integration(self, name: str, *, at: datetime) -> None:
        """Remember that an integration is disabled; the first time recorded is kept."""
        with self._lock:
            self._disabled.setdefault(name, at)

    def disabled_integrations(self) -> dict[str, datetime]:
        """Disabled integrations and when they were disabled, in that order."""
        with self._lock:
            return dict(sorted(self._disabled.items(), key=lambda kv: (kv[1], kv[0])))

    # notifications ------------------------------------------------------------------------

    def add_notification(self, notification: Notification) -> None:
        """Put a notification in the inbox. A taken id raises StoreError."""
        with self._lock:
            if notification.id in self._notifications:
                raise StoreError(f"a notification {notification.id!r} already exists")
            self._notifications[notification.id] = _copy(notification)

    def notifications(self, *, unread_only: bool = False) -> list[Notification]:
        """The inbox, newest first."""
        with self._lock:
            inbox = list(enumerate(self._notifications.values()))
            inbox.sort(key=lambda i_n: (i_n[1].created_at, i_n[0]), reverse=True)
            return [_copy(n) for _, n in inbox if not (unread_only and n.read)]

    def mark_read(self, ids: Iterable[str] | None = None) -> int:
        """Mark these notifications (all with None) read; return how many were unread."""
        with self._lock:
            wanted = self._notifications.keys() if ids is None else set(ids)
            changed = 0
            for notification_id in wanted:
                notification = self._notifications.get(notification_id)
                if notification is not None and not notification.read:
                    notification.read = True
                    changed += 1
            return changed

    # helpers ------------------------------------------------------------------------------

    def _sync(self, sync_id: str) -> Sync:
        try:
            return self._syncs[sync_id]
        except KeyError:
            raise NotFoundError("sync", sync_id) from None

    def _run(self, run_id: str) -> SyncRun:
        try:
            return self._runs[run_id]
        except KeyError:
            raise NotFoundError("run", run_id) from None

    def _save_configs(self, sync: Sync) -> None:
        versions = self._configs.setdefault(sync.id, {})
        versions.setdefault(sync.config.version, sync.config)
        if sync.pending is not None:
            versions.setdefault(sync.pending.version, sync.pending)
