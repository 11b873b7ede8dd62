"""The ports: how the sync service talks to everything outside it.

Each port is a :class:`typing.Protocol`, so an adapter needs no base class: any object
with these methods fits. ``fieldsync.testing`` ships working fakes of every port and a
contract suite that checks a custom :class:`Source` or :class:`Target`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from fieldsync.domain.fields import Field, Schema
from fieldsync.domain.members import ListMember, MemberStatus
from fieldsync.domain.quota import CachedToken, QuotaLock, QuotaRequest, Reservation
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import (
    BatchCommit,
    Capacity,
    Checkpoint,
    SourcePage,
    StoredFingerprint,
    TargetContact,
    TargetLimits,
    UpsertOutcome,
)
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import Notification, SkippedRecord, Sync, SyncConfig, SyncRun

__all__ = [
    "BulkEmailTarget",
    "ClaimsDue",
    "Clock",
    "ListReader",
    "MintLock",
    "Notifier",
    "QuotaLedger",
    "QuotaStore",
    "SharesQuota",
    "Source",
    "SupportsClose",
    "SyncStore",
    "Target",
    "TargetRules",
    "TokenCache",
]


@runtime_checkable
class Source(Protocol):
    """Where records come from (Zoho Invoice customers, a CSV file, a SQL table)."""

    def schema(self) -> Schema:
        """The fields records can carry."""
        ...

    def read(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> Iterator[SourcePage]:
        """Stream the records page by page, never loading them all.

        Args:
            since: when given, records modified before it may be left out (a source that
                cannot filter returns them all; that is harmless).
            resume: a ``SourcePage.position`` from an earlier read with the same ``since``:
                start again at that page.

        Raises:
            FatalSyncError: the credentials or the source itself are gone.
            RetriableError: a temporary failure outlasted the adapter's retries.
        """
        ...

    def count(self) -> int | None:
        """How many records a full read would yield, or ``None`` when that is not cheap."""
        ...

    def describe_credentials(self) -> Sequence[str]:
        """The credentials ``revoke`` would revoke, described without any secret."""
        ...

    def revoke(self) -> None:
        """Revoke the source's credentials (disabling an integration). Idempotent."""
        ...


@runtime_checkable
class Target(Protocol):
    """Where contacts go (a Zoho Campaigns mailing list, or any list you write for)."""

    def schema(self) -> Schema:
        """The contact fields, with the email field set (``Schema.email_field``)."""
        ...

    def create_field(self, field: Field) -> Field:
        """Create a contact field and return it as the target now knows it."""
        ...

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> Sequence[UpsertOutcome]:
        """Add or update contacts in a list, matched by email.

        Returns exactly one outcome per contact, in the same order. At most
        ``limits().max_batch`` contacts are passed at once.

        Raises:
            FatalSyncError: credentials revoked, list deleted: nothing more can be written.
            QuotaExhaustedError: a daily cap is used up; nothing of this batch was sent.
            RetriableError: a temporary failure outlasted retries; nothing of this batch
                is known to be written.
        """
        ...

    def limits(self) -> TargetLimits:
        """The largest batch and the rate windows this target allows."""
        ...

    def capacity(self, list_key: str) -> Capacity | None:
        """The account's contact capacity, or ``None`` when the target does not say."""
        ...

    def describe_credentials(self) -> Sequence[str]:
        """The credentials ``revoke`` would revoke, described without any secret."""
        ...

    def revoke(self) -> None:
        """Revoke the target's credentials (disabling an integration). Idempotent."""
        ...


@runtime_checkable
class BulkEmailTarget(Protocol):
    """A :class:`Target` with a faster route for contacts that carry only an address
    (optional): Zoho Campaigns' ``addlistsubscribersinbulk`` takes 10 addresses a call at
    2,000 calls a minute, where ``json/listsubscribe`` takes one at 500 a minute.

    The service sends a sync's adds and updates this way when its mapping writes the email
    field and nothing else (:attr:`fieldsync.domain.mapping.MappingPlan.email_only`);
    every other sync goes through :meth:`Target.upsert`.
    """

    def bulk_limits(self) -> TargetLimits | None:
        """The bulk route's largest batch, rate windows and contacts per call, or ``None``
        when the target does not offer the route now (switched off, say)."""
        ...

    def add_emails(
        self, list_key: str, contacts: Sequence[TargetContact]
    ) -> Sequence[UpsertOutcome]:
        """Add contacts by address only (their ``values`` are not sent), matched by email.

        Returns exactly one outcome per contact, in the same order: ADDED (``readded``
        when the target had lost the contact and took it again), UPDATED (already in the
        list: nothing to change), SKIPPED with a reason (ignored by the target), FAILED.
        At most ``bulk_limits().max_batch`` contacts are passed at once.

        Raises:
            FatalSyncError: credentials revoked, list deleted: nothing more can be written.
            QuotaExhaustedError: the route's windows cannot take the batch now; nothing of
                it was sent.
            RetriableError: a temporary failure outlasted retries; nothing of this batch
                is known to be written.
        """
        ...


