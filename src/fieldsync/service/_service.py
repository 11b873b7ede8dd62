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
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, overload

import attrs
from typing_extensions import deprecated

from fieldsync._closing import Closeable
from fieldsync.clock import SystemClock
from fieldsync.domain.duration import RunEstimate
from fieldsync.domain.fields import Schema
from fieldsync.domain.spec import SpecProblem, SyncSpec
from fieldsync.domain.state import SyncAction, SyncState, transition
from fieldsync.domain.sync import (
    Notification,
    RunTrigger,
    Sync,
    SyncRun,
)
from fieldsync.events import EventHook
from fieldsync.exceptions import (
    FieldSyncError,
    InvalidConfigurationError,
    NotFoundError,
    StateError,
)
from fieldsync.ports import ClaimsDue, Clock, Notifier, QuotaStore, Source, SyncStore, Target
from fieldsync.service._adapters import close_each, missing_methods
from fieldsync.service._disable import carry_out, impact_of
from fieldsync.service._estimates import RunEstimates
from fieldsync.service._export import write_skipped
from fieldsync.service._initiate import activate, validate
from fieldsync.service._integrations import Integration, IntegrationResolver, Integrations
from fieldsync.service._outbox import Outbox
from fieldsync.service._preview import DISCLAIMER
from fieldsync.service._preview import preview as _preview
from fieldsync.service._read_models import ReadCache, mailing_lists_of
from fieldsync.service._run import Runner, pass_since
from fieldsync.service._run_events import with_progress
from fieldsync.service._spec import live_problems, spec_of_create, spec_of_edit, text_problems
from fieldsync.service._verify import Verifier, source_scan_due
from fieldsync.service.views import (
    DisableImpact,
    IntegrationDetails,
    IntegrationStatus,
    MappingRow,
    Preview,
    SyncDetail,
)

if TYPE_CHECKING:
    from fieldsync.domain.criteria import Criteria
    from fieldsync.domain.drift import VerifyReport
    from fieldsync.domain.mapping import FieldMapping
    from fieldsync.domain.schedule import Schedule
    from fieldsync.domain.sync import SyncOptions

__all__ = ["DISCLAIMER", "READ_MODEL_TTL", "SyncService"]

