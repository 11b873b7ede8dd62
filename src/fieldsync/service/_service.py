"""The sync service: every use case of fieldsync, from creating a sync to disabling an
integration. ``docs/service.md`` walks through them."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import TextIO

import attrs

from fieldsync._closing import Closeable
from fieldsync.clock import SystemClock
from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.state import SyncAction, SyncState, transition
from fieldsync.domain.sync import (
    Notification,
    RunTrigger,
    Sync,
    SyncConfig,
    SyncOptions,
    SyncRun,
)
from fieldsync.events import EventHook
from fieldsync.exceptions import (
    NotFoundError,
    StateError,
)
from fieldsync.ports import ClaimsDue, Clock, Notifier, QuotaStore, Source, SyncStore, Target
from fieldsync.service._adapters import close_each, missing_methods
from fieldsync.service._disable import carry_out, impact_of
from fieldsync.service._export import write_skipped
from fieldsync.service._initiate import activate, validate
from fieldsync.service._integrations import Integration, IntegrationResolver, Integrations
from fieldsync.service._outbox import Outbox
from fieldsync.service._preview import DISCLAIMER
from fieldsync.service._preview import preview as _preview
from fieldsync.service._run import Runner, pass_since
from fieldsync.service._run_events import with_progress
from fieldsync.service.views import (
    DisableImpact,
    IntegrationStatus,
    MappingRow,
    Preview,
    SyncDetail,
)

__all__ = ["DISCLAIMER", "SyncService"]

_log = logging.getLogger("fieldsync.service")


def _fields(sync: Sync) -> dict[str, str]:
    """The structured log fields of a sync outside a run (a run adds its ``run_id``)."""
    return {"sync_id": sync.id, "integration": sync.integration}


class SyncService(Closeable):
    """Create, run, watch and manage syncs. Everything outside comes in through the ports.

    Closing (:meth:`close`, or leaving ``with SyncService(...) as service:``) closes what the
    service owns: the ``notifier`` and every source and target handed to
    :meth:`register_integration`. The ``store`` and the ``clock`` stay the caller's, since a
    store usually outlives one service (open it in a ``with`` of its own).

    Args:
        store: where syncs, runs, checkpoints and notifications live.
        notifier: where notifications are delivered (they are in the store's inbox either
            way).
        clock: the time; defaults to the system clock.
        lease_ttl: how long a run's lease lasts without renewal. It is renewed after every
            batch, so it must exceed the time one batch can take.
        watermark_overlap: how far before a completed pass's start the next pass reads
            again (covers source clocks that disagree; re-reading is free).
        worker_id: names this worker in leases (defaults to host name and process id).
        ids: makes ids for syncs, runs and notifications (defaults to random UUIDs).
        on_event: receives every event of every run: started, batch committed, waiting
            (for a rate limit or a retry, with until when), deferred, finished. See
            :mod:`fieldsync.events`; :func:`fieldsync.events.combine` joins several hooks.
        on_progress: deprecated since 0.2; use ``on_event`` and
            :class:`~fieldsync.events.BatchCommitted`. Still called with the run after each
            committed batch.
        resolver: builds an integration's adapters on demand from its name (an object
            with ``source`` and ``target``, such as :class:`Integration`, or ``None`` for
            an unknown name), for fleets whose integrations live in the user's own
            credential storage. Registered integrations come first.
        resolver_cache_size: resolved integrations kept open at most; the least recently
            used is closed (its ``close()``, else its source's and target's) once no run
            uses it.
    """

    def __init__(
        self,
        *,
        store: SyncStore,
        notifier: Notifier | None = None,
        clock: Clock | None = None,
        lease_ttl: timedelta = timedelta(minutes=10),
        watermark_overlap: timedelta = timedelta(minutes=10),
        worker_id: str | None = None,
        ids: Callable[[], str] | None = None,
        on_event: EventHook | None = None,
        on_progress: Callable[[SyncRun], None] | None = None,
        resolver: IntegrationResolver | None = None,
        resolver_cache_size: int = 32,
    ) -> None:
        self._store = store
        self._clock: Clock = clock or SystemClock()
        self._ids: Callable[[], str] = ids or (lambda: uuid.uuid4().hex)
        self._worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self._lease_ttl = lease_ttl
        # Adapters book Zoho's limits in the store (every process on it shares them).
        quota = store if isinstance(store, QuotaStore) else None
        self._integrations = Integrations(resolver, cache_size=resolver_cache_size, quota=quota)
        # Everything to close, in the order received; the notifier first.
        self._owned: list[object] = [] if notifier is None else [notifier]
        self._outbox = Outbox(store=store, notifier=notifier, clock=self._clock, ids=self._ids)
        self._runner = Runner(
            store=store,
            clock=self._clock,
            outbox=self._outbox,
            ids=self._ids,
            lease_ttl=lease_ttl,
            watermark_overlap=watermark_overlap,
            on_event=with_progress(on_event, on_progress),
        )

    def __repr__(self) -> str:
        return f"SyncService(store={self._store!r}, integrations={self._integrations.names()})"

    # -- integrations and syncs ---------------------------------------------------------------

    def register_integration(self, name: str, *, source: Source, target: Target) -> None:
        """Make an integration (a source and a target) available to syncs under ``name``.

        Registering a name again replaces its adapters. Registration lives in this service
        object only; register on every start.

        Adapters that can share their quota (:class:`~fieldsync.ports.SharesQuota`: the
        Zoho ones) book their calls and keep their tokens in this service's store from
        now on, when it is a quota store (``SQLiteStore``, ``PostgresStore``,
        ``InMemoryStore``), unless they were built with a ``ledger`` or ``token_cache``
        of their own: every process on one store then shares an account's rate windows,
        endpoint locks and access token. The same holds for adapters a ``resolver``
        builds.

        Raises:
            StateError: the integration was disabled (it can never run again).
            TypeError: ``source`` or ``target`` does not implement its port; the message
                names the argument and the methods it lacks.
        """
        for argument, adapter, port in (("source", source, Source), ("target", target, Target)):
            missing = missing_methods(adapter, port)
            if missing:
                raise TypeError(
                    f"register_integration({name!r}): {argument}= must implement "
                    f"fieldsync.ports.{port.__name__}; {type(adapter).__name__} lacks "
                    + ", ".join(f"{method}()" for method in missing)
                )
        if name in self._store.disabled_integrations():
            raise StateError(f"integration {name!r} was disabled and cannot be used again")
        self._integrations.register(name, source, target)
        for adapter in (source, target):
            if not any(adapter is owned for owned in self._owned):
                self._owned.append(adapter)

    def close(self) -> None:
        """Close the notifier, every adapter ever registered (each once, whatever the
        number of integrations sharing it) and every resolved integration no run uses, when
        they have a ``close`` method. The store is not closed. Idempotent. If closing one
        raises, the others are still closed and the first error is raised."""
        owned, self._owned = self._owned, []
        try:
            close_each(owned)
        finally:
            self._integrations.close()

    def create_sync(
        self,
        name: str,
        *,
        integration: str,
        list_key: str,
        mapping: FieldMapping,
        criteria: Criteria | None = None,
        schedule: Schedule | None = None,
        options: SyncOptions | None = None,
    ) -> Sync:
        """Create a sync in the draft state, at configuration version 1. No I/O: the
        mapping is checked against the live schemas by :meth:`preview` and :meth:`initiate`.

        Args:
            name: what people call the sync.
            integration: a registered (or resolvable) integration's name.
            list_key: the target list the contacts go to.
            mapping: the field mapping (the email must be mapped).
            criteria: which records to sync; every record by default.
            schedule: when to run after initiate; by default never (only by hand).
            options: more options (empty values, records to retrieve).

        Raises:
            NotFoundError: the integration is not registered (nor resolvable).
            StateError: the integration was disabled.
        """
        with self._integration(integration):
            pass
        now = self._clock.now()
        config = SyncConfig(
            version=1,
            list_key=list_key,
            mapping=mapping,
            criteria=criteria or Criteria.all(),
            schedule=schedule or Schedule.once(),
            options=options or SyncOptions(),
            created_at=now,
        )
        sync = Sync(
            id=self._ids(),
            name=name,
            integration=integration,
            state=SyncState.DRAFT,
            config=config,
            created_at=now,
            updated_at=now,
        )
        self._store.add_sync(sync)
        _log.info(
            "sync %s (%r) created for integration %s",
            sync.id,
            name,
            integration,
            extra=_fields(sync),
        )
        return sync

    def preview(self, sync_id: str) -> Preview:
        """Dry run: check the configuration the next initiate or run would use (a pending
        edit, if any) against the live schemas, read the source as that run's pass would
        from its start, and count what would happen. Writes nothing anywhere.

        Raises:
            NotFoundError: unknown sync, or its integration is not registered.
            SyncError: reading the schemas or the source failed.
        """
        sync = self._store.get_sync(sync_id)
        config = sync.pending or sync.config
        # A pending edit restarts from the configured start, as its initiate will.
        since = pass_since(None if sync.pending is not None else sync.watermark, config)
        with self._integration(sync.integration) as adapters:
            return _preview(
                sync_id,
                config,
                source=adapters.source,
                target=adapters.target,
                store=self._store,
                since=since,
            )

    def initiate(self, sync_id: str, *, acknowledge_disclaimer: bool = False) -> SyncRun:
        """Validate the sync against the live schemas, create the missing target fields,
        activate it and run it now. A pending edit becomes the configuration (and the next
        pass reads every record). Nothing changes when validation fails.

        Args:
            sync_id: the sync.
            acknowledge_disclaimer: the user accepted :data:`DISCLAIMER` (needed when the
                target's plan auto-upgrades and the sync may go past its contact limit).

        Raises:
            NotFoundError: unknown sync, or its integration is not registered.
            InvalidTransitionError: the sync's state does not allow initiating (disabled).
            InvalidConfigurationError: every mapping and criteria problem found.
            DisclaimerNotAcknowledgedError: the disclaimer must be acknowledged first.
            SyncAlreadyRunningError: a run of the sync is in progress.
            SyncError: reading the schemas, the capacity or creating a field failed.
        """
        sync = self._store.get_sync(sync_id)
        transition(sync.state, SyncAction.INITIATE, sync_id=sync_id)
        with self._integration(sync.integration) as adapters:
            return self._initiate(sync_id, adapters, acknowledge_disclaimer)

    def _initiate(self, sync_id: str, adapters: Integration, acknowledged: bool) -> SyncRun:
        owner = self._owner()
        # Held from validation to the run, so that no run starts between them.
        self._store.acquire_lease(sync_id, owner, now=self._clock.now(), ttl=self._lease_ttl)
        try:
            created = activate(
                sync_id,
                store=self._store,
                clock=self._clock,
                source=adapters.source,
                target=adapters.target,
                acknowledged=acknowledged,
            )
            return self._runner.run(
                sync_id,
                source=adapters.source,
                target=adapters.target,
                trigger=RunTrigger.INITIATE,
                owner=owner,
                fields_created=created,
            )
        finally:
            self._store.release_lease(sync_id, owner)

    # -- running ------------------------------------------------------------------------------

    def run(self, sync_id: str, *, max_duration: timedelta | None = None) -> SyncRun:
        """Run an active sync now, continuing its unfinished pass if it has one.

        Args:
            sync_id: the sync.
            max_duration: cut the run into slices: after this long it stops at the next
                batch boundary, deferred and due at once, and the next run continues the
                pass from its checkpoint (task queues whose jobs must stay short).

        Raises:
            NotFoundError: unknown sync, or its integration is not registered.
            InvalidTransitionError: the sync is not active.
            SyncAlreadyRunningError: a run of the sync is in progress.
        """
        sync = self._store.get_sync(sync_id)
        transition(sync.state, SyncAction.RUN, sync_id=sync_id)
        return self._run(sync, RunTrigger.MANUAL, max_duration=max_duration)

    def run_if_due(
        self,
        sync_id: str,
        *,
        now: datetime | None = None,
        max_duration: timedelta | None = None,
    ) -> SyncRun | None:
        """Run one sync as its schedule's run if it is due at ``now`` (default: the clock's
        now), for a task queue's job; ``None`` when it is not due, not active, or running
        elsewhere (each logged). ``max_duration`` cuts the run into slices (see :meth:`run`).

        Raises:
            NotFoundError: unknown sync, or its integration is neither registered nor
                resolvable.
        """
        sync = self._store.get_sync(sync_id)
        due_at = now or self._clock.now()
        if sync.state is not SyncState.ACTIVE or sync.next_run_at is None:
            _log.info("sync %s is not due: it is %s", sync_id, sync.state.value)
            return None
        if sync.next_run_at > due_at:
            _log.info("sync %s is not due before %s", sync_id, sync.next_run_at.isoformat())
            return None
        try:
            return self._run(sync, RunTrigger.SCHEDULE, due_by=due_at, max_duration=max_duration)
        except StateError as exc:
            # running elsewhere, paused or disabled meanwhile, or run by another worker
            _log.info("sync %s is due but was skipped: %s", sync_id, exc)
            return None

    def due_syncs(self, now: datetime | None = None) -> list[Sync]:
        """The active syncs whose next run is due at ``now`` (default: the clock's now),
        oldest first: what :meth:`run_due` runs, and what a task queue enqueues."""
        due_at = now or self._clock.now()
        return [
            sync
            for sync in self._store.list_syncs(state=SyncState.ACTIVE)
            if sync.next_run_at is not None and sync.next_run_at <= due_at
        ]

    def run_due(
        self, now: datetime | None = None, *, max_duration: timedelta | None = None
    ) -> list[SyncRun]:
        """Run every active sync whose next run is due at ``now`` (default: the clock's
        now), one after the other; return the runs. ``max_duration`` cuts each run into
        slices (see :meth:`run`).

        Syncs of unregistered or disabled integrations are left out; a sync that is
        running elsewhere (or was paused meanwhile) is logged and skipped.
        """
        due_at = now or self._clock.now()
        disabled = self._store.disabled_integrations()
        runs: list[SyncRun] = []
        for sync, owner in self._due_one_by_one(due_at):
            known = self._integrations.registered(sync.integration) or self._integrations.resolves
            if sync.integration in disabled or not known:
                _log.debug(
                    "sync %s is due; its integration is unavailable", sync.id, extra=_fields(sync)
                )
                self._store.release_lease(sync.id, owner)
                continue
            try:
                run = self._run(
                    sync, RunTrigger.SCHEDULE, due_by=due_at, max_duration=max_duration, owner=owner
                )
                runs.append(run)
            except NotFoundError:
                _log.debug("sync %s is due; its integration is unavailable", sync.id)
            except StateError as exc:
                _log.info("sync %s is due but was skipped: %s", sync.id, exc, extra=_fields(sync))
            except Exception:
                # One broken sync (a bug in a custom adapter, say) must not starve the others;
                # its run is already marked failed and it waits for its next retry.
                _log.exception("the scheduled run of sync %s failed", sync.id, extra=_fields(sync))
            else:
                continue
            # A claimed lease the run never took over (nothing to do when it did, or when
            # the lease is another owner's).
            self._store.release_lease(sync.id, owner)
        return runs

    def _due_one_by_one(self, due_at: datetime) -> Iterator[tuple[Sync, str]]:
        """The syncs due at ``due_at``, each at most once, with the lease owner to run it
        as. A store that claims due syncs itself (:class:`~fieldsync.ports.ClaimsDue`, as
        ``PostgresStore`` does with ``FOR UPDATE SKIP LOCKED``) hands out one whose lease
        it took, so that workers never line up behind the same syncs; otherwise the due
        list is walked and the run takes the lease.
        """
        store = self._store
        if not isinstance(store, ClaimsDue):
            for sync in self.due_syncs(due_at):
                yield sync, self._owner()
            return
        seen: list[str] = []
        while True:
            owner = self._owner()
            now = self._clock.now()
            claimed = store.claim_due(
                owner, now=now, due_by=due_at, ttl=self._lease_ttl, limit=1, exclude=seen
            )
            if not claimed:
                return
            seen.append(claimed[0])
            yield self._store.get_sync(claimed[0]), owner

    def pause(self, sync_id: str) -> Sync:
        """Pause an active sync. A run in progress stops at its next batch boundary with
        its checkpoint kept; nothing is lost.

        Raises:
            NotFoundError: unknown sync.
            InvalidTransitionError: the sync is not active.
        """
        return self._move(sync_id, SyncAction.PAUSE)

    def resume(self, sync_id: str) -> Sync:
        """Resume a paused sync. When a pass was cut short, it is due at once: the next
        :meth:`run` or :meth:`run_due` continues it from its checkpoint. Otherwise the
        schedule goes on (a run missed while paused is due at once).

        Raises:
            NotFoundError: unknown sync.
            InvalidTransitionError: the sync is not paused.
        """
        sync = self._store.get_sync(sync_id)
        sync.state = transition(sync.state, SyncAction.RESUME, sync_id=sync_id)
        now = self._clock.now()
        if self._runner.continuable(sync) is not None:
            sync.next_run_at = now
        sync.updated_at = now
        self._store.save_sync(sync)
        _log.info("sync %s resumed", sync_id, extra=_fields(sync))
        return sync

    def edit(
        self,
        sync_id: str,
        *,
        name: str | None = None,
        list_key: str | None = None,
        mapping: FieldMapping | None = None,
        criteria: Criteria | None = None,
        schedule: Schedule | None = None,
        options: SyncOptions | None = None,
    ) -> Sync:
        """Edit a sync. A new name applies at once; anything else makes a new pending
        configuration version (built on the latest one), applied by the next
        :meth:`initiate`. Runs until then use the current configuration. A sync that
        needs attention goes back to draft.

        Raises:
            NotFoundError: unknown sync.
            InvalidTransitionError: the sync is disabled.
        """
        sync = self._store.get_sync(sync_id)
        sync.state = transition(sync.state, SyncAction.EDIT, sync_id=sync_id)
        now = self._clock.now()
        if name is not None:
            sync.name = name
        latest = sync.pending or sync.config
        edited = attrs.evolve(
            latest,
            list_key=latest.list_key if list_key is None else list_key,
            mapping=mapping or latest.mapping,
            criteria=criteria or latest.criteria,
            schedule=schedule or latest.schedule,
            options=options or latest.options,
        )
        if edited != latest:
            sync.pending = attrs.evolve(edited, version=latest.version + 1, created_at=now)
        sync.updated_at = now
        self._store.save_sync(sync)
        _log.info("sync %s edited", sync_id, extra=_fields(sync))
        return sync

    # -- looking ------------------------------------------------------------------------------

    def sync_detail(self, sync_id: str) -> SyncDetail:
        """A sync's configuration, field mapping, criteria, schedule and history.

        Raises:
            NotFoundError: unknown sync.
        """
        sync = self._store.get_sync(sync_id)
        config = sync.config
        return SyncDetail(
            sync=sync,
            config=config,
            pending=sync.pending,
            mapping=tuple(MappingRow(p.source, p.target, p.create) for p in config.mapping),
            criteria=config.criteria.to_text(),
            schedule=config.schedule.describe(),
            next_run_at=sync.next_run_at,
            history=self._store.runs(sync_id),
            config_versions=self._store.config_versions(sync_id),
        )

    def get_sync(self, sync_id: str) -> Sync:
        """The sync with this id: its state, configuration and next run (no history;
        :meth:`sync_detail` has that).

        Raises:
            NotFoundError: unknown sync.
        """
        return self._store.get_sync(sync_id)

    def list_syncs(
        self, *, integration: str | None = None, state: SyncState | None = None
    ) -> list[Sync]:
        """Syncs, oldest first, optionally of one integration and/or in one state."""
        return self._store.list_syncs(integration=integration, state=state)

    def history(self, sync_id: str) -> list[SyncRun]:
        """A sync's runs, newest first.

        Raises:
            NotFoundError: unknown sync.
        """
        return self._store.runs(sync_id)

    def export_skipped(self, run_id: str, destination: str | os.PathLike[str] | TextIO) -> int:
        """Write a run's skipped and failed records as CSV; return how many rows.

        Columns: ``key``, ``email``, ``disposition`` (skipped or failed), ``reason_code``,
        ``reason_text``, then one per target field of the run's mapping. Cells that a
        spreadsheet would run as a formula are prefixed with ``'``. Streams from the store.

        Args:
            run_id: the run.
            destination: a path (created or replaced) or an open text file (opened with
                ``newline=""``).

        Raises:
            NotFoundError: unknown run.
            OSError: the file cannot be written.
        """
        run = self._store.get_run(run_id)
        versions = self._store.config_versions(run.sync_id)
        config = next((c for c in versions if c.version == run.config_version), None)
        if config is None:
            raise NotFoundError("configuration version", f"{run.sync_id} v{run.config_version}")
        return write_skipped(self._store.skipped_records(run_id), config.mapping, destination)

    def notifications(self, *, unread_only: bool = False) -> list[Notification]:
        """The inbox, newest first."""
        return self._store.notifications(unread_only=unread_only)

    def mark_read(self, ids: Iterable[str] | None = None) -> int:
        """Mark these notifications (or all of them) read; return how many were unread."""
        return self._store.mark_read(ids)

    # -- for screens ----------------------------------------------------------------------------

    def integrations(self) -> list[IntegrationStatus]:
        """Every integration this service knows, by name: the registered ones, the disabled
        ones (their syncs' history stays readable) and any a stored sync names.
        """
        disabled = self._store.disabled_integrations()
        names = set(self._integrations.names()) | set(disabled)
        names |= {sync.integration for sync in self._store.list_syncs()}
        return [
            IntegrationStatus(
                name,
                # With a resolver, any integration not disabled may be had on demand.
                registered=self._integrations.registered(name)
                or (self._integrations.resolves and name not in disabled),
                disabled_at=disabled.get(name),
            )
            for name in sorted(names)
        ]

    def adapters(self, integration: str) -> tuple[Source, Target]:
        """The source and target registered under ``integration``, or resolved for it (a
        screen reads their live schemas and describes their credentials through them).
        Resolved adapters stay the service's: a later eviction from its cache may close them.

        Raises:
            NotFoundError: the integration is neither registered nor resolvable.
            StateError: the integration was disabled.
        """
        with self._integration(integration) as found:
            return found.source, found.target

    def check_initiate(self, sync_id: str, *, acknowledge_disclaimer: bool = False) -> None:
        """Everything :meth:`initiate` checks before it runs, changing nothing: the state,
        the configuration against the live schemas, and the plan-limit disclaimer. A screen
        calls it before it starts :meth:`initiate` in the background.

        Raises:
            NotFoundError: unknown sync, or its integration is not registered.
            InvalidTransitionError: the sync's state does not allow initiating (disabled).
            InvalidConfigurationError: every mapping and criteria problem found.
            DisclaimerNotAcknowledgedError: the disclaimer must be acknowledged first.
            SyncError: reading the schemas or the capacity failed.
        """
        sync = self._store.get_sync(sync_id)
        transition(sync.state, SyncAction.INITIATE, sync_id=sync_id)
        with self._integration(sync.integration) as adapters:
            validate(
                sync.pending or sync.config,
                adapters.source,
                adapters.target,
                acknowledged=acknowledge_disclaimer,
            )

    # -- disabling ----------------------------------------------------------------------------

    def disable_integration(self, name: str, *, confirm: bool = False) -> DisableImpact:
        """Disable an integration for good: its syncs stop (history is kept) and its
        credentials are revoked. Without ``confirm`` nothing changes: the impact says what
        would happen.

        Revoking happens after the syncs and the integration are disabled; a revoke that
        fails is logged and reported in ``DisableImpact.revoke_errors``, not raised, since
        the integration is disabled all the same.

        Raises:
            NotFoundError: the integration is neither registered nor used by a sync.
        """
        with contextlib.ExitStack() as stack:
            try:
                # resolved even when disabled already: a retry after a failure must revoke
                adapters: Integration | None = stack.enter_context(self._integrations.use(name))
            except NotFoundError:
                adapters = None
            syncs = self._store.list_syncs(integration=name)
            if adapters is None and not syncs:
                raise NotFoundError("integration", name)
            source = None if adapters is None else adapters.source
            target = None if adapters is None else adapters.target
            impact = impact_of(name, syncs, source, target)
            if not confirm:
                return impact
            done = carry_out(
                impact,
                source=source,
                target=target,
                store=self._store,
                outbox=self._outbox,
                clock=self._clock,
            )
            # Forgotten only once carried out: a retry after a failure must still revoke.
            self._integrations.forget(name)
            return done

    # -- helpers ------------------------------------------------------------------------------

    def _run(
        self,
        sync: Sync,
        trigger: RunTrigger,
        *,
        due_by: datetime | None = None,
        max_duration: timedelta | None = None,
        owner: str | None = None,
    ) -> SyncRun:
        with self._integration(sync.integration) as adapters:
            return self._runner.run(
                sync.id,
                source=adapters.source,
                target=adapters.target,
                trigger=trigger,
                owner=owner or self._owner(),
                due_by=due_by,
                max_duration=max_duration,
            )

    def _move(self, sync_id: str, action: SyncAction) -> Sync:
        sync = self._store.get_sync(sync_id)
        sync.state = transition(sync.state, action, sync_id=sync_id)
        sync.updated_at = self._clock.now()
        self._store.save_sync(sync)
        _log.info("sync %s: %s -> %s", sync_id, action.value, sync.state.value, extra=_fields(sync))
        return sync

    @contextlib.contextmanager
    def _integration(self, name: str) -> Iterator[Integration]:
        # A disabled integration is never resolved again (its credentials are revoked);
        # a registered one cannot be disabled (disabling forgets it).
        if not self._integrations.registered(name) and name in self._store.disabled_integrations():
            raise StateError(f"integration {name!r} was disabled")
        with self._integrations.use(name) as adapters:
            yield adapters

    def _owner(self) -> str:
        # One owner per call: two threads of one service never share a lease.
        return f"{self._worker}/{self._ids()}"