@runtime_checkable
class TargetRules(Protocol):
    """What a :class:`Target` is known to do, said without calling it (optional).

    A target that implements these two methods lets ``preview`` predict what a run does,
    and ``initiate`` map to a field that exists under the name the target would give it
    instead of asking to create it again. A target without them is previewed as if it
    kept every name and refused nothing.
    """

    def created_field_name(self, field: Field) -> str:
        """The name ``create_field(field)`` would give the field (Zoho Campaigns keeps
        letters and digits only: ``"Customer Tier"`` becomes ``"CustomerTier"``)."""
        ...

    def known_refusal(self, contact: TargetContact) -> ReasonCode | None:
        """The reason the target is known to refuse ``contact`` with (a group address
        such as ``info@``), or ``None`` when it would be written as far as is known."""
        ...


@runtime_checkable
class ListReader(Protocol):
    """A :class:`Target` that can read its lists back and take a contact out (optional).

    What ``verify`` needs to compare a list with what a sync sent, and to apply the
    source's deletions and email changes.
    """

    def members(self, list_key: str, *, status: MemberStatus) -> Iterator[ListMember]:
        """The list's members with this status, page by page as they are read."""
        ...

    def member_count(self, list_key: str, *, status: MemberStatus) -> int:
        """How many members have this status."""
        ...

    def unsubscribe(self, list_key: str, email: str) -> None:
        """Unsubscribe an address from the list (it then reads as unsubscribed)."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """Delivers notifications (the bell) somewhere: a log, a callback, a webhook."""

    def notify(self, notification: Notification) -> None:
        """Deliver one notification. Delivery failures must not raise into a run."""
        ...


@runtime_checkable
class SupportsClose(Protocol):
    """Something holding resources (an adapter's HTTP client, a notifier's, what a resolver
    returns): optional. ``SyncService`` closes what it owns through it."""

    def close(self) -> None:
        """Release what this object holds. Idempotent."""
        ...


@runtime_checkable
class Clock(Protocol):
    """Time, injected so that tests, retries and rate limits run in simulated time."""

    def now(self) -> datetime:
        """The current instant, time-zone aware (UTC)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fake clock just moves its time on)."""
        ...


@runtime_checkable
class SyncStore(Protocol):
    """Where syncs, runs, fingerprints, checkpoints, leases and notifications live.

    ``SQLiteStore`` is the embedded default; ``InMemoryStore`` is for tests. Both pass the
    store contract suite in ``fieldsync.testing``. Lookups of unknown ids raise
    ``NotFoundError``; I/O failures raise ``StoreError``.
    """

    # syncs -------------------------------------------------------------------------------
    def add_sync(self, sync: Sync) -> None:
        """Store a new sync (and its configuration versions)."""
        ...

    def save_sync(self, sync: Sync) -> None:
        """Store a sync's current state, configuration, pending version and watermark."""
        ...

    def get_sync(self, sync_id: str) -> Sync:
        """The sync with this id."""
        ...

    def list_syncs(
        self, *, integration: str | None = None, state: SyncState | None = None
    ) -> list[Sync]:
        """Syncs, oldest first, optionally only of one integration and/or in one state."""
        ...

    def config_versions(self, sync_id: str) -> list[SyncConfig]:
        """Every configuration version a sync has had (pending included), oldest first."""
        ...

    # runs --------------------------------------------------------------------------------
    def add_run(self, run: SyncRun) -> None:
        """Store a new run."""
        ...

    def save_run(self, run: SyncRun) -> None:
        """Store a run's status, counts and end."""
        ...

    def get_run(self, run_id: str) -> SyncRun:
        """The run with this id."""
        ...

    def runs(self, sync_id: str) -> list[SyncRun]:
        """A sync's runs, newest first."""
        ...

    def commit_batch(self, batch: BatchCommit) -> None:
        """Write one batch's run counts, fingerprints, claims, skipped records and
        checkpoint in one transaction: all of it or none of it.

        Raises:
            SyncAlreadyRunningError: ``batch.lease_owner`` is set and does not hold the sync's
                lease (nothing is written).
        """
        ...

    def finish_run(self, run: SyncRun, sync: Sync, *, clear_checkpoint: bool) -> None:
        """Save a finished run and its sync (watermark, state) in one transaction, and
        drop the sync's checkpoint when the pass is over."""
        ...

    # per-record state ----------------------------------------------------------------------
    def fingerprints(self, sync_id: str, keys: Collection[str]) -> dict[str, StoredFingerprint]:
        """The stored fingerprints of these record keys (keys never written are absent)."""
        ...

    def claimed_emails(self, sync_id: str, pass_id: str, emails: Collection[str]) -> dict[str, str]:
        """Which of these emails already belong to a record: email -> key.

        An email belongs to the record that claimed it in this pass, or to a record that
        wrote it (and was not refused) in an earlier pass, so that a duplicate changed later
        never overwrites the contact the first record owns. Several holders: the smallest key.
        """
        ...

    def set_consent(self, sync_id: str, consent: Mapping[str, ReasonCode | None]) -> int:
        """Record what the target shows of addresses' consent, for the records that hold
        them (matched by :func:`~fieldsync.domain.emails.email_key`): a consent reason
        (``do_not_mail``, ``unsubscribed``, ``bounced``, ``spam``) makes runs skip the
        record without a call; ``None`` (active again) forgets a consent refusal and the
        record's fingerprint, so the next run sends it again. Returns the records changed.

        Raises:
            NotFoundError: no such sync.
            ValueError: a reason that is not a consent reason.
        """
        ...

    def forget_records(self, sync_id: str) -> None:
        """Forget the fingerprints and claims of every record of a sync, so that the next
        pass sends every record again (its list changed, or the target lost a field).
        Consent refusals (``ReasonCode.withholds_consent``) stay: they are about the
        address, not about what was written."""
        ...

    def skipped_records(self, run_id: str) -> Iterator[SkippedRecord]:
        """A run's skipped and failed records, in the order they were stored."""
        ...

    def checkpoint(self, sync_id: str) -> Checkpoint | None:
        """Where the sync's unfinished pass stopped, if one is unfinished."""
        ...

    # leases -----------------------------------------------------------------------------
    def acquire_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Take the run lease of a sync until ``now + ttl``.

        Raises:
            SyncAlreadyRunningError: another owner holds a lease that has not expired.
        """
        ...

    def renew_lease(self, sync_id: str, owner: str, *, now: datetime, ttl: timedelta) -> None:
        """Extend our lease. Raises ``SyncAlreadyRunningError`` when another owner took it."""
        ...

    def release_lease(self, sync_id: str, owner: str) -> None:
        """Give the lease back (nothing happens when we no longer hold it)."""
        ...

    # integrations -------------------------------------------------------------------------
    def disable_integration(self, name: str, *, at: datetime) -> None:
        """Remember that an integration is disabled for good."""
        ...

    def disabled_integrations(self) -> dict[str, datetime]:
        """Disabled integrations and when they were disabled."""
        ...

    # notifications ------------------------------------------------------------------------
    def add_notification(self, notification: Notification) -> None:
        """Put a notification in the inbox."""
        ...

    def notifications(self, *, unread_only: bool = False) -> list[Notification]:
        """The inbox, newest first."""
        ...

    def mark_read(self, ids: Iterable[str] | None = None) -> int:
        """Mark these notifications (or all, with ``None``) read; return how many changed."""
        ...

    def close(self) -> None:
        """Release the store's resources. Idempotent."""
        ...