T = TypeVar("T")
READ_MODEL_TTL = timedelta(seconds=30)
"""How long the read models (schemas, lists, credentials described) are kept by default."""

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
        on_progress: deprecated since 0.1; use ``on_event`` and
            :class:`~fieldsync.events.BatchCommitted`. Still called with the run after each
            committed batch.
        resolver: builds an integration's adapters on demand from its name (an object
            with ``source`` and ``target``, such as :class:`Integration`, or ``None`` for
            an unknown name), for fleets whose integrations live in the user's own
            credential storage. Registered integrations come first.
        resolver_cache_size: resolved integrations kept open at most; the least recently
            used is closed (its ``close()``, else its source's and target's) once no run
            uses it.
        read_model_ttl: how long :meth:`source_schema`, :meth:`target_schema`,
            :meth:`mailing_lists` and :meth:`integration_details` keep what they read from
            the adapters (on ``clock``); 30 seconds by default, ``timedelta(0)`` to read
            every time.
        source_scan_every: how often :meth:`run_due` reads the whole source of a sync whose
            ``on_source_delete`` is ``"unsubscribe"`` to find the records deleted there (a
            ``source_scan`` run in the history; a repair counts as one); ``None`` (the
            default): only ``verify`` finds them. Zoho Invoice gives 200 contacts a page:
            100,000 contacts cost 500 of the organization's daily calls each pass.
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
        read_model_ttl: timedelta = READ_MODEL_TTL,
        source_scan_every: timedelta | None = None,
    ) -> None:
        self._store = store
        self._clock: Clock = clock or SystemClock()
        self._ids: Callable[[], str] = ids or (lambda: uuid.uuid4().hex)
        self._worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self._lease_ttl = lease_ttl
        # Adapters book Zoho's limits in the store (every process on it shares them).
        quota = store if isinstance(store, QuotaStore) else None
        self._integrations = Integrations(resolver, cache_size=resolver_cache_size, quota=quota)
        self._reads = ReadCache(self._clock, read_model_ttl)
        # Everything to close, in the order received; the notifier first.
        self._owned: list[object] = [] if notifier is None else [notifier]
        self._outbox = Outbox(store=store, notifier=notifier, clock=self._clock, ids=self._ids)
        self._estimates = RunEstimates()
        given = with_progress(on_event, on_progress)
        self._runner = Runner(
            store=store,
            clock=self._clock,
            outbox=self._outbox,
            ids=self._ids,
            lease_ttl=lease_ttl,
            watermark_overlap=watermark_overlap,
            on_event=self._estimates if given is None else self._estimates.then(given),
        )
        self._source_scan_every = source_scan_every
        self._verifier = Verifier(
            store=store, clock=self._clock, ids=self._ids, lease_ttl=lease_ttl
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
        self._reads.forget(name)
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

    @overload
    def create_sync(self, integration: str, spec: SyncSpec) -> Sync: ...

    @overload
    @deprecated("create_sync(name, integration=..., ...): pass create_sync(integration, spec)")
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
    ) -> Sync: ...

    def create_sync(self, *args: Any, **kwargs: Any) -> Sync:
        """Create a sync of ``integration`` from ``spec``, in the draft state at
        configuration version 1. No I/O: only the spec's text rules are checked here (see
        :meth:`check`); the live schemas are checked by :meth:`check`, :meth:`preview` and
        :meth:`initiate`.

        The keyword form ``create_sync(name, integration=..., list_key=..., mapping=...,
        criteria=..., schedule=..., options=...)`` is deprecated since 0.1 and goes in 0.2.

        Raises:
            NotFoundError: the integration is not registered (nor resolvable).
            StateError: the integration was disabled.
            InvalidConfigurationError: the spec breaks a text rule (every problem listed).
        """
        integration, spec = spec_of_create(args, kwargs)
        with self._integration(integration):
            pass
        _refuse_text(spec)
        now = self._clock.now()
        sync = Sync(
            id=self._ids(),
            name=spec.name,
            integration=integration,
            state=SyncState.DRAFT,
            config=spec.config(version=1, created_at=now),
            created_at=now,
            updated_at=now,
        )
        self._store.add_sync(sync)
        _log.info(
            "sync %s (%r) created for integration %s",
            sync.id,
            spec.name,
            integration,
            extra=_fields(sync),
        )
        return sync

    def check(self, integration: str, spec: SyncSpec) -> list[SpecProblem]:
        """Every problem of ``spec`` at once, changing nothing: the text rules (see
        :func:`create_sync`), the mapping against the live source and target schemas, the
        criteria against the source schema and, when the target can list its lists, the
        list key. An empty list: the spec is fine to save and initiate.

        Raises:
            NotFoundError: the integration is not registered (nor resolvable).
            StateError: the integration was disabled.
            SyncError: reading a schema or the lists failed.
        """
        source, target = self.source_schema(integration), self.target_schema(integration)
        lists = self._read(integration, "lists", lambda found: mailing_lists_of(found.target))
        return text_problems(spec) + live_problems(spec, source, target, lists)

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
            if created:
                self._reads.forget(self._store.get_sync(sync_id).integration)
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

    def verify(self, sync_id: str, *, repair: bool = False) -> VerifyReport:
        """Read the sync's list back and compare it with what the sync sent and what the
        source says now (``docs/open-world.md``). What the list shows of consent is
        recorded at once (unsubscribed, bounced and Do-Not-Mail members are skipped by the
        runs; a refused member active again is sent again).

        Args:
            sync_id: the sync (in any state: verifying makes no writes to the list).
            repair: send again what is missing or differs (a ``repair`` run in the
                history, counting ``readded`` and ``updated``) and apply the sync's
                ``on_source_delete`` and ``on_email_change`` policies; a verify right
                after finds no drift.

        Raises:
            NotFoundError: unknown sync, or its integration is not registered.
            ConfigurationError: the target cannot read its lists back, or the sync's
                mapping no longer fits the schemas (``InvalidConfigurationError``).
            InvalidTransitionError: ``repair`` of a sync that is not active (a paused
                sync writes nothing).
            SyncAlreadyRunningError: ``repair`` while a run of the sync is in progress.
        """
        sync = self._store.get_sync(sync_id)
        if repair:
            transition(sync.state, SyncAction.RUN, sync_id=sync_id)
        with self._integration(sync.integration) as adapters:
            report = self._verifier.verify(
                sync, adapters.source, adapters.target, owner=self._owner(), repair=repair
            )
        _log.info(
            "sync %s verified: %s",
            sync_id,
            "drift" if report.drift else "matches",
            extra=_fields(sync),
        )
        return report

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
                self._source_scan_if_due(sync.id)
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

    def _source_scan_if_due(self, sync_id: str) -> None:
        """The scheduled full read of the source (``source_scan_every``), after a run;
        a failure is logged, never raised into the schedule."""
        every, sync = self._source_scan_every, self._store.get_sync(sync_id)
        if every is None or sync.state is not SyncState.ACTIVE:
            return
        if not source_scan_due(self._store, sync, every, self._clock.now()):
            return
        try:
            with self._integration(sync.integration) as adapters:
                report = self._verifier.verify(
                    sync,
                    adapters.source,
                    adapters.target,
                    owner=self._owner(),
                    repair=True,
                    resend=False,
                )
        except FieldSyncError as exc:
            _log.warning("the source scan of sync %s failed: %s", sync_id, exc, extra=_fields(sync))
            return
        _log.info(
            "source scan of sync %s: %d deleted in the source",
            sync_id,
            len(report.deleted),
            extra=_fields(sync),
        )

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

    @overload
    def edit(self, sync_id: str, spec: SyncSpec) -> Sync: ...

    @overload
    @deprecated("edit(sync_id, name=..., ...): pass edit(sync_id, spec) with the whole spec")
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
    ) -> Sync: ...

    def edit(self, sync_id: str, spec: SyncSpec | None = None, **kwargs: Any) -> Sync:
        """Give a sync a whole new ``spec``. A new name applies at once; any other change
        makes a new pending configuration version, applied by the next :meth:`initiate`.
        Runs until then use the current configuration. A sync that needs attention goes
        back to draft. Only the text rules are checked (see :meth:`check`).

        The keyword form ``edit(sync_id, name=..., mapping=..., ...)`` (each keyword
        changing one part) is deprecated since 0.1 and goes in 0.2.

        Raises:
            NotFoundError: unknown sync.
            InvalidTransitionError: the sync is disabled.
            InvalidConfigurationError: the spec breaks a text rule (every problem listed).
        """
        sync = self._store.get_sync(sync_id)
        spec = spec_of_edit(sync, spec, kwargs)
        sync.state = transition(sync.state, SyncAction.EDIT, sync_id=sync_id)
        _refuse_text(spec)
        now = self._clock.now()
        sync.name = spec.name
        latest = sync.pending or sync.config
        edited = spec.config(version=latest.version, created_at=latest.created_at)
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

    def spec(self, sync_id: str) -> SyncSpec:
        """What the user set on a sync: its name and latest configuration (a pending edit,
        if any). Change it and give it back to :meth:`edit`, e.g.
        ``service.edit(sync_id, attrs.evolve(service.spec(sync_id), schedule=...))``.

        Raises:
            NotFoundError: unknown sync.
        """
        sync = self._store.get_sync(sync_id)
        return SyncSpec.of(sync.name, sync.pending or sync.config)

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

    def expected_duration(self, run_id: str) -> RunEstimate | None:
        """How long a run in progress in this process is expected to take at the target's
        rate limits (what :class:`~fieldsync.events.RunEstimated` said), or ``None``: the
        run said none (its target states no windows, or it could not count the records),
        it ended, or it runs in another process. For screens that follow a run."""
        return self._estimates.get(run_id)

    def history(self, sync_id: str) -> list[SyncRun]:
        """A sync's runs, newest first.

        Raises:
            NotFoundError: unknown sync.
        """
        return self._store.runs(sync_id)

    def export_skipped(
        self, run_id: str, destination: str | os.PathLike[str] | TextIO, *, excel: bool = False
    ) -> int:
        """Write a run's skipped and failed records as CSV; return how many rows.

        Columns: ``key``, ``email``, ``disposition`` (skipped or failed), ``reason_code``,
        ``reason_text``, then one per target field of the run's mapping. Cells that a
        spreadsheet would run as a formula are prefixed with ``'``. Streams from the store.

        Args:
            run_id: the run.
            destination: a path (created or replaced) or an open text file (opened with
                ``newline=""``).
            excel: start with a UTF-8 byte order mark, so that Excel reads the file as
                UTF-8 (without it, Excel takes the file as the computer's legacy code page).

        Raises:
            NotFoundError: unknown run.
            OSError: the file cannot be written.
        """
        run = self._store.get_run(run_id)
        versions = self._store.config_versions(run.sync_id)
        config = next((c for c in versions if c.version == run.config_version), None)
        if config is None:
            raise NotFoundError("configuration version", f"{run.sync_id} v{run.config_version}")
        records = self._store.skipped_records(run_id)
        return write_skipped(records, config.mapping, destination, excel=excel)

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

    def source_schema(self, integration: str) -> Schema:
        """The live schema of ``integration``'s source, kept for ``read_model_ttl``.

        Raises:
            NotFoundError: the integration is neither registered nor resolvable.
            StateError: the integration was disabled.
            SyncError: the source did not answer.
        """
        return self._read(integration, "source_schema", lambda found: found.source.schema())

    def target_schema(self, integration: str) -> Schema:
        """The live schema of ``integration``'s target, kept for ``read_model_ttl`` (and
        read again after :meth:`initiate` creates a field).

        Raises:
            NotFoundError: the integration is neither registered nor resolvable.
            StateError: the integration was disabled.
            SyncError: the target did not answer.
        """
        return self._read(integration, "target_schema", lambda found: found.target.schema())

    def mailing_lists(self, integration: str) -> dict[str, str]:
        """Key -> name of the target's lists, kept for ``read_model_ttl``; empty when the
        target cannot list them (see :class:`~fieldsync.service.ListsMailingLists`).

        Raises:
            NotFoundError: the integration is neither registered nor resolvable.
            StateError: the integration was disabled.
            SyncError: the target did not answer.
        """
        lists = self._read(integration, "lists", lambda found: mailing_lists_of(found.target))
        return dict(lists or {})

    def integration_details(self, integration: str) -> IntegrationDetails:
        """What ``integration`` is connected to: its adapters' kinds and its credentials
        described (no secret), kept for ``read_model_ttl``. Changes nothing.

        Raises:
            NotFoundError: the integration is neither registered nor resolvable.
            StateError: the integration was disabled.
        """

        def describe(found: Integration) -> IntegrationDetails:
            described = [*found.source.describe_credentials()]
            described += found.target.describe_credentials()
            return IntegrationDetails(
                integration,
                type(found.source).__name__,
                type(found.target).__name__,
                tuple(dict.fromkeys(described)),
            )

        return self._read(integration, "details", describe)

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
            self._reads.forget(name)
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

    def _read(self, integration: str, kind: str, read: Callable[[Integration], T]) -> T:
        def fresh() -> T:
            with self._integration(integration) as found:
                return read(found)

        # A disabled integration's kept values are never handed out.
        if not self._integrations.registered(integration) and (
            integration in self._store.disabled_integrations()
        ):
            raise StateError(f"integration {integration!r} was disabled")
        return self._reads.get(integration, kind, fresh)

    def _owner(self) -> str:
        # One owner per call: two threads of one service never share a lease.
        return f"{self._worker}/{self._ids()}"


def _refuse_text(spec: SyncSpec) -> None:
    problems = text_problems(spec)
    if problems:
        raise InvalidConfigurationError(problems)