@runtime_checkable
class ClaimsDue(Protocol):
    """A :class:`SyncStore` that hands out due syncs itself (optional).

    ``SyncService.run_due`` asks such a store for one due sync at a time, with its lease
    already taken, so that workers running at once never line up behind the same syncs
    (``PostgresStore`` claims with ``FOR UPDATE SKIP LOCKED``). A store without it is
    walked with ``list_syncs`` and each run takes its lease.
    """

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
        """Take the leases (as ``owner``, until ``now + ttl``) of up to ``limit`` active
        syncs due at ``due_by`` (default: ``now``) that nobody runs, earliest due first,
        and return their ids; syncs in ``exclude`` are left alone."""
        ...


@runtime_checkable
class QuotaLedger(Protocol):
    """Rate-limit bookings and endpoint locks, shared by every process using the ledger.

    ``InMemoryStore`` and ``SQLiteStore`` implement it (the SQLite file is shared by the
    processes on one machine); ``fieldsync.stores.LocalQuota`` is the process-local one
    adapters use when given none. The contract suite in
    ``fieldsync.testing.quota_contract`` checks an implementation. Times are POSIX seconds
    from the caller's clock.
    """

    def reserve(self, request: QuotaRequest) -> Reservation:
        """In one transaction: drop ``request.release``, refuse when the scope is locked,
        plan ``request.count`` slots with :func:`fieldsync.domain.quota.decide` from every
        time booked in the scope, book them (unless refused) and prune times older than
        :func:`fieldsync.domain.quota.prune_horizon`.

        Raises:
            StoreError: the store failed (nothing was booked).
        """
        ...

    def release(self, scope: str, slots: Sequence[float]) -> None:
        """Give back booked slots that were never used (one booked time each)."""
        ...

    def lock(self, scope: str, *, until: float, reason: str) -> None:
        """Record that the service locked ``scope`` until ``until``; an existing lock
        that ends later is kept."""
        ...

    def lock_of(self, scope: str, *, now: float) -> QuotaLock | None:
        """The scope's lock, when one lasts beyond ``now``."""
        ...


@runtime_checkable
class TokenCache(Protocol):
    """Access tokens kept for reuse by every process using the cache.

    Access tokens are secrets: implementations never log them nor show them in a repr,
    and keep them where only the owner can read them. Refresh tokens and client secrets are
    never given to a cache. Keys are digests (:func:`fieldsync.domain.quota.quota_digest`).
    """

    def cached_token(self, key: str, *, now: float) -> CachedToken | None:
        """The token stored under ``key`` when it is still valid at ``now``."""
        ...

    def store_token(self, key: str, token: CachedToken) -> None:
        """Keep ``token`` under ``key``, replacing what was there."""
        ...

    def drop_token(self, key: str, *, access_token: str | None = None) -> None:
        """Forget the token under ``key``; with ``access_token``, only when it is that
        token (a newer one stored by another process is kept)."""
        ...


@runtime_checkable
class MintLock(Protocol):
    """One mint at a time per refresh token: a capability a :class:`TokenCache` may have.

    A process that finds no valid token claims the right to mint one; while another
    owner's claim lasts, it waits for the token that owner will store instead of minting
    its own (``ZohoOAuth`` waits a bounded time, then mints anyway). A claim ends when its
    owner releases it or at its ``until``, so a crashed owner blocks no one for ever.
    Keys are the token cache's keys; owners are opaque ids, unique per minting object.
    Times are POSIX seconds from the caller's clock.
    """

    def claim_mint(self, key: str, owner: str, *, now: float, until: float) -> bool:
        """Claim the right to mint the token under ``key`` until ``until``, in one
        transaction: ``True`` when the claim is ``owner``'s (there was none, it ended by
        ``now``, or it was ``owner``'s already: renewed), ``False`` while another owner's
        claim lasts beyond ``now``."""
        ...

    def release_mint(self, key: str, owner: str) -> None:
        """Give back ``owner``'s claim on ``key`` (nothing happens when another owner
        holds it, or no one)."""
        ...


@runtime_checkable
class QuotaStore(QuotaLedger, TokenCache, MintLock, Protocol):
    """The quota ports at once, as stores implement them (``SQLiteStore``,
    ``PostgresStore``, ``InMemoryStore``, ``LocalQuota``): what a :class:`SharesQuota`
    adapter is given by the service it is registered with, and what the CLI and
    ``EmulatedZoho`` pass as a Zoho integration's ``ledger`` and ``token_cache``."""


@runtime_checkable
class SharesQuota(Protocol):
    """An adapter that books its calls and keeps its tokens in its service's store
    (optional; the Zoho adapters and ``ZohoOAuth`` have it).

    ``SyncService`` calls :meth:`share_quota` with its store when the store is a
    :class:`QuotaStore` (``SQLiteStore``, ``PostgresStore``, ``InMemoryStore``), as the
    adapter is registered (``register_integration``) or resolved (``resolver=``) and
    before it makes a call for the service. So every process on one store shares the
    rate windows, endpoint locks and access tokens of an account with no argument to
    remember: safe by default.
    """

    def share_quota(self, store: QuotaStore) -> None:
        """Book calls and keep tokens in ``store`` from now on, for whatever this adapter
        was built without: a ledger or token cache passed to it explicitly (a
        ``LocalQuota`` to keep limits inside one process, another store) is kept. The first
        store given is kept too: giving a second one changes nothing."""
        ...
